//! Publisher code lists: how one publisher's codes map onto the OCDS code
//! lists. Many publishers write `qualified` for a valid bid, or the
//! procedure's name in their own language instead of `open`; without a
//! mapping, an indicator would skip those fields and stay silent.

use std::collections::BTreeMap;

use serde::Deserialize;

/// OCDS 1.1 `bidStatus` (bid extension).
pub const BID_STATUSES: [&str; 5] = ["invited", "pending", "valid", "disqualified", "withdrawn"];
/// OCDS 1.1 `awardStatus`.
pub const AWARD_STATUSES: [&str; 4] = ["pending", "active", "cancelled", "unsuccessful"];
/// OCDS 1.1 `contractStatus`.
pub const CONTRACT_STATUSES: [&str; 4] = ["pending", "active", "cancelled", "terminated"];
/// OCDS 1.1 `tenderStatus` (with 1.0's `planned`).
pub const TENDER_STATUSES: [&str; 7] = [
    "planning",
    "planned",
    "active",
    "cancelled",
    "unsuccessful",
    "complete",
    "withdrawn",
];
/// OCDS 1.1 `method`.
pub const PROCUREMENT_METHODS: [&str; 4] = ["open", "selective", "limited", "direct"];

/// One publisher's code list file (`packs/codelists/<publisher>.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeList {
    pub codelist: CodeListInfo,
    /// `bids.details[].status` values → OCDS bid status.
    #[serde(default)]
    pub bid_status: BTreeMap<String, String>,
    /// `awards[].status` values → OCDS award status.
    #[serde(default)]
    pub award_status: BTreeMap<String, String>,
    /// `contracts[].status` values → OCDS contract status.
    #[serde(default)]
    pub contract_status: BTreeMap<String, String>,
    /// `tender.status` values → OCDS tender status.
    #[serde(default)]
    pub tender_status: BTreeMap<String, String>,
    /// `tender.procurementMethod` values outside the code list → OCDS method.
    #[serde(default)]
    pub procurement_method: BTreeMap<String, String>,
    /// `tender.procurementMethodDetails` → OCDS method, used when
    /// `tender.procurementMethod` is missing.
    #[serde(default)]
    pub procurement_method_details: BTreeMap<String, String>,
    /// Currency codes outside ISO 4217 (`mdl`) → ISO 4217 (`MDL`).
    #[serde(default)]
    pub currency: BTreeMap<String, String>,
    /// Where the publisher records in awards what OCDS records in bids.
    #[serde(default)]
    pub awards: AwardConventions,
}

/// How a publisher's awards carry information OCDS expects elsewhere.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwardConventions {
    /// The publisher rejects a bidder by an `unsuccessful` award to it and
    /// leaves the bid's own status `active` (ProZorro's qualification). Such
    /// a bid is read as `disqualified`, unless its tenderer also holds an
    /// active or pending award in the process; without this, every
    /// disqualification indicator would stay silent for the publisher.
    #[serde(default)]
    pub unsuccessful_disqualifies_bid: bool,
}

/// Whose codes these are and how the mapping was established.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeListInfo {
    /// Short id, quoted in coverage: `armenia`.
    pub id: String,
    pub publisher: String,
    /// The publisher's `ocid` prefixes: the list applies to these processes only.
    pub ocid_prefixes: Vec<String>,
    /// Where the meaning of each code was found (publisher documentation, law).
    #[serde(default)]
    pub source: String,
}

impl CodeList {
    /// Every mapping table with the OCDS codes its targets must belong to.
    pub(crate) fn tables(&self) -> [(&'static str, &BTreeMap<String, String>, &'static [&'static str]); 6] {
        [
            ("bid_status", &self.bid_status, &BID_STATUSES),
            ("award_status", &self.award_status, &AWARD_STATUSES),
            ("contract_status", &self.contract_status, &CONTRACT_STATUSES),
            ("tender_status", &self.tender_status, &TENDER_STATUSES),
            (
                "procurement_method",
                &self.procurement_method,
                &PROCUREMENT_METHODS,
            ),
            (
                "procurement_method_details",
                &self.procurement_method_details,
                &PROCUREMENT_METHODS,
            ),
        ]
    }

    /// Whether this list applies to a process.
    pub fn covers(&self, ocid: &str) -> bool {
        self.codelist
            .ocid_prefixes
            .iter()
            .any(|p| ocid.starts_with(p.as_str()))
    }
}
