//! One contracting process as the indicators see it: its typed, normalised
//! compiled release, plus the questions several indicators ask of it
//! (which bids were submitted, which awards are final...). Each answer is a
//! value or the reason it cannot be given, phrased for coverage.

use std::borrow::Cow;
use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate};
use mandate_model::Evidence;

use super::codes::{unknown_code, AWARD_STATUS, BID_STATUS};
use super::lenient::{Str, J};
use super::model::{items, Award, Bid, Money, Org, Release, Tender};

/// What a process looks like to an indicator.
pub(crate) struct Process<'a> {
    pub ocid: &'a str,
    pub release: &'a Release<'a>,
    /// The file the process was read from, for coverage per source.
    pub source: Option<&'a str>,
    /// The records that make the process: evidence for any finding.
    pub evidence: &'a dyn Fn() -> Vec<Evidence>,
}

/// A bid's status in OCDS terms; `Unstated` when the publisher gives none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BidStatus {
    Invited,
    Pending,
    Valid,
    Disqualified,
    Withdrawn,
    Unstated,
}

impl BidStatus {
    /// Submitted bids: pending, valid or disqualified, and bids listed
    /// without a status (a publisher lists the bids it received).
    pub(crate) fn submitted(self) -> bool {
        !matches!(self, BidStatus::Invited | BidStatus::Withdrawn)
    }
}

/// An award's status in OCDS terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AwardStatus {
    Pending,
    Active,
    Cancelled,
    Unsuccessful,
    Unstated,
}

/// An amount with its currency.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Amount<'a> {
    pub value: f64,
    pub currency: &'a str,
}

impl<'a> Process<'a> {
    pub(crate) fn tender(&self) -> Option<&Tender<'a>> {
        self.release.tender.ok()
    }

    /// `tender.procurementMethod` after code-list mapping.
    pub(crate) fn method(&self) -> &J<Str<'a>> {
        self.tender().map_or(&J::Absent, |t| &t.procurement_method)
    }

    pub(crate) fn method_details(&self) -> Option<&str> {
        self.tender()
            .and_then(|t| t.procurement_method_details.ok())
            .map(|d| d.as_ref())
    }

    pub(crate) fn tender_status(&self) -> Option<&str> {
        self.tender().and_then(|t| t.status.ok()).map(|s| s.as_ref())
    }

    /// The buyer's id, or why there is none.
    pub(crate) fn buyer_id(&self) -> Result<Cow<'_, str>, String> {
        org_id(&self.release.buyer, "buyer")
    }

    pub(crate) fn procuring_entity_id(&self) -> Result<Cow<'_, str>, String> {
        let entity = self.tender().map_or(&J::Absent, |t| &t.procuring_entity);
        org_id(entity, "tender.procuringEntity")
    }

    /// The buyer's name, as published.
    pub(crate) fn buyer_name(&self) -> Option<&str> {
        self.release.buyer.ok()?.name.ok().map(|n| n.as_ref())
    }

    /// The buyer's id and the active awards, at least one: where the
    /// indicators that weigh what a buyer awards start.
    pub(crate) fn buyer_and_active_awards(&self) -> Result<(Cow<'_, str>, Vec<&Award<'a>>), String> {
        let buyer = self.buyer_id()?;
        let active = self.active_awards()?;
        if active.is_empty() {
            return Err("no active award".into());
        }
        Ok((buyer, active))
    }

    /// "buyer: City of X" for a finding's `involved`.
    pub(crate) fn buyer_label(&self) -> Option<String> {
        let buyer = self.release.buyer.ok()?;
        buyer.name.ok().map(|name| format!("buyer: {name}"))
    }

    /// When the process happened, for findings: the tender's start, else the
    /// release date, whichever is a date (a finding is never dated "yesterday").
    pub(crate) fn date(&self) -> Option<String> {
        let start = self
            .tender()
            .and_then(|t| t.tender_period.ok())
            .and_then(|p| p.start_date.ok());
        [start, self.release.date.ok()]
            .into_iter()
            .flatten()
            .find(|d| calendar_date(d).is_some())
            .map(|d| d.to_string())
    }

    /// `bids.details`, every entry an object.
    pub(crate) fn bids(&self) -> Result<Vec<&Bid<'a>>, String> {
        let bids = self.release.bids.require("bids")?;
        let details = bids.details.require("bids.details")?;
        details
            .iter()
            .enumerate()
            .map(|(i, bid)| match bid {
                J::Ok(bid) => Ok(bid),
                J::Absent => Err(format!("bids.details[{i}] is null")),
                J::Wrong(kind) => Err(format!("bids.details[{i}] is {kind}")),
            })
            .collect()
    }

    /// `awards`, every entry an object.
    pub(crate) fn awards(&self) -> Result<Vec<&Award<'a>>, String> {
        let awards = self.release.awards.require("awards")?;
        awards
            .iter()
            .enumerate()
            .map(|(i, award)| match award {
                J::Ok(award) => Ok(award),
                J::Absent => Err(format!("awards[{i}] is null")),
                J::Wrong(kind) => Err(format!("awards[{i}] is {kind}")),
            })
            .collect()
    }

    /// The awards in force (status `active`); an award whose status is not
    /// an OCDS code makes the answer unknowable.
    pub(crate) fn active_awards(&self) -> Result<Vec<&Award<'a>>, String> {
        let mut active = Vec::new();
        for award in self.awards()? {
            if award_status(award)? == AwardStatus::Active {
                active.push(award);
            }
        }
        Ok(active)
    }

    /// [`Self::active_awards`], not applicable when there is none.
    pub(crate) fn some_active_awards(&self) -> Result<Vec<&Award<'a>>, String> {
        let active = self.active_awards()?;
        if active.is_empty() {
            return Err("no active award".into());
        }
        Ok(active)
    }

    /// The active awards, provided every award with a status is final
    /// (active, cancelled or unsuccessful): a pending award may still change.
    pub(crate) fn final_active_awards(&self) -> Result<Vec<&Award<'a>>, String> {
        let mut active = Vec::new();
        for award in self.awards()? {
            match award_status(award)? {
                AwardStatus::Active => active.push(award),
                AwardStatus::Pending => return Err("an award is still pending".into()),
                AwardStatus::Cancelled | AwardStatus::Unsuccessful | AwardStatus::Unstated => {}
            }
        }
        Ok(active)
    }

    /// The first party with this id.
    pub(crate) fn party(&self, id: &str) -> Option<&super::model::Party<'a>> {
        items(&self.release.parties).find(|p| p.id.ok().is_some_and(|pid| pid.0 == id))
    }
}

