//! `rules check` on broken rules: one test per kind of error and lint. A
//! valid base file defines a small town; each test adds a second file with
//! one mistake and expects one problem, with the file, line and column of
//! the item at fault (counted by hand in the snippet) and what was expected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use mandate_rules::{check_rules, Level, Problem};

const BASE: &str = r#"[pack]
id = "town"
title = "A town"
version = "1"
jurisdiction = "test"

[[organisation]]
id = "town"
name = "Town"

[[organisation]]
id = "finance"
name = "Finance bureau"
parent = "town"

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

[[person]]
id = "fu"
name = "Fu"
term = [{ position = "finance-head", from = "2024-01-01" }]

[[person]]
id = "ma"
name = "Ma"
term = [{ position = "mayor", from = "2024-01-01" }]

[[meeting_rule]]
id = "collective"
title = "Collective decision"
severity = "high"
quorum = { at_least = "2/3" }
approval = { more_than = "1/2" }
legal_basis = { source = "Rules of procedure", text = "Two thirds present." }

[[prohibition]]
id = "mayor-not-in-charge"
title = "The mayor does not approve funds"
severity = "high"
position_kinds = ["top_leader"]
matters = ["fund_approval"]
legal_basis = { source = "Opinions", text = "Not in charge of finance." }

[[procedure]]
id = "spending"
title = "Spending"
processes = ["spending"]

[[procedure.stage]]
id = "request"
title = "Request"
activities = ["request"]

[[procedure.stage]]
id = "approval"
title = "Approval"
activities = ["approve"]

[[procedure.rule]]
id = "approval-after-request"
title = "Approval after a request"
severity = "high"
kind = "precedence"
stages = ["approval"]
requires = "request"
legal_basis = { source = "Finance rules", text = "Approve requests only." }

[[power]]
id = "finance.approve"
title = "Approve funds"
positions = ["finance-head"]
matter = "fund_approval"
procedure = "spending"
limit = { amount = 500000, currency = "CNY" }
legal_basis = { source = "Town list", text = "Up to 500,000." }
"#;

const HEADER: &str = "[pack]\nid = \"more\"\ntitle = \"More\"\nversion = \"1\"\njurisdiction = \"test\"\n";

/// The problems of the base rules plus `extra` (written after [`HEADER`],
/// so the extra file's first own line is line 6).
fn problems(name: &str, extra: &str) -> Vec<Problem> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("rules_check")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a-base.toml"), BASE).unwrap();
    std::fs::write(dir.join("b-extra.toml"), format!("{HEADER}{extra}")).unwrap();
    let (_, problems) = check_rules(&[dir]).unwrap();
    problems
}

/// Exactly one problem, at `line:column` of the extra file, saying `says`.
fn expect_one(name: &str, extra: &str, level: Level, at: (usize, usize), says: &str) {
    let found = problems(name, extra);
    assert_eq!(found.len(), 1, "{name}: {found:#?}");
    let problem = &found[0];
    assert_eq!(problem.level, level, "{problem}");
    assert!(problem.path.ends_with("b-extra.toml"), "{problem}");
    assert_eq!(problem.line, Some(at), "{problem}");
    assert!(
        problem.message.contains(says),
        "{name}: `{}` lacks `{says}`",
        problem.message
    );
    let shown = problem.to_string();
    assert!(
        shown.contains(&format!("b-extra.toml:{}:{}: ", at.0, at.1)),
        "{shown}"
    );
}

#[test]
fn the_base_rules_are_clean() {
    assert_eq!(problems("clean", ""), []);
}

#[test]
fn a_syntax_error_names_line_and_column() {
    expect_one(
        "syntax",
        "\n[[organisation]]\nid = \"x\nname = \"X\"\n",
        Level::Error,
        (8, 8),
        "invalid basic string",
    );
}

#[test]
fn an_unknown_field_is_named_with_the_expected_ones() {
    expect_one(
        "unknown-field",
        "\n[[organisation]]\nid = \"x\"\nname = \"X\"\nboss = \"fu\"\n",
        Level::Error,
        (10, 1),
        "unknown field `boss`, expected one of",
    );
}

#[test]
fn an_undefined_parent_organisation() {
    expect_one(
        "parent",
        "\n[[organisation]]\nid = \"school\"\nname = \"School\"\nparent = \"education\"\n",
        Level::Error,
        (8, 1),
        "organisation `school`: field `parent`: organisation `education` is not defined (defined:",
    );
}

