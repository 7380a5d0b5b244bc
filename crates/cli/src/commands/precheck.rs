//! `mandate precheck FILE`: before the act, which rules a proposed step
//! would break. An act is judged against the mandate; a process event is
//! added to its case as logged so far and the procedure rules are run on
//! the case with and without it. Nothing is written to the log.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use mandate_check::{Case, Checker, LoggedEvent};
use mandate_model::{ProcessEvent, Record};

use super::check::{add_to_case, Rules};
use crate::workspace::Workspace;

#[derive(clap::Args)]
pub struct Args {
    /// The proposed step: one JSON record (`"kind": "act"` or `"process_event"`), or JSON Lines of them.
    pub file: PathBuf,
}

pub fn run(workspace_dir: &Path, args: Args) -> Result<ExitCode> {
    let workspace = Workspace::open(workspace_dir)?;
    let store = workspace.store()?;
    let rules = Rules::of(&workspace)?;
    let mut checker = Checker::new(&rules.packs).with_mandate(&rules.mandate);
    let mut breaking = 0;
    for (n, record) in read(&args.file)?.into_iter().enumerate() {
        if n > 0 {
            println!();
        }
        let broken = match record {
            Record::Act(act) => {
                let verdict = rules.mandate.explain(&act);
                super::rules::print_verdict(&act, &verdict);
                !verdict.is_permitted()
            }
            Record::ProcessEvent(event) => {
                let case = case_of(&store, &event)?;
                let proposed = LoggedEvent {
                    log_index: store.log_size(),
                    record_id: "proposed".into(),
                    event,
                };
                let what = format!("'{}' in case {}", proposed.event.activity, proposed.event.case_id);
                let findings = checker.precheck_event(&case, proposed);
                if findings.is_empty() {
                    println!(
                        "Proposed {what} ({} events so far): breaks no rule",
                        case.events.len()
                    );
                } else {
                    println!(
                        "Proposed {what} ({} events so far) WOULD BREAK:",
                        case.events.len()
                    );
                    for f in &findings {
                        println!("  {} [{}] ({})", f.rule_id, f.severity.as_str(), f.pack);
                        println!("    {}", f.explanation);
                    }
                }
                !findings.is_empty()
            }
            other => bail!(
                "{}: a precheck takes acts and process events, not {}",
                args.file.display(),
                other.kind()
            ),
        };
        if broken {
            breaking += 1;
        }
    }
    Ok(if breaking > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The case as logged so far (empty if it has no records yet).
fn case_of(store: &mandate_store::Store, event: &ProcessEvent) -> Result<Case> {
    let mut case = Case {
        process: event.process.clone(),
        case_id: event.case_id.clone(),
        ..Case::default()
    };
    let subject = format!("{}/{}", event.process, event.case_id);
    store.for_each_record_of(&["process_case", "process_event"], &subject, |row| {
        let record: Record = serde_json::from_slice(&row.body)?;
        add_to_case(&mut case, row, record);
        Ok(())
    })?;
    case.sort_events();
    Ok(case)
}

/// One JSON record, or JSON Lines of records.
fn read(path: &Path) -> Result<Vec<Record>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if let Ok(record) = serde_json::from_str::<Record>(&text) {
        return Ok(vec![record]);
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("{}: line {}: not a record of mandate", path.display(), n + 1))
        })
        .collect()
}
