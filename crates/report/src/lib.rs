//! The self-contained HTML report: opens from disk, no server, no network.
//! Charts are inline SVG so they print and archive with the page.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod charts;

use std::collections::BTreeMap;

use mandate_check::Coverage;
use mandate_model::{Finding, Severity};
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// One imported file, as the report lists it.
pub struct ImportLine {
    pub file: String,
    pub format: String,
    pub accepted: u64,
    pub rejected: u64,
    /// The first rejections, `position: field: reason` (all are in the
    /// database's `rejections` table).
    pub first_rejections: Vec<String>,
}

/// Everything the report shows.
pub struct ReportInput<'a> {
    pub generated_at: &'a str,
    pub log_size: u64,
    pub root_hex: &'a str,
    /// The latest signed checkpoint, as published.
    pub checkpoint: Option<&'a str>,
    pub imports: &'a [ImportLine],
    pub findings: &'a [Finding],
    pub coverage: &'a Coverage,
}

const STYLE: &str = r#"
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1.5em;color:#1d2430}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.8em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.6em 0} th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid #e5e9ee;vertical-align:top}
th{background:#f3f5f8} td.n{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;padding:0 .45em;border-radius:.3em;color:#fff;font-size:.85em}
.critical{background:#7a0019}.high{background:#c62828}.medium{background:#e07b00}.low{background:#2e7d32}.info{background:#546e7a}
summary{cursor:pointer;font-weight:600;margin:.4em 0} pre{background:#f6f8fa;padding:.6em;overflow:auto;font-size:.85em}
.muted{color:#57606a} code{font-size:.9em} svg text{font:12px system-ui,sans-serif}
"#;

/// Render the report as one HTML document.
pub fn render(input: &ReportInput) -> String {
    let by_rule = group_by_rule(input.findings);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "mandate report" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "mandate: findings report" }
                p.muted {
                    "Generated " (input.generated_at) " from a transparency log of "
                    (input.log_size) " entries, root hash " code { (input.root_hex) } "."
                }
                (summary_table(input.findings))
                h2 { "Findings per rule" }
                (PreEscaped(charts::bars_per_rule(&by_rule)))
                h2 { "Findings per month" }
                p.muted { "By the date the deviation happened." }
                (PreEscaped(charts::bars_per_month(input.findings)))
                h2 { "Coverage" }
                p.muted { "How many subjects each rule could be evaluated on. A rule with no findings and nothing evaluated says nothing about compliance." }
                (coverage_table(input.coverage))
                h2 { "Findings" }
                @for (rule_id, findings) in &by_rule {
                    (rule_section(rule_id, findings))
                }
                h2 { "Inputs" }
                (imports_table(input.imports))
                @if let Some(note) = input.checkpoint {
                    h2 { "Signed checkpoint" }
                    p.muted { "Anyone with the log's public key can check that this report's records are the ones committed to here (" code { "mandate log verify" } ")." }
                    pre { (note) }
                }
            }
        }
    };
    page.into_string()
}

fn group_by_rule(findings: &[Finding]) -> BTreeMap<&str, Vec<&Finding>> {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in findings {
        by_rule.entry(finding.rule_id.as_str()).or_default().push(finding);
    }
    by_rule
}

fn severity_badge(severity: Severity) -> Markup {
    html! { span class={"sev " (severity.as_str())} { (severity.as_str()) } }
}

fn summary_table(findings: &[Finding]) -> Markup {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    html! {
        table style="width:auto" {
            tr { th { "Severity" } th { "Findings" } }
            @for severity in Severity::ALL {
                @let n = count(severity);
                @if n > 0 { tr { td { (severity_badge(severity)) } td.n { (n) } } }
            }
            tr { th { "Total" } th.n { (findings.len()) } }
        }
    }
}

/// Past this many source files, a rule's coverage is shown per folder.
const MAX_SOURCE_ROWS: usize = 20;