#[test]
fn organisations_in_a_cycle() {
    let found = problems(
        "cycle",
        "\n[[organisation]]\nid = \"a\"\nname = \"A\"\nparent = \"b\"\n\n[[organisation]]\nid = \"b\"\nname = \"B\"\nparent = \"a\"\n",
    );
    let messages: Vec<String> = found.iter().map(|p| p.to_string()).collect();
    assert_eq!(found.len(), 2, "{messages:#?}");
    assert!(messages[0].contains("b-extra.toml:8:1: error: organisation `a`: its parents form a cycle"));
    assert!(messages[1].contains("b-extra.toml:13:1: error: organisation `b`: its parents form a cycle"));
}

#[test]
fn a_position_in_an_undefined_organisation() {
    expect_one(
        "position-org",
        "\n[[position]]\nid = \"clerk\"\ntitle = \"Clerk\"\norganisation = \"registry\"\nkind = \"clerk\"\n",
        Level::Error,
        (8, 1),
        "position `clerk`: field `organisation`: organisation `registry` is not defined",
    );
}

#[test]
fn a_position_of_an_unknown_kind() {
    expect_one(
        "position-kind",
        "\n[[position]]\nid = \"clerk\"\ntitle = \"Clerk\"\norganisation = \"town\"\nkind = \"janitor\"\n",
        Level::Error,
        (11, 8),
        "unknown variant `janitor`",
    );
}

#[test]
fn a_term_in_an_undefined_position_and_one_ending_before_it_starts() {
    expect_one(
        "term-position",
        "\n[[person]]\nid = \"ke\"\nname = \"Ke\"\nterm = [{ position = \"treasurer\", from = \"2024-01-01\" }]\n",
        Level::Error,
        (8, 1),
        "person `ke`: term: position `treasurer` is not defined (defined: finance-head, mayor)",
    );
    expect_one(
        "term-order",
        "\n[[person]]\nid = \"ke\"\nname = \"Ke\"\nterm = [{ position = \"mayor\", from = \"2024-01-01\", until = \"2023-01-01\" }]\n",
        Level::Error,
        (8, 1),
        "person `ke`: term in `mayor` ends before it starts",
    );
}

#[test]
fn a_relation_to_an_undefined_person_or_to_oneself() {
    let found = problems(
        "relation",
        "\n[[relation]]\nperson = \"fu\"\nkind = \"spouse\"\nof = \"nobody\"\n",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0]
        .message
        .contains("relation of `fu`: field `of`: person `nobody` is not defined"));
    let found = problems(
        "relation-self",
        "\n[[relation]]\nperson = \"fu\"\nkind = \"sibling\"\nof = \"fu\"\n",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("`fu` cannot be related to themselves"));
}

#[test]
fn a_company_owned_by_an_undefined_person_or_with_a_bad_share() {
    expect_one(
        "owner",
        "\n[[company]]\nid = \"acme\"\nname = \"Acme\"\nowner = [{ person = \"nobody\", share = 0.5 }]\n",
        Level::Error,
        (8, 1),
        "company `acme`: field `owner`: person `nobody` is not defined",
    );
    expect_one(
        "share",
        "\n[[company]]\nid = \"acme\"\nname = \"Acme\"\nowner = [{ person = \"fu\", share = 1.5 }]\n",
        Level::Error,
        (8, 1),
        "company `acme`: owner `fu`: `share` must be above 0 and at most 1, not 1.5",
    );
}

const POWER: &str = "\n[[power]]\nid = \"p2\"\ntitle = \"T\"\nmatter = \"contract\"\nlegal_basis = { source = \"S\", text = \"T\" }\nprocedure = \"spending\"\n";

#[test]
fn a_power_nobody_holds_or_held_by_an_undefined_position() {
    // An error, and the lint that follows from it.
    let found: Vec<String> = problems("power-nobody", POWER)
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].contains(
        "b-extra.toml:8:1: error: power `p2`: give `positions` or `position_kinds`: nobody holds it"
    ));
    assert!(found[1].contains("b-extra.toml:8:1: warning: power `p2`: no defined position holds it"));
    let found = problems("power-position", &format!("{POWER}positions = [\"treasurer\"]\n"));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!((found[0].level, found[0].line), (Level::Error, Some((8, 1))));
    assert!(found[0].message.contains(
        "power `p2`: field `positions`: position `treasurer` is not defined (defined: finance-head, mayor)"
    ));
    assert!(found[1].message.contains("no defined position holds it"));
}

