//! The summary `mandate indicators` prints: findings and coverage per
//! indicator, per source file or folder, and the publisher codes met.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use mandate_check::Coverage;
use mandate_model::Finding;

use super::{FileStats, MAX_FILE_ROWS};
use crate::output::write_table;

/// The printed summary: findings and coverage per indicator, per file, and
/// the publisher codes mapped or left unknown.
pub(super) struct Summary<'a> {
    pub files: &'a [FileStats],
    pub processes: u64,
    pub counts: &'a BTreeMap<String, u64>,
    pub examples: &'a BTreeMap<String, Vec<Finding>>,
    pub coverage: &'a Coverage,
    /// Files that could not be read at all (each reported as an error).
    pub unreadable: usize,
}

impl Summary<'_> {
    pub(super) fn write(&self, out: &mut dyn Write) -> Result<()> {
        let records: u64 = self.files.iter().map(|f| f.records).sum();
        let rejected: u64 = self.files.iter().map(|f| f.rejected).sum();
        let wrong: u64 = self.files.iter().map(|f| f.wrong_types).sum();
        writeln!(
            out,
            "Screened {} contracting processes from {} records in {} files ({rejected} records rejected, {wrong} members of the wrong type).",
            self.processes,
            records,
            self.files.len()
        )?;
        if self.unreadable > 0 {
            let files = if self.unreadable == 1 { "file" } else { "files" };
            writeln!(
                out,
                "NOT READ: {} {files}, left out of everything below (the errors above say why).",
                self.unreadable
            )?;
        }
        let indicators: Vec<_> = self
            .coverage
            .rules
            .iter()
            .filter(|(_, c)| !c.subject.is_empty())
            .collect();
        writeln!(out, "\nFindings per indicator:")?;
        let rows: Vec<Vec<String>> = indicators
            .iter()
            .map(|(id, c)| {
                vec![
                    (*id).clone(),
                    c.subject.clone(),
                    self.counts.get(*id).copied().unwrap_or(0).to_string(),
                    c.evaluated.to_string(),
                    c.not_applicable.values().sum::<u64>().to_string(),
                    aggregate(c, c.contributing),
                    aggregate(c, c.processes_not_used.values().sum()),
                ]
            })
            .collect();
        write_table(
            out,
            &[
                "indicator",
                "subject",
                "findings",
                "evaluated",
                "not applicable",
                "processes used",
                "not usable",
            ],
            &rows,
        )?;
        writeln!(
            out,
            "\nWhy an indicator could not be applied (count: reason; --verdicts FILE lists the subjects):"
        )?;
        for (id, c) in &indicators {
            if c.not_applicable.is_empty() && c.processes_not_used.is_empty() {
                continue;
            }
            writeln!(out, "  {id}")?;
            let subject = if c.subject == "contracting_process" {
                String::new()
            } else {
                format!("{}: ", c.subject.replace('_', " "))
            };
            reasons(out, &c.not_applicable, &subject)?;
            reasons(out, &c.processes_not_used, "process not usable: ")?;
        }
        // Many files: one row per folder (every file is in --coverage).
        let by_folder = self.files.len() > MAX_FILE_ROWS;
        let mut rows: BTreeMap<String, [u64; 6]> = BTreeMap::new();
        for f in self.files {
            let key = if by_folder {
                crate::inputs::folder_of(&f.file)
            } else {
                f.file.clone()
            };
            let row = rows.entry(key).or_default();
            for (slot, n) in
                row.iter_mut()
                    .zip([1, f.records, f.rejected, f.duplicates, f.wrong_types, f.findings])
            {
                *slot += n;
            }
        }
        writeln!(out, "\nPer source {}:", if by_folder { "folder" } else { "file" })?;
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|(name, n)| {
                let mut row = vec![name];
                row.extend(n[usize::from(!by_folder)..].iter().map(u64::to_string));
                row
            })
            .collect();
        let header: &[&str] = if by_folder {
            &[
                "folder",
                "files",
                "records",
                "rejected",
                "duplicates",
                "wrong types",
                "findings",
            ]
        } else {
            &[
                "file",
                "records",
                "rejected",
                "duplicates",
                "wrong types",
                "findings",
            ]
        };
        write_table(out, header, &rows)?;
        if !self.coverage.codes.is_empty() {
            writeln!(
                out,
                "\nPublisher codes (mapped by a code list, or unknown to OCDS):"
            )?;
            for (field, codes) in &self.coverage.codes {
                for (mapping, n) in &codes.mapped {
                    writeln!(out, "  {field}: mapped {mapping}: {n}")?;
                }
                for (value, n) in &codes.unknown {
                    writeln!(out, "  {field}: unknown {value:?}: {n}")?;
                }
            }
        }
        if !self.examples.is_empty() {
            writeln!(out, "\nExamples (every finding: --json):")?;
            for (id, findings) in self.examples {
                for f in findings {
                    writeln!(
                        out,
                        "  {id} [{} {}]: {}",
                        f.subject.kind, f.subject.id, f.explanation
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// The processes columns, for aggregate indicators only.
fn aggregate(c: &mandate_check::RuleCoverage, n: u64) -> String {
    if c.subject == "contracting_process" {
        String::new()
    } else {
        n.to_string()
    }
}

/// Reasons, most frequent first.
fn reasons(out: &mut dyn Write, counts: &BTreeMap<String, u64>, prefix: &str) -> Result<()> {
    let mut sorted: Vec<_> = counts.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (reason, n) in sorted {
        writeln!(out, "    {n:>8}  {prefix}{reason}")?;
    }
    Ok(())
}
