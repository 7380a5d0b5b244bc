//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 keys.
//!
//! Key and note encodings match Go's `golang.org/x/mod/sumdb/note`, so
//! checkpoints can be checked by existing transparency-log tooling.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use thiserror::Error;

use crate::key_text::{self, KeyBytesError, KeyText, PRIVATE_KEY_PREFIX};

/// Signature type byte for Ed25519 in key IDs and key encodings.
pub const ALG_ED25519: u8 = 0x01;

/// Upper bound on signature lines, so hostile notes cannot make us do
/// unbounded work (the spec requires accepting at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Every signature line starts with an em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";
const SEED_SIZE: usize = 32;

/// Errors from key handling, signing and opening notes.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum NoteError {
    /// Key names are non-empty and free of spaces, `+` and control characters.
    #[error("invalid key name {0:?}")]
    InvalidKeyName(String),
    /// Verifier key text is not `<name>+<hex key id>+<base64 key>`.
    #[error("malformed verifier key")]
    MalformedVerifierKey,
    /// Private key text is malformed; its content is never echoed.
    #[error("malformed private key")]
    MalformedSignerKey,
    /// Only Ed25519 (0x01) keys are supported.
    #[error("unsupported key algorithm {0:#04x}")]
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
    /// Note text must be non-empty, end in a newline and hold no control characters.
    #[error("note text must be non-empty, end in a newline and contain no control characters")]
    InvalidText,
    /// Signing needs at least one signer.
    #[error("no signers given")]
    NoSigners,
    /// The note does not follow the signed-note format.
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    /// The note has more than [`MAX_SIGNATURES`] signature lines.
    #[error("note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    /// Two different trusted keys share a name and key ID.
    #[error("ambiguous key {name}+{key_hash:08x}")]
    AmbiguousKey { name: String, key_hash: u32 },
    /// A signature from a trusted key failed to verify.
    #[error("invalid signature for key {name}+{key_hash:08x}")]
    InvalidSignature { name: String, key_hash: u32 },
    /// No signature from a trusted key was present.
    #[error("note has no signature from a known key")]
    NoVerifiedSignature,
}

/// Key ID: first four bytes of SHA-256(name || "\n" || 0x01 || public key).
pub fn key_hash(name: &str, public_key: &[u8; 32]) -> u32 {
    key_text::key_id(name, ALG_ED25519, public_key)
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

/// Checks a key name against the signed-note rules.
pub fn validate_key_name(name: &str) -> Result<(), NoteError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(NoteError::InvalidKeyName(name.to_owned()))
    }
}

/// A trusted public key that can verify note signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    key_hash: u32,
    key: VerifyingKey,
}

impl Verifier {
    /// Builds a verifier from a name and a raw Ed25519 public key.
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, NoteError> {
        validate_key_name(name)?;
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| NoteError::InvalidPublicKey)?;
        Ok(Self {
            name: name.to_owned(),
            key_hash: key_hash(name, public_key),
            key,
        })
    }

    /// Parses `<name>+<8 hex digits>+<base64(0x01 || public key)>`.
    pub fn from_text(text: &str) -> Result<Self, NoteError> {
        let parts = KeyText::split(text).ok_or(NoteError::MalformedVerifierKey)?;
        validate_key_name(parts.name)?;
        let id = parts.id.ok_or(NoteError::MalformedVerifierKey)?;
        let public_key = key_text::key_bytes(parts.raw.as_deref(), ALG_ED25519).map_err(|e| match e {
            KeyBytesError::Malformed => NoteError::MalformedVerifierKey,
            KeyBytesError::Algorithm(alg) => NoteError::UnsupportedAlgorithm(alg),
        })?;
        let verifier = Self::new(parts.name, public_key)?;
        if verifier.key_hash != id {
            return Err(NoteError::KeyHashMismatch);
        }
        Ok(verifier)
    }

    /// Encodes the key as `<name>+<8 hex digits>+<base64(0x01 || public key)>`.
    pub fn to_text(&self) -> String {
        key_text::encode(&self.name, self.key_hash, ALG_ED25519, self.key.as_bytes())
    }

    /// The key name.
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

    /// Checks a raw 64-byte Ed25519 signature over `msg` (strict RFC 8032
    /// checks, rejecting malleable and small-order forms).
    pub fn verify(&self, msg: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature)
            .map(|sig| self.key.verify_strict(msg, &sig).is_ok())
            .unwrap_or(false)
    }
}

