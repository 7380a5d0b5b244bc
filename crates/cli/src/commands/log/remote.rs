//! `mandate log verify --tiles DIR_OR_URL`: checks a log published in the
//! C2SP tlog-tiles layout from its files alone, as any outside auditor would.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use mandate_ledger::checkpoint::open_checkpoint;
use mandate_ledger::merkle::{leaf_hash, Hash, HASH_SIZE};
use mandate_ledger::note::Verifier;
use mandate_ledger::tiles::{bundles_for_size, decode_bundle, hashes_to_bytes, Bundle, Tile, TileEdge};

use crate::output::progress_bar;

/// Largest response accepted: a full bundle of maximal entries is 16.8 MB.
const MAX_BODY: u64 = 32 << 20;
/// Problems listed before the rest are only counted.
const SHOWN: usize = 20;

/// Where the published files are: a folder or an http(s) URL prefix.
enum Source {
    Dir(PathBuf),
    Http { prefix: String, agent: ureq::Agent },
}

impl Source {
    fn new(location: &str) -> Self {
        if location.starts_with("http://") || location.starts_with("https://") {
            let config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(60)))
                .build();
            Self::Http {
                prefix: location.trim_end_matches('/').to_owned(),
                agent: ureq::Agent::new_with_config(config),
            }
        } else {
            Self::Dir(PathBuf::from(location))
        }
    }

    /// The resource at `path` under the prefix, or `None` if it does not exist.
    fn get(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Self::Dir(dir) => {
                let file = dir.join(path);
                match std::fs::read(&file) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e).with_context(|| format!("cannot read {}", file.display())),
                }
            }
            Self::Http { prefix, agent } => {
                let url = format!("{prefix}/{path}");
                let response = agent
                    .get(&url)
                    .call()
                    .with_context(|| format!("cannot fetch {url}"))?;
                match response.status().as_u16() {
                    200 => Ok(Some(
                        response
                            .into_body()
                            .into_with_config()
                            .limit(MAX_BODY)
                            .read_to_vec()
                            .with_context(|| format!("cannot read {url}"))?,
                    )),
                    404 | 410 => Ok(None),
                    status => bail!("{url}: HTTP status {status}"),
                }
            }
        }
    }
}

/// A stored tile that disagrees with the tree recomputed from the entries.
enum Mismatch {
    /// Level-0 tile against the leaf hashes of its entry bundle.
    Leaf {
        tile: Tile,
        bundle: Bundle,
        position: usize,
    },
    /// Higher tile against the tiles below it.
    Node {
        tile: Tile,
        position: usize,
    },
    Length {
        tile: Tile,
        got: usize,
    },
    Missing(Tile),
}

/// Fetches `tile` and records how it differs from the recomputed hashes.
fn compare(
    source: &Source,
    tile: Tile,
    want: &[Hash],
    bundle: Option<Bundle>,
    out: &mut Vec<Mismatch>,
) -> Result<()> {
    let Some(got) = source.get(&tile.path())? else {
        out.push(Mismatch::Missing(tile));
        return Ok(());
    };
    if got.len() != tile.byte_len() {
        out.push(Mismatch::Length { tile, got: got.len() });
        return Ok(());
    }
    if got == hashes_to_bytes(want) {
        return Ok(());
    }
    let position = got
        .chunks_exact(HASH_SIZE)
        .zip(want)
        .position(|(g, w)| g != w)
        .unwrap_or(0);
    out.push(match bundle {
        Some(bundle) => Mismatch::Leaf {
            tile,
            bundle,
            position,
        },
        None => Mismatch::Node { tile, position },
    });
    Ok(())
}

