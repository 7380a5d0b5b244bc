//! Witness cosignatures of checkpoints, `cosignature/v1`
//! (<https://c2sp.org/tlog-cosignature>), the Ed25519 type.
//!
//! A cosignature is a note signature line whose key ID uses the algorithm
//! byte 0x04 and whose signature is `timestamp (u64, big-endian) || Ed25519
//! signature` over `"cosignature/v1\ntime <timestamp>\n" || checkpoint body`.
//! The distinct key ID keeps a witness key from ever being mistaken for a log
//! key (0x01), and the timestamp says when the witness vouched for the tree.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use thiserror::Error;

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::key_text::{self, KeyBytesError, KeyText, PRIVATE_KEY_PREFIX};
use crate::note::{key_hash as note_key_hash, validate_key_name, NoteError, ALG_ED25519};

/// Signature type byte of Ed25519 `cosignature/v1` keys.
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

/// Size of the decoded signature field: key ID, timestamp, Ed25519 signature.
const SIGNATURE_FIELD_SIZE: usize = 4 + 8 + 64;
const SIG_PREFIX: &str = "\u{2014} ";
const SEED_SIZE: usize = 32;

/// Errors from cosigning keys, making and checking cosignatures.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CosignatureError {
    /// The key name breaks the signed-note rules.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// Verifier key text is not `<name>+<hex key id>+<base64(0x04 || key)>`.
    #[error("malformed cosigner verifier key")]
    MalformedVerifierKey,
    /// Private key text is malformed; its content is never echoed.
    #[error("malformed cosigner private key")]
    MalformedSignerKey,
    /// The key text holds another signature type.
    #[error("unsupported cosigner key algorithm {0:#04x}")]
    UnsupportedAlgorithm(u8),
    /// The key ID in the text does not belong to the name and key.
    #[error("key id does not match key name and public key")]
    KeyHashMismatch,
    /// The bytes are not a valid Ed25519 public key.
    #[error("invalid Ed25519 public key")]
    InvalidPublicKey,
    /// Could not draw a fresh seed from the operating system.
    #[error("system randomness unavailable: {0}")]
    Random(getrandom::Error),
    /// Only checkpoints are cosigned.
    #[error("the cosigned text is not a checkpoint: {0}")]
    InvalidCheckpoint(#[from] CheckpointError),
    /// The spec caps timestamps at 2^63 - 1.
    #[error("timestamp {0} is out of range")]
    TimestampOutOfRange(u64),
    /// The note or signature line does not follow the signed-note format.
    #[error("malformed cosignature: {0}")]
    Malformed(&'static str),
    /// The signature line belongs to another key.
    #[error("signature line is by {name}, not by the expected cosigner")]
    WrongKey { name: String },
    /// No signature line by this cosigner.
    #[error("no cosignature by {name}+{key_hash:08x}")]
    NotCosigned { name: String, key_hash: u32 },
    /// A line by this cosigner does not verify.
    #[error("invalid cosignature by {name}+{key_hash:08x}")]
    InvalidSignature { name: String, key_hash: u32 },
}

/// Key ID of a cosigner: SHA-256(name || "\n" || 0x04 || public key)[:4].
pub fn cosigner_key_hash(name: &str, public_key: &[u8; 32]) -> u32 {
    key_text::key_id(name, ALG_COSIGNATURE_V1, public_key)
}

/// The exact bytes an Ed25519 cosigner signs.
fn signed_message(body: &str, timestamp: u64) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{body}").into_bytes()
}

fn check_timestamp(timestamp: u64) -> Result<(), CosignatureError> {
    if timestamp > i64::MAX as u64 {
        return Err(CosignatureError::TimestampOutOfRange(timestamp));
    }
    Ok(())
}

