//! A JSON Lines file cut into blocks of whole lines, for parsers that work
//! on several blocks at once. Each block knows the number of its first line,
//! so whatever is found in it can still be reported by file and line.

use std::io::{self, Read};

/// Whole lines of a file, with the number of the first.
pub struct LineBlock {
    /// The lines, each ended by `\n` except perhaps the last of the file.
    pub data: Vec<u8>,
    /// 1-based number of the first line.
    pub first_line: u64,
    /// Lines in the block, blank ones included.
    pub line_count: u64,
    /// Offset in the file just after the block (for progress bars).
    pub end: u64,
}

impl LineBlock {
    /// The non-blank lines, with their numbers, without the line ending.
    pub fn lines(&self) -> impl Iterator<Item = (u64, &[u8])> {
        lines(&self.data, self.first_line)
    }
}

/// The non-blank lines of `data` (a [`LineBlock`]'s bytes), numbered from
/// `first_line`, without the line ending.
pub fn lines(data: &[u8], first_line: u64) -> impl Iterator<Item = (u64, &[u8])> {
    let mut start = 0;
    let mut number = first_line;
    let mut ends = memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len()));
    std::iter::from_fn(move || loop {
        let end = ends.next()?;
        let line = &data[start..end];
        let this = number;
        start = end + 1;
        number += 1;
        if !line.trim_ascii().is_empty() {
            return Some((this, line));
        }
    })
}

/// Reads `reader` in blocks of about `size` bytes of whole lines (a block
/// grows past `size` when a line is longer).
pub struct LineBlocks<R> {
    reader: R,
    size: usize,
    /// Bytes read after the last complete line of the previous block.
    carry: Vec<u8>,
    next_line: u64,
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
            next_line: 1,
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
        let first_line = self.next_line;
        let newlines = memchr::memchr_iter(b'\n', &data).count() as u64;
        self.next_line += newlines;
        self.offset += data.len() as u64;
        let line_count = if data.last() == Some(&b'\n') {
            data.pop();
            newlines
        } else {
            newlines + 1
        };
        Ok(Some(LineBlock {
            data,
            first_line,
            line_count,
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
        let mut next_first = 1;
        for block in LineBlocks::new(text.as_bytes(), size) {
            let block = block.unwrap();
            assert_eq!(block.first_line, next_first);
            next_first += block.line_count;
            ends.push(block.end);
            lines.extend(
                block
                    .lines()
                    .map(|(n, l)| (n, String::from_utf8(l.to_vec()).unwrap())),
            );
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
