//! The parts of an OCDS (compiled) release the indicators read, typed and
//! lenient. Read once per contracting process, from the compiled `Value` or
//! straight from the bytes of a JSON line; everything else is skipped.

use serde::Deserialize;

use super::lenient::{object_shape, Count, Id, Num, Str, Strings, J};
use super::process::instant;

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"))]
pub(crate) struct Release<'a> {
    pub ocid: J<Str<'a>>,
    pub id: J<Id<'a>>,
    pub date: J<Str<'a>>,
    pub tag: J<Vec<J<Str<'a>>>>,
    pub buyer: J<Org<'a>>,
    pub tender: J<Tender<'a>>,
    pub bids: J<Bids<'a>>,
    pub awards: J<Vec<J<Award<'a>>>>,
    pub contracts: J<Vec<J<Contract<'a>>>>,
    pub parties: J<Vec<J<Party<'a>>>>,
    /// Complaints published at the top level (review extensions).
    pub complaints: J<Count>,
    /// When a JSON line is a record rather than a release: its compiled release...
    #[serde(rename = "compiledRelease")]
    pub compiled_release: J<Box<Release<'a>>>,
    /// ... its releases, or a package's (only their presence matters here).
    pub releases: J<Count>,
    pub records: J<Count>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"))]
pub(crate) struct Org<'a> {
    pub id: J<Id<'a>>,
    pub name: J<Str<'a>>,
    /// OCDS 1.0 references carry only this.
    pub identifier: J<Identifier<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"))]
pub(crate) struct Identifier<'a> {
    pub scheme: J<Str<'a>>,
    pub id: J<Id<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"), rename_all = "camelCase")]
pub(crate) struct Tender<'a> {
    pub status: J<Str<'a>>,
    pub procurement_method: J<Str<'a>>,
    pub procurement_method_details: J<Str<'a>>,
    pub main_procurement_category: J<Str<'a>>,
    pub tender_period: J<Period<'a>>,
    pub number_of_tenderers: J<Num>,
    pub value: J<Money<'a>>,
    pub procuring_entity: J<Org<'a>>,
    pub complaints: J<Count>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"), rename_all = "camelCase")]
pub(crate) struct Period<'a> {
    pub start_date: J<Str<'a>>,
    pub end_date: J<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"))]
pub(crate) struct Money<'a> {
    pub amount: J<Num>,
    pub currency: J<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"))]
pub(crate) struct Bids<'a> {
    pub details: J<Vec<J<Bid<'a>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"))]
pub(crate) struct Bid<'a> {
    pub id: J<Id<'a>>,
    pub status: J<Str<'a>>,
    pub date: J<Str<'a>>,
    pub value: J<Money<'a>>,
    pub tenderers: J<Vec<J<Org<'a>>>>,
    /// Set when `status` became `disqualified` from an unsuccessful award
    /// to the tenderer (a code list's `unsuccessful_disqualifies_bid`), so
    /// that findings can say where the disqualification was read.
    #[serde(skip)]
    pub disqualified_by_award: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"))]
pub(crate) struct Award<'a> {
    pub id: J<Id<'a>>,
    pub status: J<Str<'a>>,
    pub date: J<Str<'a>>,
    pub value: J<Money<'a>>,
    pub suppliers: J<Vec<J<Org<'a>>>>,
    pub items: J<Vec<J<Item<'a>>>>,
    pub complaints: J<Count>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"))]
pub(crate) struct Item<'a> {
    pub classification: J<Classification<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"))]
pub(crate) struct Classification<'a> {
    pub scheme: J<Str<'a>>,
    pub id: J<Id<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"), rename_all = "camelCase")]
pub(crate) struct Contract<'a> {
    pub id: J<Id<'a>>,
    #[serde(rename = "awardID")]
    pub award_id: J<Id<'a>>,
    pub status: J<Str<'a>>,
    pub value: J<Money<'a>>,
    pub date_signed: J<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, bound(deserialize = "'de: 'a"))]
pub(crate) struct Party<'a> {
    pub id: J<Id<'a>>,
    pub name: J<Str<'a>>,
    pub details: J<Strings<'a>>,
}

object_shape!(
    Org,
    Identifier,
    Tender,
    Period,
    Money,
    Bids,
    Bid,
    Award,
    Item,
    Classification,
    Contract,
    Party
);