fn describe(mismatch: &Mismatch, entries_give_signed_root: bool) -> String {
    match mismatch {
        Mismatch::Leaf {
            tile,
            bundle,
            position,
        } => {
            let entry = bundle.first_entry() + *position as u64;
            if entries_give_signed_root {
                format!(
                    "{tile}: hash {position} differs from the hash of entry {entry} in {bundle}, and the entries \
                     give the signed root: the tile was changed"
                )
            } else {
                format!(
                    "entry {entry} in {bundle}: its hash differs from hash {position} of {tile}, and the entries \
                     do not give the signed root: the entry was changed"
                )
            }
        }
        Mismatch::Node { tile, position } => {
            format!("{tile}: hash {position} differs from the tree recomputed from the level below")
        }
        Mismatch::Length { tile, got } => {
            format!("{tile}: {got} bytes, expected {}", tile.byte_len())
        }
        Mismatch::Missing(tile) => format!("{tile}: not found"),
    }
}

fn fail(problems: &[String]) -> ExitCode {
    for problem in problems.iter().take(SHOWN) {
        eprintln!("FAILED: {problem}");
    }
    if problems.len() > SHOWN {
        eprintln!("... and {} more", problems.len() - SHOWN);
    }
    eprintln!("The published log does NOT verify.");
    ExitCode::FAILURE
}

pub fn run(location: &str, verifier: &Verifier) -> Result<ExitCode> {
    let source = Source::new(location);
    let Some(note) = source.get("checkpoint")? else {
        return Ok(fail(&[format!("checkpoint: not found under {location}")]));
    };
    let checkpoint = match String::from_utf8(note)
        .map_err(|_| "not UTF-8 text".to_string())
        .and_then(|note| open_checkpoint(&note, verifier).map_err(|e| e.to_string()))
    {
        Ok(checkpoint) => checkpoint,
        Err(reason) => return Ok(fail(&[format!("checkpoint: {reason}")])),
    };
    let size = checkpoint.size;
    let mut edge = TileEdge::new();
    let mut full = Vec::new();
    let mut mismatches = Vec::new();
    let bar = progress_bar(size, "entries");
    bar.set_message("verifying tiles");
    for bundle in bundles_for_size(size) {
        let Some(data) = source.get(&bundle.path())? else {
            return Ok(fail(&[format!("{bundle}: not found")]));
        };
        let entries = match decode_bundle(&data) {
            Ok(entries) => entries,
            Err(e) => return Ok(fail(&[format!("{bundle}: {e}")])),
        };
        if entries.len() != usize::from(bundle.width()) {
            return Ok(fail(&[format!(
                "{bundle}: holds {} entries, not {}",
                entries.len(),
                bundle.width()
            )]));
        }
        let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
        let tile = Tile::new(0, bundle.index(), bundle.width())?;
        compare(&source, tile, &leaves, Some(bundle), &mut mismatches)?;
        for leaf in leaves {
            edge.push(leaf, &mut full)?;
        }
        for done in full.drain(..).filter(|f| f.tile.level() > 0) {
            compare(&source, done.tile, &done.hashes, None, &mut mismatches)?;
        }
        bar.set_position(bundle.entries().end);
    }
    for (tile, hashes) in edge.partial_tiles().filter(|(t, _)| t.level() > 0) {
        compare(&source, tile, hashes, None, &mut mismatches)?;
    }
    bar.finish_and_clear();
    let root = edge.root()?;
    let entries_give_signed_root = root == checkpoint.root;
    let mut problems: Vec<String> = mismatches
        .iter()
        .map(|m| describe(m, entries_give_signed_root))
        .collect();
    if !entries_give_signed_root {
        problems.push(format!(
            "the entries give root {} for {size} entries, but the checkpoint signed {}",
            hex::encode(root),
            hex::encode(checkpoint.root)
        ));
    }
    if !problems.is_empty() {
        return Ok(fail(&problems));
    }
    println!(
        "OK: {size} entries, root {}, checkpoint signed by {}; every tile and entry bundle under {location} matches",
        hex::encode(root),
        verifier.name()
    );
    Ok(ExitCode::SUCCESS)
}
