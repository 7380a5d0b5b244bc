//! The wire format of `add-checkpoint` (<https://c2sp.org/tlog-witness>):
//! pure parsing and formatting, shared by the server and the client.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use mandate_ledger::merkle::{Hash, HASH_SIZE};
use thiserror::Error;

/// Path of the submission endpoint, below the witness's URL prefix.
pub const ADD_CHECKPOINT_PATH: &str = "/add-checkpoint";

/// Content type of a 409 body: the witness's latest size.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// The spec lets clients send at most 63 proof lines (enough for any tree
/// of up to 2^64 leaves), so more is malformed.
pub const MAX_PROOF_LINES: usize = 63;

/// Why a request or response body is malformed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Bodies are UTF-8 text.
    #[error("body is not UTF-8 text")]
    NotUtf8,
    /// The first line must be `old <size>`.
    #[error("first line must be \"old <size>\"")]
    MissingOldLine,
    /// Sizes are decimal without leading zeros.
    #[error("invalid tree size {0:?}")]
    InvalidSize(String),
    /// A proof line is not the base64 of a 32-byte hash.
    #[error("consistency proof line {0} is not a base64 SHA-256 hash")]
    InvalidProofLine(usize),
    /// More than [`MAX_PROOF_LINES`] proof lines.
    #[error("more than {MAX_PROOF_LINES} consistency proof lines")]
    TooManyProofLines,
    /// The proof ends with an empty line before the checkpoint.
    #[error("no empty line between the proof and the checkpoint")]
    MissingBlankLine,
    /// Nothing follows the empty line.
    #[error("no checkpoint after the empty line")]
    MissingCheckpoint,
    /// A 200 response holds only note signature lines.
    #[error("response line {0} is not a note signature line")]
    NotASignatureLine(usize),
}

/// An `add-checkpoint` request: the size the client believes the witness
/// holds, a consistency proof from there, and the signed checkpoint note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    /// Size of the latest checkpoint the witness cosigned for this log (0 if none).
    pub old_size: u64,
    /// RFC 6962 consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The checkpoint as a signed note (text, blank line, signature lines).
    pub checkpoint: String,
}

/// Parses a size: ASCII decimal, no sign, no leading zeros unless it is `0`.
pub fn parse_size(text: &str) -> Result<u64, ParseError> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return Err(ParseError::InvalidSize(text.chars().take(40).collect()));
    }
    text.parse()
        .map_err(|_| ParseError::InvalidSize(text.chars().take(40).collect()))
}

impl AddCheckpointRequest {
    /// Parses a request body.
    pub fn parse(body: &[u8]) -> Result<Self, ParseError> {
        let body = std::str::from_utf8(body).map_err(|_| ParseError::NotUtf8)?;
        let (first, mut rest) = body.split_once('\n').ok_or(ParseError::MissingOldLine)?;
        let old = first.strip_prefix("old ").ok_or(ParseError::MissingOldLine)?;
        let old_size = parse_size(old)?;
        let mut proof = Vec::new();
        loop {
            let (line, tail) = rest.split_once('\n').ok_or(ParseError::MissingBlankLine)?;
            rest = tail;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(ParseError::TooManyProofLines);
            }
            let invalid = ParseError::InvalidProofLine(proof.len() + 1);
            let raw = STANDARD.decode(line).map_err(|_| invalid.clone())?;
            let hash: [u8; HASH_SIZE] = raw.try_into().map_err(|_| invalid)?;
            proof.push(hash);
        }
        if rest.is_empty() {
            return Err(ParseError::MissingCheckpoint);
        }
        Ok(Self {
            old_size,
            proof,
            checkpoint: rest.to_owned(),
        })
    }

    /// Formats the request body.
    pub fn to_body(&self) -> String {
        let mut body = format!("old {}\n", self.old_size);
        for hash in &self.proof {
            body.push_str(&STANDARD.encode(hash));
            body.push('\n');
        }
        body.push('\n');
        body.push_str(&self.checkpoint);
        body
    }
}

/// The body of a 409 response: the size in decimal and a newline.
pub fn format_size_body(size: u64) -> String {
    format!("{size}\n")
}

/// Parses the body of a 409 response.
pub fn parse_size_body(body: &str) -> Result<u64, ParseError> {
    parse_size(body.strip_suffix('\n').unwrap_or(body))
}

