//! A transparency-log witness (<https://c2sp.org/tlog-witness>) and the
//! client a log uses to ask witnesses for cosignatures.
//!
//! A witness follows logs by origin and public key, and cosigns
//! (<https://c2sp.org/tlog-cosignature>, `cosignature/v1`) a checkpoint only
//! if the log signed it and it extends, with a valid consistency proof, the
//! last checkpoint the witness cosigned for that log. A log that shows two
//! different histories to two audiences can then no longer get both
//! cosigned by the same witness, so a quorum of independent witnesses makes
//! such a split view detectable.
//!
//! - [`protocol`]: the request and response formats (pure);
//! - [`Witness`]: the decision, over [`WitnessState`] (SQLite, atomic updates);
//! - [`server`]: the HTTP endpoint; [`client`]: the log's side;
//! - [`config`]: a witness's folder (key file, database).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod client;
pub mod config;
pub mod protocol;
pub mod server;
pub mod state;
mod witness;

pub use client::{add_checkpoint, ClientError, Outcome};
pub use protocol::{AddCheckpointRequest, ParseError};
pub use server::{serve, Reply, ServeError, Server};
pub use state::{LogState, StateError, WitnessState};
pub use witness::{AddError, Clock, Cosignature, Witness};
