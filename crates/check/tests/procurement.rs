//! Procurement indicators on hand-made OCDS releases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use mandate_check::{Checker, ContractingProcess, LoggedRelease};
use mandate_model::OcdsRelease;
use serde_json::{json, Value};

const PACK: &str = r#"
[pack]
id = "p"
title = "P"
version = "1"
jurisdiction = "X"

[[indicator]]
id = "single-bid"
title = "Single bid"
severity = "medium"
kind = "single_bid"
procurement_methods = ["open", "selective"]
legal_basis = { source = "OCP", text = "One bid only." }

[[indicator]]
id = "short-period"
title = "Short period"
severity = "high"
kind = "short_tender_period"
ocid_prefixes = ["ocds-uk-"]
minimum_days = 30
legal_basis = { source = "PCR 2015", article = "reg. 27", text = "30 days." }
"#;

fn process(ocid: &str, release: Value) -> ContractingProcess {
    let logged = LoggedRelease {
        log_index: 7,
        record_id: format!("ocds:{ocid}/1"),
        release: OcdsRelease {
            ocid: ocid.into(),
            release_id: "1".into(),
            date: Some("2020-01-01T00:00:00Z".into()),
            compiled: false,
            release,
        },
    };
    ContractingProcess::from_releases(ocid.into(), vec![logged])
}

fn fired(p: &ContractingProcess) -> Vec<String> {
    let packs = vec![mandate_rules::parse_pack(Path::new("p.toml"), PACK).unwrap()];
    let mut checker = Checker::new(&packs);
    let fired = checker.check_contracting_process(p);
    fired.into_iter().map(|f| f.rule_id).collect()
}

#[test]
fn single_bid_counts_details_but_not_withdrawn_bids() {
    let one = process(
        "ocds-a-1",
        json!({"tender": {"procurementMethod": "open"},
               "bids": {"details": [{"id": "b1", "status": "valid"}, {"id": "b2", "status": "withdrawn"}]}}),
    );
    assert_eq!(fired(&one), ["single-bid"]);
    let two = process(
        "ocds-a-2",
        json!({"tender": {"procurementMethod": "open"},
               "bids": {"details": [{"id": "b1"}, {"id": "b2"}]}}),
    );
    assert!(fired(&two).is_empty());
}

#[test]
fn single_bid_falls_back_on_number_of_tenderers_and_skips_direct_awards() {
    let by_count = process(
        "ocds-a-3",
        json!({"tender": {"procurementMethod": "selective", "numberOfTenderers": 1.0}}),
    );
    assert_eq!(fired(&by_count), ["single-bid"]);
    let direct = process(
        "ocds-a-4",
        json!({"tender": {"procurementMethod": "direct", "numberOfTenderers": 1}}),
    );
    assert!(fired(&direct).is_empty());
}

#[test]
fn short_tender_period_applies_to_its_publisher_only() {
    // 2015-01-05 + 30 days = 2015-02-04; closing on 2015-02-03 is one day short.
    let period = json!({"tender": {"tenderPeriod": {"startDate": "2015-01-05T12:00:00Z", "endDate": "2015-02-03T12:00:00Z"}}});
    assert_eq!(fired(&process("ocds-uk-1", period.clone())), ["short-period"]);
    assert!(fired(&process("ocds-fr-1", period)).is_empty());
    let enough = json!({"tender": {"tenderPeriod": {"startDate": "2015-01-05T12:00:00Z", "endDate": "2015-02-04T09:00:00Z"}}});
    assert!(fired(&process("ocds-uk-2", enough)).is_empty());
}

#[test]
fn finding_cites_the_release_and_the_legal_basis() {
    let packs = vec![mandate_rules::parse_pack(Path::new("p.toml"), PACK).unwrap()];
    let p = process(
        "ocds-a-5",
        json!({"buyer": {"name": "City"}, "tender": {"procurementMethod": "open", "numberOfTenderers": 1}}),
    );
    let findings = Checker::new(&packs).check_contracting_process(&p);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f.subject.id, "ocds-a-5");
    assert_eq!(f.evidence[0].log_index, 7);
    assert_eq!(f.legal_basis.source, "OCP");
    assert_eq!(f.involved, ["buyer: City"]);
    assert_eq!(f.pack, "p@1");
}
