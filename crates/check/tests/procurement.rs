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

// ---------------------------------------------------------------------------
// Aggregate indicators, code lists, coverage per source, determinism.

use mandate_check::{Outcome, VerdictRecord};
use mandate_rules::{CodeList, Pack};

fn pack(indicators: &str) -> Vec<Pack> {
    let text =
        format!("[pack]\nid = \"p\"\ntitle = \"P\"\nversion = \"1\"\njurisdiction = \"X\"\n{indicators}");
    vec![mandate_rules::parse_pack(Path::new("p.toml"), &text).unwrap()]
}

fn compiled(ocid: &str, index: u64, release: Value) -> ContractingProcess {
    let logged = LoggedRelease {
        log_index: index,
        record_id: format!("ocds:{ocid}/1"),
        release: OcdsRelease {
            ocid: ocid.into(),
            release_id: "1".into(),
            date: None,
            compiled: true,
            release,
        },
    };
    ContractingProcess::from_releases(ocid.into(), vec![logged])
}

/// Buyer `buyer`'s process with two submitted bids, `disqualified` of them disqualified.
fn buyer_process(ocid: &str, buyer: &str, disqualified: usize) -> Value {
    let bids: Vec<Value> = (0..2)
        .map(|i| {
            let status = if i < disqualified { "disqualified" } else { "valid" };
            json!({"id": i.to_string(), "status": status, "tenderers": [{"id": format!("{ocid}-t{i}")}]})
        })
        .collect();
    json!({"ocid": ocid, "buyer": {"id": buyer}, "bids": {"details": bids}})
}

/// Eight buyers with two processes of two bids each; disqualified bids per
/// buyer: 0, 0, 1, 1, 1, 1, 2, 4, so ratios 0, 0, .25 x4, .5, 1.
fn eight_buyers() -> Vec<ContractingProcess> {
    let disqualified = [[0, 0], [0, 0], [1, 0], [0, 1], [1, 0], [1, 0], [1, 1], [2, 2]];
    let mut processes = Vec::new();
    for (b, per_process) in disqualified.iter().enumerate() {
        for (p, d) in per_process.iter().enumerate() {
            let ocid = format!("ocds-b{}-{p}", b + 1);
            let index = processes.len() as u64;
            processes.push(compiled(
                &ocid,
                index,
                buyer_process(&ocid, &format!("B{}", b + 1), *d),
            ));
        }
    }
    processes
}

fn verdicts_of(checker: &Checker) -> Vec<(String, String)> {
    checker
        .verdicts()
        .iter()
        .filter(|v: &&VerdictRecord| v.subject.kind != "contracting_process")
        .map(|v| {
            let outcome = match &v.outcome {
                Outcome::Flagged(e) => format!("flagged: {e}"),
                Outcome::Clean => "clean".into(),
                Outcome::NotApplicable(r) => format!("n/a: {r}"),
            };
            (v.subject.id.clone(), outcome)
        })
        .collect()
}

const DISQUALIFIED: &str = r#"
[[indicator]]
id = "disq"
title = "Disqualified"
severity = "medium"
kind = "excessive_disqualified_bids"
per = ["buyer"]
minimum_sample = 8
legal_basis = { source = "X", text = "x" }
"#;