/// A witness's public key, for checking its cosignatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    key_hash: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// Builds a verifier from a name and a raw Ed25519 public key.
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, CosignatureError> {
        validate_key_name(name)?;
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| CosignatureError::InvalidPublicKey)?;
        Ok(Self {
            name: name.to_owned(),
            key_hash: cosigner_key_hash(name, public_key),
            key,
        })
    }

    /// Parses `<name>+<8 hex digits>+<base64(0x04 || public key)>`.
    pub fn from_text(text: &str) -> Result<Self, CosignatureError> {
        let parts = KeyText::split(text).ok_or(CosignatureError::MalformedVerifierKey)?;
        validate_key_name(parts.name)?;
        let id = parts.id.ok_or(CosignatureError::MalformedVerifierKey)?;
        let public_key =
            key_text::key_bytes(parts.raw.as_deref(), ALG_COSIGNATURE_V1).map_err(|e| match e {
                KeyBytesError::Malformed => CosignatureError::MalformedVerifierKey,
                KeyBytesError::Algorithm(alg) => CosignatureError::UnsupportedAlgorithm(alg),
            })?;
        let verifier = Self::new(parts.name, public_key)?;
        if verifier.key_hash != id {
            return Err(CosignatureError::KeyHashMismatch);
        }
        Ok(verifier)
    }

    /// Encodes the key as `<name>+<8 hex digits>+<base64(0x04 || public key)>`.
    pub fn to_text(&self) -> String {
        key_text::encode(&self.name, self.key_hash, ALG_COSIGNATURE_V1, self.key.as_bytes())
    }

    /// The key name, as it appears in signature lines.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 32-bit key ID.
    pub fn key_hash(&self) -> u32 {
        self.key_hash
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    fn is_mine(&self, line: &SignatureLine<'_>) -> bool {
        line.name == self.name && line.key_hash == self.key_hash
    }

    /// Checks one decoded line by this key against `body`; returns its timestamp.
    fn check(&self, body: &str, line: &SignatureLine<'_>) -> Result<u64, CosignatureError> {
        let invalid = || CosignatureError::InvalidSignature {
            name: self.name.clone(),
            key_hash: self.key_hash,
        };
        let (timestamp, signature) = line.timestamp_and_signature().ok_or_else(invalid)?;
        check_timestamp(timestamp).map_err(|_| invalid())?;
        let ok = Signature::from_slice(signature)
            .map(|sig| {
                self.key
                    .verify_strict(&signed_message(body, timestamp), &sig)
                    .is_ok()
            })
            .unwrap_or(false);
        if ok {
            Ok(timestamp)
        } else {
            Err(invalid())
        }
    }

    /// Checks one signature line (as a witness returns it) over the
    /// checkpoint `body`; returns the cosignature's timestamp.
    pub fn verify_line(&self, body: &str, line: &str) -> Result<u64, CosignatureError> {
        Checkpoint::parse(body)?;
        let line = SignatureLine::parse(line.strip_suffix('\n').unwrap_or(line))?;
        if !self.is_mine(&line) {
            return Err(CosignatureError::WrongKey {
                name: line.name.to_owned(),
            });
        }
        self.check(body, &line)
    }
}

/// A witness's private key: makes `cosignature/v1` signatures.
#[derive(Clone)]
pub struct CosignatureSigner {
    name: String,
    key_hash: u32,
    key: SigningKey,
}

/// Shows only public parts, so keys never end up in logs.
impl std::fmt::Debug for CosignatureSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CosignatureSigner")
            .field("name", &self.name)
            .field("key_hash", &format_args!("{:08x}", self.key_hash))
            .finish_non_exhaustive()
    }
}

impl CosignatureSigner {
    /// Creates a fresh key from operating-system randomness.
    pub fn generate(name: &str) -> Result<Self, CosignatureError> {
        validate_key_name(name)?;
        let mut seed = [0u8; SEED_SIZE];
        getrandom::getrandom(&mut seed).map_err(CosignatureError::Random)?;
        Self::from_seed(name, &seed)
    }

