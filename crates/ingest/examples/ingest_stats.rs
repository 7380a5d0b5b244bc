//! Reads files and prints counts, rejections and throughput:
//! `cargo run --release -p mandate-ingest --example ingest_stats -- FILE...`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Instant;

fn main() {
    for arg in std::env::args().skip(1) {
        let start = Instant::now();
        let mut reader = match mandate_ingest::open(Path::new(&arg), None) {
            Ok(r) => r,
            Err(e) => {
                println!("{e}");
                continue;
            }
        };
        let (mut ok, mut rejected) = (0u64, 0u64);
        for item in reader.by_ref() {
            match item {
                Ok(_) => ok += 1,
                Err(r) => {
                    rejected += 1;
                    if rejected <= 5 {
                        println!("  {r}");
                    }
                }
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{arg} [{}]: {ok} records, {rejected} rejected, {} skipped, {}/{} bytes, {secs:.3}s, {:.0} records/s",
            reader.format(),
            reader.skipped(),
            reader.bytes_read(),
            reader.file_len(),
            ok as f64 / secs
        );
    }
}
