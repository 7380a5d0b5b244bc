//! `mandate log prove | consistency | verify-proof`: proofs as JSON that
//! anyone can check without the database.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use mandate_ledger::checkpoint::open_checkpoint;
use mandate_ledger::merkle::{leaf_hash, verify_consistency, verify_inclusion, Hash};
use mandate_ledger::note::Verifier;
use mandate_model::canonical::to_canonical_json;
use mandate_store::Store;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::workspace::Workspace;

#[derive(clap::Args)]
pub struct ProveArgs {
    /// Log index of the entry (from 0).
    pub index: u64,
    /// Tree size to prove inclusion in; default: the latest signed checkpoint's size.
    #[arg(long, value_name = "N")]
    pub size: Option<u64>,
}

#[derive(clap::Args)]
pub struct ConsistencyArgs {
    /// Size of the older tree.
    pub old: u64,
    /// Size of the newer tree (at most the log's size).
    pub new: u64,
}

#[derive(clap::Args)]
pub struct VerifyProofArgs {
    /// JSON printed by `mandate log prove` or `mandate log consistency`; `-` reads standard input.
    pub file: PathBuf,
    /// The log's public key (verifier key text, or a file holding it), to check the signed
    /// checkpoints in the proof; default: the workspace's keys/log.pub.
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// Accept a proof without a signed checkpoint, checking its Merkle path alone (its root
    /// is then only the prover's word).
    #[arg(long)]
    pub unsigned: bool,
}

/// Output of `prove`: everything needed to check one entry against a signed root.
#[derive(Serialize, Deserialize)]
pub(super) struct InclusionJson {
    pub(super) index: u64,
    size: u64,
    /// RFC 9162 leaf hash of the entry's canonical JSON, hex.
    leaf_hash: String,
    /// The logged record; its RFC 8785 canonical form is what the log hashed.
    pub(super) entry: Value,
    /// Sibling hashes, leaf side first, hex.
    proof: Vec<String>,
    root: String,
    /// The signed checkpoint of tree size `size`, if one was made.
    checkpoint: Option<String>,
}

/// Output of `consistency`.
#[derive(Serialize, Deserialize)]
struct ConsistencyJson {
    old_size: u64,
    new_size: u64,
    old_root: String,
    new_root: String,
    proof: Vec<String>,
    /// Signed checkpoints of the two sizes, if they were made.
    #[serde(default)]
    old_checkpoint: Option<String>,
    #[serde(default)]
    new_checkpoint: Option<String>,
}

fn hashes_hex(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(hex::encode).collect()
}

fn parse_hash(field: &str, text: &str) -> Result<Hash, String> {
    let bytes = hex::decode(text).map_err(|e| format!("{field} is not hex: {e}"))?;
    bytes
        .try_into()
        .map_err(|_| format!("{field} is not a 32-byte hash"))
}

fn parse_hashes(field: &str, texts: &[String]) -> Result<Vec<Hash>, String> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| parse_hash(&format!("{field}[{i}]"), t))
        .collect()
}

/// The signed note stored for exactly this tree size, if any.
fn checkpoint_note(store: &Store, size: u64) -> Result<Option<String>> {
    Ok(store
        .checkpoints()?
        .into_iter()
        .rev()
        .find(|c| c.size == size)
        .map(|c| c.note))
}

pub(super) fn print_json<T: Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub fn prove(workspace_dir: &Path, args: ProveArgs) -> Result<ExitCode> {
    let store = Workspace::open(workspace_dir)?.store()?;
    print_json(&inclusion_json(&store, args.index, args.size)?)?;
    Ok(ExitCode::SUCCESS)
}

