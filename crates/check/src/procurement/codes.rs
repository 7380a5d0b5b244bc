//! Publisher codes onto OCDS codes, once per contracting process before any
//! indicator looks at it. Every code that was mapped, and every one that is
//! neither OCDS nor in the publisher's code list, is counted in coverage, so
//! a field that could not be read is visible instead of silently skipped.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use mandate_rules::codelist::{
    AWARD_STATUSES, BID_STATUSES, CONTRACT_STATUSES, PROCUREMENT_METHODS, TENDER_STATUSES,
};
use mandate_rules::CodeList;

use super::lenient::{Str, J};
use super::model::{Money, Release};
use crate::coverage::Coverage;

pub(crate) const BID_STATUS: &str = "bids.details[].status";
pub(crate) const AWARD_STATUS: &str = "awards[].status";
pub(crate) const CONTRACT_STATUS: &str = "contracts[].status";
pub(crate) const TENDER_STATUS: &str = "tender.status";
pub(crate) const METHOD: &str = "tender.procurementMethod";
pub(crate) const METHOD_DETAILS: &str = "tender.procurementMethodDetails";
pub(crate) const CURRENCY: &str = "value.currency";
pub(crate) const BID_STATUS_FROM_AWARDS: &str = "bids.details[].status, from an unsuccessful award";

/// Maps the codes of `release` in place with `list` (the publisher's code
/// list, if any), counting mapped and unknown codes in `coverage`.
pub(crate) fn normalize(release: &mut Release<'_>, list: Option<&CodeList>, coverage: &mut Coverage) {
    let mut tally = Tally { list, coverage };
    let table = |f: fn(&CodeList) -> &BTreeMap<String, String>| list.map(f);
    if let Some(tender) = release.tender.ok_mut() {
        tally.code(
            TENDER_STATUS,
            &mut tender.status,
            &TENDER_STATUSES,
            table(|l| &l.tender_status),
        );
        if tender.procurement_method.is_absent() {
            method_from_details(
                &mut tally,
                &mut tender.procurement_method,
                &tender.procurement_method_details,
            );
        } else {
            let methods = table(|l| &l.procurement_method);
            tally.code(
                METHOD,
                &mut tender.procurement_method,
                &PROCUREMENT_METHODS,
                methods,
            );
        }
        tally.currency(&mut tender.value);
    }
    if let Some(bids) = release.bids.ok_mut() {
        for bid in bids.details.ok_mut().into_iter().flatten().filter_map(J::ok_mut) {
            tally.code(
                BID_STATUS,
                &mut bid.status,
                &BID_STATUSES,
                table(|l| &l.bid_status),
            );
            tally.currency(&mut bid.value);
        }
    }
    for award in release
        .awards
        .ok_mut()
        .into_iter()
        .flatten()
        .filter_map(J::ok_mut)
    {
        tally.code(
            AWARD_STATUS,
            &mut award.status,
            &AWARD_STATUSES,
            table(|l| &l.award_status),
        );
        tally.currency(&mut award.value);
    }
    for contract in release
        .contracts
        .ok_mut()
        .into_iter()
        .flatten()
        .filter_map(J::ok_mut)
    {
        let statuses = table(|l| &l.contract_status);
        tally.code(
            CONTRACT_STATUS,
            &mut contract.status,
            &CONTRACT_STATUSES,
            statuses,
        );
        tally.currency(&mut contract.value);
    }
    if list.is_some_and(|l| l.awards.unsuccessful_disqualifies_bid) {
        disqualify_rejected_bids(release, &mut tally);
    }
}

/// For a publisher that rejects bidders through their awards: a bid still
/// open (valid, pending or without status) whose tenderer was refused an
/// award and holds no active or pending one becomes `disqualified`.
fn disqualify_rejected_bids(release: &mut Release<'_>, tally: &mut Tally<'_>) {
    let mut rejected = BTreeSet::new();
    let mut kept = BTreeSet::new();
    for award in release.awards.ok().into_iter().flatten().filter_map(J::ok) {
        let into = match award.status.ok().map(|s| s.as_ref()) {
            Some("unsuccessful") => &mut rejected,
            Some("active" | "pending") => &mut kept,
            _ => continue,
        };
        let suppliers = award.suppliers.ok().into_iter().flatten().filter_map(J::ok);
        into.extend(suppliers.filter_map(|s| s.key().ok()).map(Cow::into_owned));
    }
    rejected.retain(|supplier| !kept.contains(supplier));
    if rejected.is_empty() {
        return;
    }
    let Some(bids) = release.bids.ok_mut() else { return };
    for bid in bids.details.ok_mut().into_iter().flatten().filter_map(J::ok_mut) {
        let from = match &bid.status {
            J::Absent => "(no status)",
            J::Ok(status) if matches!(status.as_ref(), "valid" | "pending") => status.as_ref(),
            _ => continue,
        };
        let refused = bid
            .tenderers
            .ok()
            .into_iter()
            .flatten()
            .filter_map(J::ok)
            .any(|t| t.key().is_ok_and(|key| rejected.contains(key.as_ref())));
        if refused {
            tally.mapped(BID_STATUS_FROM_AWARDS, from, "disqualified");
            bid.status = J::Ok(Cow::Borrowed("disqualified"));
            bid.disqualified_by_award = true;
        }
    }
}