#[test]
fn a_buyer_above_the_learnt_upper_fence_is_flagged() {
    // Ratios sorted: 0, 0, .25, .25, .25, .25, .5, 1 (n = 8). Type 8:
    // Q1 at h = (8 + 1/3)/4 + 1/3 = 2.4167: 0 + .4167 * (.25 - 0) = .1042;
    // Q3 at h = 6.5833: .25 + .5833 * (.5 - .25) = .3958;
    // upper fence .3958 + 1.5 * .2917 = .8333. Only B8 (1.0) is at or above.
    let packs = pack(DISQUALIFIED);
    let mut checker = Checker::new(&packs).keep_verdicts();
    for p in eight_buyers() {
        assert!(checker.check_contracting_process(&p).is_empty());
    }
    let findings = checker.finish();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].subject.kind, "buyer");
    assert_eq!(findings[0].subject.id, "B8");
    assert_eq!(
        findings[0].explanation,
        "Buyer B8 disqualified 4 of the 4 bids submitted in its 2 contracting processes (100 %), \
         at or above the upper fence Q3 + 1.5 IQR of 0.8333 (Q1 0.1042, Q3 0.3958, over 8 buyers)."
    );
    // Evidence: B8's two processes, both with disqualified bids (log indexes 14 and 15).
    let cited: Vec<u64> = findings[0].evidence.iter().map(|e| e.log_index).collect();
    assert_eq!(cited, [14, 15]);
    let verdicts = verdicts_of(&checker);
    assert_eq!(verdicts.len(), 8);
    assert!(verdicts[..7].iter().all(|(_, o)| o == "clean"), "{verdicts:?}");
    let coverage = checker.into_coverage();
    let rule = &coverage.rules["disq"];
    assert_eq!((rule.evaluated, rule.flagged, rule.contributing), (8, 1, 16));
    assert_eq!(rule.subject, "buyer");
}

#[test]
fn a_fence_needs_enough_values_and_must_single_someone_out() {
    let packs = pack(&DISQUALIFIED.replace("minimum_sample = 8", "minimum_sample = 9"));
    let mut checker = Checker::new(&packs).keep_verdicts();
    for p in eight_buyers() {
        checker.check_contracting_process(&p);
    }
    assert!(checker.finish().is_empty());
    let verdicts = verdicts_of(&checker);
    assert!(verdicts
        .iter()
        .all(|(_, o)| o == "n/a: only 8 buyers to compare (at least 9 needed)"));

    // Nobody disqualified anything: every ratio is 0, there is no spread, and nobody is flagged.
    let packs = pack(DISQUALIFIED);
    let mut checker = Checker::new(&packs).keep_verdicts();
    for b in 0..8 {
        for p in 0..2 {
            let ocid = format!("ocds-z{b}-{p}");
            checker.check_contracting_process(&compiled(&ocid, 0, buyer_process(&ocid, &format!("Z{b}"), 0)));
        }
    }
    assert!(checker.finish().is_empty());
    let verdicts = verdicts_of(&checker);
    assert_eq!(
        verdicts[0].1,
        "n/a: Q1 = Q3 = 0 over 8 buyers: no spread, so a fence cannot single anyone out"
    );
}

#[test]
fn aggregate_findings_are_deterministic() {
    let packs = pack(DISQUALIFIED);
    let run = || {
        let mut checker = Checker::new(&packs);
        let mut findings = Vec::new();
        for p in eight_buyers() {
            findings.extend(checker.check_contracting_process(&p));
        }
        findings.extend(checker.finish());
        serde_json::to_string(&findings).unwrap()
    };
    assert_eq!(run(), run());
}

fn codelists(texts: &[&str]) -> Vec<CodeList> {
    texts
        .iter()
        .map(|t| mandate_rules::parse_codelist(Path::new("c.toml"), t).unwrap())
        .collect()
}

#[test]
fn publisher_codes_are_mapped_counted_and_the_unknown_reported() {
    let packs = pack(
        r#"
[[indicator]]
id = "all-but-winner"
title = "All but the winner disqualified"
severity = "high"
kind = "all_except_winner_disqualified"
legal_basis = { source = "X", text = "x" }
"#,
    );
    // Two lists for nested prefixes: the longer prefix wins.
    let lists = codelists(&[
        "[codelist]\nid = \"outer\"\npublisher = \"O\"\nocid_prefixes = [\"ocds-am-\"]\n[bid_status]\nqualified = \"pending\"\n",
        "[codelist]\nid = \"armenia\"\npublisher = \"A\"\nocid_prefixes = [\"ocds-am-x-\"]\n[bid_status]\nqualified = \"valid\"\nnot-qualified = \"disqualified\"\n",
    ]);
    let mut checker = Checker::new(&packs).with_codelists(&lists).keep_verdicts();
    let award = json!([{"id": "a", "status": "active", "suppliers": [{"id": "W"}]}]);
    let mapped = compiled(
        "ocds-am-x-1",
        0,
        json!({"ocid": "ocds-am-x-1", "awards": award,
               "bids": {"details": [{"id": "1", "status": "qualified", "tenderers": [{"id": "W"}]},
                                    {"id": "2", "status": "not-qualified", "tenderers": [{"id": "L"}]}]}}),
    );
    let findings = checker.check_contracting_process(&mapped);
    assert_eq!(findings.len(), 1, "mapped statuses make the flag visible");
    let unknown = compiled(
        "ocds-other-1",
        1,
        json!({"ocid": "ocds-other-1", "awards": award,
               "bids": {"details": [{"id": "1", "status": "qualified", "tenderers": [{"id": "W"}]}]}}),
    );
    assert!(checker.check_contracting_process(&unknown).is_empty());
    assert_eq!(
        checker.verdicts()[1].outcome,
        Outcome::NotApplicable(
            "bids.details[].status `qualified` is not an OCDS code (no code list maps it)".into()
        )
    );
    let coverage = checker.into_coverage();
    let codes = &coverage.codes["bids.details[].status"];
    assert_eq!(
        codes
            .mapped
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect::<Vec<_>>(),
        [
            ("not-qualified → disqualified (armenia)", 1),
            ("qualified → valid (armenia)", 1)
        ]
    );
    assert_eq!(codes.unknown.get("qualified"), Some(&1));
}