/// The inclusion proof of entry `index` in the tree of `size` entries
/// (default: the latest signed checkpoint's size).
pub(super) fn inclusion_json(store: &Store, index: u64, size: Option<u64>) -> Result<InclusionJson> {
    let size = match size {
        Some(size) => size,
        None => super::latest_checkpoint(store)?.size,
    };
    if size > store.log_size() {
        bail!(
            "tree size {size} is beyond the log's {} entries",
            store.log_size()
        );
    }
    if index >= size {
        bail!("entry {index} is not in the tree of size {size}");
    }
    let body = store
        .entry(index)?
        .with_context(|| format!("entry {index} is missing from the database"))?;
    let entry: Value = serde_json::from_slice(&body).with_context(|| format!("entry {index} is not JSON"))?;
    if to_canonical_json(&entry)? != body {
        bail!("entry {index} does not survive a JSON round trip, so a proof of it could not be checked");
    }
    let proof = store.inclusion_proof(index, size)?;
    Ok(InclusionJson {
        index,
        size,
        leaf_hash: hex::encode(leaf_hash(&body)),
        entry,
        proof: hashes_hex(&proof),
        root: hex::encode(store.root_at(size)?),
        checkpoint: checkpoint_note(store, size)?,
    })
}

pub fn consistency(workspace_dir: &Path, args: ConsistencyArgs) -> Result<ExitCode> {
    let store = Workspace::open(workspace_dir)?.store()?;
    if args.old > args.new {
        bail!("OLD ({}) must not be larger than NEW ({})", args.old, args.new);
    }
    if args.new > store.log_size() {
        bail!(
            "tree size {} is beyond the log's {} entries",
            args.new,
            store.log_size()
        );
    }
    let proof = store.consistency_proof(args.old, args.new)?;
    print_json(&ConsistencyJson {
        old_size: args.old,
        new_size: args.new,
        old_root: hex::encode(store.root_at(args.old)?),
        new_root: hex::encode(store.root_at(args.new)?),
        proof: hashes_hex(&proof),
        old_checkpoint: checkpoint_note(&store, args.old)?,
        new_checkpoint: checkpoint_note(&store, args.new)?,
    })?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn read_input(file: &Path) -> Result<String> {
    if file == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
}

pub fn verify_proof(workspace_dir: &Path, args: VerifyProofArgs) -> Result<ExitCode> {
    let text = read_input(&args.file)?;
    let key = || super::verifier(workspace_dir, args.key.as_deref());
    let outcome = serde_json::from_str::<Value>(&text)
        .map_err(|e| format!("not JSON: {e}"))
        .and_then(|value| {
            if value.get("index").is_some() {
                serde_json::from_value::<InclusionJson>(value)
                    .map_err(|e| format!("not an inclusion proof: {e}"))
                    .map(Proof::Inclusion)
            } else if value.get("old_size").is_some() {
                serde_json::from_value::<ConsistencyJson>(value)
                    .map_err(|e| format!("not a consistency proof: {e}"))
                    .map(Proof::Consistency)
            } else {
                Err("neither an inclusion proof (\"index\") nor a consistency proof (\"old_size\")".into())
            }
        });
    let outcome = match outcome {
        Ok(Proof::Inclusion(p)) => check_inclusion(&p, key, args.unsigned)?,
        Ok(Proof::Consistency(p)) => check_consistency(&p, key, args.unsigned)?,
        Err(reason) => Err(reason),
    };
    match outcome {
        Ok(message) => {
            println!("OK: {message}");
            Ok(ExitCode::SUCCESS)
        }
        Err(reason) => {
            eprintln!("FAILED: {reason}");
            Ok(ExitCode::FAILURE)
        }
    }
}

enum Proof {
    Inclusion(InclusionJson),
    Consistency(ConsistencyJson),
}

/// Checks a signed checkpoint note against the claimed size and root.
fn check_note(note: &str, size: u64, root: &Hash, verifier: &Verifier, what: &str) -> Result<(), String> {
    let signed = open_checkpoint(note, verifier).map_err(|e| format!("{what}: {e}"))?;
    if signed.size != size {
        return Err(format!("{what} is for tree size {}, not {size}", signed.size));
    }
    if &signed.root != root {
        return Err(format!(
            "{what} signed root {}, not {}",
            hex::encode(signed.root),
            hex::encode(root)
        ));
    }
    Ok(())
}

/// The verification result: `Ok(Ok(message))` verified, `Ok(Err(reason))`
/// did not, `Err` could not be attempted (no key).
pub(super) type Outcome = Result<Result<String, String>>;

/// Why a proof without a signed checkpoint fails unless `--unsigned`: anyone
/// can build a tree, and a path to a root nobody signed proves nothing
/// about the log.
const UNSIGNED: &str =
    "no signed checkpoint in the proof: its root is not authenticated, so it proves nothing \
     about the log (prove against a size that has a checkpoint, or pass --unsigned to check the path alone)";

pub(super) fn check_inclusion(
    p: &InclusionJson,
    key: impl FnOnce() -> Result<Verifier>,
    unsigned: bool,
) -> Outcome {
    let checked = (|| {
        let claimed_leaf = parse_hash("leaf_hash", &p.leaf_hash)?;
        let root = parse_hash("root", &p.root)?;
        let proof = parse_hashes("proof", &p.proof)?;
        let body = to_canonical_json(&p.entry).map_err(|e| format!("entry: {e}"))?;
        let leaf = leaf_hash(&body);
        if leaf != claimed_leaf {
            return Err(format!(
                "the entry hashes to {}, not to leaf_hash {}: the entry was changed",
                hex::encode(leaf),
                p.leaf_hash
            ));
        }
        verify_inclusion(&leaf, p.index, p.size, &proof, &root).map_err(|e| {
            format!(
                "entry {} is not proven to be in the tree of size {}: {e}",
                p.index, p.size
            )
        })?;
        Ok(root)
    })();
    let root = match checked {
        Ok(root) => root,
        Err(reason) => return Ok(Err(reason)),
    };
    let Some(note) = &p.checkpoint else {
        if !unsigned {
            return Ok(Err(UNSIGNED.into()));
        }
        return Ok(Ok(format!(
            "entry {} is in the tree of size {} with root {} (no signed checkpoint in the proof: the root \
             itself is not authenticated)",
            p.index, p.size, p.root
        )));
    };
    let verifier = key()?;
    Ok(
        check_note(note, p.size, &root, &verifier, "checkpoint").map(|()| {
            format!(
                "entry {} is in the tree of size {} with root {}, signed by {}",
                p.index,
                p.size,
                p.root,
                verifier.name()
            )
        }),
    )
}

fn check_consistency(p: &ConsistencyJson, key: impl FnOnce() -> Result<Verifier>, unsigned: bool) -> Outcome {
    let checked = (|| {
        let old_root = parse_hash("old_root", &p.old_root)?;
        let new_root = parse_hash("new_root", &p.new_root)?;
        let proof = parse_hashes("proof", &p.proof)?;
        verify_consistency(p.old_size, p.new_size, &old_root, &new_root, &proof).map_err(|e| {
            format!(
                "the tree of size {} is not proven to be a prefix of the tree of size {}: {e}",
                p.old_size, p.new_size
            )
        })?;
        Ok((old_root, new_root))
    })();
    let (old_root, new_root) = match checked {
        Ok(roots) => roots,
        Err(reason) => return Ok(Err(reason)),
    };
    let mut message = format!(
        "the tree of size {} (root {}) is a prefix of the tree of size {} (root {})",
        p.old_size, p.old_root, p.new_size, p.new_root
    );
    let notes = [
        (&p.old_checkpoint, p.old_size, &old_root, "old_checkpoint"),
        (&p.new_checkpoint, p.new_size, &new_root, "new_checkpoint"),
    ];
    if notes.iter().all(|(note, ..)| note.is_none()) {
        if !unsigned {
            return Ok(Err(UNSIGNED.into()));
        }
        message.push_str(" (no signed checkpoints in the proof: the roots themselves are not authenticated)");
        return Ok(Ok(message));
    }
    let verifier = key()?;
    for (note, size, root, what) in notes {
        if let Some(note) = note {
            if let Err(reason) = check_note(note, size, root, &verifier, what) {
                return Ok(Err(reason));
            }
        }
    }
    let signed: Vec<&str> = notes
        .iter()
        .filter(|(note, ..)| note.is_some())
        .map(|(_, _, _, what)| if *what == "old_checkpoint" { "old" } else { "new" })
        .collect();
    message.push_str(&format!(
        "; {} root signed by {}",
        signed.join(" and "),
        verifier.name()
    ));
    Ok(Ok(message))
}
