//! OCEL 2.0 object-centric event logs, JSON and XML formats
//! (<https://www.ocel-standard.org>).
//!
//! mandate checks cases, so an object-centric log is flattened, as process
//! mining tools do: every object is a case of the process named by its
//! type, and an event appears in the case of each object it relates to.
//! Each object gives a case record (its attributes, the latest value of
//! each); each event a process event per related object, with its
//! attributes and the relationship's qualifier (`ocel:qualifier`). The
//! resource is the event attribute `org:resource` or `resource`, if any.
//!
//! The document is read whole (OCEL puts objects before events, and an
//! event needs its objects' types); a bad event is rejected with its
//! position (`events[12]`) and the rest are read. In the XML format every
//! attribute value is text.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use mandate_model::record::Position;
use mandate_model::{Attributes, ProcessCase, ProcessEvent, Record, SourcedRecord};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{IngestError, RejectedRecord};
use crate::xes::parse_time;
use crate::Item;

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    objects: Vec<Object>,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Object {
    id: Option<String>,
    #[serde(rename = "type")]
    object_type: Option<String>,
    #[serde(default)]
    attributes: Vec<ObjectAttribute>,
}

#[derive(Deserialize)]
struct ObjectAttribute {
    name: String,
    #[serde(default)]
    time: Option<String>,
    value: Value,
}

#[derive(Deserialize)]
struct Event {
    id: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    time: Option<String>,
    #[serde(default)]
    attributes: Vec<EventAttribute>,
    #[serde(default)]
    relationships: Vec<Relationship>,
}

#[derive(Deserialize)]
struct EventAttribute {
    name: String,
    value: Value,
}

#[derive(Deserialize)]
struct Relationship {
    #[serde(rename = "objectId")]
    object_id: String,
    #[serde(default)]
    qualifier: String,
}

/// Reads a whole OCEL 2.0 XML document into the records it flattens to.
pub(crate) fn read_xml(
    reader: impl std::io::BufRead,
    file: &Path,
) -> Result<std::vec::IntoIter<Item>, IngestError> {
    let document = xml::parse(reader).map_err(|reason| IngestError::UnknownFormat {
        path: file.to_path_buf(),
        reason: format!("not an OCEL 2.0 XML document: {reason}"),
    })?;
    Ok(Flattener::new(file).flatten(document).into_iter())
}

/// Reads a whole OCEL 2.0 JSON document into the records it flattens to.
pub(crate) fn read(reader: impl Read, file: &Path) -> Result<std::vec::IntoIter<Item>, IngestError> {
    let document: Document = serde_json::from_reader(reader).map_err(|e| IngestError::UnknownFormat {
        path: file.to_path_buf(),
        reason: format!("not an OCEL 2.0 JSON document: {e}"),
    })?;
    Ok(Flattener::new(file).flatten(document).into_iter())
}

struct Flattener {
    file: PathBuf,
    /// Object id to its type.
    types: HashMap<String, String>,
}

impl Flattener {
    fn new(file: &Path) -> Flattener {
        Flattener {
            file: file.to_path_buf(),
            types: HashMap::new(),
        }
    }

    fn reject(&self, locator: String, field: &str, reason: String) -> Item {
        let position = Position { line: None, locator };
        Err(RejectedRecord::new(&self.file, position, Some(field), reason))
    }

    fn flatten(mut self, document: Document) -> Vec<Item> {
        let mut items = Vec::new();
        for (i, object) in document.objects.into_iter().enumerate() {
            let locator = format!("objects[{i}]");
            let (Some(id), Some(object_type)) = (object.id, object.object_type) else {
                items.push(self.reject(locator, "id", "an object needs its id and type".into()));
                continue;
            };
            self.types.insert(id.clone(), object_type.clone());
            let mut latest: HashMap<String, (String, Value)> = HashMap::new();
            for attribute in object.attributes {
                let time = attribute.time.unwrap_or_default();
                if latest.get(&attribute.name).is_none_or(|(t, _)| *t <= time) {
                    latest.insert(attribute.name, (time, attribute.value));
                }
            }
            let attributes: Attributes = latest.into_iter().map(|(k, (_, v))| (k, v)).collect();
            items.push(Ok(SourcedRecord {
                record: Record::ProcessCase(ProcessCase {
                    process: object_type,
                    case_id: id,
                    attributes,
                }),
                position: Position { line: None, locator },
            }));
        }
        for (i, event) in document.events.into_iter().enumerate() {
            items.extend(self.event(i, event));
        }
        items
    }

    /// One process event per object the event relates to.
    fn event(&self, i: usize, event: Event) -> Vec<Item> {
        let locator = format!("events[{i}]");
        let Some(activity) = event.event_type else {
            return vec![self.reject(locator, "type", "an event needs its type (the activity)".into())];
        };
        let Some(raw) = event.time else {
            return vec![self.reject(locator, "time", "an event needs its time".into())];
        };
        let Some(time) = parse_time(&raw) else {
            return vec![self.reject(locator, "time", format!("unparsable date {raw:?}"))];
        };
        if event.relationships.is_empty() {
            return vec![self.reject(
                locator,
                "relationships",
                "the event relates to no object, so it belongs to no case".into(),
            )];
        }
        let mut attributes: Attributes = event.attributes.into_iter().map(|a| (a.name, a.value)).collect();
        let resource = ["org:resource", "resource"]
            .iter()
            .find_map(|k| attributes.remove(*k))
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            });
        event
            .relationships
            .into_iter()
            .map(|relationship| {
                let Some(object_type) = self.types.get(&relationship.object_id) else {
                    return self.reject(
                        locator.clone(),
                        "relationships",
                        format!(
                            "object `{}` is not among the log's objects",
                            relationship.object_id
                        ),
                    );
                };
                let mut attributes = attributes.clone();
                if !relationship.qualifier.is_empty() {
                    attributes.insert("ocel:qualifier".into(), relationship.qualifier.into());
                }
                Ok(SourcedRecord {
                    record: Record::ProcessEvent(ProcessEvent {
                        process: object_type.clone(),
                        case_id: relationship.object_id,
                        event_id: event.id.clone(),
                        activity: activity.clone(),
                        time,
                        resource: resource.clone(),
                        role: None,
                        attributes,
                    }),
                    position: Position {
                        line: None,
                        locator: locator.clone(),
                    },
                })
            })
            .collect()
    }
}