/// A missing `procurementMethod` taken from the free-text details, when the
/// code list knows them.
fn method_from_details<'a>(tally: &mut Tally<'_>, method: &mut J<Str<'a>>, details: &J<Str<'a>>) {
    let J::Ok(text) = details else { return };
    let mapped = tally
        .list
        .and_then(|l| l.procurement_method_details.get(text.as_ref()))
        .and_then(|to| PROCUREMENT_METHODS.iter().find(|m| **m == to));
    match mapped {
        Some(code) => {
            tally.mapped(METHOD_DETAILS, text, code);
            *method = J::Ok(Cow::Borrowed(code));
        }
        None => tally.coverage.code_unknown(METHOD_DETAILS, text),
    }
}

struct Tally<'c> {
    list: Option<&'c CodeList>,
    coverage: &'c mut Coverage,
}

impl Tally<'_> {
    fn mapped(&mut self, field: &str, from: &str, to: &str) {
        let list = self.list.map_or("", |l| l.codelist.id.as_str());
        self.coverage
            .code_mapped(field, format!("{from} → {to} ({list})"));
    }

    fn code(
        &mut self,
        field: &str,
        value: &mut J<Str<'_>>,
        ocds: &'static [&'static str],
        table: Option<&BTreeMap<String, String>>,
    ) {
        match value {
            J::Absent => {}
            J::Wrong(kind) => self.coverage.code_unknown(field, &format!("({kind})")),
            J::Ok(code) if ocds.contains(&code.as_ref()) => {}
            J::Ok(code) => {
                let target = table
                    .and_then(|t| t.get(code.as_ref()))
                    .and_then(|to| ocds.iter().find(|c| **c == to));
                match target {
                    Some(to) => {
                        self.mapped(field, code, to);
                        *value = J::Ok(Cow::Borrowed(to));
                    }
                    None => self.coverage.code_unknown(field, code),
                }
            }
        }
    }

    fn currency(&mut self, money: &mut J<Money<'_>>) {
        let Some(money) = money.ok_mut() else { return };
        match &money.currency {
            J::Ok(code) if mandate_model::Currency::is_iso_4217(code) => {}
            J::Ok(code) => match self.list.and_then(|l| l.currency.get(code.as_ref())) {
                Some(to) => {
                    self.mapped(CURRENCY, code, to);
                    money.currency = J::Ok(Cow::Owned(to.clone()));
                }
                None => self.coverage.code_unknown(CURRENCY, code),
            },
            J::Wrong(kind) => self.coverage.code_unknown(CURRENCY, &format!("({kind})")),
            J::Absent => {}
        }
    }
}

