//! `mandate log ...`: signed checkpoints, proofs, tiles and verification.

pub mod bench;
mod disclose;
mod export;
mod proof;
mod remote;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use mandate_ledger::checkpoint::{open_checkpoint, sign_checkpoint, Checkpoint};
use mandate_ledger::commitment::commit;
use mandate_ledger::merkle::{leaf_hash, CompactRange};
use mandate_ledger::note::{Signer, Verifier};
use mandate_ledger::tiles::{hashes_to_bytes, FullTile, TileEdge};
use mandate_model::Record;
use mandate_store::{Store, StoredCheckpoint};

use super::import::hex;
use crate::output::progress_bar;
use crate::workspace::Workspace;

#[derive(clap::Subcommand)]
pub enum LogCommand {
    /// Sign a checkpoint of the log as it is now (C2SP tlog-checkpoint, Ed25519 signed note) and print it.
    Checkpoint,
    /// Create a log signing key pair: DIR/log.key (private, mode 0600) and DIR/log.pub (the
    /// verifier key, C2SP signed-note format, which readers and witnesses use to check checkpoints).
    Keygen(KeygenArgs),
    /// Recompute the whole tree from the stored entries and check it against every signed checkpoint
    /// and the stored tiles; with --tiles, verify a published copy of the log from its tiles alone.
    Verify(VerifyArgs),
    /// Print, as JSON, the proof that one entry is in the log (RFC 9162 inclusion proof), with the
    /// entry, the root and the signed checkpoint of that tree size.
    Prove(proof::ProveArgs),
    /// Print, as JSON, the proof that a tree of OLD entries is a prefix of the tree of NEW entries
    /// (RFC 9162 consistency proof).
    Consistency(proof::ConsistencyArgs),
    /// Check a proof printed by `prove` or `consistency`, without the database; prints "OK: ..."
    /// or the reason it fails (exit status 1).
    VerifyProof(proof::VerifyProofArgs),
    /// Write the log as of its latest signed checkpoint in the C2SP tlog-tiles layout (checkpoint,
    /// hash tiles, entry bundles), ready for any static web server. Files already there are kept.
    ExportTiles(export::Args),
    /// Reveal a confidential entry (imported with `--confidential`): print, as JSON, its content
    /// and salt with the inclusion proof of its commitment. Each disclosure is recorded.
    Disclose(disclose::DiscloseArgs),
    /// Check a disclosure: the record and salt must give the logged commitment, and the commitment
    /// must be in the signed tree. Works without the database.
    VerifyDisclosure(disclose::VerifyDisclosureArgs),
}

#[derive(clap::Args)]
pub struct KeygenArgs {
    /// The key name: the log's origin line, e.g. "audit.example.gov/mandate".
    #[arg(long)]
    pub name: String,
    /// Folder for the key files (created if needed; existing keys are never overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Verify a log published as tiles (a folder or an http(s):// URL) instead of the workspace's
    /// database: check the checkpoint's signature, recompute every leaf hash from the entry bundles
    /// and every tile from the level below, and compare the root with the checkpoint.
    #[arg(long, value_name = "DIR_OR_URL")]
    pub tiles: Option<String>,
    /// The log's public key (verifier key text, or a file holding it); default: the workspace's
    /// keys/log.pub.
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// A signed checkpoint held outside this database (saved from an earlier `publish`, from a
    /// witness, from a report): the log must still agree with it. Repeatable.
    #[arg(long = "checkpoint", value_name = "FILE")]
    pub checkpoints: Vec<PathBuf>,
}

