//! `mandate publish`: sign a checkpoint, have it cosigned by the
//! configured witnesses, and publish it only if enough of them did.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use mandate_ledger::checkpoint::open_checkpoint;
use mandate_ledger::cosignature::{
    append_signature_lines, verify_cosignature, CosignatureError, CosignatureVerifier,
};
use mandate_ledger::merkle::Hash;
use mandate_store::Store;
use mandate_witness::protocol::status_meaning;
use mandate_witness::{add_checkpoint, ClientError, Outcome};

use crate::workspace::{write_atomically, WitnessConfig, Workspace};

/// The published checkpoint, cosigned, in the workspace folder.
const PUBLISHED_FILE: &str = "checkpoint";

const HELP: &str = "\
Witnesses are configured in the workspace's mandate.toml:

    [publish]
    quorum = 2            # how many witnesses must cosign (default 1)

    [[witness]]
    name = \"w1\"
    url = \"https://witness1.example.org\"
    key = \"witness1.example.org+1a2b3c4d+BDc...\"

`mandate witness trust --url URL --key KEY` adds a [[witness]] entry. Each
witness must follow this log: its operator runs
`mandate witness add-log DIR --origin ORIGIN --key \"$(cat keys/log.pub)\"`.

The checkpoint is sent to every witness (c2sp.org/tlog-witness) with a
consistency proof from the size it last cosigned. If at least `quorum`
witnesses return valid cosignatures, the cosigned checkpoint is saved in the
database and written to WORKSPACE/checkpoint. Otherwise nothing is published,
each refusal is explained, and the exit status is 1.";

#[derive(clap::Args)]
#[command(after_long_help = HELP)]
pub struct Args {}

/// One witness's answer, once checked.
type Answer = std::result::Result<Vec<String>, String>;