fn coverage_table(coverage: &Coverage) -> Markup {
    html! {
        table {
            tr { th { "Rule" } th { "Evaluated" } th { "Flagged" } th { "Not applicable (why)" } }
            @for (rule_id, c) in &coverage.rules {
                tr {
                    td { code { (rule_id) } }
                    td.n { (c.evaluated) }
                    td.n { (c.flagged) }
                    td {
                        @for (reason, n) in &c.not_applicable { (n) " × " (reason) br; }
                        @for (reason, n) in &c.processes_not_used { (n) " processes not used: " (reason) br; }
                        @if !c.by_source.is_empty() {
                            @let by_folder = c.by_source.len() > MAX_SOURCE_ROWS;
                            @let sources = if by_folder { c.by_folder() } else { c.by_source.clone() };
                            details {
                                summary { "per source " (if by_folder { "folder" } else { "file" }) }
                                table {
                                    tr { th { (if by_folder { "Folder" } else { "File" }) } th { "Evaluated" } th { "Flagged" } th { "Not applicable" } }
                                    @for (file, s) in &sources {
                                        tr {
                                            td { code { (file) } }
                                            td.n { (s.evaluated) }
                                            td.n { (s.flagged) }
                                            td { @for (reason, n) in &s.not_applicable { (n) " × " (reason) br; } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !coverage.codes.is_empty() {
            h3 { "Publisher codes" }
            p.muted { "Codes outside the OCDS code lists, mapped through the publishers' code lists or left unknown (an unknown code makes the indicators that need it not applicable)." }
            table {
                tr { th { "Field" } th { "Mapped" } th { "Unknown" } }
                @for (field, codes) in &coverage.codes {
                    tr {
                        td { code { (field) } }
                        td { @for (code, n) in &codes.mapped { (n) " × " (code) br; } }
                        td { @for (code, n) in &codes.unknown { (n) " × " (format!("{code:?}")) br; } }
                    }
                }
            }
        }
        @if !coverage.wrong_types.is_empty() {
            h3 { "Members of the wrong type" }
            p.muted { "Members the indicators read that had the wrong JSON type, or a date that is not a date-time: the indicators that need them counted the process as not applicable." }
            table {
                tr { th { "Field: problem" } th { "Occurrences" } th { "For example" } }
                @for (what, n) in &coverage.wrong_types {
                    tr { td { code { (what) } } td.n { (n.count) } td { (n.examples.join(", ")) } }
                }
            }
        }
    }
}

fn rule_section(rule_id: &str, findings: &[&Finding]) -> Markup {
    let Some(first) = findings.first() else {
        return html! {};
    };
    html! {
        details {
            summary { (severity_badge(first.severity)) " " code { (rule_id) } " " (first.rule_title) ": " (findings.len()) }
            p {
                b { "Legal basis: " } (first.legal_basis.to_string()) ". " (first.legal_basis.text)
                @if let Some(url) = &first.legal_basis.url { " " a href=(url) { "source" } }
            }
            table {
                tr { th { "Subject" } th { "When" } th { "Explanation" } th { "Evidence (log index)" } }
                @for f in findings {
                    tr {
                        td { code { (f.subject.id) } }
                        td { (f.occurred_at.as_deref().map(|d| d.get(..10).unwrap_or(d)).unwrap_or("")) }
                        td { (f.explanation) }
                        td {
                            @for e in &f.evidence { "#" (e.log_index) " " span.muted { (e.note) } br; }
                        }
                    }
                }
            }
        }
    }
}

fn imports_table(imports: &[ImportLine]) -> Markup {
    html! {
        table {
            tr { th { "File" } th { "Format" } th { "Accepted" } th { "Rejected" } }
            @for i in imports {
                tr {
                    td { code { (i.file) } } td { (i.format) } td.n { (i.accepted) }
                    td.n {
                        @if i.first_rejections.is_empty() {
                            (i.rejected)
                        } @else {
                            details {
                                summary { (i.rejected) }
                                @for r in &i.first_rejections { (r) br; }
                                @let more = i.rejected.saturating_sub(i.first_rejections.len() as u64);
                                @if more > 0 { span.muted { "and " (more) " more (table rejections)" } }
                            }
                        }
                    }
                }
            }
        }
    }
}
