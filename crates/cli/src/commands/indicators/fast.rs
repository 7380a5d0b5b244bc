//! The fast path over one plain JSON Lines file of compiled releases. A
//! reader thread cuts the file into blocks of whole lines; parsing threads
//! read each block's compiled releases into the indicators' typed view and
//! map their codes; the calling thread screens the blocks in file order, so
//! the output does not depend on the threads. Screening is the one part
//! that keeps state, and it overlaps with the parsing of the next blocks.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::ops::ControlFlow;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Context, Result};
use mandate_check::{CompiledLine, Coverage};
use mandate_ingest::blocks::{lines as lines_of, LineBlock, LineBlocks};
use mandate_rules::CodeList;
use yoke::{Yoke, Yokeable};

/// Bytes of whole lines handed to a parser at a time. Measured on a 3.5 GB
/// file: 4 MiB blocks take a tenth less time than 1 MiB ones (fewer reads,
/// less waiting between stages), for about 40 MB more memory.
pub(super) const BLOCK: usize = 1 << 22;

/// Blocks waiting between two stages, per parsing thread.
const QUEUED_PER_THREAD: usize = 1;

/// One block's lines, borrowing the block's bytes.
#[derive(Yokeable)]
pub(super) struct ParsedLines<'a> {
    /// Each non-blank line's 0-based number in the block and, when it is a
    /// compiled release, its typed view.
    pub lines: Vec<(u64, Option<CompiledLine<'a>>)>,
}

/// A block, read and prepared by a parsing thread.
pub(super) struct ParsedBlock {
    /// The file line number of the block's first line (set in file order).
    pub first_line: u64,
    /// Lines in the block, blank ones included.
    line_count: u64,
    /// Offset in the file just after the block (for the progress bar).
    pub end: u64,
    /// Publisher codes mapped or unknown in the block's releases.
    pub codes: Coverage,
    pub parsed: Yoke<ParsedLines<'static>, Vec<u8>>,
}

type Numbered<T> = (u64, io::Result<T>);

/// Parses `file` on `threads` threads and gives `screen` each block in file
/// order, until the end, a read error, or until `screen` breaks or fails.
pub(super) fn screen_in_order(
    file: File,
    threads: usize,
    block_size: usize,
    all_compiled: bool,
    codelists: &[CodeList],
    mut screen: impl FnMut(&ParsedBlock) -> Result<ControlFlow<()>>,
) -> Result<()> {
    let threads = threads.max(1);
    let queued = threads * QUEUED_PER_THREAD;
    std::thread::scope(|scope| {
        let (block_tx, block_rx) = sync_channel::<Numbered<LineBlock>>(queued);
        let (parsed_tx, parsed_rx) = sync_channel::<Numbered<ParsedBlock>>(queued);
        // Screened blocks go back to the reader, which frees what was
        // parsed and reads the next block into the same memory.
        let (done_tx, done_rx) = sync_channel::<ParsedBlock>(queued * 2);
        scope.spawn(move || read_blocks(LineBlocks::new(file, block_size), &block_tx, &done_rx));
        // Each parser holds the only handles on the queues it uses: when the
        // screening side stops, they stop, and then the reader.
        let block_rx = Arc::new(Mutex::new(block_rx));
        for _ in 0..threads {
            let (block_rx, parsed_tx) = (Arc::clone(&block_rx), parsed_tx.clone());
            scope.spawn(move || parse_blocks(&block_rx, &parsed_tx, all_compiled, codelists));
        }
        drop((block_rx, parsed_tx));
        let mut waiting = BTreeMap::new();
        let (mut next, mut first_line) = (0, 1);
        for (seq, parsed) in parsed_rx.iter() {
            waiting.insert(seq, parsed);
            while let Some(parsed) = waiting.remove(&next) {
                next += 1;
                let mut parsed = parsed.context("cannot read")?;
                parsed.first_line = first_line;
                first_line += parsed.line_count;
                if screen(&parsed)?.is_break() {
                    return Ok(());
                }
                let _ = done_tx.try_send(parsed); // or freed here when the reader lags
            }
        }
        if waiting.is_empty() {
            Ok(())
        } else {
            Err(anyhow!("a parsing thread stopped"))
        }
    })
}