pub fn run(workspace_dir: &Path, _args: Args) -> Result<ExitCode> {
    let workspace = Workspace::open(workspace_dir)?;
    let witnesses = workspace.witnesses()?;
    let quorum = workspace.config.publish.quorum;
    if witnesses.is_empty() {
        bail!(
            "{} names no witness; add one with `mandate witness trust --url URL --key KEY` \
             (see `mandate publish --help`)",
            workspace.path("mandate.toml").display()
        );
    }
    if quorum == 0 || quorum > witnesses.len() {
        bail!(
            "[publish] quorum = {quorum} in mandate.toml, but it must be between 1 and the number of witnesses ({})",
            witnesses.len()
        );
    }
    let store = workspace.store()?;
    let log_verifier = workspace.verifier()?;
    let note = super::log::checkpoint(&workspace, &store)?;
    let checkpoint = open_checkpoint(&note, &log_verifier).context("the new checkpoint does not verify")?;
    let body = checkpoint.to_text()?;
    let size = checkpoint.size;
    let start = match store.latest_published()? {
        Some(published) if published.size > size => bail!(
            "a checkpoint of {} entries was published, but the log now has {size}: entries were removed",
            published.size
        ),
        Some(published) => published.size,
        None => 0,
    };
    println!("checkpoint: {size} entries, origin {}", checkpoint.origin);

    let outcomes = gather(&store, &witnesses, &note, start, size)?;
    let answers: Vec<Answer> = witnesses
        .iter()
        .zip(outcomes)
        .map(|((_, key), outcome)| check(outcome, key, &body, size))
        .collect();
    let cosigned: Vec<String> = answers.iter().flatten().flatten().cloned().collect();
    let count = answers.iter().filter(|a| a.is_ok()).count();
    for ((witness, _), answer) in witnesses.iter().zip(&answers) {
        match answer {
            Ok(_) => println!("  cosigned  {} ({})", witness.name, witness.url),
            Err(reason) => eprintln!("  refused   {} ({}): {reason}", witness.name, witness.url),
        }
    }
    if count < quorum {
        eprintln!(
            "Not published: {count} of {} witness(es) cosigned; the quorum is {quorum}.",
            witnesses.len()
        );
        return Ok(ExitCode::FAILURE);
    }

    let published = append_signature_lines(&note, &cosigned)?;
    // Check the whole note as a reader would before it leaves.
    open_checkpoint(&published, &log_verifier)?;
    for ((_, key), answer) in witnesses.iter().zip(&answers) {
        if answer.is_ok() {
            verify_cosignature(&published, key)?;
        }
    }
    store.save_published(size, &published, &super::now())?;
    let path = workspace.path(PUBLISHED_FILE);
    write_atomically(&path, published.as_bytes())?;
    println!(
        "Published: {count} of {} witness(es) cosigned (quorum {quorum}); wrote {}",
        witnesses.len(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Asks every witness from `start` (the size last published); a witness
/// that holds another size says so (409) and gets one retry from there.
fn gather(
    store: &Store,
    witnesses: &[(WitnessConfig, CosignatureVerifier)],
    note: &str,
    start: u64,
    size: u64,
) -> Result<Vec<Result<Outcome, ClientError>>> {
    let mut proofs: BTreeMap<u64, Vec<Hash>> = BTreeMap::new();
    let mut prove = |old: u64| -> Result<Vec<Hash>> {
        if let Some(proof) = proofs.get(&old) {
            return Ok(proof.clone());
        }
        let proof = store
            .consistency_proof(old, size)
            .with_context(|| format!("cannot prove consistency from {old} to {size} entries"))?;
        proofs.insert(old, proof.clone());
        Ok(proof)
    };
    let first_proof = prove(start)?;
    let first: Vec<(u64, Vec<Hash>)> = witnesses.iter().map(|_| (start, first_proof.clone())).collect();
    let mut outcomes = ask(witnesses, &first, note);
    let mut retry: Vec<usize> = Vec::new();
    let mut second: Vec<(u64, Vec<Hash>)> = Vec::new();
    for (i, outcome) in outcomes.iter().enumerate() {
        if let Ok(Outcome::Conflict { latest_size }) = outcome {
            if *latest_size <= size {
                retry.push(i);
                second.push((*latest_size, prove(*latest_size)?));
            }
        }
    }
    let retried: Vec<_> = retry.iter().map(|&i| witnesses[i].clone()).collect();
    for (i, outcome) in retry.iter().zip(ask(&retried, &second, note)) {
        outcomes[*i] = outcome;
    }
    Ok(outcomes)
}

/// Sends the checkpoint to each witness at once, each from its own old size.
fn ask(
    witnesses: &[(WitnessConfig, CosignatureVerifier)],
    requests: &[(u64, Vec<Hash>)],
    note: &str,
) -> Vec<Result<Outcome, ClientError>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = witnesses
            .iter()
            .zip(requests)
            .map(|((witness, _), (old, proof))| {
                scope.spawn(move || add_checkpoint(&witness.url, *old, proof, note))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Ok(Outcome::Refused {
                        status: 0,
                        reason: "the request thread failed".into(),
                    })
                })
            })
            .collect()
    })
}

/// Turns a witness's answer into its valid cosignature lines or a reason.
fn check(outcome: Result<Outcome, ClientError>, key: &CosignatureVerifier, body: &str, size: u64) -> Answer {
    match outcome {
        Err(ClientError::Transport(e)) => Err(format!("unreachable: {e}")),
        Err(e) => Err(e.to_string()),
        Ok(Outcome::Conflict { latest_size }) if latest_size > size => Err(format!(
            "it cosigned a larger tree ({latest_size} entries) than this log has ({size}): \
             the log was rolled back or forked, or another log uses this origin"
        )),
        Ok(Outcome::Conflict { latest_size }) => Err(format!(
            "it still disagrees after a retry from its size ({latest_size} entries): it holds another \
             tree of that size, or another client moved it meanwhile"
        )),
        Ok(Outcome::Refused { status, reason }) => {
            Err(format!("{status}: {} ({reason})", status_meaning(status)))
        }
        Ok(Outcome::Cosigned(lines)) => {
            let mut mine = Vec::new();
            for line in lines {
                match key.verify_line(body, &line) {
                    Ok(_) => mine.push(line),
                    // Lines by other keys are ignored, as the spec asks.
                    Err(CosignatureError::WrongKey { .. }) => {}
                    Err(e) => return Err(format!("it returned an invalid cosignature: {e}")),
                }
            }
            if mine.is_empty() {
                return Err(format!(
                    "it answered without a cosignature by {}+{:08x} (is its key in mandate.toml right?)",
                    key.name(),
                    key.key_hash()
                ));
            }
            Ok(mine)
        }
    }
}
