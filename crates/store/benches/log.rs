//! Proof generation from the stored tiles, at 1 million and 10 million entries.
//!
//! `cargo bench -p mandate-store --bench log`. The databases are built first,
//! in a temporary folder and outside the timed part (10 million entries take
//! a few minutes). `MANDATE_BENCH_SIZES=1000000` picks other sizes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use mandate_store::{NewRecord, Store};

const BATCH: u64 = 10_000;

fn sizes() -> Vec<u64> {
    std::env::var("MANDATE_BENCH_SIZES")
        .unwrap_or_else(|_| "1000000,10000000".into())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("MANDATE_BENCH_SIZES: sizes separated by commas")
        })
        .collect()
}

/// Builds a log of `size` small entries (proof cost does not depend on entry size).
fn build(dir: &Path, size: u64) -> Store {
    let started = Instant::now();
    let mut store = Store::open(&dir.join("bench.db")).unwrap();
    let import = store.start_import("bench", "bench", "bench", "").unwrap();
    let mut next = 0;
    while next < size {
        let len = BATCH.min(size - next);
        let records: Vec<NewRecord> = (next..next + len)
            .map(|n| NewRecord {
                body: format!("{{\"n\":{n}}}").into_bytes(),
                kind: "bench".into(),
                subject: format!("s{}", n % 1000),
                record_id: format!("r{n}"),
                time_ms: Some(n as i64),
                position: String::new(),
                confidential: None,
            })
            .collect();
        store.append_batch(import, &records, &[], len).unwrap();
        next += len;
    }
    eprintln!("built a log of {size} entries in {:.1?}", started.elapsed());
    store
}

/// Deterministic pseudo-random targets (xorshift64).
struct Picks(u64);

impl Picks {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn proofs(c: &mut Criterion) {
    for size in sizes() {
        let dir = tempfile::tempdir().unwrap();
        let store = build(dir.path(), size);
        let mut group = c.benchmark_group(format!("{size} entries"));
        let mut picks = Picks(0x9e37_79b9_7f4a_7c15);
        group.bench_function("inclusion proof", |b| {
            b.iter(|| store.inclusion_proof(black_box(picks.below(size)), size).unwrap())
        });
        group.bench_function("consistency proof", |b| {
            b.iter(|| {
                store
                    .consistency_proof(black_box(1 + picks.below(size)), size)
                    .unwrap()
            })
        });
        group.bench_function("root at a random size", |b| {
            b.iter(|| store.root_at(black_box(1 + picks.below(size))).unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, proofs);
criterion_main!(benches);
