//! `mandate demo`: the main job end to end on the real data shipped in `data/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use super::import::hex;
use crate::inputs;
use crate::workspace::Workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Folder with the input files (searched recursively).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Workspace to create or reuse.
    #[arg(long, default_value = "mandate-demo")]
    pub dir: PathBuf,
    /// A worked example to add: its `*.toml` definitions (organisations, people, the mandate) go
    /// to the workspace's rules/, its `*.jsonl` records (acts, process cases) are imported.
    #[arg(long, default_value = "examples/city")]
    pub example: PathBuf,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let started = Instant::now();
    let mut files = inputs::files_under(&args.data, inputs::DATA_FILES)
        .context("run the demo from the repository's root, or pass --data")?;
    if files.is_empty() {
        bail!("no input files found in {}", args.data.display());
    }
    let example = example_files(&args.example)?;
    files.extend(example.records.iter().cloned());
    let workspace = if args.dir.join(crate::workspace::WORKSPACE_CONFIG).exists() {
        println!(
            "Reusing workspace {} (files already imported are skipped)",
            args.dir.display()
        );
        Workspace::open(&args.dir)?
    } else {
        println!("Creating workspace {}", args.dir.display());
        super::init::create(&args.dir, None)?
    };
    for definition in &example.definitions {
        let name = definition.file_name().unwrap_or_default();
        std::fs::copy(definition, workspace.path("rules").join(name))
            .with_context(|| format!("cannot copy {} to the workspace", definition.display()))?;
    }
    let mut store = workspace.store()?;

    println!(
        "\n1. Import ({} files from {} and {})",
        files.len(),
        args.data.display(),
        args.example.display()
    );
    let stage = Instant::now();
    let outcomes = super::import::import_files(&mut store, &files, &super::import::Options::default())?;
    super::import::print_outcomes_by_folder(&outcomes);
    let accepted: u64 = outcomes.iter().filter(|o| !o.already).map(|o| o.accepted).sum();
    println!("  {}", rate(accepted, "records appended", stage));

    println!(
        "\n2. Check against the rule packs in {}",
        workspace.path("rules").display()
    );
    let stage = Instant::now();
    let rules = super::check::Rules::of(&workspace)?;
    let outcome = super::check::check_all(&mut store, &rules, &workspace.path("findings.jsonl"), None)?;
    super::check::print_summary(&outcome);
    println!("  {}", rate(store.log_size(), "records checked", stage));

    println!("\n3. Transparency log");
    let note = super::log::checkpoint(&workspace, &store)?;
    println!("  {} entries, root {}", store.log_size(), hex(&store.root()));
    println!("  signed checkpoint:");
    for line in note.lines() {
        println!("    {line}");
    }

    let report = workspace.path("report.html");
    super::report::write_report(&store, &report)?;
    println!("\n4. Report: {}", report.display());
    println!("   Findings: {}", outcome.findings_file.display());
    println!("\nDone in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

fn rate(count: u64, what: &str, since: Instant) -> String {
    let seconds = since.elapsed().as_secs_f64();
    format!(
        "{count} {what} in {seconds:.1} s ({:.0}/s)",
        count as f64 / seconds.max(1e-9)
    )
}

/// A worked example's files: definitions for rules/ and records to import.
struct Example {
    definitions: Vec<PathBuf>,
    records: Vec<PathBuf>,
}

fn example_files(dir: &Path) -> Result<Example> {
    let mut example = Example {
        definitions: Vec::new(),
        records: Vec::new(),
    };
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "cannot read the example {} (run the demo from the repository's root, or pass --example)",
            dir.display()
        )
    })?;
    for entry in entries {
        let path = entry?.path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => example.definitions.push(path),
            Some("jsonl") => example.records.push(path),
            _ => {}
        }
    }
    example.definitions.sort();
    example.records.sort();
    Ok(example)
}
