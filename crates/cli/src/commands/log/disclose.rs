//! `mandate log disclose` and `mandate log verify-disclosure`: reveal a
//! confidential record so that anyone can check it against the commitment the
//! log has held since the record was made.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use mandate_ledger::commitment::commit;
use mandate_model::canonical::to_canonical_json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::proof::{check_inclusion, inclusion_json, print_json, read_input, InclusionJson, Outcome};
use crate::workspace::Workspace;

#[derive(clap::Args)]
pub struct DiscloseArgs {
    /// Index of the confidential entry.
    pub index: u64,
    /// Prove inclusion in the tree of this size (default: the latest signed checkpoint's).
    #[arg(long)]
    pub size: Option<u64>,
}

#[derive(clap::Args)]
pub struct VerifyDisclosureArgs {
    /// A disclosure printed by `mandate log disclose`, or `-` for standard input.
    pub file: PathBuf,
    /// The log's public key (verifier key text, or a file holding it); default: the workspace's keys/log.pub.
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// Accept an inclusion proof without a signed checkpoint (its root is then unauthenticated).
    #[arg(long)]
    pub unsigned: bool,
}

/// A disclosure: the inclusion proof of the commitment entry, plus what it commits to.
#[derive(Serialize, Deserialize)]
struct DisclosureJson {
    #[serde(flatten)]
    inclusion: InclusionJson,
    disclosed: Disclosed,
}

#[derive(Serialize, Deserialize)]
struct Disclosed {
    /// The confidential record, as imported.
    record: Value,
    /// The commitment's salt, hex.
    salt: String,
}

pub fn disclose(workspace_dir: &Path, args: DiscloseArgs) -> Result<ExitCode> {
    let store = Workspace::open(workspace_dir)?.store()?;
    let inclusion = inclusion_json(&store, args.index, args.size)?;
    let Some(hidden) = store.disclose(args.index, &crate::commands::now())? else {
        bail!(
            "entry {} is not confidential: its content is already in the log",
            args.index
        );
    };
    let record: Value = serde_json::from_slice(&hidden.content)
        .with_context(|| format!("entry {}: stored content is not JSON", args.index))?;
    print_json(&DisclosureJson {
        inclusion,
        disclosed: Disclosed {
            record,
            salt: hex::encode(hidden.salt),
        },
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn verify_disclosure(workspace_dir: &Path, args: VerifyDisclosureArgs) -> Result<ExitCode> {
    let text = read_input(&args.file)?;
    let key = || super::verifier(workspace_dir, args.key.as_deref());
    let outcome: Outcome = match serde_json::from_str::<DisclosureJson>(&text) {
        Err(e) => Ok(Err(format!("not a disclosure: {e}"))),
        Ok(d) => match check_commitment(&d) {
            Err(reason) => Ok(Err(reason)),
            Ok(()) => check_inclusion(&d.inclusion, key, args.unsigned).map(|checked| {
                checked.map(|message| format!("the disclosed record is the one committed to; {message}"))
            }),
        },
    };
    match outcome? {
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

/// The logged entry must be a commitment to exactly the disclosed record under the disclosed salt.
fn check_commitment(d: &DisclosureJson) -> Result<(), String> {
    let logged = d
        .inclusion
        .entry
        .get("commitment")
        .and_then(Value::as_str)
        .ok_or("the logged entry is not a commitment")?;
    let salt: [u8; 32] = hex::decode(&d.disclosed.salt)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or("the salt is not 32 bytes of hex")?;
    let content = to_canonical_json(&d.disclosed.record).map_err(|e| format!("record: {e}"))?;
    let computed = hex::encode(commit(&salt, &content));
    if computed != logged {
        return Err(format!(
            "the disclosed record and salt give commitment {computed}, but entry {} commits to {logged}: \
             this is not the record that was logged",
            d.inclusion.index
        ));
    }
    Ok(())
}