#[test]
fn a_power_with_an_undefined_procedure_or_meeting_rule() {
    expect_one(
        "power-procedure",
        &format!("{POWER}positions = [\"finance-head\"]\n").replace("\"spending\"", "\"buying\""),
        Level::Error,
        (8, 1),
        "power `p2`: field `procedure`: procedure `buying` is not defined (defined: spending)",
    );
    expect_one(
        "power-meeting-rule",
        &format!(
            "{POWER}positions = [\"finance-head\"]\ncollective_decision = true\nmeeting_rule = \"plenary\"\n"
        ),
        Level::Error,
        (8, 1),
        "power `p2`: field `meeting_rule`: meeting rule `plenary` is not defined (defined: collective)",
    );
    expect_one(
        "power-no-meeting-rule",
        &format!("{POWER}positions = [\"finance-head\"]\ncollective_decision = true\n"),
        Level::Error,
        (8, 1),
        "a collective decision is required, so `meeting_rule` must say what makes it valid",
    );
}

#[test]
fn a_power_whose_amounts_are_in_two_currencies() {
    expect_one(
        "power-currencies",
        &format!(
            "{POWER}positions = [\"finance-head\"]\nlimit = {{ amount = 10, currency = \"CNY\" }}\ncollective_decision_above = {{ amount = 5, currency = \"EUR\" }}\nmeeting_rule = \"collective\"\n"
        ),
        Level::Error,
        (8, 1),
        "power `p2`: `limit` is in CNY but `collective_decision_above` in EUR",
    );
}

const DELEGATION: &str = "\n[[delegation]]\nid = \"cover\"\nto_position = \"mayor\"\nlegal_basis = { source = \"S\", text = \"T\" }\n";

#[test]
fn a_delegation_of_an_undefined_power_to_an_undefined_position_backwards_in_time() {
    expect_one(
        "delegation-power",
        &format!("{DELEGATION}power = \"finance.spend\"\nfrom = \"2025-01-01\"\nuntil = \"2025-02-01\"\n"),
        Level::Error,
        (8, 1),
        "delegation `cover`: field `power`: power `finance.spend` is not defined (defined: finance.approve)",
    );
    expect_one(
        "delegation-position",
        &format!("{DELEGATION}power = \"finance.approve\"\nfrom = \"2025-01-01\"\nuntil = \"2025-02-01\"\n")
            .replace("\"mayor\"", "\"deputy\""),
        Level::Error,
        (8, 1),
        "delegation `cover`: field `to_position`: position `deputy` is not defined",
    );
    let found = problems(
        "delegation-dates",
        &format!("{DELEGATION}power = \"finance.approve\"\nfrom = \"2025-02-01\"\nuntil = \"2025-01-01\"\n")
            .replace("\"mayor\"", "\"finance-head\""),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0]
        .message
        .contains("delegation `cover`: `until` is before `from`"));
}

#[test]
fn a_prohibition_that_binds_nobody_or_nothing() {
    let prohibition = "\n[[prohibition]]\nid = \"no\"\ntitle = \"T\"\nseverity = \"high\"\nlegal_basis = { source = \"S\", text = \"T\" }\n";
    expect_one(
        "prohibition-nobody",
        &format!("{prohibition}matters = [\"contract\"]\n"),
        Level::Error,
        (8, 1),
        "prohibition `no`: give `positions` or `position_kinds`: it binds nobody",
    );
    expect_one(
        "prohibition-nothing",
        &format!("{prohibition}positions = [\"mayor\"]\nmatters = []\n"),
        Level::Error,
        (8, 1),
        "prohibition `no`: `matters` is empty",
    );
}

#[test]
fn a_procedure_rule_with_an_undefined_calendar() {
    expect_one(
        "calendar",
        r#"
[[procedure]]
id = "permit"
title = "Permit"
processes = ["permit"]

[[procedure.stage]]
id = "filed"
title = "Filed"
activities = ["file"]

[[procedure.stage]]
id = "decided"
title = "Decided"
activities = ["decide"]

[[procedure.rule]]
id = "decide-in-20-working-days"
title = "Decided within 20 working days"
severity = "medium"
kind = "deadline"
start = { stage = "filed" }
stage = "decided"
within_days = 20
days = "working"
calendar = "cn"
legal_basis = { source = "S", text = "T" }
"#,
        Level::Error,
        (23, 1),
        "field `calendar`: calendar `cn` is not defined",
    );
}

