//! Small hand-written inputs with problems: bad records are rejected and
//! reading goes on; fatal problems end the iteration with one last rejection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};

use mandate_ingest::{open, sniff, Format, IngestError, Item, RejectedRecord};
use mandate_model::{Record, SourcedRecord};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn read_all(path: &Path) -> (Vec<SourcedRecord>, Vec<RejectedRecord>) {
    let items: Vec<Item> = open(path, None).unwrap().collect();
    if let Some(i) = items.iter().position(|i| i.as_ref().is_err_and(|r| r.fatal)) {
        assert_eq!(i, items.len() - 1, "a fatal rejection must be the last item");
    }
    let (ok, err): (Vec<_>, Vec<_>) = items.into_iter().partition(Result::is_ok);
    (
        ok.into_iter().map(Result::unwrap).collect(),
        err.into_iter().map(Result::unwrap_err).collect(),
    )
}

fn kinds(records: &[SourcedRecord]) -> Vec<&'static str> {
    records.iter().map(|r| r.record.kind()).collect()
}

const XES_WITH_BAD_EVENTS: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
  <string key="meta" value="x"><string key="concept:name" value="nested, not the log name"/></string>
  <trace>
    <string key="concept:name" value="c1"/>
    <boolean key="urgent" value="true"/>
    <event>
      <string key="concept:name" value="Submit"/>
      <date key="time:timestamp" value="2017-01-09T09:49:50.000+01:00"/>
      <string key="note" value="a &amp; b">
        <string key="concept:name" value="nested, ignored"/>
      </string>
      <list key="tags"><values><string key="t" value="1"/></values></list>
    </event>
    <event>
      <string key="concept:name" value="Approve"/>
    </event>
    <event>
      <string key="concept:name" value="Pay"/>
      <date key="time:timestamp" value="2017-13-45T10:00:00+01:00"/>
    </event>
    <event>
      <date key="time:timestamp" value="2017-01-10T10:00:00Z"/>
    </event>
    <event>
      <string key="concept:name" value="Close"/>
      <date key="time:timestamp" value="2017-01-11T10:00:00"/>
    </event>
  </trace>
  <trace>
    <string key="id" value="no name"/>
    <event>
      <string key="concept:name" value="Lost"/>
      <date key="time:timestamp" value="2017-01-09T09:49:50Z"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="c3"/>
  </trace>
</log>
"#;

#[test]
fn xes_bad_events_are_rejected_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "approvals.xes", XES_WITH_BAD_EVENTS.as_bytes());
    let (ok, rejected) = read_all(&path);
    assert_eq!(
        kinds(&ok),
        ["process_case", "process_event", "process_event", "process_case"]
    );
    let Record::ProcessCase(case) = &ok[0].record else {
        panic!()
    };
    assert_eq!(case.process, "approvals");
    assert_eq!(case.attributes["urgent"], true);
    let Record::ProcessEvent(submit) = &ok[1].record else {
        panic!()
    };
    assert_eq!(submit.attributes.len(), 1);
    assert_eq!(submit.attributes["note"], "a & b");
    assert_eq!(ok[1].position.line, Some(9));
    let Record::ProcessEvent(close) = &ok[2].record else {
        panic!()
    };
    assert_eq!(close.time.to_rfc3339(), "2017-01-11T10:00:00+00:00");

    let shown: Vec<String> = rejected.iter().map(ToString::to_string).collect();
    let file = path.display();
    assert_eq!(
        shown,
        [
            format!("{file}: line 17 (trace 1 / event 2): field time:timestamp: event has no timestamp"),
            format!(
                "{file}: line 20 (trace 1 / event 3): field time:timestamp: unparsable date \"2017-13-45T10:00:00+01:00\""
            ),
            format!("{file}: line 24 (trace 1 / event 4): field concept:name: event has no activity name"),
            format!("{file}: line 32 (trace 2): field concept:name: trace has no case id; its 1 events are not imported"),
        ]
    );
    assert!(rejected.iter().all(|r| !r.fatal));
}

#[test]
fn truncated_gzip_keeps_earlier_records_and_ends_with_fatal_error() {
    let dir = tempfile::tempdir().unwrap();
    let real = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/process-logs/bpic2020/DomesticDeclarations.xes.gz");
    let bytes = std::fs::read(real).unwrap();
    let path = write(&dir, "DomesticDeclarations.xes.gz", &bytes[..bytes.len() / 2]);
    assert_eq!(sniff(&path).unwrap(), Format::Xes);
    let (ok, rejected) = read_all(&path);
    assert!(ok.len() > 10_000, "{}", ok.len());
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0].fatal);
    assert!(rejected[0]
        .reason
        .starts_with("the rest of the file could not be read"));
}

#[test]
fn xml_syntax_error_is_fatal_after_earlier_traces() {
    let dir = tempfile::tempdir().unwrap();
    let xes = "<log>\n<trace><string key=\"concept:name\" value=\"a\"/></trace>\n<trace><event></trace>\n<trace/>\n</log>";
    let path = write(&dir, "broken.xes", xes.as_bytes());
    let (ok, rejected) = read_all(&path);
    assert_eq!(kinds(&ok), ["process_case"]);
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0].fatal);
    assert_eq!(rejected[0].position.line, Some(3));
    assert!(rejected[0].reason.contains("XML error"), "{}", rejected[0].reason);
}