impl Org<'_> {
    /// The organisation's id: `id`, or for an OCDS 1.0 reference without
    /// one, `identifier.scheme`-`identifier.id` (the form OCDS 1.1 gives
    /// party ids, so both versions' references match).
    pub(crate) fn key(&self) -> Result<std::borrow::Cow<'_, str>, &'static str> {
        match &self.id {
            J::Ok(id) if !id.0.is_empty() => return Ok(std::borrow::Cow::Borrowed(id.0.as_ref())),
            J::Wrong(kind) => return Err(kind),
            _ => {}
        }
        let identifier = self.identifier.ok().ok_or("missing")?;
        match (&identifier.scheme, &identifier.id) {
            (J::Ok(scheme), J::Ok(id)) if !scheme.is_empty() && !id.0.is_empty() => {
                Ok(std::borrow::Cow::Owned(format!("{scheme}-{}", id.0)))
            }
            _ => Err("missing"),
        }
    }
}

/// A member of the wrong JSON type: where, what it was, what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongType {
    pub field: String,
    pub found: &'static str,
    pub expected: &'static str,
}

/// Collects the wrong-typed members of a release, with their paths.
struct Wrongs(Vec<WrongType>);

impl Wrongs {
    fn check<T>(&mut self, value: &J<T>, field: impl FnOnce() -> String, expected: &'static str) {
        if let J::Wrong(found) = value {
            self.0.push(WrongType {
                field: field(),
                found,
                expected,
            });
        }
    }

    // Field paths are closures, written only for a member of the wrong
    // type: this runs on every bid and award of every release.

    fn list<'v, T>(
        &mut self,
        value: &'v J<Vec<J<T>>>,
        field: impl Fn() -> String,
    ) -> impl Iterator<Item = (usize, &'v T)> + 'v {
        self.check(value, &field, "an array");
        for (i, item) in value.ok().into_iter().flatten().enumerate() {
            self.check(item, || format!("{}[{i}]", field()), "an object");
        }
        value
            .ok()
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, item)| item.ok().map(|t| (i, t)))
    }

    /// A date-time member that is a string but not RFC 3339: it cannot be
    /// ordered or compared, so it is reported as the wrong types are.
    fn date_time(&mut self, value: &J<Str<'_>>, field: impl Fn() -> String) {
        self.check(value, &field, "a string");
        if let J::Ok(text) = value {
            if instant(text).is_none() {
                self.0.push(WrongType {
                    field: field(),
                    found: "not a date-time",
                    expected: "an RFC 3339 date-time",
                });
            }
        }
    }

    fn org(&mut self, org: &J<Org<'_>>, field: &str) {
        self.check(org, || field.to_string(), "an object");
        if let J::Ok(org) = org {
            self.check(&org.id, || format!("{field}.id"), "a string");
            self.check(&org.name, || format!("{field}.name"), "a string");
        }
    }

    fn money(&mut self, money: &J<Money<'_>>, field: impl Fn() -> String) {
        self.check(money, &field, "an object");
        if let J::Ok(money) = money {
            self.check(&money.amount, || format!("{}.amount", field()), "a number");
            self.check(&money.currency, || format!("{}.currency", field()), "a string");
        }
    }
}

impl<'a> Release<'a> {
    /// Every member the indicators read that has the wrong JSON type, so a
    /// reader can report it with its file and line (the indicators that need
    /// it also say so in coverage).
    pub(crate) fn wrong_types(&self) -> Vec<WrongType> {
        let mut w = Wrongs(Vec::new());
        w.check(&self.ocid, || "ocid".into(), "a string");
        w.date_time(&self.date, || "date".into());
        w.org(&self.buyer, "buyer");
        w.check(&self.tender, || "tender".into(), "an object");
        if let J::Ok(t) = &self.tender {
            let strings = [
                (&t.status, "tender.status"),
                (&t.procurement_method, "tender.procurementMethod"),
                (&t.procurement_method_details, "tender.procurementMethodDetails"),
                (&t.main_procurement_category, "tender.mainProcurementCategory"),
            ];
            for (value, field) in strings {
                w.check(value, || field.into(), "a string");
            }
            w.check(
                &t.number_of_tenderers,
                || "tender.numberOfTenderers".into(),
                "a number",
            );
            w.check(&t.tender_period, || "tender.tenderPeriod".into(), "an object");
            if let J::Ok(p) = &t.tender_period {
                w.date_time(&p.start_date, || "tender.tenderPeriod.startDate".into());
                w.date_time(&p.end_date, || "tender.tenderPeriod.endDate".into());
            }
            w.money(&t.value, || "tender.value".into());
            w.org(&t.procuring_entity, "tender.procuringEntity");
            w.check(&t.complaints, || "tender.complaints".into(), "an array");
        }
        w.check(&self.bids, || "bids".into(), "an object");
        if let J::Ok(bids) = &self.bids {
            let details: Vec<_> = w.list(&bids.details, || "bids.details".into()).collect();
            for (i, bid) in details {
                w.check(&bid.status, || format!("bids.details[{i}].status"), "a string");
                w.date_time(&bid.date, || format!("bids.details[{i}].date"));
                w.money(&bid.value, || format!("bids.details[{i}].value"));
                let tenderers: Vec<_> = w
                    .list(&bid.tenderers, || format!("bids.details[{i}].tenderers"))
                    .collect();
                for (j, tenderer) in tenderers {
                    w.check(
                        &tenderer.id,
                        || format!("bids.details[{i}].tenderers[{j}].id"),
                        "a string",
                    );
                }
            }
        }
        let awards: Vec<_> = w.list(&self.awards, || "awards".into()).collect();
        for (i, award) in awards {
            w.check(&award.status, || format!("awards[{i}].status"), "a string");
            w.check(&award.date, || format!("awards[{i}].date"), "a string");
            w.money(&award.value, || format!("awards[{i}].value"));
            let suppliers: Vec<_> = w
                .list(&award.suppliers, || format!("awards[{i}].suppliers"))
                .collect();
            for (j, supplier) in suppliers {
                w.check(
                    &supplier.id,
                    || format!("awards[{i}].suppliers[{j}].id"),
                    "a string",
                );
            }
            w.check(
                &award.complaints,
                || format!("awards[{i}].complaints"),
                "an array",
            );
        }
        let contracts: Vec<_> = w.list(&self.contracts, || "contracts".into()).collect();
        for (i, contract) in contracts {
            w.check(&contract.status, || format!("contracts[{i}].status"), "a string");
            w.money(&contract.value, || format!("contracts[{i}].value"));
        }
        w.check(&self.complaints, || "complaints".into(), "an array");
        w.0
    }

