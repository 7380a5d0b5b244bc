//! One module per subcommand.

pub mod bench_check;
pub mod bench_mandate;
pub mod check;
pub mod demo;
pub mod follow;
pub mod import;
pub mod indicators;
pub mod init;
pub mod log;
pub mod precheck;
pub mod publish;
pub mod report;
pub mod rules;
pub mod witness;

/// The current time as RFC 3339, UTC, for bookkeeping columns.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
