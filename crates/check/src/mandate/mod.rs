//! Acts against the mandate: who may decide what, up to which sum and with
//! which safeguards, what no position of a kind may do, and when an
//! official must step aside. Cedar decides (see [`policy`]); this module
//! works out the facts, asks, and explains the answer. Fail closed: an act
//! that cannot be evaluated is refused and says why.

mod compile;
pub mod kinship;
pub mod policy;
mod verdict;

pub use compile::{Mandate, MandateError};
pub use verdict::{Verdict, Violation};
