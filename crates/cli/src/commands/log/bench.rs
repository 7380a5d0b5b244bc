//! `mandate bench log`: sustained durable appends, peak memory and proof
//! times, end to end through the store, on a fresh database.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use mandate_store::{NewRecord, Store};

use crate::output::print_table;

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Append entries in durable batches to a fresh log and print appends per second, peak memory
    /// (VmHWM) and the time to build proofs at the final size.
    Log(Args),
    /// Decide generated acts against a generated mandate and print decisions per second and latency
    /// percentiles.
    Mandate(crate::commands::bench_mandate::Args),
    /// Check event logs read into memory, in batch and live, and print events per second and
    /// peak memory.
    Check(crate::commands::bench_check::Args),
}

#[derive(clap::Args)]
pub struct Args {
    /// Entries to append.
    #[arg(long, default_value_t = 1_000_000)]
    pub entries: u64,
    /// Entries per transaction (each one committed durably).
    #[arg(long, default_value_t = 10_000)]
    pub batch: u64,
    /// Size of each entry's canonical JSON, in bytes.
    #[arg(long, default_value_t = 500)]
    pub entry_bytes: usize,
    /// Proofs of each kind to time at the end.
    #[arg(long, default_value_t = 1_000)]
    pub proofs: u64,
    /// What each append writes: `import` appends records as `mandate import` does (entry, index
    /// row, import progress), with 8 consecutive records per case as an event log delivers them;
    /// `import-random` scatters cases at random over the index; `log` appends bare log entries.
    #[arg(long, value_enum, default_value_t = Mode::Import)]
    pub mode: Mode,
    /// Folder for the database; default: a temporary folder, removed at the end (an interrupted run
    /// leaves it behind, in the system temporary folder).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    Import,
    ImportRandom,
    Log,
}

impl Mode {
    fn describe(self) -> &'static str {
        match self {
            Mode::Import => "records with index rows, cases of 8 in order",
            Mode::ImportRandom => "records with index rows, cases in random order",
            Mode::Log => "bare log entries (no index rows)",
        }
    }
}

/// SplitMix64: spreads case numbers over the key space.
fn scatter(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub fn run(command: BenchCommand) -> Result<ExitCode> {
    match command {
        BenchCommand::Log(args) => bench_log(&args),
        BenchCommand::Mandate(args) => crate::commands::bench_mandate::run(&args),
        BenchCommand::Check(args) => crate::commands::bench_check::run(&args),
    }
}

/// A record whose canonical JSON is exactly `bytes` long (or as short as possible).
fn record(n: u64, bytes: usize, mode: Mode) -> NewRecord {
    let head = format!("{{\"n\":{n},\"pad\":\"");
    let pad = bytes.saturating_sub(head.len() + 2);
    let mut body = head.into_bytes();
    body.extend(std::iter::repeat_n(b'a' + (n % 26) as u8, pad));
    body.extend_from_slice(b"\"}");
    NewRecord {
        body,
        kind: "bench".into(),
        subject: match mode {
            Mode::ImportRandom => format!("case {:016x}", scatter(n / 8)),
            Mode::Import | Mode::Log => format!("case {}", n / 8),
        },
        record_id: format!("r{n}"),
        time_ms: Some(n as i64),
        position: format!("line {}", n + 1),
        confidential: None,
    }
}

/// Peak resident memory of this process, from Linux's /proc/self/status.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Small deterministic pseudo-random numbers (xorshift64), for picking proof targets.
struct Picks(u64);

impl Picks {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn per_second(count: u64, time: Duration) -> String {
    format!("{:.0}", count as f64 / time.as_secs_f64().max(1e-9))
}

fn micros(total: Duration, count: u64) -> String {
    format!("{:.1} µs", total.as_secs_f64() * 1e6 / count.max(1) as f64)
}

fn bench_log(args: &Args) -> Result<ExitCode> {
    let temp;
    let dir = match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            dir.clone()
        }
        None => {
            temp = tempfile::tempdir().context("cannot create a temporary folder")?;
            temp.path().to_path_buf()
        }
    };
    let path = dir.join("bench.db");
    let mut store = Store::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let import = store.start_import("bench", &format!("bench-{}", super::super::now()), "bench", "")?;
    let first = store.log_size();
    let batch = args.batch.max(1);
    let started = Instant::now();
    let mut appending = Duration::ZERO;
    let mut done = 0;
    let mut last_report = Instant::now();
    while done < args.entries {
        let len = batch.min(args.entries - done);
        let records: Vec<NewRecord> = (first + done..first + done + len)
            .map(|n| record(n, args.entry_bytes, args.mode))
            .collect();
        let t = Instant::now();
        if args.mode == Mode::Log {
            let bodies: Vec<&[u8]> = records.iter().map(|r| r.body.as_slice()).collect();
            store.append_entries(&bodies)?;
        } else {
            store.append_batch(import, &records, &[], len)?;
        }
        appending += t.elapsed();
        done += len;
        if last_report.elapsed() > Duration::from_secs(10) {
            eprintln!("  {done} entries, {}/s", per_second(done, appending));
            last_report = Instant::now();
        }
    }
    let wall = started.elapsed();
    let peak = peak_rss_kib();
    let size = store.log_size();

    let mut picks = Picks(0x9e37_79b9_7f4a_7c15);
    let mut inclusion = Duration::ZERO;
    let mut consistency = Duration::ZERO;
    for _ in 0..args.proofs {
        let index = picks.below(size);
        let t = Instant::now();
        store.inclusion_proof(index, size)?;
        inclusion += t.elapsed();
        let old = 1 + picks.below(size);
        let t = Instant::now();
        store.consistency_proof(old, size)?;
        consistency += t.elapsed();
    }
    let db_bytes: u64 = ["bench.db", "bench.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    drop(store);

    println!(
        "mandate bench log: {} entries of {} bytes\n",
        args.entries, args.entry_bytes
    );
    let rows = vec![
        vec!["entries appended".into(), done.to_string()],
        vec![
            "entry size (canonical JSON)".into(),
            format!("{} bytes", args.entry_bytes),
        ],
        vec!["entries per transaction".into(), batch.to_string()],
        vec!["each append writes".into(), args.mode.describe().into()],
        vec![
            "durability".into(),
            "SQLite WAL, synchronous=FULL: every commit is fsynced".into(),
        ],
        vec!["appends/s (time appending)".into(), per_second(done, appending)],
        vec![
            "appends/s (wall clock, incl. making records)".into(),
            per_second(done, wall),
        ],
        vec![
            "peak memory (VmHWM)".into(),
            peak.map_or("n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
        ],
        vec![
            "database size".into(),
            format!("{:.2} GiB", db_bytes as f64 / (1u64 << 30) as f64),
        ],
        vec![
            format!("inclusion proof at size {size} (mean)"),
            micros(inclusion, args.proofs),
        ],
        vec![
            format!("consistency proof to size {size} (mean)"),
            micros(consistency, args.proofs),
        ],
    ];
    print_table(&["what", "figure"], &rows);
    Ok(ExitCode::SUCCESS)
}