#[test]
fn not_xml_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "notes.xes", b"just some text\n");
    assert!(matches!(sniff(&path), Err(IngestError::UnknownFormat { .. })));
    assert!(open(&path, None).is_err());
    let items: Vec<Item> = open(&path, Some(Format::Xes)).unwrap().collect();
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().is_err_and(|r| r.fatal));
    assert!(matches!(
        open(&dir.path().join("missing.xes"), None),
        Err(IngestError::Open { .. })
    ));
}

#[test]
fn jsonl_broken_line_is_rejected_with_its_line_number() {
    let dir = tempfile::tempdir().unwrap();
    let lines = concat!(
        "{\"ocid\": \"o1\", \"id\": \"1\", \"date\": \"2020-01-01T00:00:00Z\"}\n",
        "{\"ocid\": \"o2\", \"id\": 2}\n",
        "{\"ocid\": \"o3\", \"id\": \n",
        "{\"releases\": [{\"ocid\": \"o4\", \"id\": \"4\"}, {\"id\": \"5\"}]}\n",
        "\n",
        "{\"ocid\": \"o6\", \"compiledRelease\": {\"ocid\": \"o6\", \"id\": \"6\"}}\n",
    );
    let path = write(&dir, "releases.jsonl", lines.as_bytes());
    assert_eq!(sniff(&path).unwrap(), Format::OcdsJsonLines);
    let (ok, rejected) = read_all(&path);
    let ids: Vec<(Option<u64>, &str, &str)> = ok
        .iter()
        .map(|r| match &r.record {
            Record::OcdsRelease(o) => (r.position.line, o.ocid.as_str(), o.release_id.as_str()),
            _ => panic!(),
        })
        .collect();
    assert_eq!(
        ids,
        [
            (Some(1), "o1", "1"),
            (Some(2), "o2", "2"),
            (Some(4), "o4", "4"),
            (Some(6), "o6", "6")
        ]
    );
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].position.line, Some(3));
    // `{"ocid": "o3", "id": `: the input ends at its last character, the
    // `:` at column 20 (the trailing space is not part of the document).
    assert_eq!(
        rejected[0].reason, "invalid JSON at column 20: EOF while parsing a value",
        "{}",
        rejected[0]
    );
    assert_eq!(rejected[1].position.line, Some(4));
    assert_eq!(rejected[1].position.locator, "releases[1]");
    assert_eq!(rejected[1].field.as_deref(), Some("ocid"));
}

#[test]
fn release_package_with_a_release_lacking_ocid() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{
      "uri": "http://example.com/p.json",
      "releases": [
        {"ocid": "o1", "id": "1", "tag": ["tender"]},
        {"id": "2", "tag": ["award"]},
        {"ocid": "o3", "id": "3"}
      ],
      "publisher": {"name": "x"}
    }"#;
    let path = write(&dir, "package.json", doc.as_bytes());
    let (ok, rejected) = read_all(&path);
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[1].position.locator, "releases[2]");
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        rejected[0].to_string(),
        format!("{}: releases[1]: field ocid: missing ocid", path.display())
    );
}

#[test]
fn record_order_does_not_matter_and_linked_releases_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    // `releases` before `ocid`/`compiledRelease`: still a record.
    let doc = r#"{"releases": [{"url": "http://x/1", "date": "2020-01-01"}],
                  "ocid": "o1", "compiledRelease": {"ocid": "o1", "id": "c"}}"#;
    let path = write(&dir, "record.json", doc.as_bytes());
    let (ok, rejected) = read_all(&path);
    assert!(rejected.is_empty());
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].position.locator, "compiledRelease");

    let doc = r#"{"records": [{"ocid": "o1", "releases": [
        {"url": "http://x/1", "date": "2020-01-01", "tag": ["tender"]},
        {"ocid": "o1", "id": "2", "date": "2020-02-01"}]}]}"#;
    let path = write(&dir, "records.json", doc.as_bytes());
    let mut reader = open(&path, None).unwrap();
    let items: Vec<Item> = reader.by_ref().collect();
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].as_ref().unwrap().position.locator,
        "records[0].releases[1]"
    );
    assert_eq!(reader.skipped(), 1);
}

#[test]
fn truncated_json_package_keeps_earlier_releases() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"releases": [{"ocid": "o1", "id": "1"}, {"ocid": "o2", "id": "2"}, {"ocid": "o3", "#;
    let path = write(&dir, "cut.json.gz", &gzip(doc.as_bytes()));
    let (ok, rejected) = read_all(&path);
    assert_eq!(ok.len(), 2);
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0].fatal);
}

