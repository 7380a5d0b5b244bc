//! A reader that passes UTF-8 through and replaces each invalid byte
//! sequence by U+FFFD, counting them. In a JSON document one byte in
//! another encoding (a Latin-1 `é` in a title) would otherwise end the
//! reading of the whole file, losing every record after it; the count lets
//! the reader say what was changed.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const CHUNK: usize = 64 * 1024;
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

pub(crate) struct Utf8Repair<R> {
    inner: R,
    /// Repaired bytes not yet handed out, from `pos`.
    out: Vec<u8>,
    pos: usize,
    /// The start of a sequence cut by the end of the last chunk.
    carry: Vec<u8>,
    eof: bool,
    replaced: Arc<AtomicU64>,
}

impl<R: Read> Utf8Repair<R> {
    pub(crate) fn new(inner: R, replaced: Arc<AtomicU64>) -> Self {
        Utf8Repair {
            inner,
            out: Vec::with_capacity(CHUNK),
            pos: 0,
            carry: Vec::new(),
            eof: false,
            replaced,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        let mut chunk = std::mem::take(&mut self.carry);
        let start = chunk.len();
        chunk.resize(start + CHUNK, 0);
        let n = loop {
            match self.inner.read(&mut chunk[start..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        chunk.truncate(start + n);
        self.eof = n == 0;
        self.out.clear();
        self.pos = 0;
        let mut rest = chunk.as_slice();
        while let Err(e) = std::str::from_utf8(rest) {
            let (valid, after) = rest.split_at(e.valid_up_to());
            self.out.extend_from_slice(valid);
            match e.error_len() {
                Some(len) => {
                    self.replace();
                    rest = &after[len..];
                }
                // Cut by the chunk's end: completed by the next read...
                None if !self.eof => {
                    self.carry = after.to_vec();
                    return Ok(());
                }
                // ... unless the file ends there.
                None => {
                    self.replace();
                    return Ok(());
                }
            }
        }
        self.out.extend_from_slice(rest);
        Ok(())
    }

    fn replace(&mut self) {
        self.out.extend_from_slice(REPLACEMENT);
        self.replaced.fetch_add(1, Ordering::Relaxed);
    }
}

impl<R: Read> Read for Utf8Repair<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Reads `bytes` through the adapter, `step` bytes at a time from below.
    fn repaired(bytes: &[u8], step: usize) -> (String, u64) {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let count = Arc::new(AtomicU64::new(0));
        let mut text = String::new();
        Utf8Repair::new(Trickle(bytes, step), Arc::clone(&count))
            .read_to_string(&mut text)
            .unwrap();
        (text, count.load(Ordering::Relaxed))
    }

    #[test]
    fn valid_text_passes_unchanged_whatever_the_cuts() {
        let text = "café, Мінфін, 東京 €".repeat(50);
        for step in [1, 2, 3, 7, 4096] {
            assert_eq!(repaired(text.as_bytes(), step), (text.clone(), 0), "step {step}");
        }
    }

    #[test]
    fn each_invalid_sequence_becomes_one_replacement() {
        // Latin-1 é, a lone continuation byte, and a sequence cut by the end.
        let bytes = b"caf\xe9 \x80 ok \xe2\x82";
        for step in [1, 2, 100] {
            assert_eq!(
                repaired(bytes, step),
                ("caf\u{FFFD} \u{FFFD} ok \u{FFFD}".into(), 3),
                "step {step}"
            );
        }
    }
}
