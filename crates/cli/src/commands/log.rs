//! `mandate log ...`: signed checkpoints and full verification.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use mandate_ledger::checkpoint::{open_checkpoint, sign_checkpoint, Checkpoint};
use mandate_ledger::merkle::{leaf_hash, CompactRange};
use mandate_ledger::note::Verifier;
use mandate_store::{Store, StoredCheckpoint};

use super::import::hex;
use crate::output::progress_bar;
use crate::workspace::Workspace;

#[derive(clap::Subcommand)]
pub enum LogCommand {
    /// Sign a checkpoint of the log as it is now (C2SP tlog-checkpoint, Ed25519 signed note) and print it.
    Checkpoint,
    /// Recompute the whole tree from the stored entries and check it against every signed checkpoint.
    Verify,
}

pub fn run(workspace_dir: &Path, command: LogCommand) -> Result<ExitCode> {
    let workspace = Workspace::open(workspace_dir)?;
    let store = workspace.store()?;
    match command {
        LogCommand::Checkpoint => {
            let note = checkpoint(&workspace, &store)?;
            print!("{note}");
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::Verify => {
            let report = verify(&store, &workspace.verifier()?)?;
            for problem in &report.problems {
                eprintln!("FAILED: {problem}");
            }
            if report.problems.is_empty() {
                println!(
                    "OK: {} entries, root {}, consistent with {} signed checkpoint(s)",
                    report.size,
                    hex(&report.root),
                    report.checkpoints
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("The log does NOT verify: {} problem(s).", report.problems.len());
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// Sign, store and return a checkpoint of the current log.
pub fn checkpoint(workspace: &Workspace, store: &Store) -> Result<String> {
    let checkpoint = Checkpoint {
        origin: workspace.config.log.origin.clone(),
        size: store.log_size(),
        root: store.root(),
        extensions: Vec::new(),
    };
    let note = sign_checkpoint(&checkpoint, &workspace.signer()?).context("cannot sign the checkpoint")?;
    store.save_checkpoint(&StoredCheckpoint {
        size: checkpoint.size,
        root: checkpoint.root,
        note: note.clone(),
        created_at: super::now(),
    })?;
    Ok(note)
}

pub struct VerifyReport {
    pub size: u64,
    pub root: [u8; 32],
    pub checkpoints: usize,
    pub problems: Vec<String>,
}

/// Recompute every leaf hash from the stored bodies, rebuild the tree, and
/// compare its root at each checkpoint's size with what the checkpoint signed.
pub fn verify(store: &Store, verifier: &Verifier) -> Result<VerifyReport> {
    let mut problems = Vec::new();
    let mut checkpoints: Vec<(StoredCheckpoint, Checkpoint)> = Vec::new();
    for stored in store.checkpoints()? {
        match open_checkpoint(&stored.note, verifier) {
            Ok(signed) => checkpoints.push((stored, signed)),
            Err(e) => problems.push(format!(
                "checkpoint at size {}: signature does not verify: {e}",
                stored.size
            )),
        }
    }
    let mut pending = checkpoints.iter().peekable();
    let mut frontier = CompactRange::new();
    let check_at = |frontier: &CompactRange, signed: &Checkpoint, problems: &mut Vec<String>| {
        if frontier.root() != signed.root {
            problems.push(format!(
                "checkpoint at size {}: signed root {} but the stored entries give {}",
                signed.size,
                hex(&signed.root),
                hex(&frontier.root())
            ));
        }
    };
    let bar = progress_bar(store.log_size(), "entries");
    bar.set_message("verifying");
    while let Some((_, signed)) = pending.next_if(|(_, c)| c.size == 0) {
        check_at(&frontier, signed, &mut problems);
    }
    store.for_each_entry(|index, stored_leaf, body| {
        let leaf = leaf_hash(body);
        if leaf[..] != *stored_leaf {
            problems.push(format!(
                "entry {index}: its content does not match its leaf hash: the entry was changed after it was logged"
            ));
        }
        frontier
            .push(leaf)
            .map_err(|e| mandate_store::StoreError::CorruptState(e.to_string()))?;
        while let Some((_, signed)) = pending.next_if(|(_, c)| c.size == frontier.size()) {
            check_at(&frontier, signed, &mut problems);
        }
        if index % 4096 == 0 {
            bar.set_position(index);
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    for (stored, _) in pending {
        problems.push(format!(
            "checkpoint at size {} is larger than the log ({} entries): entries were removed",
            stored.size,
            frontier.size()
        ));
    }
    if frontier.root() != store.root() {
        problems.push("the saved tree state disagrees with the entries".into());
    }
    Ok(VerifyReport {
        size: frontier.size(),
        root: frontier.root(),
        checkpoints: checkpoints.len(),
        problems,
    })
}