#[test]
fn coverage_is_kept_per_source_file() {
    let packs = pack(
        r#"
[[indicator]]
id = "single"
title = "Single"
severity = "medium"
kind = "single_bid"
legal_basis = { source = "X", text = "x" }
"#,
    );
    let mut checker = Checker::new(&packs);
    let one = json!({"tender": {"numberOfTenderers": 1}});
    let two = json!({"tender": {"numberOfTenderers": 2}});
    checker.check_contracting_process_from(&compiled("ocds-1", 0, one.clone()), Some("a.json"));
    checker.check_contracting_process_from(&compiled("ocds-2", 1, two), Some("a.json"));
    checker.check_contracting_process_from(&compiled("ocds-3", 2, json!({})), Some("b.json"));
    checker.check_contracting_process_from(&compiled("ocds-4", 3, one), Some("b.json"));
    let coverage = checker.into_coverage();
    let rule = &coverage.rules["single"];
    assert_eq!((rule.evaluated, rule.flagged), (3, 2));
    let a = &rule.by_source["a.json"];
    assert_eq!((a.evaluated, a.flagged, a.not_applicable.len()), (2, 1, 0));
    let b = &rule.by_source["b.json"];
    assert_eq!((b.evaluated, b.flagged), (1, 1));
    assert_eq!(b.not_applicable["no bids.details or tender.numberOfTenderers"], 1);
}

#[test]
fn a_field_of_the_wrong_type_is_named_and_other_indicators_still_run() {
    let packs = pack(
        r#"
[[indicator]]
id = "lowest"
title = "Lowest disqualified"
severity = "medium"
kind = "lowest_bid_disqualified"
legal_basis = { source = "X", text = "x" }

[[indicator]]
id = "single"
title = "Single"
severity = "medium"
kind = "single_bid"
legal_basis = { source = "X", text = "x" }
"#,
    );
    let mut checker = Checker::new(&packs).keep_verdicts();
    let p = compiled(
        "ocds-1",
        0,
        json!({"awards": [{"id": "a", "status": "active"}],
               "bids": {"details": [{"id": "1", "status": "valid", "tenderers": [{"id": "A"}],
                                     "value": {"amount": "1 000", "currency": "USD"}}]}}),
    );
    let findings = checker.check_contracting_process(&p);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule_id, "single");
    assert_eq!(
        checker.verdicts()[0].outcome,
        Outcome::NotApplicable("bids.details[].value.amount is a string".into())
    );
}

