//! Opening an input file: byte counting for progress, transparent gzip,
//! UTF-8 BOM removal and a buffered reader that counts the lines it consumed.

use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use crate::error::IngestError;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const UTF8_BOM: [u8; 3] = [0xef, 0xbb, 0xbf];
const BUFFER_SIZE: usize = 64 * 1024;

/// Counts the bytes read from the file itself (compressed bytes for gzip).
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A buffered reader over the decompressed content that counts the `\n`
/// bytes consumed so far, so a parser can tell which line it is on.
pub(crate) struct LineReader {
    inner: Box<dyn Read + Send>,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    newlines: u64,
}

impl LineReader {
    fn new(inner: Box<dyn Read + Send>) -> Self {
        LineReader {
            inner,
            buf: vec![0; BUFFER_SIZE].into_boxed_slice(),
            pos: 0,
            filled: 0,
            newlines: 0,
        }
    }

    /// The 1-based line of the next byte to be consumed.
    pub(crate) fn line(&self) -> u64 {
        self.newlines + 1
    }
}

impl Read for LineReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for LineReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.filled {
            self.filled = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amt: usize) {
        let end = (self.pos + amt).min(self.filled);
        let consumed = &self.buf[self.pos..end];
        self.newlines += consumed.iter().filter(|&&b| b == b'\n').count() as u64;
        self.pos = end;
    }
}

/// An opened input: decompressed, BOM stripped, line counted.
pub(crate) struct Source {
    pub(crate) reader: LineReader,
    pub(crate) file_len: u64,
}

/// Opens `path`, detecting gzip by its magic bytes. Bytes read from the file
/// are added to `progress`.
pub(crate) fn open_source(path: &Path, progress: Arc<AtomicU64>) -> Result<Source, IngestError> {
    let open_err = |cause| IngestError::Open {
        path: path.to_path_buf(),
        cause,
    };
    let mut file = File::open(path).map_err(open_err)?;
    let file_len = file.metadata().map_err(open_err)?.len();
    let mut magic = [0u8; 2];
    let magic_len = read_up_to(&mut file, &mut magic).map_err(open_err)?;
    file.seek(SeekFrom::Start(0)).map_err(open_err)?;
    let counted = CountingReader {
        inner: file,
        count: progress,
    };
    let inner: Box<dyn Read + Send> = if magic_len == 2 && magic == GZIP_MAGIC {
        Box::new(MultiGzDecoder::new(io::BufReader::with_capacity(
            BUFFER_SIZE,
            counted,
        )))
    } else {
        Box::new(counted)
    };
    let mut reader = LineReader::new(inner);
    skip_bom(&mut reader).map_err(|cause| IngestError::Read {
        path: path.to_path_buf(),
        cause,
    })?;
    Ok(Source { reader, file_len })
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn skip_bom(reader: &mut LineReader) -> io::Result<()> {
    if reader.fill_buf()?.starts_with(&UTF8_BOM) {
        reader.consume(UTF8_BOM.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_reader_counts_consumed_newlines() {
        let mut r = LineReader::new(Box::new(io::Cursor::new(b"a\nb\n\nc".to_vec())));
        assert_eq!(r.line(), 1);
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert_eq!((line.as_str(), r.line()), ("a\n", 2));
        let mut rest = String::new();
        r.read_to_string(&mut rest).unwrap();
        assert_eq!((rest.as_str(), r.line()), ("b\n\nc", 4));
    }
}
