//! The worked example `examples/city` against the verdicts worked out by
//! hand in its `expected-acts.md` and `expected-cases.md`: every act's
//! rule ids, every case's findings, and each procedure rule's counts of
//! findings, clean cases and cases it did not apply to.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use mandate_check::mandate::Mandate;
use mandate_check::{Case, Checker, LoggedEvent};
use mandate_model::Record;
use mandate_rules::Pack;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn city() -> PathBuf {
    Path::new(REPO).join("examples/city")
}

fn packs() -> Vec<Pack> {
    let paths = [
        city().join("city.toml"),
        Path::new(REPO).join("packs/cn-municipal.toml"),
    ];
    mandate_rules::load_rules(&paths)
        .unwrap()
        .sources
        .into_iter()
        .map(|s| s.pack)
        .collect()
}

fn records(file: &str) -> Vec<Record> {
    std::fs::read_to_string(city().join(file))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn expected(file: &str) -> String {
    std::fs::read_to_string(city().join(file)).unwrap()
}

/// Backticked ids in a markdown table cell: "`a`, `b`" -> {a, b}.
fn ids_in(cell: &str) -> BTreeSet<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

fn cells(line: &str) -> Vec<&str> {
    line.trim().trim_matches('|').split('|').map(str::trim).collect()
}

#[test]
fn every_act_gets_the_verdict_worked_out_by_hand() {
    let expected_md = expected("expected-acts.md");
    let expected: BTreeMap<String, BTreeSet<String>> = expected_md
        .lines()
        .filter(|l| l.starts_with("| act-"))
        .map(|l| {
            let c = cells(l);
            (c[0].to_string(), ids_in(c[1]))
        })
        .collect();
    assert_eq!(expected.len(), 50, "expected-acts.md lists every act");

    let mandate = Mandate::compile(&packs()).unwrap();
    let mut actual = BTreeMap::new();
    for record in records("acts.jsonl") {
        let Record::Act(act) = record else { continue };
        let verdict = mandate.decide(&act);
        let ids: BTreeSet<String> = verdict.violations.iter().map(|v| v.rule_id.clone()).collect();
        assert_eq!(verdict.is_permitted(), ids.is_empty(), "{}", act.id);
        actual.insert(act.id.clone(), ids);
    }
    let differences: Vec<String> = expected
        .iter()
        .filter(|(id, want)| actual.get(*id) != Some(want))
        .map(|(id, want)| format!("{id}: expected {want:?}, got {:?}", actual.get(id)))
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// Per case id, the rules expected to fire; per rule, (finding, clean, n/a).
struct ExpectedCases {
    findings: BTreeMap<String, BTreeSet<String>>,
    counts: BTreeMap<String, (u64, u64, u64)>,
}

fn expected_cases() -> ExpectedCases {
    let text = expected("expected-cases.md");
    let mut findings: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut counts = BTreeMap::new();
    let mut case = None;
    let mut in_summary = false;
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("### ") {
            let id = heading.split(':').next().unwrap().trim().to_string();
            findings.entry(id.clone()).or_default();
            case = Some(id);
            continue;
        }
        if line.starts_with("## ") {
            case = None;
            in_summary = line.contains("Totals");
            continue;
        }
        if !line.starts_with("| cn.") {
            continue;
        }
        let c = cells(line);
        if in_summary {
            let n = |i: usize| c[i].parse::<u64>().unwrap();
            counts.insert(c[0].to_string(), (n(1), n(2), n(3)));
        } else if let Some(case) = &case {
            if c[1].contains("finding") {
                findings.get_mut(case).unwrap().insert(c[0].to_string());
            }
        }
    }
    ExpectedCases { findings, counts }
}

#[test]
fn every_case_gets_the_verdicts_worked_out_by_hand() {
    let expected = expected_cases();
    assert!(expected.findings.len() >= 20, "cases found in expected-cases.md");
    assert!(
        expected.counts.len() >= 20,
        "summary rows found in expected-cases.md"
    );

    let mut cases: BTreeMap<(String, String), Case> = BTreeMap::new();
    for (index, record) in records("cases.jsonl").into_iter().enumerate() {
        let Record::ProcessEvent(event) = record else {
            continue;
        };
        let key = (event.process.clone(), event.case_id.clone());
        let case = cases.entry(key).or_insert_with(|| Case {
            process: event.process.clone(),
            case_id: event.case_id.clone(),
            case_record: None,
            events: Vec::new(),
        });
        case.events.push(LoggedEvent {
            log_index: index as u64,
            record_id: format!("e{index}"),
            event,
        });
    }
    let packs = packs();
    let mut checker = Checker::new(&packs);
    let mut actual: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for case in cases.values_mut() {
        case.sort_events();
        let fired = actual.entry(case.case_id.clone()).or_default();
        for finding in checker.check_case(case) {
            fired.insert(finding.rule_id);
        }
    }
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.findings.keys().collect::<Vec<_>>(),
        "the same cases"
    );
    let differences: Vec<String> = expected
        .findings
        .iter()
        .filter(|(id, want)| actual.get(*id) != Some(want))
        .map(|(id, want)| format!("{id}: expected {want:?}, got {:?}", actual.get(id)))
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));

    let coverage = checker.into_coverage();
    for (rule, (finding, clean, not_applicable)) in &expected.counts {
        let got = &coverage.rules[rule];
        let got_na: u64 = got.not_applicable.values().sum();
        assert_eq!(
            (got.flagged, got.evaluated - got.flagged, got_na),
            (*finding, *clean, *not_applicable),
            "{rule}: (finding, clean, n/a)"
        );
    }
}
