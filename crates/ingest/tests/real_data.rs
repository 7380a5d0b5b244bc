//! Reads the real files under `data/` and checks counts and a few values.
//!
//! Published counts: DomesticDeclarations 10,500 traces / 56,437 events,
//! WABO receipt 1,434 traces / 8,577 events, roadtraffic100traces 100 traces.
//! The other counts were computed independently with Python's stdlib
//! (`gzip` + `xml.etree.ElementTree.iterparse` counting <trace>/<event>
//! elements for XES; `json.load` and counting `releases` / `compiledRelease`
//! for OCDS). No file has a trace or event without concept:name or timestamp.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use mandate_ingest::{open, sniff, Format, RejectedRecord};
use mandate_model::{OcdsRelease, ProcessCase, ProcessEvent, Record, SourcedRecord};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data").join(rel)
}

#[derive(Default)]
struct Summary {
    cases: Vec<(ProcessCase, Option<u64>)>,
    first_events: Vec<(ProcessEvent, Option<u64>)>,
    events: usize,
    releases: Vec<(OcdsRelease, String)>,
    rejected: Vec<RejectedRecord>,
}

/// Reads a whole file, checking that every event follows its own case.
fn read(rel: &str) -> Summary {
    let path = data(rel);
    let start = Instant::now();
    let mut s = Summary::default();
    let mut current_case: Option<String> = None;
    for item in open(&path, None).unwrap() {
        match item {
            Ok(SourcedRecord { record, position }) => match record {
                Record::ProcessCase(c) => {
                    current_case = Some(c.case_id.clone());
                    s.cases.push((c, position.line));
                }
                Record::ProcessEvent(e) => {
                    assert_eq!(current_case.as_deref(), Some(e.case_id.as_str()));
                    s.events += 1;
                    if s.first_events.len() < 3 {
                        s.first_events.push((e, position.line));
                    }
                }
                Record::OcdsRelease(r) => s.releases.push((r, position.locator)),
                Record::Act(_) | Record::Commitment(_) => {
                    panic!("XES and OCDS readers produce neither acts nor commitments")
                }
            },
            Err(r) => s.rejected.push(r),
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = s.cases.len() + s.events + s.releases.len();
    println!(
        "{rel}: {n} records in {secs:.3}s ({:.0} records/s)",
        n as f64 / secs
    );
    s
}

#[test]
fn domestic_declarations() {
    let s = read("process-logs/bpic2020/DomesticDeclarations.xes.gz");
    assert!(s.rejected.is_empty(), "{:?}", s.rejected.first());
    assert_eq!((s.cases.len(), s.events), (10_500, 56_437));

    let (case, line) = &s.cases[0];
    assert_eq!(*line, Some(13));
    assert_eq!(case.process, "Domestic Declarations");
    assert_eq!(case.case_id, "declaration 86791");
    assert_eq!(case.attributes["Amount"], serde_json::json!(26.85120450862128));
    assert_eq!(case.attributes["BudgetNumber"], "budget 86566");

    let (event, line) = &s.first_events[0];
    assert_eq!(*line, Some(19));
    assert_eq!(event.activity, "Declaration SUBMITTED by EMPLOYEE");
    assert_eq!(event.time.to_rfc3339(), "2017-01-09T09:49:50+01:00");
    assert_eq!(event.role.as_deref(), Some("EMPLOYEE"));
    assert_eq!(event.resource.as_deref(), Some("STAFF MEMBER"));
    assert_eq!(event.event_id.as_deref(), Some("st_step 86794_0"));
    assert!(event.attributes.is_empty());
}

#[test]
fn other_bpic2020_logs() {
    for (file, process, traces, events) in [
        (
            "InternationalDeclarations",
            "International Declarations",
            6_449,
            72_151,
        ),
        ("PermitLog", "Travel Permits", 7_065, 86_581),
        ("PrepaidTravelCost", "Prepaid Travel Costs", 2_099, 18_246),
    ] {
        let s = read(&format!("process-logs/bpic2020/{file}.xes.gz"));
        assert!(s.rejected.is_empty(), "{:?}", s.rejected.first());
        assert_eq!((s.cases.len(), s.events), (traces, events), "{file}");
        assert_eq!(s.cases[0].0.process, process);
    }
}

#[test]
fn wabo_receipt_with_namespace_globals_and_nested_meta() {
    let path = data("process-logs/wabo-receipt/08_receipt.xes.gz");
    assert_eq!(sniff(&path).unwrap(), Format::Xes);
    let s = read("process-logs/wabo-receipt/08_receipt.xes.gz");
    assert!(s.rejected.is_empty(), "{:?}", s.rejected.first());
    assert_eq!((s.cases.len(), s.events), (1_434, 8_577));
    let (case, line) = &s.cases[0];
    assert!(case
        .process
        .starts_with("Receipt phase of an environmental permit"));
    assert_eq!((case.case_id.as_str(), *line), ("case-10011", Some(1798)));
    assert_eq!(case.attributes["startdate"], "2011-10-11T13:42:22.688+02:00");
    let (event, line) = &s.first_events[0];
    assert_eq!(*line, Some(1807));
    assert_eq!(event.event_id.as_deref(), Some("task-42933"));
    assert_eq!(event.resource.as_deref(), Some("Resource21"));
    assert_eq!(event.attributes["org:group"], "Group 1");
    assert_eq!(event.attributes["lifecycle:transition"], "complete");
}

#[test]
fn road_traffic_fines() {
    let s = read("process-logs/road-traffic-fines/roadtraffic100traces.xes");
    assert!(s.rejected.is_empty(), "{:?}", s.rejected.first());
    assert_eq!((s.cases.len(), s.events), (100, 390));
    assert_eq!(s.cases[0].0.process, "Road Traffic Fine Management Process");
    assert_eq!(s.cases[0].0.case_id, "N77802");
    let first = &s.first_events[0].0;
    assert_eq!(first.attributes["amount"], serde_json::json!(35.0));
    assert_eq!(first.attributes["article"], serde_json::json!(157));

    // No log name: the file stem; timestamps without offset are UTC.
    let s = read("process-logs/road-traffic-fines/12_roadtraffic_1t_per_variant.xes.gz");
    assert!(s.rejected.is_empty(), "{:?}", s.rejected.first());
    assert_eq!((s.cases.len(), s.events), (231, 1_891));
    assert_eq!(s.cases[0].0.process, "12_roadtraffic_1t_per_variant");
    assert_eq!(s.first_events[0].0.time.to_rfc3339(), "2006-07-24T00:00:00+00:00");
}

#[test]
fn armenia_release_package() {
    let path = data("ocds/armenia/6.json");
    assert_eq!(sniff(&path).unwrap(), Format::OcdsJson);
    let s = read("ocds/armenia/6.json");
    assert!(s.rejected.is_empty(), "{:?}", s.rejected.first());
    assert_eq!(s.releases.len(), 100);
    let (r, locator) = &s.releases[0];
    assert_eq!(locator, "releases[0]");
    assert_eq!(r.ocid, "AM-PPS-cd59b69d149e811de21d582805b28efa");
    assert_eq!(r.release_id, "cd59b69d149e811de21d582805b28efa");
    assert_eq!(r.date.as_deref(), Some("2018-01-11T17:29:09+04:00"));
    assert!(!r.compiled);
    assert_eq!(r.release["buyer"]["name"], "Constitutional Court RA");
    assert_eq!(s.releases[99].0.ocid, "AM-PPS-50dd166e359602c1ed9ef749c93cbcbf");
    let reader = open(&path, None).unwrap();
    let len = reader.file_len();
    let mut reader = reader;
    for _ in reader.by_ref() {}
    assert_eq!((reader.bytes_read(), len), (993_356, 993_356));
}

fn files_in(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(data(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn ukraine_records_yield_their_compiled_release() {
    let files = files_in("ocds/ukraine");
    assert_eq!(files.len(), 11);
    for path in files {
        let rel = path.strip_prefix(data("")).unwrap().to_str().unwrap().to_owned();
        let s = read(&rel);
        assert!(s.rejected.is_empty(), "{:?}", s.rejected.first());
        assert_eq!(s.releases.len(), 1, "{rel}");
        let (r, locator) = &s.releases[0];
        assert!(r.compiled);
        assert_eq!(locator, "compiledRelease");
        assert_eq!(r.ocid, path.file_stem().unwrap().to_str().unwrap());
    }
    let s = read("ocds/ukraine/ocds-be6bcu-UA-2016-06-02-000468-c.json");
    assert_eq!(s.releases[0].0.release_id, "35ee2812b91b4ff299fbf6c217b46ae4");
    assert_eq!(
        s.releases[0].0.date.as_deref(),
        Some("2016-11-04T21:55:56.042551+02:00")
    );
}

#[test]
fn uk_contracts_finder_single_releases() {
    let files = files_in("ocds/uk-contracts-finder");
    assert_eq!(files.len(), 21);
    for path in files {
        let rel = path.strip_prefix(data("")).unwrap().to_str().unwrap().to_owned();
        let s = read(&rel);
        assert!(s.rejected.is_empty(), "{:?}", s.rejected.first());
        assert_eq!(s.releases.len(), 1, "{rel}");
        let (r, locator) = &s.releases[0];
        assert_eq!(locator, "release");
        assert!(!r.compiled && r.ocid.starts_with("ocds-b5fd17-") && r.date.is_some());
    }
}