#[test]
fn a_second_recusal_section() {
    let recusal = "\n[recusal]\nid = \"r\"\ntitle = \"T\"\nseverity = \"high\"\nspouse = true\nlegal_basis = { source = \"S\", text = \"T\" }\n";
    let dir_problems = {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("rules_check")
            .join("recusal");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a-base.toml"), format!("{BASE}{recusal}")).unwrap();
        std::fs::write(
            dir.join("b-extra.toml"),
            format!("{HEADER}{}", recusal.replace("\"r\"", "\"r2\"")),
        )
        .unwrap();
        check_rules(&[dir]).unwrap().1
    };
    assert_eq!(dir_problems.len(), 1, "{dir_problems:#?}");
    assert!(dir_problems[0].path.ends_with("b-extra.toml"));
    assert!(dir_problems[0].message.contains("[recusal] is also defined in"));
}

// Lints: the rules load, but a reviewer should look.

#[test]
fn lint_a_power_without_a_procedure() {
    expect_one(
        "lint-no-procedure",
        &format!("{POWER}positions = [\"finance-head\"]\n").replace("procedure = \"spending\"\n", ""),
        Level::Warning,
        (8, 1),
        "power `p2` names no `procedure`",
    );
}

#[test]
fn lint_a_power_that_contradicts_a_prohibition() {
    expect_one(
        "lint-contradiction",
        &format!("{POWER}positions = [\"mayor\"]\n").replace("contract", "fund_approval"),
        Level::Warning,
        (8, 1),
        "power `p2` grants fund_approval to mayor, which prohibition `mayor-not-in-charge` forbids",
    );
}

#[test]
fn lint_two_sole_approvers_for_one_matter() {
    expect_one(
        "lint-sole",
        &format!("{POWER}positions = [\"finance-head\"]\nsole = true\n").replace("contract", "fund_approval"),
        Level::Warning,
        (8, 1),
        "powers `finance.approve` and `p2` both decide fund_approval for `finance`, but `p2` is meant to be the sole approver",
    );
}

#[test]
fn lint_a_delegation_that_lends_a_forbidden_matter() {
    expect_one(
        "lint-delegation",
        &format!("{DELEGATION}power = \"finance.approve\"\nfrom = \"2025-01-01\"\nuntil = \"2025-02-01\"\n"),
        Level::Warning,
        (8, 1),
        "delegation `cover` lends fund_approval to `mayor`, which prohibition `mayor-not-in-charge` forbids",
    );
}

const TWO_STAGES: &str = r#"
[[procedure]]
id = "permit"
title = "Permit"
processes = ["permit"]

[[procedure.stage]]
id = "filed"
title = "Filed"
activities = ["file"]

[[procedure.stage]]
id = "decided"
title = "Decided"
activities = ["decide"]
"#;

#[test]
fn lint_an_unreachable_stage() {
    let found = problems(
        "lint-unreachable",
        &format!(
            "{TWO_STAGES}
[[procedure.rule]]
id = \"decided-after-filed\"
title = \"T\"
severity = \"high\"
kind = \"precedence\"
stages = [\"decided\"]
requires = \"filed\"
legal_basis = {{ source = \"S\", text = \"T\" }}

[[procedure.rule]]
id = \"filed-after-decided\"
title = \"T\"
severity = \"high\"
kind = \"precedence\"
stages = [\"filed\"]
requires = \"decided\"
legal_basis = {{ source = \"S\", text = \"T\" }}
"
        ),
    );
    let messages: Vec<&str> = found.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "procedure `permit`: stage `decided` is unreachable: by the precedence rules it must come after itself",
            "procedure `permit`: stage `filed` is unreachable: by the precedence rules it must come after itself",
        ]
    );
    assert!(found
        .iter()
        .all(|p| p.level == Level::Warning && p.line == Some((8, 1))));
}

#[test]
fn lint_a_deadline_shorter_than_a_minimum_duration() {
    expect_one(
        "lint-deadline",
        &format!(
            "{TWO_STAGES}
[[procedure.rule]]
id = \"decide-within-10-days\"
title = \"T\"
severity = \"medium\"
kind = \"deadline\"
start = {{ stage = \"filed\" }}
stage = \"decided\"
within_days = 10
legal_basis = {{ source = \"S\", text = \"T\" }}

[[procedure.rule]]
id = \"comment-for-30-days\"
title = \"T\"
severity = \"medium\"
kind = \"duration\"
from = \"filed\"
to = \"decided\"
min_days = 30
legal_basis = {{ source = \"S\", text = \"T\" }}
"
        ),
        Level::Warning,
        (23, 1),
        "rule `decide-within-10-days` allows 10 days from `filed` to `decided`, but rule `comment-for-30-days` requires at least 30: no case can satisfy both",
    );
}
