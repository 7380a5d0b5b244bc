//! CSV event logs against their XES originals: PM4Py, an independent tool,
//! exported `tests/fixtures/process-logs/*.csv` from the XES files shipped in
//! `data/`, so reading either must give the same events (case, activity,
//! time, resource) and the same case attributes. Also bad rows and the
//! column mapping.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mandate_ingest::{open, open_with, sniff, CsvColumns, Format};
use mandate_model::Record;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

type Event = (String, String, String, Option<String>);

/// Events as (case, activity, RFC 3339 time, resource), sorted; case
/// attributes by case.
fn read(path: &Path, format: Format) -> (Vec<Event>, BTreeMap<String, serde_json::Value>) {
    let mut events = Vec::new();
    let mut cases = BTreeMap::new();
    for item in open(path, Some(format)).unwrap() {
        match item.unwrap().record {
            Record::ProcessEvent(e) => events.push((e.case_id, e.activity, e.time.to_rfc3339(), e.resource)),
            Record::ProcessCase(c) => {
                cases.insert(c.case_id, serde_json::to_value(c.attributes).unwrap());
            }
            other => panic!("unexpected record {other:?}"),
        }
    }
    events.sort();
    (events, cases)
}

#[test]
fn pm4py_csv_exports_read_as_their_xes_originals() {
    for (csv, xes, events, cases) in [
        (
            "tests/fixtures/process-logs/roadtraffic100traces.csv",
            "data/process-logs/road-traffic-fines/roadtraffic100traces.xes",
            390,
            100,
        ),
        (
            "tests/fixtures/process-logs/receipt.csv.gz",
            "data/process-logs/wabo-receipt/08_receipt.xes.gz",
            8_577,
            1_434,
        ),
    ] {
        assert_eq!(sniff(&repo(csv)).unwrap(), Format::Csv, "{csv}");
        let (from_csv, cases_csv) = read(&repo(csv), Format::Csv);
        let (from_xes, cases_xes) = read(&repo(xes), Format::Xes);
        assert_eq!(from_csv.len(), events, "{csv}");
        assert_eq!(cases_csv.len(), cases, "{csv}");
        assert_eq!(from_csv, from_xes, "{csv}: the same events");
        assert_eq!(
            cases_csv.keys().collect::<Vec<_>>(),
            cases_xes.keys().collect::<Vec<_>>()
        );
    }
}

#[test]
fn the_wabo_deadline_survives_as_a_case_attribute() {
    // receipt.csv, first row: case-10011, case:deadline "2011-12-06 13:41:31.788000+01:00".
    let (_, cases) = read(&repo("tests/fixtures/process-logs/receipt.csv.gz"), Format::Csv);
    let deadline = cases["case-10011"]["deadline"].as_str().unwrap();
    assert_eq!(deadline, "2011-12-06T13:41:31.788+01:00");
    let (_, xes) = read(
        &repo("data/process-logs/wabo-receipt/08_receipt.xes.gz"),
        Format::Xes,
    );
    let from_xes = xes["case-10011"]["deadline"].as_str().unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(deadline).unwrap(),
        chrono::DateTime::parse_from_rfc3339(from_xes).unwrap()
    );
}

fn write(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn named_columns_semicolons_and_bad_rows() {
    let path = write(
        "permits.csv",
        "dossier;step;when;who;fee\n\
         D1;filed;2024-03-07 16:00:00;clerk-1;120\n\
         D1;decided;7 March;clerk-2;\n\
         ;filed;2024-03-08 09:00:00;clerk-1;\n\
         D2;filed;2024-03-08T09:00:00+01:00;;80\n",
    );
    // Unknown names: the reader says which flag to use and lists the columns.
    let err = open(&path, None).err().unwrap().to_string();
    assert!(
        err.contains("--case-column") && err.contains("dossier, step, when, who, fee"),
        "{err}"
    );

    let columns = CsvColumns {
        case: Some("dossier".into()),
        activity: Some("step".into()),
        time: Some("when".into()),
        resource: Some("who".into()),
        process: Some("permits".into()),
        ..CsvColumns::default()
    };
    let items: Vec<_> = open_with(&path, None, &columns).unwrap().collect();
    let mut records = Vec::new();
    let mut rejected = Vec::new();
    for item in items {
        match item {
            Ok(r) => records.push(r),
            Err(e) => rejected.push(e),
        }
    }
    // D1's case record, D1 filed, D2's case record, D2 filed.
    assert_eq!(records.len(), 4);
    let Record::ProcessEvent(first) = &records[1].record else {
        panic!("{:?}", records[1])
    };
    assert_eq!(first.process, "permits");
    assert_eq!(first.time.to_rfc3339(), "2024-03-07T16:00:00+00:00");
    assert_eq!(first.resource.as_deref(), Some("clerk-1"));
    assert_eq!(first.attributes["fee"], "120");
    assert_eq!(records[1].position.line, Some(2));

    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].position.line, Some(3));
    assert_eq!(rejected[0].field.as_deref(), Some("when"));
    assert!(rejected[0].reason.contains("unparsable date \"7 March\""));
    assert_eq!(rejected[1].position.line, Some(4));
    assert_eq!(rejected[1].field.as_deref(), Some("dossier"));
}