#[test]
fn package_cut_inside_its_gzip_stream_keeps_earlier_releases() {
    // One long line, so the sniffer meets the cut before the line ends.
    let releases: Vec<String> = (0..3000)
        .map(|i| format!(r#"{{"ocid": "ocds-x-{i}", "id": "r{i}", "tag": ["compiled"]}}"#))
        .collect();
    let doc = format!(r#"{{"releases": [{}]}}"#, releases.join(", "));
    let compressed = gzip(doc.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "cut.json.gz", &compressed[..compressed.len() / 2]);
    assert_eq!(sniff(&path).unwrap(), Format::OcdsJson);
    let (ok, rejected) = read_all(&path);
    assert!(ok.len() > 100 && ok.len() < 3000, "{}", ok.len());
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0].fatal);
    assert!(
        rejected[0]
            .reason
            .starts_with("the rest of the file could not be read"),
        "{}",
        rejected[0].reason
    );
    assert_eq!(rejected[0].position.line, Some(1));
}

#[test]
fn a_record_whose_compiled_release_names_another_process_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"records": [
        {"ocid": "o1", "compiledRelease": {"ocid": "o1", "id": "1"}},
        {"ocid": "o2", "compiledRelease": {"ocid": "o3", "id": "2"}}],
      "releases": [{"ocid": "o4", "id": "4"}]}"#;
    let path = write(&dir, "records.json", doc.as_bytes());
    let (ok, rejected) = read_all(&path);
    assert_eq!(ok.len(), 1);
    let reasons: Vec<(&str, &str)> = rejected
        .iter()
        .map(|r| (r.position.locator.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "document",
                "a package with both `records` and `releases`: the records are read, the releases are not"
            ),
            (
                "records[1].compiledRelease",
                "`o3` differs from the record's ocid `o2`"
            ),
        ]
    );
}

#[test]
fn utf8_bom_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let bom = b"\xef\xbb\xbf";
    let xes = [&bom[..], XES_WITH_BAD_EVENTS.as_bytes()].concat();
    let path = write(&dir, "bom.xes.gz", &gzip(&xes));
    assert_eq!(sniff(&path).unwrap(), Format::Xes);
    let (ok, _) = read_all(&path);
    assert_eq!(ok.len(), 4);

    let json = [&bom[..], br#"{"ocid": "o1", "id": "1"}"#].concat();
    let path = write(&dir, "bom.json", &json);
    assert_eq!(sniff(&path).unwrap(), Format::OcdsJson);
    assert_eq!(read_all(&path).0.len(), 1);

    let jsonl = [
        &bom[..],
        b"{\"ocid\": \"o1\", \"id\": \"1\"}\n{\"ocid\": \"o2\", \"id\": \"2\"}\n",
    ]
    .concat();
    let path = write(&dir, "bom.jsonl", &jsonl);
    assert_eq!(sniff(&path).unwrap(), Format::OcdsJsonLines);
    let (ok, rejected) = read_all(&path);
    assert_eq!((ok.len(), rejected.len()), (2, 0));
}

#[test]
fn dropping_a_json_reader_early_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = String::from("{\"releases\": [");
    for i in 0..5000 {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&format!("{{\"ocid\": \"o{i}\", \"id\": \"{i}\"}}"));
    }
    doc.push_str("]}");
    let path = write(&dir, "big.json", doc.as_bytes());
    let first: Vec<Item> = open(&path, None).unwrap().take(3).collect();
    assert_eq!(first.len(), 3);
    assert_eq!(open(&path, None).unwrap().count(), 5000);
}

#[test]
fn record_with_only_a_versioned_release_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"ocid": "o1", "versionedRelease": {"ocid": "o1"}}"#;
    let path = write(&dir, "versioned.json", doc.as_bytes());
    let (ok, rejected) = read_all(&path);
    assert!(ok.is_empty());
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        rejected[0].reason,
        "record has neither compiledRelease nor releases"
    );
}

#[test]
fn bytes_that_are_not_utf8_in_a_json_document_are_replaced_and_counted() {
    // A Latin-1 `é` in the second of three releases: without repair the
    // second and third releases would be lost.
    let release = |n: u8, title: &[u8]| {
        let mut r = format!(r#"{{"ocid":"ocds-u-{n}","id":"1","tender":{{"title":""#).into_bytes();
        r.extend_from_slice(title);
        r.extend_from_slice(b"\"}}");
        r
    };
    let mut doc = b"{\"releases\":[".to_vec();
    doc.extend(release(1, b"ok"));
    doc.push(b',');
    doc.extend(release(2, b"caf\xe9"));
    doc.push(b',');
    doc.extend(release(3, b"ok"));
    doc.extend_from_slice(b"]}");
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "latin1.json", &doc);
    let mut reader = open(&path, None).unwrap();
    let items: Vec<Item> = reader.by_ref().collect();
    assert_eq!(items.len(), 3);
    let Ok(SourcedRecord {
        record: Record::OcdsRelease(second),
        ..
    }) = &items[1]
    else {
        panic!("{:?}", items[1]);
    };
    assert_eq!(second.release["tender"]["title"], "caf\u{FFFD}");
    assert_eq!(reader.repaired(), 1);
}
