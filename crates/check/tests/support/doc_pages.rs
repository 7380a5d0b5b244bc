//! The worked examples of docs/indicators/<kind>.md, read from their fenced
//! blocks; shared by the library's test and the command-line test, which
//! run the same examples through the library and through `mandate
//! indicators`.
//!
//! A page holds one or more examples, each made of fenced blocks:
//! - ```` ```toml indicator ````: the indicator's settings (`kind` and the rest;
//!   id, title, severity and legal basis come from [`HEADER`]);
//! - ```` ```toml codelist ```` (optional): a publisher code list;
//! - ```` ```json example-input ````: releases, one JSON object per process;
//! - ```` ```text expected ````: one verdict per line, in any order:
//!   `flagged KIND ID: explanation`, `clean KIND ID` or `not applicable KIND ID: reason`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/indicators")
}

#[derive(Default, Debug)]
pub struct Example {
    pub settings: String,
    pub codelist: Option<String>,
    pub input: String,
    pub expected: Vec<String>,
}

/// The examples of a page, from its fenced blocks.
pub fn examples(page: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let block: Vec<&str> = lines.by_ref().take_while(|l| l.trim_start() != "```").collect();
        let body = block.join("\n");
        match info.trim() {
            "toml indicator" => out.push(Example {
                settings: body,
                ..Example::default()
            }),
            "toml codelist" => out.last_mut().expect("codelist before indicator").codelist = Some(body),
            "json example-input" => out.last_mut().expect("input before indicator").input = body,
            "text expected" => {
                out.last_mut().expect("expected before indicator").expected = block
                    .iter()
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect()
            }
            _ => {}
        }
    }
    out
}

pub const HEADER: &str = r#"
[pack]
id = "docs"
title = "Documentation example"
version = "1"
jurisdiction = "example"

[[indicator]]
id = "example"
title = "Example"
severity = "medium"
legal_basis = { source = "example", text = "example" }
"#;

/// Every page of docs/indicators/, in name order.
pub fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(docs())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages
}
