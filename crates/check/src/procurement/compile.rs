//! The compiled view of a contracting process: the publisher's compiled
//! release when a record carried one, otherwise the releases merged in date
//! order following the OCDS merge rules (objects merged field by field,
//! arrays of objects with `id` merged by id, other arrays replaced, `null`
//! removes a field).

use chrono::{DateTime, FixedOffset};
use mandate_model::{Evidence, OcdsRelease};
use serde_json::{Map, Value};

use super::process::instant;

/// One release as read back from the log.
#[derive(Debug, Clone)]
pub struct LoggedRelease {
    pub log_index: u64,
    pub record_id: String,
    pub release: OcdsRelease,
}

impl LoggedRelease {
    /// Release order: by the moment of `date` (offsets taken into account:
    /// `2021-02-01T00:00+05:00` comes before `2021-01-31T23:00Z`), then as
    /// logged. Releases without a parsable date come first, so a dated
    /// release always overrides them.
    fn order(&self) -> (Option<DateTime<FixedOffset>>, u64) {
        let date = self.release.date.as_deref().and_then(instant);
        (date, self.log_index)
    }
}

#[derive(Debug, Clone)]
pub struct ContractingProcess {
    pub ocid: String,
    /// The releases the view was built from (evidence for every finding).
    pub sources: Vec<LoggedRelease>,
    pub compiled: Value,
}

impl ContractingProcess {
    /// Build the view from every logged release of one `ocid`.
    pub fn from_releases(ocid: String, mut releases: Vec<LoggedRelease>) -> Self {
        let latest_compiled = releases
            .iter()
            .filter(|r| r.release.compiled)
            .max_by_key(|r| r.order())
            .cloned();
        if let Some(compiled) = latest_compiled {
            return ContractingProcess {
                ocid,
                compiled: compiled.release.release.clone(),
                sources: vec![compiled],
            };
        }
        releases.sort_by_cached_key(LoggedRelease::order);
        let mut compiled = Value::Object(Map::new());
        for release in &releases {
            merge(&mut compiled, &release.release.release);
        }
        ContractingProcess {
            ocid,
            sources: releases,
            compiled,
        }
    }

    pub fn tender(&self) -> Option<&Map<String, Value>> {
        self.compiled.get("tender").and_then(Value::as_object)
    }

    pub(crate) fn evidence(&self) -> Vec<Evidence> {
        self.sources
            .iter()
            .map(|r| Evidence {
                log_index: r.log_index,
                record_id: r.record_id.clone(),
                note: if r.release.compiled {
                    "compiled release".into()
                } else {
                    "release".into()
                },
            })
            .collect()
    }
}

fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => {
            for (key, value) in update {
                if value.is_null() {
                    target.remove(key);
                } else if let Some(existing) = target.get_mut(key) {
                    merge(existing, value);
                } else {
                    target.insert(key.clone(), value.clone());
                }
            }
        }
        (Value::Array(target), Value::Array(update)) if is_identified(update) && is_identified(target) => {
            for item in update {
                let id = item.get("id");
                match target.iter_mut().find(|t| t.get("id") == id) {
                    Some(existing) => merge(existing, item),
                    None => target.push(item.clone()),
                }
            }
        }
        (target, update) => *target = update.clone(),
    }
}

/// Arrays whose items are all objects with an `id` are merged by id.
fn is_identified(items: &[Value]) -> bool {
    items.iter().all(|i| i.get("id").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn release(index: u64, date: &str, body: Value) -> LoggedRelease {
        LoggedRelease {
            log_index: index,
            record_id: format!("r{index}"),
            release: OcdsRelease {
                ocid: "ocds-1".into(),
                release_id: format!("{index}"),
                date: Some(date.into()),
                compiled: false,
                release: body,
            },
        }
    }

    #[test]
    fn merges_in_date_order_by_id() {
        // Given out of order: the award release (later date) must win for `status`.
        let later = release(
            0,
            "2020-02-01T00:00:00Z",
            json!({"tender": {"status": "complete"}, "awards": [{"id": "a1", "value": {"amount": 10}}]}),
        );
        let earlier = release(
            1,
            "2020-01-01T00:00:00Z",
            json!({"tender": {"status": "active", "title": "Pens"}, "awards": [{"id": "a1", "status": "pending"}], "tag": ["tender"]}),
        );
        let process = ContractingProcess::from_releases("ocds-1".into(), vec![later, earlier]);
        assert_eq!(
            process.compiled,
            json!({"tender": {"status": "complete", "title": "Pens"},
                   "awards": [{"id": "a1", "status": "pending", "value": {"amount": 10}}],
                   "tag": ["tender"]})
        );
        assert_eq!(process.evidence().len(), 2);
    }

    #[test]
    fn dates_are_ordered_as_moments_not_as_text() {
        // 2021-02-01T00:00+05:00 is 2021-01-31T19:00Z: before the second
        // release although it sorts after it as text.
        let first = release(
            0,
            "2021-02-01T00:00:00+05:00",
            json!({"tender": {"status": "active"}}),
        );
        let second = release(
            1,
            "2021-01-31T23:00:00Z",
            json!({"tender": {"status": "complete"}}),
        );
        let process = ContractingProcess::from_releases("ocds-1".into(), vec![second, first]);
        assert_eq!(process.compiled, json!({"tender": {"status": "complete"}}));
    }

    #[test]
    fn the_latest_compiled_release_by_date_is_used_whatever_the_log_order() {
        let compiled = |index, date, tenderers| {
            let mut r = release(index, date, json!({"tender": {"numberOfTenderers": tenderers}}));
            r.release.compiled = true;
            r
        };
        let newer = compiled(0, "2021-06-01T00:00:00Z", 3);
        let older = compiled(1, "2021-01-01T00:00:00Z", 1);
        let process = ContractingProcess::from_releases("ocds-1".into(), vec![newer, older]);
        assert_eq!(process.compiled, json!({"tender": {"numberOfTenderers": 3}}));
    }
}
