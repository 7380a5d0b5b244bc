//! `mandate log export-tiles DIR`: the log as static files in the C2SP
//! tlog-tiles layout, as of its latest signed checkpoint.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use mandate_ledger::tiles::{bundles_for_size, encode_bundle, tiles_for_size, MAX_ENTRY_SIZE};
use serde::Serialize;

use crate::workspace::Workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Folder to write `checkpoint` and `tile/...` into (created if needed). Serve it as it is.
    pub dir: PathBuf,
}

#[derive(Serialize, Default)]
struct Summary {
    dir: String,
    size: u64,
    root: String,
    tiles_written: u64,
    tiles_kept: u64,
    bundles_written: u64,
    bundles_kept: u64,
}

enum Written {
    New,
    Kept,
}

/// Writes an immutable resource: kept if already there with the same bytes,
/// refused if there with other bytes (a published tile never changes).
fn write_immutable(dir: &Path, path: &str, data: &[u8]) -> Result<Written> {
    let target = dir.join(path);
    match fs::read(&target) {
        Ok(existing) if existing == data => return Ok(Written::Kept),
        Ok(_) => bail!(
            "{} already exists with different content: {} holds another log's tiles, or they were changed; \
             export into an empty folder",
            target.display(),
            dir.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", target.display())),
    }
    write_atomically(&target, data)?;
    Ok(Written::New)
}

/// Write to a temporary file beside `target`, then rename it into place, so
/// a web server never serves half a file. Files get the usual permissions
/// (readable by all under the common umask), as published files should.
fn write_atomically(target: &Path, data: &[u8]) -> Result<()> {
    let parent = target.parent().context("a tile path has a folder")?;
    let name = target.file_name().context("a tile path has a file name")?;
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = parent.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let written = fs::File::create(&tmp).and_then(|mut file| file.write_all(data));
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, target)) {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", target.display()));
    }
    Ok(())
}

pub fn run(workspace_dir: &Path, args: Args) -> Result<ExitCode> {
    let store = Workspace::open(workspace_dir)?.store()?;
    let checkpoint = super::latest_checkpoint(&store)?;
    let size = checkpoint.size;
    // Checked before anything is written, so that a refused export leaves
    // no half-written copy behind.
    let too_large = store.entries_longer_than(MAX_ENTRY_SIZE, size)?;
    if let Some((index, len)) = too_large.first() {
        bail!(
            "cannot write the log as tiles: {} entries are longer than the {MAX_ENTRY_SIZE} bytes an entry \
             bundle holds (C2SP tlog-tiles), the first entry {index} with {len} bytes; nothing was written",
            too_large.len()
        );
    }
    let mut summary = Summary {
        dir: args.dir.display().to_string(),
        size,
        root: hex::encode(checkpoint.root),
        ..Summary::default()
    };
    for tile in tiles_for_size(size) {
        let (width, bytes) = store
            .tile(tile.level(), tile.index())?
            .with_context(|| format!("the database has no {tile}: reopen it to rebuild its tiles"))?;
        // The stored tile may have grown since the checkpoint; its prefix is the tile then.
        let data = bytes
            .get(..tile.byte_len())
            .filter(|_| width >= tile.width())
            .with_context(|| format!("the stored {tile} holds only {width} hashes"))?;
        match write_immutable(&args.dir, &tile.path(), data)? {
            Written::New => summary.tiles_written += 1,
            Written::Kept => summary.tiles_kept += 1,
        }
    }
    for bundle in bundles_for_size(size) {
        let range = bundle.entries();
        let entries = store.entries(range.start, range.end)?;
        let data = encode_bundle(&bundle, &entries).context("cannot write the log as tiles")?;
        match write_immutable(&args.dir, &bundle.path(), &data)? {
            Written::New => summary.bundles_written += 1,
            Written::Kept => summary.bundles_kept += 1,
        }
    }
    // Last, so that a client never sees a checkpoint whose tiles are not there yet.
    write_atomically(&args.dir.join("checkpoint"), checkpoint.note.as_bytes())?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(ExitCode::SUCCESS)
}