/// Ids of the suppliers of the given awards (see [`Org::key`]).
pub(crate) fn supplier_ids<'r>(awards: &[&'r Award<'_>]) -> BTreeSet<Cow<'r, str>> {
    awards
        .iter()
        .flat_map(|a| items(&a.suppliers))
        .filter_map(|s| s.key().ok())
        .collect()
}

/// The one supplier of an award, by id: an award to several suppliers (or
/// to none with an id) cannot be attributed to one.
pub(crate) fn sole_supplier<'r>(award: &'r Award<'_>) -> Result<Cow<'r, str>, String> {
    let suppliers = items(&award.suppliers).count();
    match supplier_ids(&[award]).into_iter().next() {
        Some(id) if suppliers == 1 => Ok(id),
        _ => Err(format!(
            "an active award has {suppliers} suppliers with ids, so its value cannot be attributed"
        )),
    }
}

/// The status of a bid, or why it is unusable.
pub(crate) fn bid_status(bid: &Bid<'_>) -> Result<BidStatus, String> {
    match &bid.status {
        J::Absent => Ok(BidStatus::Unstated),
        J::Wrong(kind) => Err(format!("{BID_STATUS} is {kind}")),
        J::Ok(code) => match code.as_ref() {
            "invited" => Ok(BidStatus::Invited),
            "pending" => Ok(BidStatus::Pending),
            "valid" => Ok(BidStatus::Valid),
            "disqualified" => Ok(BidStatus::Disqualified),
            "withdrawn" => Ok(BidStatus::Withdrawn),
            other => Err(unknown_code(BID_STATUS, other)),
        },
    }
}

/// The status of an award, or why it is unusable.
pub(crate) fn award_status(award: &Award<'_>) -> Result<AwardStatus, String> {
    match &award.status {
        J::Absent => Ok(AwardStatus::Unstated),
        J::Wrong(kind) => Err(format!("{AWARD_STATUS} is {kind}")),
        J::Ok(code) => match code.as_ref() {
            "pending" => Ok(AwardStatus::Pending),
            "active" => Ok(AwardStatus::Active),
            "cancelled" => Ok(AwardStatus::Cancelled),
            "unsuccessful" => Ok(AwardStatus::Unsuccessful),
            other => Err(unknown_code(AWARD_STATUS, other)),
        },
    }
}

/// Distinct tenderer ids of a bid (see [`Org::key`]; tenderers without
/// an id are left out). `tenderers` of the wrong type, or a tenderer that
/// is not an object, makes the tenderers unknowable: not applicable.
pub(crate) fn tenderer_ids<'r>(bid: &'r Bid<'_>) -> Result<BTreeSet<Cow<'r, str>>, String> {
    let tenderers = match &bid.tenderers {
        J::Absent => return Ok(BTreeSet::new()),
        J::Wrong(kind) => return Err(format!("bids.details[].tenderers is {kind}")),
        J::Ok(tenderers) => tenderers,
    };
    let mut ids = BTreeSet::new();
    for tenderer in tenderers {
        match tenderer {
            J::Ok(t) => ids.extend(t.key().ok()),
            J::Absent => {}
            J::Wrong(kind) => return Err(format!("bids.details[].tenderers[] is {kind}")),
        }
    }
    Ok(ids)
}

/// An organisation reference's id (see [`Org::key`]).
pub(crate) fn org_id<'r>(org: &'r J<Org<'_>>, field: &str) -> Result<Cow<'r, str>, String> {
    match org.require(field)?.key() {
        Ok(id) => Ok(id),
        Err("missing") => Err(format!("no {field}.id")),
        Err(kind) => Err(format!("{field}.id is {kind}")),
    }
}

/// An amount and currency, or why there is none; `field` names it in messages.
pub(crate) fn amount<'r>(money: &'r J<Money<'_>>, field: &str) -> Result<Amount<'r>, String> {
    let money = money.require(field)?;
    let value = money.amount.require_with(|| format!("{field}.amount"))?.0;
    let currency = money.currency.require_with(|| format!("{field}.currency"))?;
    if !value.is_finite() {
        return Err(format!("{field}.amount is not a finite number"));
    }
    // Bids, awards and contracts cannot be worth less than nothing; a
    // negative amount is a data error, not the lowest price.
    if value < 0.0 {
        return Err(format!("{field}.amount is negative ({value})"));
    }
    Ok(Amount {
        value,
        currency: currency.as_ref(),
    })
}

/// An RFC 3339 instant.
pub(crate) fn instant(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok()
}

/// The calendar date of an RFC 3339 instant (in its own offset) or of a plain date.
pub(crate) fn calendar_date(text: &str) -> Option<NaiveDate> {
    instant(text)
        .map(|t| t.date_naive())
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
}
