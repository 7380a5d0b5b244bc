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

/// The same log in OCEL 2.0's XML format.
const LOG_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<log>
  <object-types>
    <object-type name="application"><attributes><attribute name="fee" type="float"/></attributes></object-type>
    <object-type name="inspection"><attributes/></object-type>
  </object-types>
  <event-types>
    <event-type name="receive application"><attributes><attribute name="org:resource" type="string"/></attributes></event-type>
    <event-type name="inspect site"><attributes/></event-type>
  </event-types>
  <objects>
    <object id="A1" type="application">
      <attributes>
        <attribute name="fee" time="1970-01-01T00:00:00Z">100</attribute>
        <attribute name="fee" time="2024-03-02T00:00:00Z">150</attribute>
      </attributes>
      <objects><relationship object-id="I1" qualifier="inspected by"/></objects>
    </object>
    <object id="A2" type="application"/>
    <object id="I1" type="inspection"/>
  </objects>
  <events>
    <event id="e1" type="receive application" time="2024-03-01T09:00:00+01:00">
      <attributes><attribute name="org:resource">clerk-1</attribute></attributes>
      <objects><relationship object-id="A1" qualifier="received"/></objects>
    </event>
    <event id="e2" type="inspect site" time="2024-03-05T10:00:00+01:00">
      <objects>
        <relationship object-id="A1" qualifier="site of"/>
        <relationship object-id="A2" qualifier="site of"/>
        <relationship object-id="I1" qualifier="inspection"/>
      </objects>
    </event>
    <event id="e3" type="inspect site" time="5 March">
      <objects><relationship object-id="A2"/></objects>
    </event>
    <event id="e4" type="receive application" time="2024-03-06T09:00:00+01:00">
      <objects><relationship object-id="A9"/></objects>
    </event>
  </events>
</log>"#;

/// (case, activity, event id, time, resource, qualifier) of every event; the positions rejected.
type Flat = (
    Vec<(String, String, String, String, Option<String>, String)>,
    Vec<String>,
);

fn flat(name: &str, text: &str) -> (Format, Flat, Vec<(String, String, String)>) {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    let format = sniff(&path).unwrap();
    let (mut events, mut rejected, mut cases) = (Vec::new(), Vec::new(), Vec::new());
    for item in open(&path, None).unwrap() {
        match item {
            Ok(r) => match r.record {
                Record::ProcessEvent(e) => events.push((
                    e.case_id,
                    e.activity,
                    e.event_id.unwrap(),
                    e.time.to_rfc3339(),
                    e.resource,
                    e.attributes
                        .get("ocel:qualifier")
                        .map(|q| q.as_str().unwrap().to_string())
                        .unwrap_or_default(),
                )),
                Record::ProcessCase(c) => {
                    let fee = c
                        .attributes
                        .get("fee")
                        .map(|f| f.to_string().trim_matches('"').to_string());
                    cases.push((c.process, c.case_id, fee.unwrap_or_default()))
                }
                other => panic!("{other:?}"),
            },
            Err(e) => rejected.push(format!("{}: {}", e.position.locator, e.reason)),
        }
    }
    (format, (events, rejected), cases)
}

#[test]
fn the_xml_format_reads_as_the_json_one() {
    let (json_format, from_json, json_cases) = flat("permits-2.jsonocel", LOG);
    let (xml_format, from_xml, xml_cases) = flat("permits.xmlocel", LOG_XML);
    assert_eq!((json_format, xml_format), (Format::OcelJson, Format::OcelXml));
    assert_eq!(from_xml, from_json);
    assert_eq!(from_xml.0.len(), 4);
    assert_eq!(from_xml.1.len(), 2);
    // Object attributes: the latest value; JSON keeps the number, XML has text.
    assert_eq!(xml_cases, json_cases);
    assert_eq!(xml_cases[0], ("application".into(), "A1".into(), "150".into()));
}
