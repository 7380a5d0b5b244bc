//! Procedure rules on small hand-made cases, each expected verdict worked out by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use chrono::DateTime;
use mandate_check::{Case, Checker, LoggedEvent};
use mandate_model::{Attributes, ProcessEvent};

const PACK: &str = r#"
[pack]
id = "test"
title = "Test"
version = "1"
jurisdiction = "Test"

[[procedure]]
id = "claim"
title = "Claim"
processes = ["Claims"]

[[procedure.stage]]
id = "submitted"
title = "Submission"
activities = ["Submit"]

[[procedure.stage]]
id = "approved"
title = "Final approval"
activities = ["Approve"]
performed_by = ["SUPERVISOR"]

[[procedure.stage]]
id = "paid"
title = "Payment"
activities = ["Pay"]

[[procedure.rule]]
id = "pay-after-approval"
title = "Payment after approval"
severity = "high"
kind = "precedence"
stages = ["paid"]
requires = "approved"
legal_basis = { source = "Policy", text = "Pay only approved claims." }

[[procedure.rule]]
id = "pay-within-5-working-days"
title = "Payment within 5 working days"
severity = "low"
kind = "deadline"
start = { stage = "approved" }
stage = "paid"
within_days = 5
days = "working"
legal_basis = { source = "Policy", text = "Pay within 5 working days of approval." }

[[procedure.rule]]
id = "approved-by-supervisor"
title = "Approval by a supervisor"
severity = "medium"
kind = "performer"
stage = "approved"
legal_basis = { source = "Policy", text = "Only supervisors approve." }

[[procedure.rule]]
id = "paid-once"
title = "A claim is paid only once"
severity = "high"
kind = "once"
stage = "paid"
legal_basis = { source = "Policy", text = "Pay each claim once." }

[[procedure.rule]]
id = "case-within-deadline"
title = "Whole case before its recorded deadline"
severity = "medium"
kind = "deadline"
start = { case_attribute = "deadline" }
within_days = 0
legal_basis = { source = "Law", text = "Decide by the deadline." }
"#;

fn event(index: u64, activity: &str, time: &str, role: &str) -> LoggedEvent {
    LoggedEvent {
        log_index: index,
        record_id: format!("e{index}"),
        event: ProcessEvent {
            process: "Claims".into(),
            case_id: "c1".into(),
            event_id: None,
            activity: activity.into(),
            time: DateTime::parse_from_rfc3339(time).unwrap(),
            resource: None,
            role: Some(role.into()),
            attributes: Attributes::new(),
        },
    }
}

fn case(events: Vec<LoggedEvent>, deadline: Option<&str>) -> Case {
    let mut attributes = Attributes::new();
    if let Some(d) = deadline {
        attributes.insert("deadline".into(), d.into());
    }
    let mut case = Case {
        process: "Claims".into(),
        case_id: "c1".into(),
        case_record: Some((0, "case:Claims/c1".into(), attributes)),
        events,
    };
    case.sort_events();
    case
}

/// Rule ids that fire on `case`, sorted.
fn fired(case: &Case) -> Vec<String> {
    let packs = vec![mandate_rules::parse_pack(Path::new("test.toml"), PACK).unwrap()];
    let mut checker = Checker::new(&packs);
    let mut ids: Vec<String> = checker.check_case(case).into_iter().map(|f| f.rule_id).collect();
    ids.sort();
    ids
}

#[test]
fn compliant_case_raises_nothing() {
    let c = case(
        vec![
            event(1, "Submit", "2024-03-01T09:00:00+01:00", "EMPLOYEE"),
            event(2, "Approve", "2024-03-04T10:00:00+01:00", "SUPERVISOR"),
            event(3, "Pay", "2024-03-06T10:00:00+01:00", "SYSTEM"),
        ],
        Some("2024-03-31T00:00:00+01:00"),
    );
    assert!(fired(&c).is_empty());
}

#[test]
fn payment_before_approval_and_without_approval() {
    // Paid on the 2nd, approved only on the 4th: payment came first.
    let late_approval = case(
        vec![
            event(1, "Pay", "2024-03-02T10:00:00+01:00", "SYSTEM"),
            event(2, "Approve", "2024-03-04T10:00:00+01:00", "SUPERVISOR"),
        ],
        None,
    );
    assert_eq!(fired(&late_approval), ["pay-after-approval"]);

    // Paid, never approved.
    let never = case(vec![event(1, "Pay", "2024-03-02T10:00:00+01:00", "SYSTEM")], None);
    let packs = vec![mandate_rules::parse_pack(Path::new("test.toml"), PACK).unwrap()];
    let findings = Checker::new(&packs).check_case(&never);
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].explanation,
        "In case c1, 'Pay' on 2024-03-02 10:00 was recorded but the case has no final approval at all, \
         which the procedure requires first."
    );
    assert_eq!(findings[0].evidence[0].log_index, 1);
}

