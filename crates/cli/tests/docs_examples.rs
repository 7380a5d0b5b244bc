//! The worked examples of docs/indicators/ run as a reader would run them:
//! the page's input saved as a file, its settings as a pack, through
//! `mandate indicators --verdicts`. The library test (crates/check) checks
//! the same verdicts without the reader and the command line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[path = "../../check/tests/support/doc_pages.rs"]
mod doc_pages;
use doc_pages::{examples, pages, HEADER};

use serde_json::Value;

#[test]
fn every_worked_example_runs_from_its_page_through_the_command_line() {
    let mut ran = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (n, example) in examples(&text).iter().enumerate() {
            let dir = tempfile::tempdir().unwrap();
            let rules = dir.path().join("rules");
            std::fs::create_dir_all(rules.join("codelists")).unwrap();
            std::fs::write(
                rules.join("example.toml"),
                format!("{HEADER}{}\n", example.settings),
            )
            .unwrap();
            if let Some(list) = &example.codelist {
                std::fs::write(rules.join("codelists/example.toml"), list).unwrap();
            }
            let input = dir.path().join("input.json");
            std::fs::write(&input, &example.input).unwrap();
            let verdicts = dir.path().join("verdicts.jsonl");
            let out = Command::new(env!("CARGO_BIN_EXE_mandate"))
                .env_remove("MANDATE_WORKSPACE")
                .args(["indicators", "--rules"])
                .arg(&rules)
                .arg("--verdicts")
                .arg(&verdicts)
                .arg(&input)
                .output()
                .unwrap();
            let what = format!("{} example {}", page.display(), n + 1);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{what}: {stderr}");
            assert!(!stderr.contains("rejected:"), "{what}: {stderr}");
            let mut actual: Vec<String> = std::fs::read_to_string(&verdicts)
                .unwrap()
                .lines()
                .map(|line| {
                    let v: Value = serde_json::from_str(line).unwrap();
                    let subject = format!(
                        "{} {}",
                        v["subject"]["kind"].as_str().unwrap(),
                        v["subject"]["id"].as_str().unwrap()
                    );
                    let detail = v["detail"].as_str().unwrap_or("");
                    match v["outcome"].as_str().unwrap() {
                        "flagged" => format!("flagged {subject}: {detail}"),
                        "clean" => format!("clean {subject}"),
                        _ => format!("not applicable {subject}: {detail}"),
                    }
                })
                .collect();
            actual.sort();
            let mut expected = example.expected.clone();
            expected.sort();
            assert_eq!(actual, expected, "{what}");
            ran += 1;
        }
    }
    assert!(ran >= 19, "only {ran} examples ran");
}
