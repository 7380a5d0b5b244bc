//! The parts of an OCDS (compiled) release the indicators read, typed and
//! lenient. Read once per contracting process, from the compiled `Value` or
//! straight from the bytes of a JSON line; everything else is skipped.

use serde::Deserialize;

use super::lenient::{object_shape, Count, Id, Num, Str, Strings, J};

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

impl<'a> Release<'a> {
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
        assert_eq!(items(&supplier.suppliers).next().unwrap().id.ok().unwrap().0, "42");
    }
}
