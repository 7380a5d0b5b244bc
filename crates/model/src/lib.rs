//! Domain types shared by every stage of mandate: the records of power that are
//! ingested and logged, and the findings that checks produce. No I/O here.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod act;
pub mod canonical;
pub mod finding;
pub mod record;

pub use act::{Act, Currency, Meeting, Money, Vote, VoteChoice};
pub use finding::{Evidence, Finding, LegalBasis, Severity, Subject};
pub use record::{
    Attributes, Commitment, OcdsRelease, Position, ProcessCase, ProcessEvent, Record, SourcedRecord,
};
