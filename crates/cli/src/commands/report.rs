//! `mandate report`: the HTML report of the latest check.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use mandate_check::Coverage;
use mandate_report::{ImportLine, ReportInput};
use mandate_store::Store;

use super::import::hex;
use crate::workspace::Workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the report. Default: WORKSPACE/report.html.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

pub fn run(workspace_dir: &Path, args: Args) -> Result<ExitCode> {
    let workspace = Workspace::open(workspace_dir)?;
    let store = workspace.store()?;
    let output = args.output.unwrap_or_else(|| workspace.path("report.html"));
    write_report(&store, &output)?;
    println!("Report written to {}", output.display());
    Ok(ExitCode::SUCCESS)
}

/// Rejections shown per imported file in the report.
const SHOWN_REJECTIONS: u32 = 20;

pub fn write_report(store: &Store, output: &Path) -> Result<()> {
    let Some(latest) = store.latest_findings()? else {
        bail!("no check has been run yet; run `mandate check` first");
    };
    let coverage: Coverage = serde_json::from_str(&latest.run.coverage_json)?;
    let mut imports = Vec::new();
    for i in store.imports()? {
        let first_rejections = if i.rejected == 0 {
            Vec::new()
        } else {
            store
                .rejections(i.id, SHOWN_REJECTIONS)?
                .into_iter()
                .map(|r| match r.field {
                    Some(field) => format!("{}: field {field}: {}", r.position, r.reason),
                    None => format!("{}: {}", r.position, r.reason),
                })
                .collect()
        };
        imports.push(ImportLine {
            file: i.file,
            format: i.format,
            accepted: i.accepted,
            rejected: i.rejected,
            first_rejections,
        });
    }
    let checkpoints = store.checkpoints()?;
    let root = hex(&store.root());
    let html = mandate_report::render(&ReportInput {
        generated_at: &latest.run.created_at,
        log_size: store.log_size(),
        root_hex: &root,
        checkpoint: checkpoints.last().map(|c| c.note.as_str()),
        imports: &imports,
        findings: &latest.findings,
        coverage: &coverage,
    });
    std::fs::write(output, html).with_context(|| format!("cannot write {}", output.display()))
}