/// Why a code an indicator needs cannot be used: not OCDS, not mapped.
pub(crate) fn unknown_code(field: &str, code: &str) -> String {
    format!("{field} `{code}` is not an OCDS code (no code list maps it)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn armenia() -> CodeList {
        mandate_rules::parse_codelist(
            std::path::Path::new("am.toml"),
            r#"
[codelist]
id = "am"
publisher = "Armenia"
ocid_prefixes = ["AM-"]
[bid_status]
qualified = "valid"
[procurement_method_details]
"Open procedure" = "open"
[currency]
mdl = "MDL"
"#,
        )
        .unwrap()
    }

    #[test]
    fn maps_known_codes_and_counts_the_rest() {
        let value = json!({
            "tender": {"procurementMethodDetails": "Open procedure", "status": "Evaluare"},
            "bids": {"details": [
                {"status": "qualified", "value": {"amount": 1, "currency": "mdl"}},
                {"status": "valid"},
                {"status": "hmm"},
                {"status": 3}
            ]}
        });
        let mut release = Release::from_value(&value);
        let mut coverage = Coverage::default();
        normalize(&mut release, Some(&armenia()), &mut coverage);
        let tender = release.tender.ok().unwrap();
        assert_eq!(tender.procurement_method.ok().map(|m| m.as_ref()), Some("open"));
        let bids = release.bids.ok().unwrap().details.ok().unwrap();
        let first = bids[0].ok().unwrap();
        assert_eq!(first.status.ok().map(|s| s.as_ref()), Some("valid"));
        assert_eq!(
            first.value.ok().unwrap().currency.ok().map(|c| c.as_ref()),
            Some("MDL")
        );

        let status = &coverage.codes[BID_STATUS];
        assert_eq!(
            status.mapped,
            BTreeMap::from([("qualified → valid (am)".to_string(), 1)])
        );
        assert_eq!(
            status.unknown,
            BTreeMap::from([("hmm".to_string(), 1), ("(a number)".to_string(), 1)])
        );
        assert_eq!(coverage.codes[TENDER_STATUS].unknown["Evaluare"], 1);
        assert_eq!(
            coverage.codes[METHOD_DETAILS].mapped["Open procedure → open (am)"],
            1
        );
        assert_eq!(coverage.codes[CURRENCY].mapped["mdl → MDL (am)"], 1);
    }

    /// ProZorro's qualification, as in UA-2017-04-12-001619-b (shipped in
    /// data/ocds/ukraine): the cheapest bidder's award was `unsuccessful`,
    /// the next one's `active`, and every bid stayed `active`.
    #[test]
    fn an_unsuccessful_award_disqualifies_its_tenderers_bid() {
        let list = mandate_rules::parse_codelist(
            std::path::Path::new("ua.toml"),
            r#"
[codelist]
id = "ua"
publisher = "ProZorro"
ocid_prefixes = ["ocds-be6bcu-"]
[bid_status]
active = "valid"
[awards]
unsuccessful_disqualifies_bid = true
"#,
        )
        .unwrap();
        let org = |edr: &str| json!({"identifier": {"scheme": "UA-EDR", "id": edr}});
        let value = json!({
            "bids": {"details": [
                {"status": "active", "tenderers": [org("20831737")]},
                {"status": "active", "tenderers": [org("2840014563")]},
                {"status": "active", "tenderers": [org("2304707963")]},
                {"tenderers": [org("111")]},
                {"status": "withdrawn", "tenderers": [org("222")]},
                {"status": "active", "tenderers": [org("333")]}
            ]},
            "awards": [
                {"status": "unsuccessful", "suppliers": [{"id": "UA-EDR-2840014563"}]},
                {"status": "active", "suppliers": [{"id": "UA-EDR-2304707963"}]},
                {"status": "unsuccessful", "suppliers": [{"id": "UA-EDR-111"}, {"id": "UA-EDR-222"}]},
                {"status": "unsuccessful", "suppliers": [{"id": "UA-EDR-333"}]},
                {"status": "pending", "suppliers": [{"id": "UA-EDR-333"}]}
            ]
        });
        let statuses = |list: Option<&CodeList>| {
            let mut release = Release::from_value(&value);
            let mut coverage = Coverage::default();
            normalize(&mut release, list, &mut coverage);
            let bids = release.bids.ok().unwrap().details.ok().unwrap();
            let statuses: Vec<(Option<String>, bool)> = bids
                .iter()
                .map(|b| b.ok().unwrap())
                .map(|b| (b.status.ok().map(|s| s.to_string()), b.disqualified_by_award))
                .collect();
            (statuses, coverage)
        };
        let (got, coverage) = statuses(Some(&list));
        let expected = [
            ("valid", false),
            ("disqualified", true),
            ("valid", false),
            ("disqualified", true),
            ("withdrawn", false),
            ("valid", false),
        ];
        assert_eq!(got, expected.map(|(s, by)| (Some(s.to_string()), by)));
        assert_eq!(
            coverage.codes[BID_STATUS_FROM_AWARDS].mapped,
            BTreeMap::from([
                ("valid → disqualified (ua)".to_string(), 1),
                ("(no status) → disqualified (ua)".to_string(), 1)
            ])
        );

        // Without the setting the awards leave the bids alone.
        let (got, _) = statuses(None);
        assert_eq!(got[1], (Some("active".to_string()), false));
        assert_eq!(got[3], (None, false));
    }
}