/// The XML format: `<log><objects><object id type><attributes><attribute
/// name time>value</attribute>...</attributes></object>...</objects>
/// <events><event id type time><attributes>...</attributes><objects>
/// <relationship object-id qualifier/>...</objects></event>...</events></log>`.
mod xml {
    use quick_xml::events::{BytesStart, Event as Xml};
    use quick_xml::Reader;
    use serde_json::Value;

    use super::{Document, Event, EventAttribute, Object, ObjectAttribute, Relationship};

    fn attribute(e: &BytesStart<'_>, name: &[u8]) -> Result<Option<String>, String> {
        for a in e.attributes() {
            let a = a.map_err(|err| format!("malformed XML attribute: {err}"))?;
            if a.key.local_name().as_ref() == name {
                let value = a
                    .unescape_value()
                    .map_err(|err| format!("unreadable value: {err}"))?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    }

    /// An `<attribute>` being read: its name, time and text so far.
    struct Open {
        name: String,
        time: Option<String>,
        text: String,
    }

    pub(super) fn parse(input: impl std::io::BufRead) -> Result<Document, String> {
        let mut reader = Reader::from_reader(input);
        let mut buf = Vec::new();
        let mut path: Vec<Vec<u8>> = Vec::new();
        let mut document = Document {
            objects: Vec::new(),
            events: Vec::new(),
        };
        let mut object: Option<Object> = None;
        let mut event: Option<Event> = None;
        let mut open: Option<Open> = None;
        loop {
            let at = reader.buffer_position();
            let xml = reader
                .read_event_into(&mut buf)
                .map_err(|e| format!("XML error at byte {at}: {e}"))?;
            let (start, empty) = match &xml {
                Xml::Start(e) => (Some(e.clone()), false),
                Xml::Empty(e) => (Some(e.clone()), true),
                _ => (None, false),
            };
            if let Some(e) = start {
                let tag = e.local_name().as_ref().to_vec();
                let parent = path.last().map(Vec::as_slice);
                match (tag.as_slice(), parent) {
                    (b"object", Some(b"objects")) if event.is_none() && object.is_none() => {
                        let new = Object {
                            id: attribute(&e, b"id")?,
                            object_type: attribute(&e, b"type")?,
                            attributes: Vec::new(),
                        };
                        match empty {
                            true => document.objects.push(new),
                            false => object = Some(new),
                        }
                    }
                    (b"event", Some(b"events")) => {
                        let new = Event {
                            id: attribute(&e, b"id")?,
                            event_type: attribute(&e, b"type")?,
                            time: attribute(&e, b"time")?,
                            attributes: Vec::new(),
                            relationships: Vec::new(),
                        };
                        match empty {
                            true => document.events.push(new),
                            false => event = Some(new),
                        }
                    }
                    (b"attribute", Some(b"attributes")) if object.is_some() || event.is_some() => {
                        let name = attribute(&e, b"name")?.unwrap_or_default();
                        let time = attribute(&e, b"time")?;
                        let opened = Open {
                            name,
                            time,
                            text: String::new(),
                        };
                        if empty {
                            close(opened, &mut object, &mut event);
                        } else {
                            open = Some(opened);
                        }
                    }
                    (b"relationship", Some(b"objects")) => {
                        if let (Some(event), Some(object_id)) = (event.as_mut(), attribute(&e, b"object-id")?)
                        {
                            event.relationships.push(Relationship {
                                object_id,
                                qualifier: attribute(&e, b"qualifier")?.unwrap_or_default(),
                            });
                        }
                    }
                    _ => {}
                }
                if !empty {
                    path.push(tag);
                }
            }
            match xml {
                Xml::Text(t) => {
                    if let Some(open) = open.as_mut() {
                        let text = t.unescape().map_err(|e| format!("unreadable text: {e}"))?;
                        open.text.push_str(&text);
                    }
                }
                Xml::End(e) => {
                    path.pop();
                    match e.local_name().as_ref() {
                        b"attribute" => {
                            if let Some(opened) = open.take() {
                                close(opened, &mut object, &mut event);
                            }
                        }
                        b"object" if path.last().map(Vec::as_slice) == Some(b"objects") => {
                            document.objects.extend(object.take());
                        }
                        b"event" => document.events.extend(event.take()),
                        _ => {}
                    }
                }
                Xml::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        Ok(document)
    }

    fn close(opened: Open, object: &mut Option<Object>, event: &mut Option<Event>) {
        let value = Value::String(opened.text.trim().to_string());
        if let Some(event) = event.as_mut() {
            event.attributes.push(EventAttribute {
                name: opened.name,
                value,
            });
        } else if let Some(object) = object.as_mut() {
            object.attributes.push(ObjectAttribute {
                name: opened.name,
                time: opened.time,
                value,
            });
        }
    }
}
