//! OCEL 2.0 JSON: an object-centric log flattened into cases, one per
//! object, each expected record worked out by hand from the document below.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use mandate_ingest::{open, sniff, Format};
use mandate_model::Record;

/// Two permit applications and the inspection both share; one event with a
/// bad date, one about an object the log does not define.
const LOG: &str = r#"{
  "objectTypes": [
    {"name": "application", "attributes": [{"name": "fee", "type": "float"}]},
    {"name": "inspection", "attributes": []}
  ],
  "eventTypes": [
    {"name": "receive application", "attributes": [{"name": "org:resource", "type": "string"}]},
    {"name": "inspect site", "attributes": []}
  ],
  "objects": [
    {"id": "A1", "type": "application",
     "attributes": [{"name": "fee", "time": "1970-01-01T00:00:00Z", "value": 100},
                    {"name": "fee", "time": "2024-03-02T00:00:00Z", "value": 150}]},
    {"id": "A2", "type": "application"},
    {"id": "I1", "type": "inspection"}
  ],
  "events": [
    {"id": "e1", "type": "receive application", "time": "2024-03-01T09:00:00+01:00",
     "attributes": [{"name": "org:resource", "value": "clerk-1"}],
     "relationships": [{"objectId": "A1", "qualifier": "received"}]},
    {"id": "e2", "type": "inspect site", "time": "2024-03-05T10:00:00+01:00",
     "relationships": [{"objectId": "A1", "qualifier": "site of"}, {"objectId": "A2", "qualifier": "site of"},
                       {"objectId": "I1", "qualifier": "inspection"}]},
    {"id": "e3", "type": "inspect site", "time": "5 March",
     "relationships": [{"objectId": "A2"}]},
    {"id": "e4", "type": "receive application", "time": "2024-03-06T09:00:00+01:00",
     "relationships": [{"objectId": "A9"}]}
  ]
}"#;

#[test]
fn objects_become_cases_and_events_join_each_related_object() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("permits.jsonocel");
    std::fs::write(&path, LOG).unwrap();
    assert_eq!(sniff(&path).unwrap(), Format::OcelJson);

    let mut cases = Vec::new();
    let mut events = Vec::new();
    let mut rejected = Vec::new();
    for item in open(&path, None).unwrap() {
        match item {
            Ok(r) => match r.record {
                Record::ProcessCase(c) => cases.push(c),
                Record::ProcessEvent(e) => events.push((e, r.position.locator)),
                other => panic!("{other:?}"),
            },
            Err(e) => rejected.push(e),
        }
    }
    // One case per object; A1's fee is its latest value.
    let ids: Vec<(&str, &str)> = cases
        .iter()
        .map(|c| (c.process.as_str(), c.case_id.as_str()))
        .collect();
    assert_eq!(
        ids,
        [("application", "A1"), ("application", "A2"), ("inspection", "I1")]
    );
    assert_eq!(cases[0].attributes["fee"], 150);

    // e1 once (A1), e2 three times (A1, A2, I1).
    let flat: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|(e, _)| {
            (
                e.case_id.as_str(),
                e.activity.as_str(),
                e.event_id.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flat,
        [
            ("A1", "receive application", "e1"),
            ("A1", "inspect site", "e2"),
            ("A2", "inspect site", "e2"),
            ("I1", "inspect site", "e2"),
        ]
    );
    let (first, locator) = &events[0];
    assert_eq!(first.resource.as_deref(), Some("clerk-1"));
    assert_eq!(first.attributes["ocel:qualifier"], "received");
    assert!(!first.attributes.contains_key("org:resource"));
    assert_eq!(first.time.to_rfc3339(), "2024-03-01T09:00:00+01:00");
    assert_eq!(locator, "events[0]");

    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].position.locator, "events[2]");
    assert_eq!(rejected[0].field.as_deref(), Some("time"));
    assert!(rejected[0].reason.contains("unparsable date \"5 March\""));
    assert_eq!(rejected[1].position.locator, "events[3]");
    assert!(rejected[1]
        .reason
        .contains("object `A9` is not among the log's objects"));
}

#[test]
fn a_document_that_is_not_ocel_is_refused_naming_the_file() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("broken.jsonocel");
    std::fs::write(&path, r#"{"objectTypes": [], "events": [{"id": 1}"#).unwrap();
    let err = open(&path, Some(Format::OcelJson)).err().unwrap().to_string();
    assert!(
        err.contains("broken.jsonocel") && err.contains("not an OCEL 2.0 JSON document"),
        "{err}"
    );
}