    /// Builds a signer from a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, CosignatureError> {
        validate_key_name(name)?;
        let key = SigningKey::from_bytes(seed);
        let key_hash = cosigner_key_hash(name, key.verifying_key().as_bytes());
        Ok(Self {
            name: name.to_owned(),
            key_hash,
            key,
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<8 hex digits>+<base64(alg || seed)>`.
    ///
    /// `alg` is 0x04, as [`Self::private_key_text`] writes, or 0x01: a plain
    /// signed-note Ed25519 key (its key ID is the 0x01 one), the form Go's
    /// `NewSignerForCosignatureV1` also accepts, so existing witness keys work.
    pub fn from_private_key_text(text: &str) -> Result<Self, CosignatureError> {
        let malformed = CosignatureError::MalformedSignerKey;
        let parts = text
            .strip_prefix(PRIVATE_KEY_PREFIX)
            .and_then(KeyText::split)
            .filter(|p| validate_key_name(p.name).is_ok())
            .ok_or(malformed.clone())?;
        let id = parts.id.ok_or(malformed.clone())?;
        let Some((&alg, seed)) = parts.raw.as_deref().and_then(<[u8]>::split_first) else {
            return Err(malformed);
        };
        let seed: &[u8; 32] = seed.try_into().map_err(|_| malformed)?;
        let signer = Self::from_seed(parts.name, seed)?;
        let expected = match alg {
            ALG_COSIGNATURE_V1 => signer.key_hash,
            ALG_ED25519 => note_key_hash(parts.name, signer.key.verifying_key().as_bytes()),
            other => return Err(CosignatureError::UnsupportedAlgorithm(other)),
        };
        if expected != id {
            return Err(CosignatureError::KeyHashMismatch);
        }
        Ok(signer)
    }

    /// Encodes the private key as `PRIVATE+KEY+<name>+<id>+<base64(0x04 || seed)>`. Secret.
    pub fn private_key_text(&self) -> String {
        let text = key_text::encode(&self.name, self.key_hash, ALG_COSIGNATURE_V1, self.key.as_bytes());
        format!("{PRIVATE_KEY_PREFIX}{text}")
    }

    /// The matching public verifier.
    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier {
            name: self.name.clone(),
            key_hash: self.key_hash,
            key: self.key.verifying_key(),
        }
    }

    /// The matching verifier key text, for log operators to configure.
    pub fn verifier_key_text(&self) -> String {
        self.verifier().to_text()
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 32-bit key ID.
    pub fn key_hash(&self) -> u32 {
        self.key_hash
    }

    /// Cosigns a checkpoint body (the note text, without signature lines)
    /// as of `timestamp` (POSIX seconds); returns the signature line,
    /// `— <name> base64(key id || timestamp || signature)\n`.
    ///
    /// The caller must have checked the checkpoint's signature and its
    /// consistency with what it cosigned before: this only signs.
    pub fn cosign(&self, body: &str, timestamp: u64) -> Result<String, CosignatureError> {
        Checkpoint::parse(body)?;
        check_timestamp(timestamp)?;
        let signature = self.key.sign(&signed_message(body, timestamp)).to_bytes();
        let mut raw = Vec::with_capacity(SIGNATURE_FIELD_SIZE);
        raw.extend_from_slice(&self.key_hash.to_be_bytes());
        raw.extend_from_slice(&timestamp.to_be_bytes());
        raw.extend_from_slice(&signature);
        Ok(format!("{SIG_PREFIX}{} {}\n", self.name, STANDARD.encode(raw)))
    }
}

/// One signature line, decoded.
struct SignatureLine<'a> {
    name: &'a str,
    key_hash: u32,
    /// The decoded field after the key ID.
    rest: Vec<u8>,
}

impl<'a> SignatureLine<'a> {
    /// Parses `— <name> <base64>` (no trailing newline).
    fn parse(line: &'a str) -> Result<Self, CosignatureError> {
        let rest = line.strip_prefix(SIG_PREFIX).ok_or(CosignatureError::Malformed(
            "signature line must start with an em dash",
        ))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or(CosignatureError::Malformed("signature line lacks a signature"))?;
        validate_key_name(name).map_err(|_| CosignatureError::Malformed("invalid key name"))?;
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| CosignatureError::Malformed("signature is not base64"))?;
        let Some((id, rest)) = raw.split_first_chunk::<4>() else {
            return Err(CosignatureError::Malformed("signature too short"));
        };
        Ok(Self {
            name,
            key_hash: u32::from_be_bytes(*id),
            rest: rest.to_vec(),
        })
    }

    /// Splits a `cosignature/v1` field into timestamp and Ed25519 signature.
    fn timestamp_and_signature(&self) -> Option<(u64, &[u8])> {
        if self.rest.len() != SIGNATURE_FIELD_SIZE - 4 {
            return None;
        }
        let (time, signature) = self.rest.split_first_chunk::<8>()?;
        Some((u64::from_be_bytes(*time), signature))
    }
}

/// Splits a signed note into its text and its signature lines.
fn split_note(note: &str) -> Result<(&str, Vec<&str>), CosignatureError> {
    let split = note
        .rfind("\n\n")
        .ok_or(CosignatureError::Malformed("no blank line before signatures"))?;
    let (text, block) = (&note[..=split], &note[split + 2..]);
    let block = block
        .strip_suffix('\n')
        .ok_or(CosignatureError::Malformed("missing final newline"))?;
    Ok((text, block.split('\n').collect()))
}

/// Checks the cosignature(s) by `verifier` in a signed checkpoint note and
/// returns the latest timestamp among them.
///
/// Lines by other keys (the log's, other witnesses') are ignored, as the
/// signed-note spec asks; any failing line by this key rejects the note.
pub fn verify_cosignature(note: &str, verifier: &CosignatureVerifier) -> Result<u64, CosignatureError> {
    let (body, lines) = split_note(note)?;
    Checkpoint::parse(body)?;
    let mut latest = None;
    for line in lines {
        let line = SignatureLine::parse(line)?;
        if verifier.is_mine(&line) {
            let timestamp = verifier.check(body, &line)?;
            latest = latest.max(Some(timestamp));
        }
    }
    latest.ok_or_else(|| CosignatureError::NotCosigned {
        name: verifier.name.clone(),
        key_hash: verifier.key_hash,
    })
}

/// Appends signature lines (e.g. cosignatures a witness returned) to a
/// signed note, skipping lines the note already holds.
///
/// Only syntax is checked: callers verify the lines first.
pub fn append_signature_lines(note: &str, lines: &[String]) -> Result<String, CosignatureError> {
    let (_, existing) = split_note(note)?;
    let mut out = note.to_owned();
    let mut seen: Vec<String> = existing.iter().map(|l| (*l).to_owned()).collect();
    for line in lines {
        let line = line.strip_suffix('\n').unwrap_or(line);
        if line.contains('\n') {
            return Err(CosignatureError::Malformed("a signature line holds a newline"));
        }
        SignatureLine::parse(line)?;
        if !seen.iter().any(|l| l == line) {
            out.push_str(line);
            out.push('\n');
            seen.push(line.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::sign_checkpoint;
    use crate::note::{open_note, Signer, Verifier};

    const BODY: &str =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    fn witness() -> CosignatureSigner {
        CosignatureSigner::from_seed("witness.example/w1", &[7; 32]).unwrap()
    }

    #[test]
    fn round_trip() {
        let signer = witness();
        let line = signer.cosign(BODY, 1_679_315_147).unwrap();
        assert!(line.starts_with("— witness.example/w1 "));
        assert!(line.ends_with('\n'));
        let verifier = signer.verifier();
        assert_eq!(verifier.verify_line(BODY, &line).unwrap(), 1_679_315_147);
        let note = format!("{BODY}\n{line}");
        assert_eq!(verify_cosignature(&note, &verifier).unwrap(), 1_679_315_147);
        // Deterministic: same key, body and time give the same line.
        assert_eq!(signer.cosign(BODY, 1_679_315_147).unwrap(), line);
    }

    /// Cross-check against an independent implementation: these were
    /// computed with Python's `cryptography` package (Ed25519 over the
    /// spec's message layout), not with this code.
    #[test]
    fn matches_an_independent_implementation() {
        let signer = witness();
        assert_eq!(
            signer.verifier_key_text(),
            "witness.example/w1+aa4a09d1+BOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs"
        );
        assert_eq!(
            signer.cosign(BODY, 1_679_315_147).unwrap(),
            "— witness.example/w1 qkoJ0QAAAABkGFDLWr4Jea05CAgwNVtwky0Jgz6WfX0QJgM//FkB/W9BoT9TX0DkTxG+2cT4p/ViKNhUM/SnUwFcYQzugGFQ15LwDw==\n"
        );
    }

    #[test]
    fn keys_round_trip_as_text() {
        let signer = CosignatureSigner::generate("witness.example/w2").unwrap();
        let again = CosignatureSigner::from_private_key_text(&signer.private_key_text()).unwrap();
        assert_eq!(again.verifier(), signer.verifier());
        let text = signer.verifier_key_text();
        assert_eq!(CosignatureVerifier::from_text(&text).unwrap(), signer.verifier());
        assert!(!format!("{signer:?}").contains(&signer.private_key_text()[20..]));
    }

    #[test]
    fn tampered_body_or_time_fails() {
        let signer = witness();
        let verifier = signer.verifier();
        let line = signer.cosign(BODY, 1000).unwrap();
        let other_body = BODY.replace("20852163", "20852164");
        assert!(matches!(
            verifier.verify_line(&other_body, &line),
            Err(CosignatureError::InvalidSignature { .. })
        ));
        // Rewrite the timestamp inside the line: the signature covers it.
        let b64 = line.trim_end().rsplit(' ').next().unwrap();
        let mut raw = STANDARD.decode(b64).unwrap();
        raw[11] ^= 1;
        let forged = format!("— witness.example/w1 {}\n", STANDARD.encode(raw));
        assert!(matches!(
            verifier.verify_line(BODY, &forged),
            Err(CosignatureError::InvalidSignature { .. })
        ));
        let note = format!("{BODY}\n{forged}");
        assert!(verify_cosignature(&note, &verifier).is_err());
    }

    #[test]
    fn other_keys_are_ignored_but_needed_key_must_be_present() {
        let log = Signer::from_seed("example.com/behind-the-sofa", &[1; 32]).unwrap();
        let checkpoint = Checkpoint::parse(BODY).unwrap();
        let note = sign_checkpoint(&checkpoint, &log).unwrap();
        let verifier = witness().verifier();
        assert!(matches!(
            verify_cosignature(&note, &verifier),
            Err(CosignatureError::NotCosigned { .. })
        ));
        let line = witness().cosign(BODY, 5).unwrap();
        let other = CosignatureSigner::from_seed("witness.example/w3", &[9; 32])
            .unwrap()
            .cosign(BODY, 6)
            .unwrap();
        let cosigned = append_signature_lines(&note, &[line.clone(), other, line]).unwrap();
        assert_eq!(cosigned.matches("witness.example/w1").count(), 1);
        assert_eq!(verify_cosignature(&cosigned, &verifier).unwrap(), 5);
        // The log's own signature still verifies, and a log verifier does not
        // accept a witness line: the 0x04 key ID keeps the two apart.
        let opened = open_note(&cosigned, &[log.verifier()]).unwrap();
        assert_eq!(opened.text, BODY);
        assert_eq!(opened.unverified.len(), 2);
        let w = witness();
        let as_log_key = Verifier::new(w.name(), &w.verifier().public_key()).unwrap();
        assert_ne!(as_log_key.key_hash(), w.key_hash());
    }

    #[test]
    fn rejects_what_is_not_a_checkpoint_or_out_of_range() {
        let signer = witness();
        assert!(matches!(
            signer.cosign("just one line\n", 1),
            Err(CosignatureError::InvalidCheckpoint(_))
        ));
        assert!(matches!(
            signer.cosign(BODY, 1 << 63),
            Err(CosignatureError::TimestampOutOfRange(_))
        ));
    }

    #[test]
    fn key_text_errors() {
        let text = witness().verifier_key_text();
        let wrong_id = format!("witness.example/w1+00000000+{}", text.rsplit('+').next().unwrap());
        assert_eq!(
            CosignatureVerifier::from_text(&wrong_id),
            Err(CosignatureError::KeyHashMismatch)
        );
        // A plain signed-note (0x01) key is not a cosigner key.
        let log_key = Signer::from_seed("log", &[1; 32]).unwrap().verifier_key_text();
        assert_eq!(
            CosignatureVerifier::from_text(&log_key),
            Err(CosignatureError::UnsupportedAlgorithm(0x01))
        );
        assert_eq!(
            CosignatureVerifier::from_text("no-plus-signs"),
            Err(CosignatureError::MalformedVerifierKey)
        );
    }

    /// Vectors published in transparency-dev/formats, note/note_cosigv1_test.go
    /// (TestCoSigV1NewVerifier, TestCoSigV1Timestamp), and the example in
    /// c2sp.org/tlog-cosignature.
    #[test]
    fn published_vectors() {
        // A native 0x04 verifier key: its key ID is SHA-256(name\n 0x04 key)[:4].
        let remora = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";
        let v = CosignatureVerifier::from_text(remora).unwrap();
        assert_eq!(v.key_hash(), 0xda77ade7);
        assert_eq!(v.to_text(), remora);

        // Timestamp extraction from a cosignature/v1 signature field.
        let line = SignatureLine::parse(
            "— x ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==",
        )
        .unwrap();
        assert_eq!(line.timestamp_and_signature().unwrap().0, 1_727_964_367);

        // The spec's example cosignature: key ID 8d66cf3f, time 1679315147,
        // the "time" line of the spec's signed-message example.
        let line = SignatureLine::parse(
            "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==",
        )
        .unwrap();
        assert_eq!(line.key_hash, 0x8d66cf3f);
        assert_eq!(line.timestamp_and_signature().unwrap().0, 1_679_315_147);
        assert_eq!(
            String::from_utf8(signed_message(BODY, 1_679_315_147)).unwrap(),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );

        // A Go-generated 0x01 private key used as a witness key, from
        // transparency-dev/witness persistence/sqlite/sqlite_test.go.
        let go_witness = "PRIVATE+KEY+witness+f13a86db+AaLa/dfyBhyo/m0Z7WCi98ENVZWtrP8pxgRNrx7tIWiA";
        let signer = CosignatureSigner::from_private_key_text(go_witness).unwrap();
        assert_eq!(signer.name(), "witness");
        assert_ne!(signer.key_hash(), 0xf13a86db);
        let line = signer.cosign(BODY, 1).unwrap();
        assert_eq!(signer.verifier().verify_line(BODY, &line).unwrap(), 1);
    }
}