#[test]
fn same_timestamp_is_in_order() {
    let c = case(
        vec![
            event(2, "Pay", "2024-03-04T10:00:00+01:00", "SYSTEM"),
            event(1, "Approve", "2024-03-04T10:00:00+01:00", "SUPERVISOR"),
        ],
        None,
    );
    assert!(fired(&c).is_empty());
}

#[test]
fn working_day_deadline_skips_the_weekend() {
    // Approved Thursday 2024-03-07; 5 working days: Fri 8, Mon 11, Tue 12, Wed 13, Thu 14.
    let in_time = case(
        vec![
            event(1, "Approve", "2024-03-07T16:00:00+01:00", "SUPERVISOR"),
            event(2, "Pay", "2024-03-14T23:00:00+01:00", "SYSTEM"),
        ],
        None,
    );
    assert!(fired(&in_time).is_empty());
    let late = case(
        vec![
            event(1, "Approve", "2024-03-07T16:00:00+01:00", "SUPERVISOR"),
            event(2, "Pay", "2024-03-15T08:00:00+01:00", "SYSTEM"),
        ],
        None,
    );
    assert_eq!(fired(&late), ["pay-within-5-working-days"]);
}

#[test]
fn deadline_uses_the_start_offset() {
    // Due end of 2024-03-14 in +01:00. The payment at 2024-03-14T23:30Z is 00:30 on the 15th in +01:00: late.
    let c = case(
        vec![
            event(1, "Approve", "2024-03-07T16:00:00+01:00", "SUPERVISOR"),
            event(2, "Pay", "2024-03-14T23:30:00+00:00", "SYSTEM"),
        ],
        None,
    );
    assert_eq!(fired(&c), ["pay-within-5-working-days"]);
}

#[test]
fn approval_by_another_role() {
    let c = case(
        vec![event(1, "Approve", "2024-03-07T16:00:00+01:00", "CLERK")],
        None,
    );
    assert_eq!(fired(&c), ["approved-by-supervisor"]);
}

#[test]
fn work_after_the_recorded_deadline() {
    let c = case(
        vec![
            event(1, "Submit", "2024-03-01T09:00:00+01:00", "EMPLOYEE"),
            event(2, "Submit", "2024-04-02T09:00:00+02:00", "EMPLOYEE"),
        ],
        Some("2024-04-01T12:00:00+02:00"),
    );
    let packs = vec![mandate_rules::parse_pack(Path::new("test.toml"), PACK).unwrap()];
    let findings = Checker::new(&packs).check_case(&c);
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].explanation,
        "In case c1, work on the case continued until 'Submit' on 2024-04-02 09:00, 1 day after the \
         deadline of 2024-04-01 (the case's recorded deadline 2024-04-01)."
    );
}

#[test]
fn coverage_counts_not_applicable_with_reasons() {
    let packs = vec![mandate_rules::parse_pack(Path::new("test.toml"), PACK).unwrap()];
    let mut checker = Checker::new(&packs);
    // No payment and no deadline attribute: several rules cannot be evaluated.
    let c = case(
        vec![event(1, "Submit", "2024-03-01T09:00:00+01:00", "EMPLOYEE")],
        None,
    );
    assert!(checker.check_case(&c).is_empty());
    let coverage = checker.into_coverage();
    let precedence = &coverage.rules["pay-after-approval"];
    assert_eq!(precedence.evaluated, 0);
    assert_eq!(precedence.not_applicable["case has none of: paid"], 1);
    assert_eq!(
        coverage.rules["case-within-deadline"].not_applicable["case has no `deadline`"],
        1
    );
}