/// Splits the body of a 200 response into its signature lines (each
/// without its newline). Lines are checked for form only.
pub fn parse_cosignature_lines(body: &str) -> Result<Vec<String>, ParseError> {
    let mut lines = Vec::new();
    for (i, line) in body.lines().enumerate() {
        let well_formed = line
            .strip_prefix("\u{2014} ")
            .and_then(|rest| rest.split_once(' '))
            .is_some_and(|(name, sig)| !name.is_empty() && !sig.is_empty());
        if !well_formed {
            return Err(ParseError::NotASignatureLine(i + 1));
        }
        lines.push(line.to_owned());
    }
    if lines.is_empty() {
        return Err(ParseError::NotASignatureLine(1));
    }
    Ok(lines)
}

/// What an error status of `add-checkpoint` means, in the spec's terms.
pub fn status_meaning(status: u16) -> &'static str {
    match status {
        400 => "the witness found the request malformed",
        403 => "the witness does not accept the checkpoint's signature (is this log's key configured at the witness?)",
        404 => "the witness does not follow a log with this origin",
        409 => "the witness holds a different tree for this log",
        422 => "the witness rejected the consistency proof",
        _ => "the witness could not cosign",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example request body of c2sp.org/tlog-witness.
    const SPEC_EXAMPLE: &str = "old 20852014\n\
        PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\
        jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\
        5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n\
        /6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\
        \n\
        example.com/behind-the-sofa\n\
        20852163\n\
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\
        \n\
        — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
        — example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";

    #[test]
    fn spec_example_round_trips() {
        let request = AddCheckpointRequest::parse(SPEC_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(request.old_size, 20852014);
        assert_eq!(request.proof.len(), 4);
        assert!(request
            .checkpoint
            .starts_with("example.com/behind-the-sofa\n20852163\n"));
        assert!(request.checkpoint.ends_with("qbSzm9Q=\n"));
        assert_eq!(request.to_body(), SPEC_EXAMPLE);
    }

    #[test]
    fn empty_proof() {
        let body = "old 0\n\norigin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— k AAAA\n";
        let request = AddCheckpointRequest::parse(body.as_bytes()).unwrap();
        assert_eq!(request.old_size, 0);
        assert!(request.proof.is_empty());
        assert_eq!(request.to_body(), body);
    }

    #[test]
    fn malformed_requests() {
        let cases: [(&[u8], ParseError); 8] = [
            (b"", ParseError::MissingOldLine),
            (b"new 1\n\nx\n", ParseError::MissingOldLine),
            (b"old 01\n\nx\n", ParseError::InvalidSize("01".into())),
            (b"old -1\n\nx\n", ParseError::InvalidSize("-1".into())),
            (b"old 1\nnot-base64\n\nx\n", ParseError::InvalidProofLine(1)),
            (b"old 1\nAAAA\n\nx\n", ParseError::InvalidProofLine(1)),
            (b"old 1\n", ParseError::MissingBlankLine),
            (b"old 1\n\n", ParseError::MissingCheckpoint),
        ];
        for (body, expected) in cases {
            assert_eq!(AddCheckpointRequest::parse(body), Err(expected), "{body:?}");
        }
        assert_eq!(
            AddCheckpointRequest::parse(b"old 1\xff\n"),
            Err(ParseError::NotUtf8)
        );
        let hash = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
        let too_long = format!("old 1\n{}\nx\n", hash.repeat(64));
        assert_eq!(
            AddCheckpointRequest::parse(too_long.as_bytes()),
            Err(ParseError::TooManyProofLines)
        );
    }

    #[test]
    fn size_and_cosignature_bodies() {
        assert_eq!(parse_size_body(&format_size_body(42)), Ok(42));
        assert_eq!(parse_size_body("0\n"), Ok(0));
        assert!(parse_size_body("x\n").is_err());
        let lines = parse_cosignature_lines("— w1 AAAA\n— w2 BBBB\n").unwrap();
        assert_eq!(lines, ["— w1 AAAA", "— w2 BBBB"]);
        assert_eq!(
            parse_cosignature_lines("hello\n"),
            Err(ParseError::NotASignatureLine(1))
        );
        assert!(parse_cosignature_lines("").is_err());
    }
}
