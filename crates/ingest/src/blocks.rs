//! A JSON Lines file cut into blocks of whole lines, for parsers that work
//! on several blocks at once. Lines are numbered within their block; the
//! one consumer that takes the blocks in order turns those numbers into
//! file line numbers (adding up [`BlockLines::line_count`]), so the reader
//! never scans a block for line ends: the parsers count them as they split
//! the lines anyway.

use std::io::{self, Read};

/// Whole lines of a file.
pub struct LineBlock {
    /// The lines, each ended by `\n` but the last.
    pub data: Vec<u8>,
    /// Offset in the file just after the block (for progress bars).
    pub end: u64,
}

impl LineBlock {
    /// See [`lines`].
    pub fn lines(&self) -> BlockLines<'_> {
        lines(&self.data)
    }
}

/// The non-blank lines of a [`LineBlock`]'s bytes, without the line ending,
/// each with its 0-based number in the block; see [`BlockLines::line_count`].
pub fn lines(data: &[u8]) -> BlockLines<'_> {
    BlockLines {
        data,
        ends: memchr::memchr_iter(b'\n', data),
        start: 0,
        number: 0,
        done: false,
    }
}

pub struct BlockLines<'a> {
    data: &'a [u8],
    ends: memchr::Memchr<'a>,
    /// Start of the next line.
    start: usize,
    number: u64,
    /// The last line (the one after the last `\n`) was given.
    done: bool,
}

impl BlockLines<'_> {
    /// Lines in the block, blank ones included, once the iterator is spent:
    /// how far the next block's numbering starts from this one's.
    pub fn line_count(&self) -> u64 {
        self.number
    }
}

impl<'a> Iterator for BlockLines<'a> {
    type Item = (u64, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let end = self.ends.next().unwrap_or_else(|| {
                self.done = true;
                self.data.len()
            });
            let line = &self.data[self.start..end];
            let number = self.number;
            self.start = end + 1;
            self.number += 1;
            if !line.trim_ascii().is_empty() {
                return Some((number, line));
            }
        }
        None
    }
}

/// Reads `reader` in blocks of about `size` bytes of whole lines (a block
/// grows past `size` when a line is longer).
pub struct LineBlocks<R> {
    reader: R,
    size: usize,
    /// Bytes read after the last complete line of the previous block.
    carry: Vec<u8>,
    /// Bytes handed out in blocks so far.
    offset: u64,
    eof: bool,
}

impl<R: Read> LineBlocks<R> {
    pub fn new(reader: R, size: usize) -> LineBlocks<R> {
        LineBlocks {
            reader,
            size: size.max(1),
            carry: Vec::new(),
            offset: 0,
            eof: false,
        }
    }

    /// The next block, in `buffer` (cleared first): a caller that hands
    /// back the buffers of blocks it is done with saves allocating them.
    pub fn next_in(&mut self, buffer: Vec<u8>) -> io::Result<Option<LineBlock>> {
        let mut data = buffer;
        data.clear();
        data.reserve(self.size + self.size / 16);
        data.append(&mut self.carry);
        // Fill up to `size`, then on until the block holds a line end.
        let mut want = self.size;
        while !self.eof {
            if data.len() < want {
                let missing = (want - data.len()) as u64;
                let read = (&mut self.reader).take(missing).read_to_end(&mut data)?;
                self.eof = read == 0;
                continue;
            }
            if let Some(last) = memchr::memrchr(b'\n', &data) {
                self.carry.extend_from_slice(&data[last + 1..]);
                data.truncate(last + 1);
                break;
            }
            want = data.len() + self.size;
        }
        if data.is_empty() {
            return Ok(None);
        }
        self.offset += data.len() as u64;
        if data.last() == Some(&b'\n') {
            data.pop();
        }
        Ok(Some(LineBlock {
            data,
            end: self.offset,
        }))
    }
}

impl<R: Read> Iterator for LineBlocks<R> {
    type Item = io::Result<LineBlock>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_in(Vec::new()).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of every block, with its number, and each block's end.
    fn cut(text: &str, size: usize) -> (Vec<(u64, String)>, Vec<u64>) {
        let mut lines = Vec::new();
        let mut ends = Vec::new();
        let mut first_line = 1;
        for block in LineBlocks::new(text.as_bytes(), size) {
            let block = block.unwrap();
            ends.push(block.end);
            let mut numbered = block.lines();
            for (n, l) in numbered.by_ref() {
                lines.push((first_line + n, String::from_utf8(l.to_vec()).unwrap()));
            }
            first_line += numbered.line_count();
        }
        (lines, ends)
    }

    fn numbered(lines: &[(u64, &str)]) -> Vec<(u64, String)> {
        lines.iter().map(|(n, l)| (*n, l.to_string())).collect()
    }

    #[test]
    fn lines_keep_their_numbers_across_blocks() {
        let text = "{\"a\":1}\n\n  \n{\"b\":22}\n{\"c\":333}";
        let expected = numbered(&[(1, "{\"a\":1}"), (4, "{\"b\":22}"), (5, "{\"c\":333}")]);
        for size in 1..=text.len() + 1 {
            let (lines, ends) = cut(text, size);
            assert_eq!(lines, expected, "block size {size}");
            assert_eq!(ends.last(), Some(&(text.len() as u64)), "block size {size}");
            assert!(ends.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn a_line_longer_than_a_block_stays_whole() {
        let long = "x".repeat(100);
        let text = format!("a\n{long}\nb\n");
        let (lines, ends) = cut(&text, 8);
        assert_eq!(lines, numbered(&[(1, "a"), (2, &long), (3, "b")]));
        assert_eq!(ends, vec![2, 105]);
    }

    #[test]
    fn empty_and_blank_input_give_no_lines() {
        assert_eq!(cut("", 4).0, vec![]);
        assert_eq!(cut("\n\n \n", 4).0, vec![]);
        assert_eq!(cut("a\r\n", 4).0, numbered(&[(1, "a\r")]));
    }
}