/// A named Ed25519 signing key.
#[derive(Clone)]
pub struct Signer {
    name: String,
    key_hash: u32,
    key: SigningKey,
}

/// Shows only public parts, so keys never end up in logs.
impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("name", &self.name)
            .field("key_hash", &format_args!("{:08x}", self.key_hash))
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Creates a fresh key from operating-system randomness.
    pub fn generate(name: &str) -> Result<Self, NoteError> {
        validate_key_name(name)?;
        let mut seed = [0u8; SEED_SIZE];
        getrandom::getrandom(&mut seed).map_err(NoteError::Random)?;
        Self::from_seed(name, &seed)
    }

    /// Builds a signer from a 32-byte Ed25519 seed (RFC 8032 private key).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        validate_key_name(name)?;
        let key = SigningKey::from_bytes(seed);
        let key_hash = key_hash(name, key.verifying_key().as_bytes());
        Ok(Self {
            name: name.to_owned(),
            key_hash,
            key,
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<8 hex digits>+<base64(0x01 || seed)>`.
    pub fn from_private_key_text(text: &str) -> Result<Self, NoteError> {
        let parts = text
            .strip_prefix(PRIVATE_KEY_PREFIX)
            .and_then(KeyText::split)
            .filter(|p| is_valid_name(p.name))
            .ok_or(NoteError::MalformedSignerKey)?;
        let id = parts.id.ok_or(NoteError::MalformedSignerKey)?;
        let seed = key_text::key_bytes(parts.raw.as_deref(), ALG_ED25519).map_err(|e| match e {
            KeyBytesError::Malformed => NoteError::MalformedSignerKey,
            KeyBytesError::Algorithm(alg) => NoteError::UnsupportedAlgorithm(alg),
        })?;
        let signer = Self::from_seed(parts.name, seed)?;
        if signer.key_hash != id {
            return Err(NoteError::KeyHashMismatch);
        }
        Ok(signer)
    }

    /// Encodes the private key in Go's `PRIVATE+KEY+...` form. Secret.
    pub fn private_key_text(&self) -> String {
        let text = key_text::encode(&self.name, self.key_hash, ALG_ED25519, self.key.as_bytes());
        format!("{PRIVATE_KEY_PREFIX}{text}")
    }

    /// The matching public verifier.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            key_hash: self.key_hash,
            key: self.key.verifying_key(),
        }
    }

    /// The matching verifier key text, for publishing.
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

    /// One signature line: `— <name> base64(key id || signature)\n`.
    fn signature_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes()).to_bytes();
        let mut raw = Vec::with_capacity(4 + sig.len());
        raw.extend_from_slice(&self.key_hash.to_be_bytes());
        raw.extend_from_slice(&sig);
        format!("{SIG_PREFIX}{} {}\n", self.name, STANDARD.encode(raw))
    }
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// Key name from the line.
    pub name: String,
    /// Key ID from the first four signature bytes.
    pub key_hash: u32,
    /// The base64 field as written (key ID followed by the signature).
    pub base64: String,
}

impl NoteSignature {
    fn line(&self) -> String {
        format!("{SIG_PREFIX}{} {}\n", self.name, self.base64)
    }

    fn same_key(&self, name: &str, key_hash: u32) -> bool {
        self.name == name && self.key_hash == key_hash
    }
}

/// A note whose signatures were checked against trusted keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedNote {
    /// The signed text, including its final newline.
    pub text: String,
    /// Signatures by trusted keys, each verified; one per key.
    pub verified: Vec<NoteSignature>,
    /// Signatures by unknown keys (e.g. other witnesses), kept but not checked.
    pub unverified: Vec<NoteSignature>,
}

fn has_forbidden_control(s: &str) -> bool {
    s.chars().any(|c| c < ' ' && c != '\n')
}

fn validate_text(text: &str) -> Result<(), NoteError> {
    if text.is_empty() || !text.ends_with('\n') || has_forbidden_control(text) {
        return Err(NoteError::InvalidText);
    }
    Ok(())
}

/// Signature lines with their raw signature bytes (key ID stripped).
type SignatureLines = Vec<(NoteSignature, Vec<u8>)>;

/// Splits a note into text and signature lines, checking syntax only.
fn parse(note: &str) -> Result<(&str, SignatureLines), NoteError> {
    if has_forbidden_control(note) {
        return Err(NoteError::Malformed("control character"));
    }
    // The text ends at the last blank line; it may contain blank lines itself.
    let split = note
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before signatures"))?;
    let (text, block) = (&note[..=split], &note[split + 2..]);
    let Some(block) = block.strip_suffix('\n') else {
        return Err(NoteError::Malformed("missing signature block newline"));
    };
    let mut sigs = Vec::new();
    for line in block.split('\n') {
        if sigs.len() == MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        let rest = line
            .strip_prefix(SIG_PREFIX)
            .ok_or(NoteError::Malformed("signature line must start with an em dash"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or(NoteError::Malformed("signature line lacks a signature"))?;
        if !is_valid_name(name) {
            return Err(NoteError::Malformed("invalid key name in signature line"));
        }
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| NoteError::Malformed("signature is not base64"))?;
        let Some((id, sig)) = raw.split_first_chunk::<4>() else {
            return Err(NoteError::Malformed("signature too short"));
        };
        if sig.is_empty() {
            return Err(NoteError::Malformed("signature too short"));
        }
        let signature = NoteSignature {
            name: name.to_owned(),
            key_hash: u32::from_be_bytes(*id),
            base64: b64.to_owned(),
        };
        let sig = sig.to_vec();
        sigs.push((signature, sig));
    }
    Ok((text, sigs))
}

/// Signs `text` with every signer and returns the complete note.
pub fn sign_note(text: &str, signers: &[&Signer]) -> Result<String, NoteError> {
    validate_text(text)?;
    if signers.is_empty() {
        return Err(NoteError::NoSigners);
    }
    let mut note = format!("{text}\n");
    let mut seen: Vec<(&str, u32)> = Vec::new();
    for signer in signers {
        let id = (signer.name(), signer.key_hash());
        if !seen.contains(&id) {
            seen.push(id);
            note.push_str(&signer.signature_line(text));
        }
    }
    if seen.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures);
    }
    Ok(note)
}

/// Adds signatures (e.g. witness cosignatures) to an existing note.
///
/// Only the syntax of the note is checked: a cosigner must open and check
/// the note first. A new signature replaces an old one by the same key.
pub fn add_signatures(note: &str, signers: &[&Signer]) -> Result<String, NoteError> {
    let (text, existing) = parse(note)?;
    if signers.is_empty() {
        return Err(NoteError::NoSigners);
    }
    let replaced = |s: &NoteSignature| signers.iter().any(|k| s.same_key(k.name(), k.key_hash()));
    let mut out = format!("{text}\n");
    let mut count = 0;
    for (sig, _) in existing.iter().filter(|(s, _)| !replaced(s)) {
        out.push_str(&sig.line());
        count += 1;
    }
    let mut seen: Vec<(&str, u32)> = Vec::new();
    for signer in signers {
        let id = (signer.name(), signer.key_hash());
        if !seen.contains(&id) {
            seen.push(id);
            out.push_str(&signer.signature_line(text));
        }
    }
    if count + seen.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures);
    }
    Ok(out)
}

/// Opens a note, verifying every signature by a trusted key.
///
/// Per the spec, signatures by unknown keys are kept unverified, any failing
/// signature by a trusted key rejects the note, and at least one trusted
/// signature must verify.
pub fn open_note(note: &str, verifiers: &[Verifier]) -> Result<OpenedNote, NoteError> {
    let (text, sigs) = parse(note)?;
    let mut verified: Vec<NoteSignature> = Vec::new();
    let mut unverified: Vec<NoteSignature> = Vec::new();
    for (sig, raw) in sigs {
        let mut matching = verifiers.iter().filter(|v| sig.same_key(&v.name, v.key_hash));
        let Some(verifier) = matching.next() else {
            if !unverified.contains(&sig) {
                unverified.push(sig);
            }
            continue;
        };
        if matching.any(|other| other.key != verifier.key) {
            return Err(NoteError::AmbiguousKey {
                name: sig.name,
                key_hash: sig.key_hash,
            });
        }
        if !verifier.verify(text.as_bytes(), &raw) {
            return Err(NoteError::InvalidSignature {
                name: sig.name,
                key_hash: sig.key_hash,
            });
        }
        if !verified.iter().any(|s| s.same_key(&sig.name, sig.key_hash)) {
            verified.push(sig);
        }
    }
    if verified.is_empty() {
        return Err(NoteError::NoVerifiedSignature);
    }
    Ok(OpenedNote {
        text: text.to_owned(),
        verified,
        unverified,
    })
}

#[cfg(test)]
mod tests;
