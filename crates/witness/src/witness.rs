//! The witness's one decision: cosign a checkpoint only if its log signed
//! it and it extends, consistently, the last checkpoint cosigned for that log.

use std::sync::{Mutex, MutexGuard};

use mandate_ledger::checkpoint::Checkpoint;
use mandate_ledger::cosignature::{CosignatureError, CosignatureSigner, CosignatureVerifier};
use mandate_ledger::merkle::{empty_root, verify_consistency, ProofError};
use mandate_ledger::note::{open_note, NoteError};
use thiserror::Error;

use crate::protocol::{AddCheckpointRequest, ParseError};
use crate::state::{LogState, StateError, WitnessState};

/// Why a checkpoint was not cosigned; each maps to the HTTP status the
/// spec gives it ([`AddError::status`]).
#[derive(Debug, Error)]
pub enum AddError {
    /// The request body is malformed (400).
    #[error("malformed request: {0}")]
    Malformed(#[from] ParseError),
    /// The note or its checkpoint text is malformed (400).
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(String),
    /// `old` is above the checkpoint's size (400).
    #[error("old size {old_size} is larger than the checkpoint size {size}")]
    OldSizeTooLarge { old_size: u64, size: u64 },
    /// The witness does not follow this origin (404).
    #[error("unknown log origin {0:?}")]
    UnknownOrigin(String),
    /// No trusted key signed the checkpoint, or a trusted key's signature fails (403).
    #[error("checkpoint not signed by the log's key: {0}")]
    Forbidden(NoteError),
    /// `old` is not the size the witness holds (409).
    #[error("the witness holds size {latest_size}, not {old_size}")]
    Conflict { old_size: u64, latest_size: u64 },
    /// Same size as the stored checkpoint but another root: a fork (409).
    #[error("the witness holds a different root hash for size {size}")]
    RootMismatch { size: u64 },
    /// The consistency proof does not verify (422).
    #[error("invalid consistency proof: {0}")]
    InvalidProof(ProofError),
    /// The database failed (500).
    #[error(transparent)]
    State(#[from] StateError),
    /// Signing failed (500).
    #[error("cannot cosign: {0}")]
    Signing(#[from] CosignatureError),
}

impl AddError {
    /// The HTTP status of c2sp.org/tlog-witness for this outcome.
    pub fn status(&self) -> u16 {
        match self {
            Self::Malformed(_) | Self::MalformedCheckpoint(_) | Self::OldSizeTooLarge { .. } => 400,
            Self::Forbidden(_) => 403,
            Self::UnknownOrigin(_) => 404,
            Self::Conflict { .. } | Self::RootMismatch { .. } => 409,
            Self::InvalidProof(_) => 422,
            Self::State(_) | Self::Signing(_) => 500,
        }
    }

    /// For a 409, the size the witness holds (the response body).
    pub fn latest_size(&self) -> Option<u64> {
        match self {
            Self::Conflict { latest_size, .. } => Some(*latest_size),
            Self::RootMismatch { size } => Some(*size),
            _ => None,
        }
    }
}

/// A cosignature the witness made and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosignature {
    /// The log's origin.
    pub origin: String,
    /// The cosigned tree size.
    pub size: u64,
    /// The cosignature's timestamp (POSIX seconds).
    pub timestamp: u64,
    /// The note signature line, ending in a newline.
    pub line: String,
}

/// Source of cosignature timestamps, replaceable in tests.
pub type Clock = Box<dyn Fn() -> u64 + Send + Sync>;

/// A witness: its key and its state. Safe to share between threads.
pub struct Witness {
    signer: CosignatureSigner,
    state: Mutex<WitnessState>,
    clock: Clock,
}

fn system_clock() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

impl Witness {
    /// A witness cosigning with `signer`, timestamps from the system clock.
    pub fn new(signer: CosignatureSigner, state: WitnessState) -> Self {
        Self::with_clock(signer, state, Box::new(system_clock))
    }

    /// A witness with its own clock.
    pub fn with_clock(signer: CosignatureSigner, state: WitnessState, clock: Clock) -> Self {
        Self {
            signer,
            state: Mutex::new(state),
            clock,
        }
    }

    /// The witness's public key.
    pub fn verifier(&self) -> CosignatureVerifier {
        self.signer.verifier()
    }

    /// The witness's state, for reading or adding logs.
    pub fn state(&self) -> MutexGuard<'_, WitnessState> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (the transaction rolls back), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Handles one `add-checkpoint` request: verifies the log's signature,
    /// checks `old_size` and the proof against the stored checkpoint,
    /// stores the new checkpoint and returns its cosignature, all or nothing.
    pub fn add_checkpoint(&self, request: &AddCheckpointRequest) -> Result<Cosignature, AddError> {
        let note = &request.checkpoint;
        let origin = note
            .split('\n')
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| AddError::MalformedCheckpoint("no origin line".into()))?;
        let keys = self.state().log_keys(origin)?;
        if keys.is_empty() {
            return Err(AddError::UnknownOrigin(origin.to_owned()));
        }
        let opened = open_note(note, &keys).map_err(|e| match e {
            NoteError::InvalidSignature { .. }
            | NoteError::NoVerifiedSignature
            | NoteError::AmbiguousKey { .. } => AddError::Forbidden(e),
            other => AddError::MalformedCheckpoint(other.to_string()),
        })?;
        let checkpoint =
            Checkpoint::parse(&opened.text).map_err(|e| AddError::MalformedCheckpoint(e.to_string()))?;
        if checkpoint.size > i64::MAX as u64 {
            return Err(AddError::MalformedCheckpoint("tree size too large".into()));
        }
        let (old_size, size) = (request.old_size, checkpoint.size);
        if old_size > size {
            return Err(AddError::OldSizeTooLarge { old_size, size });
        }
        let decide = |current: Option<&LogState>| {
            let (latest_size, latest_root) = current.map_or((0, empty_root()), |s| (s.size, s.root));
            if old_size != latest_size {
                return Err(AddError::Conflict {
                    old_size,
                    latest_size,
                });
            }
            if current.is_some() && size == latest_size && checkpoint.root != latest_root {
                return Err(AddError::RootMismatch { size });
            }
            verify_consistency(old_size, size, &latest_root, &checkpoint.root, &request.proof)
                .map_err(AddError::InvalidProof)?;
            let timestamp = (self.clock)();
            let line = self.signer.cosign(&opened.text, timestamp)?;
            let next = LogState {
                size,
                root: checkpoint.root,
                note: note.clone(),
                cosignature: line.clone(),
                cosigned_at: timestamp,
            };
            let cosignature = Cosignature {
                origin: checkpoint.origin.clone(),
                size,
                timestamp,
                line,
            };
            Ok((next, cosignature))
        };
        self.state().update(origin, decide)
    }
}