pub fn run(workspace_dir: &Path, command: LogCommand) -> Result<ExitCode> {
    match command {
        LogCommand::Keygen(args) => {
            let signer = Signer::generate(&args.name).context("cannot create the key")?;
            std::fs::create_dir_all(&args.out)
                .with_context(|| format!("cannot create {}", args.out.display()))?;
            crate::workspace::write_private(&args.out.join("log.key"), &signer.private_key_text())?;
            std::fs::write(args.out.join("log.pub"), signer.verifier_key_text() + "\n")?;
            println!("{}", signer.verifier_key_text());
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::Checkpoint => {
            let workspace = Workspace::open(workspace_dir)?;
            let store = workspace.store()?;
            let note = checkpoint(&workspace, &store)?;
            print!("{note}");
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::Verify(VerifyArgs {
            tiles: Some(source),
            key,
            ..
        }) => {
            let verifier = verifier(workspace_dir, key.as_deref())?;
            remote::run(&source, &verifier)
        }
        LogCommand::Verify(VerifyArgs {
            tiles: None,
            key,
            checkpoints: held,
        }) => {
            let workspace = Workspace::open(workspace_dir)?;
            let store = match workspace.store() {
                Ok(store) => store,
                // A log whose stored state no longer adds up (an entry
                // removed, the tree state rewritten) fails verification.
                Err(e) if is_corrupt(&e) => {
                    eprintln!("FAILED: {e:#}");
                    eprintln!("The log does NOT verify.");
                    return Ok(ExitCode::FAILURE);
                }
                Err(e) => return Err(e),
            };
            let verifier = match key {
                Some(key) => verifier_from_arg(&key)?,
                None => workspace.verifier()?,
            };
            let mut held_notes = Vec::new();
            for file in &held {
                let note = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                held_notes.push((file.display().to_string(), note));
            }
            let report = verify(&store, &verifier, &held_notes)?;
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
        LogCommand::Prove(args) => proof::prove(workspace_dir, args),
        LogCommand::Consistency(args) => proof::consistency(workspace_dir, args),
        LogCommand::VerifyProof(args) => proof::verify_proof(workspace_dir, args),
        LogCommand::ExportTiles(args) => export::run(workspace_dir, args),
        LogCommand::Disclose(args) => disclose::disclose(workspace_dir, args),
        LogCommand::VerifyDisclosure(args) => disclose::verify_disclosure(workspace_dir, args),
    }
}

/// The log's public key: `--key` if given, else the workspace's.
fn verifier(workspace_dir: &Path, key: Option<&str>) -> Result<Verifier> {
    if let Some(key) = key {
        return verifier_from_arg(key);
    }
    let workspace = Workspace::open(workspace_dir)
        .context("no key to check signatures with: give the log's public key with --key")?;
    workspace.verifier()
}

/// `--key`: verifier key text, or the path of a file holding it.
fn verifier_from_arg(key: &str) -> Result<Verifier> {
    if let Ok(verifier) = Verifier::from_text(key.trim()) {
        return Ok(verifier);
    }
    let path = Path::new(key);
    if !path.is_file() {
        bail!("--key {key:?} is neither a verifier key (NAME+HEX+BASE64) nor a readable file");
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Verifier::from_text(text.trim()).with_context(|| format!("{}: not a verifier key", path.display()))
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

/// The latest stored checkpoint, or an error saying how to make one.
fn latest_checkpoint(store: &Store) -> Result<StoredCheckpoint> {
    store
        .checkpoints()?
        .pop()
        .context("the log has no signed checkpoint yet: sign one with `mandate log checkpoint`")
}

pub struct VerifyReport {
    pub size: u64,
    pub root: [u8; 32],
    pub checkpoints: usize,
    pub problems: Vec<String>,
}

/// Compares the stored tiles with tiles rebuilt from the stored leaf hashes.
struct TileCheck {
    edge: TileEdge,
    full: Vec<FullTile>,
}

impl TileCheck {
    fn compare(store: &Store, tile: mandate_ledger::tiles::Tile, want: &[u8], problems: &mut Vec<String>) {
        let stored = store.tile(tile.level(), tile.index());
        let matches = matches!(&stored, Ok(Some((width, bytes))) if *width == tile.width() && bytes == want);
        if !matches {
            problems.push(format!(
                "{tile} in the database does not match the leaf hashes it covers: proofs and exported \
                 tiles built from it would not verify"
            ));
        }
    }

    fn push(
        &mut self,
        store: &Store,
        stored_leaf: &[u8],
        problems: &mut Vec<String>,
    ) -> mandate_store::Result<()> {
        let leaf = stored_leaf.try_into().map_err(|_| {
            mandate_store::StoreError::CorruptState("a stored leaf hash is not 32 bytes".into())
        })?;
        self.edge.push(leaf, &mut self.full)?;
        for full in self.full.drain(..) {
            Self::compare(store, full.tile, &hashes_to_bytes(&full.hashes), problems);
        }
        Ok(())
    }

    fn finish(&self, store: &Store, problems: &mut Vec<String>) {
        for (tile, hashes) in self.edge.partial_tiles() {
            Self::compare(store, tile, &hashes_to_bytes(hashes), problems);
        }
    }
}

fn is_corrupt(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<mandate_store::StoreError>(),
            Some(mandate_store::StoreError::CorruptState(_))
        )
    })
}

/// Confidential records: the content kept in the database must still be the
/// one the logged commitment binds, or checks would run on changed data
/// that the log cannot show.
fn verify_hidden(store: &Store, problems: &mut Vec<String>) -> Result<()> {
    store.for_each_hidden(|index, salt, content| {
        let logged = store
            .entry(index)?
            .and_then(|body| serde_json::from_slice::<Record>(&body).ok());
        let problem = match (logged, <[u8; 32]>::try_from(salt)) {
            (Some(Record::Commitment(c)), Ok(salt)) if c.commitment == hex(&commit(&salt, content)) => None,
            (Some(Record::Commitment(_)), Ok(_)) => Some("its hidden content no longer matches the logged commitment: it was changed after it was logged"),
            (Some(Record::Commitment(_)), Err(_)) => Some("its salt is not 32 bytes"),
            _ => Some("hidden content is stored for it, but the log holds no commitment there"),
        };
        if let Some(problem) = problem {
            problems.push(format!("confidential entry {index}: {problem}"));
        }
        Ok(())
    })?;
    Ok(())
}

/// Recompute every leaf hash from the stored bodies, rebuild the tree, and
/// compare its root at each checkpoint's size with what the checkpoint signed:
/// the database's own checkpoints and `held` ones (name, note text) kept
/// elsewhere, since a database rewritten with its checkpoints agrees with
/// itself, not with a checkpoint it never saw. Also check the stored tiles
/// against the stored leaf hashes, and confidential content against its
/// commitment.
pub fn verify(store: &Store, verifier: &Verifier, held: &[(String, String)]) -> Result<VerifyReport> {
    let mut problems = Vec::new();
    let mut checkpoints: Vec<(StoredCheckpoint, Checkpoint)> = Vec::new();
    for (name, note) in held {
        match open_checkpoint(note, verifier) {
            Ok(signed) => checkpoints.push((
                StoredCheckpoint {
                    size: signed.size,
                    root: signed.root,
                    note: note.clone(),
                    created_at: name.clone(),
                },
                signed,
            )),
            Err(e) => problems.push(format!("checkpoint {name}: signature does not verify: {e}")),
        }
    }
    for stored in store.checkpoints()? {
        match open_checkpoint(&stored.note, verifier) {
            Ok(signed) => checkpoints.push((stored, signed)),
            Err(e) => problems.push(format!(
                "checkpoint at size {}: signature does not verify: {e}",
                stored.size
            )),
        }
    }
    checkpoints.sort_by_key(|(_, signed)| signed.size);
    let mut pending = checkpoints.iter().peekable();
    let mut frontier = CompactRange::new();
    let mut tiles = TileCheck {
        edge: TileEdge::new(),
        full: Vec::new(),
    };
    let mut tile_problems = Vec::new();
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
        tiles.push(store, stored_leaf, &mut tile_problems)?;
        while let Some((_, signed)) = pending.next_if(|(_, c)| c.size == frontier.size()) {
            check_at(&frontier, signed, &mut problems);
        }
        if index % 4096 == 0 {
            bar.set_position(index);
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    tiles.finish(store, &mut tile_problems);
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
    problems.extend(tile_problems);
    verify_hidden(store, &mut problems)?;
    Ok(VerifyReport {
        size: frontier.size(),
        root: frontier.root(),
        checkpoints: checkpoints.len(),
        problems,
    })
}