/// Sends `file` in numbered blocks of whole lines until the end, a read
/// error, or until nobody listens.
fn read_blocks(
    mut blocks: LineBlocks<File>,
    tx: &SyncSender<Numbered<LineBlock>>,
    done: &Receiver<ParsedBlock>,
) {
    for seq in 0.. {
        let buffer = done
            .try_recv()
            .map(|block| block.parsed.into_backing_cart())
            .unwrap_or_default();
        let block = match blocks.next_in(buffer) {
            Ok(None) => return,
            Ok(Some(block)) => Ok(block),
            Err(e) => Err(e),
        };
        let failed = block.is_err();
        if tx.send((seq, block)).is_err() || failed {
            return;
        }
    }
}

fn parse_blocks(
    rx: &Mutex<Receiver<Numbered<LineBlock>>>,
    tx: &SyncSender<Numbered<ParsedBlock>>,
    all_compiled: bool,
    codelists: &[CodeList],
) {
    loop {
        let received = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return, // another parser stopped mid-way
        };
        let Ok((seq, block)) = received else {
            return; // the end of the file
        };
        let parsed = block.map(|block| parse(block, all_compiled, codelists));
        if tx.send((seq, parsed)).is_err() {
            return;
        }
    }
}

fn parse(block: LineBlock, all_compiled: bool, codelists: &[CodeList]) -> ParsedBlock {
    let mut codes = Coverage::default();
    let mut line_count = 0;
    let parsed = Yoke::attach_to_cart(block.data, |data: &[u8]| {
        let mut numbered = lines_of(data);
        let spans: Vec<(u64, &[u8])> = numbered.by_ref().collect();
        line_count = numbered.line_count();
        // Sized up front: growing a vector of releases would copy them.
        let mut lines = Vec::with_capacity(spans.len());
        for (number, line) in spans {
            let compiled = mandate_check::read_compiled_line(line, all_compiled, codelists, &mut codes);
            lines.push((number, compiled));
        }
        ParsedLines { lines }
    });
    ParsedBlock {
        first_line: 0,
        line_count,
        end: block.end,
        codes,
        parsed,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Compiled releases on lines 1, 3, 5..., plain releases between them.
    fn file(lines: usize) -> File {
        let mut f = tempfile::tempfile().unwrap();
        for i in 0..lines {
            let tag = if i % 2 == 0 { "compiled" } else { "tender" };
            writeln!(f, r#"{{"ocid":"ocds-x-{i}","id":"r{i}","tag":["{tag}"]}}"#).unwrap();
        }
        f.flush().unwrap();
        std::io::Seek::rewind(&mut f).unwrap();
        f
    }

    /// (line, ocid of a compiled release) as the screening side sees them.
    fn screened(lines: usize, threads: usize, stop_after: usize) -> Vec<(u64, Option<String>)> {
        let mut seen = Vec::new();
        let mut blocks = 0;
        screen_in_order(file(lines), threads, 100, false, &[], |block| {
            let parsed = block.parsed.get();
            seen.extend(
                parsed
                    .lines
                    .iter()
                    .map(|(n, c)| (block.first_line + n, c.as_ref().map(|c| c.ocid().to_string()))),
            );
            blocks += 1;
            Ok(if blocks == stop_after {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            })
        })
        .unwrap();
        seen
    }

    #[test]
    fn blocks_are_screened_in_file_order_whatever_the_threads() {
        let expected: Vec<_> = (0..500u64)
            .map(|i| (i + 1, (i % 2 == 0).then(|| format!("ocds-x-{i}"))))
            .collect();
        for threads in [1, 2, 5] {
            assert_eq!(screened(500, threads, 0), expected, "{threads} threads");
        }
    }

    #[test]
    fn stopping_early_ends_every_thread() {
        // Returns (no thread left waiting) with the first block only.
        let seen = screened(5000, 3, 1);
        assert!(!seen.is_empty() && seen.len() < 10, "{} lines", seen.len());
        assert_eq!(seen[0], (1, Some("ocds-x-0".to_string())));
    }
}