#[test]
fn tenderers_of_the_wrong_type_make_the_count_unknowable() {
    // The second bid's tenderers is an object, not an array: whether it is
    // A again or someone else cannot be told, in either direction.
    let bids = |second: serde_json::Value| {
        json!({"tender": {"procurementMethod": "open"},
               "bids": {"details": [{"id": "1", "status": "valid", "tenderers": [{"id": "A"}]},
                                    {"id": "2", "status": "valid", "tenderers": second}]}})
    };
    let single = "[[indicator]]\nid = \"single\"\ntitle = \"S\"\nseverity = \"medium\"\nkind = \"single_bid\"\nlegal_basis = { source = \"X\", text = \"x\" }\n";
    let packs = pack(single);
    let mut checker = Checker::new(&packs).keep_verdicts();
    let wrong = compiled("ocds-a-9", 0, bids(json!({"id": "A"})));
    assert!(checker.check_contracting_process(&wrong).is_empty());
    assert_eq!(
        checker.verdicts()[0].outcome,
        Outcome::NotApplicable("bids.details[].tenderers is an object".into())
    );
    let item = compiled("ocds-a-10", 1, bids(json!(["A"])));
    assert!(checker.check_contracting_process(&item).is_empty());
    assert_eq!(
        checker.verdicts()[1].outcome,
        Outcome::NotApplicable("bids.details[].tenderers[] is a string".into())
    );
}

#[test]
fn a_cancelled_tender_is_not_screened_by_default() {
    let packs = pack(
        r#"
[[indicator]]
id = "single"
title = "Single"
severity = "medium"
kind = "single_bid"
legal_basis = { source = "X", text = "x" }

[[indicator]]
id = "single-all"
title = "Single, cancelled included"
severity = "medium"
kind = "single_bid"
excluded_tender_statuses = []
legal_basis = { source = "X", text = "x" }
"#,
    );
    let mut checker = Checker::new(&packs);
    let p = compiled(
        "ocds-1",
        0,
        json!({"tender": {"status": "cancelled", "numberOfTenderers": 1}}),
    );
    let fired: Vec<String> = checker
        .check_contracting_process(&p)
        .into_iter()
        .map(|f| f.rule_id)
        .collect();
    assert_eq!(fired, ["single-all"]);
    // `Cancelled` is no OCDS code: perhaps a cancelled tender, so not
    // screened either, and said so.
    let capital = compiled(
        "ocds-2",
        1,
        json!({"tender": {"status": "Cancelled", "numberOfTenderers": 1}}),
    );
    let fired: Vec<String> = checker
        .check_contracting_process(&capital)
        .into_iter()
        .map(|f| f.rule_id)
        .collect();
    assert_eq!(fired, ["single-all"]);
    let coverage = checker.into_coverage();
    let not_applicable = &coverage.rules["single"].not_applicable;
    assert_eq!(not_applicable["tender status `cancelled` (excluded)"], 1);
    assert_eq!(
        not_applicable["tender.status `Cancelled` is not an OCDS code (no code list maps it)"],
        1
    );
}

#[test]
fn the_shipped_code_lists_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs/codelists");
    let lists = mandate_rules::load_codelists(&dir).unwrap();
    let ids: Vec<&str> = lists.iter().map(|l| l.codelist.id.as_str()).collect();
    assert_eq!(ids, ["armenia", "moldova", "uk-contracts-finder", "ukraine"]);
}

#[test]
fn ocds_1_0_references_by_identifier_match_1_1_ids() {
    // ProZorro's bids name tenderers only by identifier (OCDS 1.0); its
    // awards use the 1.1 id, scheme-id.
    let packs = pack(
        r#"
[[indicator]]
id = "all-but-winner"
title = "All but the winner disqualified"
severity = "high"
kind = "all_except_winner_disqualified"
legal_basis = { source = "X", text = "x" }
"#,
    );
    let mut checker = Checker::new(&packs);
    let p = compiled(
        "ocds-ua-1",
        0,
        json!({"awards": [{"id": "a", "status": "active", "suppliers": [{"id": "UA-EDR-1"}]}],
               "bids": {"details": [
                   {"id": "1", "status": "valid", "tenderers": [{"identifier": {"scheme": "UA-EDR", "id": "1"}}]},
                   {"id": "2", "status": "disqualified", "tenderers": [{"identifier": {"scheme": "UA-EDR", "id": 2}}]}]}}),
    );
    let findings = checker.check_contracting_process(&p);
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].explanation,
        "Every tenderer but the winner was disqualified (UA-EDR-2: 1 tenderer), and UA-EDR-1, the only \
         tenderer with a valid bid, won."
    );
}