    /// Reads the typed view of a compiled release. Never fails on content:
    /// wrong types are kept as [`J::Wrong`]; a `Value` is always well-formed.
    pub(crate) fn from_value(value: &'a serde_json::Value) -> Release<'a> {
        Release::deserialize(value).unwrap_or_default()
    }
}

impl<'de: 'a, 'a> super::lenient::Shape<'de> for Release<'a> {
    fn from_map<A: serde::de::MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
        Release::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
    }
}

impl<'de, T: super::lenient::Shape<'de>> super::lenient::Shape<'de> for Box<T> {
    fn from_map<A: serde::de::MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
        T::from_map(map).map(|t| t.map(Box::new))
    }
}

/// Lists in a release: absent is empty, wrong types and wrong items dropped
/// by the iterator (callers that care check [`J::Wrong`] first).
pub(crate) fn items<'r, T>(list: &'r J<Vec<J<T>>>) -> impl Iterator<Item = &'r T> + 'r {
    list.ok().into_iter().flatten().filter_map(J::ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_fields_indicators_need_and_skips_the_rest() {
        let value = json!({
            "ocid": "ocds-1", "id": 7, "extra": {"deep": [1, 2]},
            "tender": {"procurementMethod": "open", "numberOfTenderers": 3,
                       "tenderPeriod": {"startDate": "2020-01-01T00:00:00Z"}},
            "bids": {"details": [{"id": "b1", "status": "valid", "value": {"amount": 10, "currency": "USD"},
                                  "tenderers": [{"id": "t1"}]}, "junk"]},
            "awards": [{"id": "a1", "status": "active", "suppliers": [{"id": 42}]}]
        });
        let release = Release::from_value(&value);
        assert_eq!(release.ocid.ok().map(|s| s.as_ref()), Some("ocds-1"));
        assert_eq!(release.id.ok().map(|i| i.0.as_ref()), Some("7"));
        let tender = release.tender.ok().unwrap();
        assert_eq!(tender.number_of_tenderers, J::Ok(Num(3.0)));
        let bids = release.bids.ok().unwrap().details.ok().unwrap();
        assert_eq!(bids.len(), 2);
        assert!(matches!(bids[1], J::Wrong("a string")));
        let supplier = items(&release.awards).next().unwrap();
        assert_eq!(
            items(&supplier.suppliers).next().unwrap().id.ok().unwrap().0,
            "42"
        );
    }

    #[test]
    fn dates_that_are_not_date_times_are_named_with_their_field() {
        let value = json!({
            "ocid": "ocds-1", "id": "1", "date": "not a date",
            "tender": {"tenderPeriod": {"startDate": "yesterday", "endDate": "2020-01-31T00:00:00+01:00"}},
            "bids": {"details": [{"id": "b1", "date": 5}]}
        });
        let wrong: Vec<(String, &str)> = Release::from_value(&value)
            .wrong_types()
            .into_iter()
            .map(|w| (w.field, w.found))
            .collect();
        assert_eq!(
            wrong,
            [
                ("date".to_string(), "not a date-time"),
                ("tender.tenderPeriod.startDate".to_string(), "not a date-time"),
                ("bids.details[0].date".to_string(), "a number"),
            ]
        );
    }
}