#[test]
fn as_of_a_date_an_unpaid_claim_past_its_deadline_is_a_finding() {
    // Approved Thursday 2024-03-07, never paid; 5 working days: due Thursday 2024-03-14.
    let unpaid = case(
        vec![event(1, "Approve", "2024-03-07T16:00:00+01:00", "SUPERVISOR")],
        None,
    );
    let packs = vec![mandate_rules::parse_pack(Path::new("test.toml"), PACK).unwrap()];
    let as_of = |date: &str| {
        let mut checker = Checker::new(&packs).as_of(date.parse().unwrap());
        let findings = checker.check_case(&unpaid);
        (findings, checker.into_coverage())
    };

    // Without a date, or on the due date itself: not applicable, nothing is late yet.
    assert!(fired(&unpaid).is_empty());
    let (findings, coverage) = as_of("2024-03-14");
    assert!(findings.is_empty());
    let rule = &coverage.rules["pay-within-5-working-days"];
    assert_eq!(rule.evaluated, 0);
    assert_eq!(rule.not_applicable.values().sum::<u64>(), 1);

    // Monday 2024-03-18: 4 calendar days after the due date.
    let (findings, coverage) = as_of("2024-03-18");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule_id, "pay-within-5-working-days");
    assert_eq!(
        findings[0].explanation,
        "In case c1, payment has still not happened on 2024-03-18, 4 days after the deadline of \
         2024-03-14 (5 working days after 'Approve' on 2024-03-07 16:00)."
    );
    assert_eq!(findings[0].evidence[0].log_index, 1);
    assert_eq!(coverage.rules["pay-within-5-working-days"].flagged, 1);
}

#[test]
fn a_second_payment_is_a_repetition() {
    let twice = case(
        vec![
            event(1, "Approve", "2024-03-07T16:00:00+01:00", "SUPERVISOR"),
            event(2, "Pay", "2024-03-08T10:00:00+01:00", "SYSTEM"),
            event(3, "Pay", "2024-03-11T10:00:00+01:00", "SYSTEM"),
        ],
        None,
    );
    let packs = vec![mandate_rules::parse_pack(Path::new("test.toml"), PACK).unwrap()];
    let findings = Checker::new(&packs).check_case(&twice);
    let once: Vec<_> = findings.iter().filter(|f| f.rule_id == "paid-once").collect();
    assert_eq!(once.len(), 1);
    assert_eq!(
        once[0].explanation,
        "In case c1, the payment happened 2 times ('Pay' on 2024-03-08 10:00 first, then 'Pay' on \
         2024-03-11 10:00), and it may happen only once."
    );
    let indexes: Vec<u64> = once[0].evidence.iter().map(|e| e.log_index).collect();
    assert_eq!(indexes, [2, 3]);

    let single = case(vec![event(2, "Pay", "2024-03-08T10:00:00+01:00", "SYSTEM")], None);
    assert!(!fired(&single).contains(&"paid-once".to_string()));
}

#[test]
fn precheck_names_what_a_proposed_step_would_break() {
    let packs = vec![mandate_rules::parse_pack(Path::new("test.toml"), PACK).unwrap()];
    let proposed = |activity: &str, time: &str| event(9, activity, time, "SYSTEM");
    let submitted = case(
        vec![event(1, "Submit", "2024-03-01T09:00:00+01:00", "EMPLOYEE")],
        None,
    );
    // Paying a claim nobody approved would break the precedence rule, and only that.
    let findings =
        Checker::new(&packs).precheck_event(&submitted, proposed("Pay", "2024-03-02T10:00:00+01:00"));
    let ids: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["pay-after-approval"]);
    assert_eq!(findings[0].evidence[0].log_index, 9);

    // Once approved on Thursday 7 March, paying on Thursday 14 March is in time (5 working days) ...
    let approved = case(
        vec![
            event(1, "Submit", "2024-03-01T09:00:00+01:00", "EMPLOYEE"),
            event(2, "Approve", "2024-03-07T16:00:00+01:00", "SUPERVISOR"),
        ],
        None,
    );
    let in_time =
        Checker::new(&packs).precheck_event(&approved, proposed("Pay", "2024-03-14T10:00:00+01:00"));
    assert!(in_time.is_empty(), "{in_time:?}");
    // ... and on Friday 15 March it would be late.
    let late = Checker::new(&packs).precheck_event(&approved, proposed("Pay", "2024-03-15T10:00:00+01:00"));
    let ids: Vec<&str> = late.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["pay-within-5-working-days"]);

    // A rule the case breaks already is not blamed on the proposal.
    let paid_unapproved = case(vec![event(1, "Pay", "2024-03-02T10:00:00+01:00", "SYSTEM")], None);
    let again = Checker::new(&packs)
        .precheck_event(&paid_unapproved, proposed("Submit", "2024-03-03T10:00:00+01:00"));
    assert!(again.is_empty(), "{again:?}");
}
