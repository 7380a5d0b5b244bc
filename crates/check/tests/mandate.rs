//! Acts against a small mandate, each verdict worked out by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use mandate_check::mandate::Mandate;
use mandate_model::Act;

const RULES: &str = r#"
[pack]
id = "town"
title = "A town"
version = "1"
jurisdiction = "test"

[default_deny]
id = "town.no-power"
title = "No power without a basis"
severity = "high"
legal_basis = { source = "Town list", text = "Only listed powers." }

[[organisation]]
id = "town"
name = "Town"

[[organisation]]
id = "finance"
name = "Finance bureau"
parent = "town"

[[organisation]]
id = "school"
name = "School"
parent = "finance"

[[position]]
id = "mayor"
title = "Mayor"
organisation = "town"
kind = "top_leader"

[[position]]
id = "finance-head"
title = "Head of finance"
organisation = "finance"
kind = "department_head"

[[position]]
id = "clerk"
title = "Clerk"
organisation = "finance"
kind = "clerk"

[[person]]
id = "ma"
name = "Ma"
term = [{ position = "mayor", from = "2024-01-01" }]

[[person]]
id = "fu"
name = "Fu"
term = [{ position = "finance-head", from = "2024-01-01", until = "2025-06-30" }]

[[person]]
id = "ke"
name = "Ke"
term = [{ position = "clerk", from = "2024-01-01" }]

[[person]]
id = "fu-wife"
name = "Fu's wife"

[[relation]]
person = "fu"
kind = "spouse"
of = "fu-wife"

[[company]]
id = "acme"
name = "Acme"
owner = [{ person = "fu-wife", share = 0.5 }]

[[meeting_rule]]
id = "collective"
title = "Collective decision"
severity = "high"
quorum = { at_least = "2/3" }
approval = { more_than = "1/2" }
chief_speaks_last = true
legal_basis = { source = "Rules of procedure", text = "Two thirds present, majority of all." }

[[power]]
id = "finance.approve"
title = "Approve funds of the bureau and its units"
positions = ["finance-head"]
matter = "fund_approval"
limit = { amount = 500000, currency = "CNY" }
collective_decision_above = { amount = 300000, currency = "CNY" }
meeting_rule = "collective"
second_reviewer = true
legal_basis = { source = "Town list", article = "item 1", text = "Up to 500,000." }

[[delegation]]
id = "holiday-cover"
power = "finance.approve"
to_position = "clerk"
from = "2025-02-01"
until = "2025-02-28"
limit = { amount = 50000, currency = "CNY" }
legal_basis = { source = "Delegation order 2025-1", text = "Cover in February." }

[[prohibition]]
id = "top-leader-not-in-charge"
title = "The top leader does not directly approve funds"
severity = "high"
position_kinds = ["top_leader"]
matters = ["fund_approval"]
legal_basis = { source = "Opinions (2021)", text = "Not directly in charge of finance." }

[recusal]
id = "recusal"
title = "Recusal for relatives"
severity = "high"
spouse = true
lineal = true
collateral_within_generations = 3
close_in_laws = true
companies = true
legal_basis = { source = "Civil Servants Law", article = "art. 76", text = "Recuse." }
"#;

fn mandate() -> Mandate {
    let pack = mandate_rules::parse_pack(Path::new("town.toml"), RULES).unwrap();
    Mandate::compile(&[pack]).unwrap()
}

fn act(json: &str) -> Act {
    serde_json::from_str(json).unwrap()
}

fn rules_broken(mandate: &Mandate, json: &str) -> Vec<String> {
    mandate
        .decide(&act(json))
        .violations
        .into_iter()
        .map(|v| v.rule_id)
        .collect()
}

const BASE: &str = r#""id":"a","actor":"fu","matter":"fund_approval","organisation":"finance","time":"2025-03-03T10:00:00+08:00","reviewer":"ke""#;

#[test]
fn within_limit_and_reviewed_is_permitted() {
    let m = mandate();
    let verdict = m.decide(&act(&format!(
        r#"{{{BASE},"amount":{{"amount":250000,"currency":"CNY"}}}}"#
    )));
    assert!(verdict.is_permitted(), "{verdict:?}");
    assert_eq!(verdict.permitted_by[0].power, "finance.approve");
    assert_eq!(verdict.position.as_deref(), Some("finance-head"));
}

