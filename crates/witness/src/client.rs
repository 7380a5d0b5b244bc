//! The log's side of c2sp.org/tlog-witness: submit a checkpoint and read
//! the witness's answer.

use std::time::Duration;

use mandate_ledger::merkle::Hash;
use thiserror::Error;

use crate::protocol::{
    parse_cosignature_lines, parse_size_body, AddCheckpointRequest, ParseError, ADD_CHECKPOINT_PATH,
};

/// How long one request may take, connection to last byte: a witness that
/// does not answer by then counts as refusing, and the others go on.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// Longest error reason kept from a response body.
const MAX_REASON: usize = 300;

/// What the witness answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 200: the witness's signature lines, unchecked (without newlines).
    Cosigned(Vec<String>),
    /// 409: the witness holds another size for this log.
    Conflict {
        /// The size of the latest checkpoint the witness cosigned.
        latest_size: u64,
    },
    /// Any other status: the witness refused.
    Refused {
        /// HTTP status.
        status: u16,
        /// The response body's first line, if any.
        reason: String,
    },
}

/// The request could not be made or the answer could not be read.
#[derive(Debug, Error)]
pub enum ClientError {
    /// Connection, TLS, timeout or HTTP protocol failure.
    #[error("{0}")]
    Transport(#[from] ureq::Error),
    /// The witness answered 200 or 409 with a body the spec does not allow.
    #[error("malformed response (status {status}): {error}")]
    MalformedResponse { status: u16, error: ParseError },
}

/// Joins a witness's URL prefix and the endpoint path.
pub fn endpoint(url: &str) -> String {
    format!("{}{ADD_CHECKPOINT_PATH}", url.trim_end_matches('/'))
}

/// Submits `note` (a signed checkpoint) to the witness at `url` (its
/// submission prefix), with a consistency proof from `old_size`.
pub fn add_checkpoint(url: &str, old_size: u64, proof: &[Hash], note: &str) -> Result<Outcome, ClientError> {
    let body = AddCheckpointRequest {
        old_size,
        proof: proof.to_vec(),
        checkpoint: note.to_owned(),
    }
    .to_body();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(endpoint(url))
        .header("Content-Type", "text/plain; charset=utf-8")
        .send(body)?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string()?;
    let malformed = |error| ClientError::MalformedResponse { status, error };
    match status {
        200 => Ok(Outcome::Cosigned(
            parse_cosignature_lines(&text).map_err(malformed)?,
        )),
        409 => Ok(Outcome::Conflict {
            latest_size: parse_size_body(&text).map_err(malformed)?,
        }),
        _ => Ok(Outcome::Refused {
            status,
            reason: text
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(MAX_REASON)
                .collect(),
        }),
    }
}
