//! Every page of docs/indicators/ runs: its worked examples are executed and
//! must give exactly the verdicts the page states, so the documentation
//! cannot drift from the code.
//!
//! How a page is read: tests/support/doc_pages.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[path = "support/doc_pages.rs"]
mod doc_pages;
use doc_pages::{docs, examples, pages, Example, HEADER};

use mandate_check::{Checker, ContractingProcess, LoggedRelease, Outcome};
use mandate_model::OcdsRelease;
use serde_json::Value;

/// Every indicator kind, each with its page `docs/indicators/<kind>.md`.
const KINDS: &[&str] = &[
    "single_bid",
    "short_tender_period",
    "price_close_to_winning_bid",
    "heavily_discounted_bid",
    "excessive_unsuccessful_bids",
    "identical_bid_prices",
    "late_bid_won",
    "all_except_winner_disqualified",
    "lowest_bid_disqualified",
    "excessive_disqualified_bids",
    "heterogeneous_supplier",
    "high_complaint_rate",
    "supplier_concentration",
    "repeat_supplier",
    "bid_rotation",
    "split_purchases",
    "contract_value_increase",
    "new_supplier",
    "direct_award_above_threshold",
];

/// Sections every page has, so a reader always finds the same things.
const SECTIONS: &[&str] = &[
    "## What it detects",
    "## Why it is a red flag",
    "## Source and legal basis",
    "## Definition",
    "## Settings",
    "## Output",
    "## Worked example",
];

/// Runs one example; the verdict lines, sorted.
fn run(page: &Path, example: &Example) -> Vec<String> {
    let pack_text = format!("{HEADER}{}\n", example.settings);
    let packs = vec![mandate_rules::parse_pack(page, &pack_text)
        .unwrap_or_else(|e| panic!("{}: the example's settings do not load: {e}", page.display()))];
    let lists: Vec<_> = example
        .codelist
        .iter()
        .map(|text| mandate_rules::parse_codelist(page, text).unwrap())
        .collect();
    let mut checker = Checker::new(&packs).with_codelists(&lists).keep_verdicts();
    let releases = serde_json::Deserializer::from_str(&example.input).into_iter::<Value>();
    for (i, release) in releases.enumerate() {
        let release = release.unwrap_or_else(|e| panic!("{}: example input: {e}", page.display()));
        let ocid = release["ocid"].as_str().unwrap().to_string();
        let logged = LoggedRelease {
            log_index: i as u64,
            record_id: format!("ocds:{ocid}/{i}"),
            release: OcdsRelease {
                ocid: ocid.clone(),
                release_id: i.to_string(),
                date: None,
                compiled: true,
                release,
            },
        };
        checker.check_contracting_process(&ContractingProcess::from_releases(ocid, vec![logged]));
    }
    checker.finish();
    let mut lines: Vec<String> = checker
        .verdicts()
        .iter()
        .map(|v| {
            let subject = format!("{} {}", v.subject.kind, v.subject.id);
            match &v.outcome {
                Outcome::Flagged(explanation) => format!("flagged {subject}: {explanation}"),
                Outcome::Clean => format!("clean {subject}"),
                Outcome::NotApplicable(reason) => format!("not applicable {subject}: {reason}"),
            }
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn every_kind_has_a_page_with_every_section() {
    for kind in KINDS {
        let path = docs().join(format!("{kind}.md"));
        let page = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for section in SECTIONS {
            assert!(
                page.contains(section),
                "{}: no '{section}' section",
                path.display()
            );
        }
        assert!(
            page.contains(&format!("`{kind}`")),
            "{}: does not name its kind",
            path.display()
        );
        let found = examples(&page);
        assert!(!found.is_empty(), "{}: no worked example", path.display());
        for example in &found {
            assert!(
                example.settings.contains(&format!("kind = \"{kind}\"")),
                "{}: an example uses another kind",
                path.display()
            );
        }
    }
}

#[test]
fn worked_examples_give_the_documented_verdicts() {
    let mut ran = 0;
    for page in &pages() {
        let text = std::fs::read_to_string(page).unwrap();
        for (n, example) in examples(&text).iter().enumerate() {
            assert!(
                !example.expected.is_empty(),
                "{} example {}: no expected verdicts",
                page.display(),
                n + 1
            );
            let mut expected = example.expected.clone();
            expected.sort();
            let actual = run(page, example);
            assert_eq!(
                actual,
                expected,
                "{} example {}: verdicts differ\nactual:\n{}\n",
                page.display(),
                n + 1,
                actual.join("\n")
            );
            ran += 1;
        }
    }
    assert!(ran >= KINDS.len(), "only {ran} examples ran");
}

#[test]
fn the_cardinal_compatible_pack_loads() {
    let dir = docs().join("cardinal");
    let packs = mandate_rules::load_dir(&dir).unwrap();
    let ids: Vec<&str> = packs[0].indicators.iter().map(|i| i.common.id.as_str()).collect();
    assert_eq!(
        ids,
        ["R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058"]
    );
}