#[test]
fn subordinate_unit_is_in_scope() {
    let m = mandate();
    let json = format!(r#"{{{BASE},"amount":{{"amount":1000,"currency":"CNY"}}}}"#)
        .replace(r#""organisation":"finance""#, r#""organisation":"school""#);
    assert!(rules_broken(&m, &json).is_empty());
    let outside = json.replace(r#""organisation":"school""#, r#""organisation":"town""#);
    let verdict = m.decide(&act(&outside));
    assert_eq!(verdict.violations.len(), 1);
    assert!(
        verdict.violations[0]
            .explanation
            .contains("outside `finance` and the units below it"),
        "{verdict:?}"
    );
}

#[test]
fn above_limit_names_both_amounts() {
    let m = mandate();
    let verdict = m.decide(&act(&format!(
        r#"{{{BASE},"amount":{{"amount":500000.01,"currency":"CNY"}}}}"#
    )));
    let v = &verdict.violations[0];
    assert_eq!(v.rule_id, "finance.approve");
    // 500,000.01 is above the limit, and above 300,000 without a meeting.
    assert!(
        v.explanation
            .contains("the amount 500000.01 CNY is above the limit of 500000.00 CNY"),
        "{}",
        v.explanation
    );
    assert!(
        v.explanation.contains("no meeting is recorded"),
        "{}",
        v.explanation
    );
}

#[test]
fn collective_decision_above_threshold() {
    let m = mandate();
    let meeting = |present: &str, votes: &str, order: &str| {
        format!(
            r#"{{{BASE},"amount":{{"amount":400000,"currency":"CNY"}},"meeting":{{"id":"m1","members":["a","b","c","d","e","f"],"present":[{present}],"chief":"a","speaking_order":[{order}],"votes":[{votes}]}}}}"#
        )
    };
    let four = r#""a","b","c","d""#;
    let for_ = |who: &[&str]| {
        who.iter()
            .map(|w| format!(r#"{{"member":"{w}","vote":"for"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    };
    // 4 of 6 present (= 2/3), 4 for (> 3), chief last: valid.
    assert!(rules_broken(
        &m,
        &meeting(four, &for_(&["a", "b", "c", "d"]), r#""b","c","d","a""#)
    )
    .is_empty());
    // 3 of 6 present: quorum missed.
    let v = m.decide(&act(&meeting(
        r#""a","b","c""#,
        &for_(&["a", "b", "c"]),
        r#""b","c","a""#,
    )));
    assert!(
        v.violations[0].explanation.contains("3 of 6 members attended"),
        "{v:?}"
    );
    // 4 present, 3 for: 3 of 6 is not more than half of all members.
    let v = m.decide(&act(&meeting(
        four,
        &for_(&["a", "b", "c"]),
        r#""b","c","d","a""#,
    )));
    assert!(
        v.violations[0].explanation.contains("3 of 6 members voted for"),
        "{v:?}"
    );
    // Chief first.
    let v = m.decide(&act(&meeting(
        four,
        &for_(&["a", "b", "c", "d"]),
        r#""a","b","c","d""#,
    )));
    assert!(
        v.violations[0]
            .explanation
            .contains("the chief did not speak last"),
        "{v:?}"
    );
}

#[test]
fn second_reviewer_must_be_someone_else() {
    let m = mandate();
    let own = format!(r#"{{{BASE},"amount":{{"amount":1000,"currency":"CNY"}}}}"#)
        .replace(r#""reviewer":"ke""#, r#""reviewer":"fu""#);
    let v = m.decide(&act(&own));
    assert!(
        v.violations[0]
            .explanation
            .contains("the reviewer is the actor themself"),
        "{v:?}"
    );
}

#[test]
fn prohibition_and_default_deny_for_the_top_leader() {
    let m = mandate();
    let json = format!(r#"{{{BASE},"amount":{{"amount":1000,"currency":"CNY"}}}}"#)
        .replace(r#""actor":"fu""#, r#""actor":"ma""#);
    assert_eq!(
        rules_broken(&m, &json),
        ["top-leader-not-in-charge", "town.no-power"]
    );
}

#[test]
fn recusal_through_a_spouse_owned_company() {
    let m = mandate();
    let json = format!(r#"{{{BASE},"amount":{{"amount":1000,"currency":"CNY"}},"counterparty":"acme"}}"#);
    let v = m.decide(&act(&json));
    assert_eq!(v.violations.len(), 1, "{v:?}");
    assert_eq!(v.violations[0].rule_id, "recusal");
    assert!(
        v.violations[0]
            .explanation
            .contains("acme is owned 50 % by fu-wife, the actor's spouse"),
        "{v:?}"
    );
}

#[test]
fn delegation_within_its_period_and_limit() {
    let m = mandate();
    let clerk = |date: &str, amount: u32| {
        format!(r#"{{{BASE},"amount":{{"amount":{amount},"currency":"CNY"}}}}"#)
            .replace(r#""actor":"fu""#, r#""actor":"ke""#)
            .replace(r#""reviewer":"ke""#, r#""reviewer":"fu""#)
            .replace("2025-03-03", date)
    };
    let v = m.decide(&act(&clerk("2025-02-10", 40000)));
    assert!(v.is_permitted(), "{v:?}");
    assert_eq!(v.permitted_by[0].delegation.as_deref(), Some("holiday-cover"));
    // Above the delegation's lower limit.
    let v = m.decide(&act(&clerk("2025-02-10", 60000)));
    assert!(
        v.violations[0]
            .explanation
            .contains("above the limit of 50000.00 CNY"),
        "{v:?}"
    );
    // After the period.
    let v = m.decide(&act(&clerk("2025-03-01", 40000)));
    assert!(
        v.violations[0]
            .explanation
            .contains("the delegation runs from 2025-02-01 to 2025-02-28"),
        "{v:?}"
    );
}

#[test]
fn position_must_be_held_that_day() {
    let m = mandate();
    // Fu's term ended on 2025-06-30.
    let json = format!(r#"{{{BASE},"amount":{{"amount":1000,"currency":"CNY"}}}}"#)
        .replace("2025-03-03", "2025-07-01");
    let v = m.decide(&act(&json));
    assert_eq!(v.violations[0].rule_id, "town.no-power");
    assert!(
        v.violations[0]
            .explanation
            .contains("fu held no position on 2025-07-01"),
        "{v:?}"
    );
    let unknown = json
        .replace(r#""matter":"fund_approval""#, r#""matter":"gift""#)
        .replace("2025-07-01", "2025-03-03");
    assert!(m.decide(&act(&unknown)).violations[0]
        .explanation
        .contains("`gift` is not a kind of matter"));
}

#[test]
fn other_currency_is_not_compared() {
    let m = mandate();
    let v = m.decide(&act(&format!(
        r#"{{{BASE},"amount":{{"amount":10,"currency":"EUR"}}}}"#
    )));
    assert!(
        v.violations[0]
            .explanation
            .contains("the amount 10.00 EUR is not in CNY"),
        "{v:?}"
    );
}
