//! The rule-pack format. Field docs here are the format's reference; the
//! shipped packs under `packs/` show every field in use.

use std::collections::{BTreeMap, BTreeSet};

use mandate_model::{LegalBasis, Severity};
use serde::Deserialize;

pub use crate::calendar::Calendar;
pub use crate::mandate::{
    DefaultDeny, Delegation, Duty, Matter, MeetingRule, PersonalMatters, Power, Prohibition, Recusal, Scope,
};
pub use crate::org::{Company, Organisation, Person, Position, PositionKind, Relation};

/// One rule pack file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub pack: PackInfo,
    #[serde(default, rename = "procedure")]
    pub procedures: Vec<Procedure>,
    #[serde(default, rename = "indicator")]
    pub indicators: Vec<Indicator>,
    #[serde(default, rename = "calendar")]
    pub calendars: Vec<Calendar>,
    #[serde(default, rename = "organisation")]
    pub organisations: Vec<Organisation>,
    #[serde(default, rename = "position")]
    pub positions: Vec<Position>,
    #[serde(default, rename = "person")]
    pub people: Vec<Person>,
    #[serde(default, rename = "relation")]
    pub relations: Vec<Relation>,
    #[serde(default, rename = "company")]
    pub companies: Vec<Company>,
    #[serde(default, rename = "power")]
    pub powers: Vec<Power>,
    #[serde(default, rename = "delegation")]
    pub delegations: Vec<Delegation>,
    #[serde(default, rename = "prohibition")]
    pub prohibitions: Vec<Prohibition>,
    #[serde(default, rename = "meeting_rule")]
    pub meeting_rules: Vec<MeetingRule>,
    #[serde(default, rename = "duty")]
    pub duties: Vec<Duty>,
    #[serde(default)]
    pub default_deny: Option<DefaultDeny>,
    #[serde(default)]
    pub recusal: Option<Recusal>,
    #[serde(default)]
    pub personal_matters: Option<PersonalMatters>,
}

/// Who wrote the pack, for which jurisdiction, and which version it is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackInfo {
    /// Short id, quoted in every finding: `bpi2020-travel-expenses`.
    pub id: String,
    pub title: String,
    /// Bump on every change, so findings can be traced to the rules that made them.
    pub version: String,
    pub jurisdiction: String,
    #[serde(default)]
    pub description: String,
}

/// A procedure template: the stages of one kind of administrative process and
/// the rules every case must follow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    pub id: String,
    pub title: String,
    /// Process names (XES log `concept:name`) whose cases follow this procedure.
    pub processes: Vec<String>,
    /// Stages in their expected order.
    #[serde(rename = "stage")]
    pub stages: Vec<Stage>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<ProcedureRule>,
}

/// A stage: the activities that record it and who may perform it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub id: String,
    pub title: String,
    /// Activity names (exact match) that count as this stage.
    pub activities: Vec<String>,
    /// Roles allowed to perform the stage; empty means the pack does not restrict it.
    #[serde(default)]
    pub performed_by: Vec<String>,
}

/// What every rule carries, whatever its kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleCommon {
    /// Globally unique id, quoted in findings: `bpi.payment-after-final-approval`.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub legal_basis: LegalBasis,
}

/// A rule binding the stages of a procedure.
#[derive(Debug, Clone, Deserialize)]
pub struct ProcedureRule {
    #[serde(flatten)]
    pub common: RuleCommon,
    #[serde(flatten)]
    pub kind: RuleKind,
}

/// The kinds of procedure rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleKind {
    /// Every occurrence of one of `stages` must come after some occurrence of
    /// `requires` (same time counts as after). Catches both a missing stage
    /// and one done too late.
    Precedence {
        stages: Vec<String>,
        requires: String,
        /// `day` when a stage is recorded by date only (a trip "starts" at
        /// 00:00): then the same day counts as after, so no finding rests on
        /// a time the record does not really have.
        #[serde(default)]
        granularity: Granularity,
    },
    /// `stage` must happen within `within_days` of the start.
    Deadline {
        start: DeadlineStart,
        /// The stage that must come in time; absent means every event of the
        /// case (for deadlines on the whole case, e.g. a decision period).
        #[serde(default)]
        stage: Option<String>,
        /// The time allowed, in days (counted as `days` says) ...
        #[serde(default)]
        within_days: Option<u32>,
        /// ... or in calendar months; give exactly one of the two.
        #[serde(default)]
        within_months: Option<u32>,
        #[serde(default)]
        days: DayCount,
        /// The calendar that says which days are working days (see `[[calendar]]`).
        #[serde(default)]
        calendar: Option<String>,
    },
    /// Only the stage's `performed_by` roles may perform it.
    Performer { stage: String },
    /// No one person may perform more than one of `stages` in a case (the
    /// one who prepares does not approve; the one who approves does not pay).
    SeparationOfDuties { stages: Vec<String> },
    /// `stage` happens at most once in a case: a payment, an award or a
    /// decision made twice is a finding.
    Once { stage: String },
    /// The time from the first `from` to the first `to` must be at least
    /// `min_days` (a public comment period) and at most `max_days`.
    Duration {
        from: String,
        to: String,
        #[serde(default)]
        min_days: Option<u32>,
        #[serde(default)]
        max_days: Option<u32>,
        #[serde(default)]
        days: DayCount,
        /// The calendar that says which days are working days (see `[[calendar]]`).
        #[serde(default)]
        calendar: Option<String>,
    },
    /// `stage` is decided by a meeting (the event's `meeting` attribute, see
    /// `mandate_model::Meeting`) that must meet `meeting_rule`.
    CollectiveDecision { stage: String, meeting_rule: String },
}

/// A share of a body's members, as an exact fraction: `{ at_least = "2/3" }`
/// or `{ more_than = "1/2" }`. Fractions avoid any rounding question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Share {
    AtLeast(Fraction),
    MoreThan(Fraction),
}

/// `numerator/denominator`, written as a string: `"2/3"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    pub numerator: u32,
    pub denominator: u32,
}

impl std::str::FromStr for Fraction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a fraction such as \"2/3\"");
        let (n, d) = s.split_once('/').ok_or_else(bad)?;
        let numerator: u32 = n.trim().parse().map_err(|_| bad())?;
        let denominator: u32 = d.trim().parse().map_err(|_| bad())?;
        if denominator == 0 || numerator > denominator {
            return Err(format!("`{s}` must be a fraction between 0 and 1"));
        }
        Ok(Fraction {
            numerator,
            denominator,
        })
    }
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Display for Fraction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

impl Share {
    /// Whether `count` out of `total` meets the share, in integers.
    pub fn is_met(&self, count: usize, total: usize) -> bool {
        let (c, t) = (count as u64, total as u64);
        match *self {
            Share::AtLeast(f) => c * u64::from(f.denominator) >= t * u64::from(f.numerator),
            Share::MoreThan(f) => c * u64::from(f.denominator) > t * u64::from(f.numerator),
        }
    }
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Share::AtLeast(x) => write!(f, "at least {x}"),
            Share::MoreThan(x) => write!(f, "more than {x}"),
        }
    }
}

/// How precisely two events are compared in time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Exact timestamps.
    #[default]
    Instant,
    /// Calendar dates (in each event's own offset).
    Day,
}

/// Where a deadline's clock starts.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DeadlineStart {
    /// The first occurrence of a stage.
    Stage(String),
    /// A date attribute of the case, as recorded by the body itself (a
    /// deadline it computed, a date of receipt).
    CaseAttribute(String),
}

/// How days are counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Elapsed time, 24 hours a day.
    #[default]
    Calendar,
    /// Working days: Monday to Friday, or as the rule's `calendar` says
    /// (public holidays off, adjusted working days on).
    Working,
}

/// A procurement red-flag indicator and its settings. The filters here
/// apply to every kind; what they exclude is counted as "not applicable"
/// with its reason, never dropped silently (except `ocid_prefixes`, which
/// binds a rule to another publisher's data).
#[derive(Debug, Clone, Deserialize)]
pub struct Indicator {
    #[serde(flatten)]
    pub common: RuleCommon,
    /// Only contracting processes whose `ocid` starts with one of these
    /// prefixes (empty: all); binds a publisher's legal limits to its data.
    #[serde(default)]
    pub ocid_prefixes: Vec<String>,
    /// Only these `tender.procurementMethod` values, after code-list mapping (empty: all).
    #[serde(default)]
    pub procurement_methods: Vec<String>,
    /// Only these `tender.procurementMethodDetails` values (empty: all).
    #[serde(default)]
    pub procurement_method_details: Vec<String>,
    /// Never these `tender.procurementMethodDetails` values: procedures
    /// where the indicator is meaningless (prices fixed by the buyer, lotteries).
    #[serde(default)]
    pub excluded_procurement_method_details: Vec<String>,
    /// Processes whose `tender.status` is one of these are not screened: a
    /// cancelled procedure has no outcome to judge.
    #[serde(default = "default_excluded_tender_statuses")]
    pub excluded_tender_statuses: Vec<String>,
    #[serde(flatten)]
    pub kind: IndicatorKind,
}

fn default_excluded_tender_statuses() -> Vec<String> {
    vec!["cancelled".into()]
}

/// The kinds of indicator, each with its settings. `docs/indicators/` has a
/// page per kind with its definition and a worked example.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum IndicatorKind {
    /// Exactly one tenderer in a competitive procedure.
    SingleBid {
        /// Where the number of tenderers is read, first available wins.
        #[serde(default = "default_count_from")]
        count_from: Vec<TendererCount>,
    },
    /// The submission period (tender.tenderPeriod) was shorter than the minimum.
    ShortTenderPeriod {
        minimum_days: u32,
        #[serde(default)]
        days: DayCount,
        /// Count elapsed 24-hour periods between the two instants instead of
        /// calendar dates (calendar days only).
        #[serde(default)]
        whole_days: bool,
        /// A different minimum for some `tender.procurementMethodDetails` values.
        #[serde(default)]
        minimum_days_by_method_details: BTreeMap<String, u32>,
    },
    /// The second-lowest valid bid is unusually close to the winning bid.
    PriceCloseToWinningBid {
        /// Fixed lower fence; absent: Q1 - 1.5 IQR of all processes' differences.
        #[serde(default)]
        threshold: Option<f64>,
        #[serde(default = "default_minimum_sample")]
        minimum_sample: usize,
    },
    /// The winning bid is unusually far below the second-lowest valid bid.
    HeavilyDiscountedBid {
        /// Fixed upper fence; absent: Q3 + 1.5 IQR of all processes' differences.
        #[serde(default)]
        threshold: Option<f64>,
        #[serde(default = "default_minimum_sample")]
        minimum_sample: usize,
    },
    /// A tenderer among those who bid most often wins unusually rarely.
    ExcessiveUnsuccessfulBids {
        /// A top tenderer bids at least as often as this percentile of tenderers...
        #[serde(default = "default_percentile")]
        percentile: u32,
        /// ... and at least this often: a handful of lost bids is not excessive.
        #[serde(default = "five")]
        minimum_bids: usize,
        /// Fixed lower fence on the win ratio; absent: Q1 - 1.5 IQR.
        #[serde(default)]
        threshold: Option<f64>,
        #[serde(default = "default_minimum_sample")]
        minimum_sample: usize,
    },
    /// Different tenderers bid exactly the same price.
    IdenticalBidPrices {},
    /// A bid received after the deadline won.
    LateBidWon {},
    /// All bids but the winner's were disqualified.
    AllExceptWinnerDisqualified {
        /// At least this many other tenderers disqualified.
        #[serde(default = "one")]
        minimum_disqualified: usize,
    },
    /// The lowest bid was disqualified.
    LowestBidDisqualified {},
    /// An organisation's share of disqualified bids is unusually high.
    ExcessiveDisqualifiedBids {
        /// Fixed upper fence; absent: Q3 + 1.5 IQR per kind of organisation.
        #[serde(default)]
        threshold: Option<f64>,
        #[serde(default = "default_disqualification_roles")]
        per: Vec<OrganisationRole>,
        /// Buyers and procuring entities with fewer processes are not judged.
        #[serde(default = "two")]
        minimum_contracting_processes: usize,
        /// Tenderers with fewer submitted bids are not judged.
        #[serde(default = "two")]
        minimum_submitted_bids: usize,
        #[serde(default = "default_minimum_sample")]
        minimum_sample: usize,
    },
    /// A supplier wins items of unusually many classification divisions.
    HeterogeneousSupplier {
        /// Leading digits of `classification.id` that make a division.
        #[serde(default = "two")]
        digits: usize,
        /// Fixed upper fence; absent: Q3 + 1.5 IQR.
        #[serde(default)]
        threshold: Option<f64>,
        /// Suppliers awarded in fewer processes are not judged.
        #[serde(default = "twenty")]
        minimum_contracting_processes: usize,
        #[serde(default = "default_minimum_sample")]
        minimum_sample: usize,
    },
    /// A buyer's processes draw complaints unusually often.
    HighComplaintRate {
        /// Fixed upper fence on the share of processes with complaints; absent: Q3 + 1.5 IQR.
        #[serde(default)]
        threshold: Option<f64>,
        #[serde(default = "five")]
        minimum_contracting_processes: usize,
        #[serde(default = "default_minimum_sample")]
        minimum_sample: usize,
    },
    /// One supplier takes an unusually large share of a buyer's awarded value.
    SupplierConcentration {
        /// Fixed upper fence on the largest supplier's share; absent: Q3 + 1.5 IQR.
        #[serde(default)]
        threshold: Option<f64>,
        #[serde(default = "five")]
        minimum_contracting_processes: usize,
        #[serde(default = "default_minimum_sample")]
        minimum_sample: usize,
    },
    /// One supplier wins an unusually large share of a buyer's processes.
    RepeatSupplier {
        /// Fixed upper fence on the pair's share; absent: Q3 + 1.5 IQR.
        #[serde(default)]
        threshold: Option<f64>,
        #[serde(default = "five")]
        minimum_contracting_processes: usize,
        #[serde(default = "default_minimum_sample")]
        minimum_sample: usize,
    },
    /// The same group of tenderers meets again and again and every member gets a win.
    BidRotation {
        #[serde(default = "three")]
        minimum_contracting_processes: usize,
        #[serde(default = "two")]
        minimum_group_size: usize,
        #[serde(default = "ten")]
        maximum_group_size: usize,
    },
    /// Several purchases just under a tendering threshold, close in time, same buyer and supplier.
    SplitPurchases {
        /// The tendering threshold, in `currency`.
        threshold: f64,
        currency: String,
        /// "Just under": at least `threshold * (1 - margin)`.
        #[serde(default = "default_margin")]
        margin: f64,
        #[serde(default = "thirty")]
        window_days: u32,
        #[serde(default = "two")]
        minimum_count: usize,
    },
    /// A contract's value exceeds its award's by more than a share.
    ContractValueIncrease {
        /// 0.5 means "more than 50 % above the awarded value".
        maximum_increase: f64,
    },
    /// The winner was registered shortly before the tender opened.
    NewSupplier {
        minimum_days: u32,
        /// The member of `parties[].details` that holds the registration date.
        #[serde(default = "default_registration_field")]
        registration_date_field: String,
    },
    /// A direct award at or above the threshold that requires competition.
    DirectAwardAboveThreshold {
        threshold: f64,
        currency: String,
        /// Procurement methods (after mapping) that count as direct awards.
        #[serde(default = "default_direct_methods")]
        methods: Vec<String>,
        /// A different threshold per `tender.mainProcurementCategory` (e.g. works).
        #[serde(default)]
        threshold_by_category: BTreeMap<String, f64>,
    },
}

/// Where `single_bid` reads the number of tenderers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TendererCount {
    /// Distinct tenderers of the submitted bids in `bids.details`.
    Bids,
    /// `tender.numberOfTenderers` as published.
    NumberOfTenderers,
}

/// The organisations an aggregate indicator can judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationRole {
    Buyer,
    ProcuringEntity,
    Tenderer,
}

impl OrganisationRole {
    /// The subject kind in findings (`buyer`, `procuring_entity`, `tenderer`).
    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationRole::Buyer => "buyer",
            OrganisationRole::ProcuringEntity => "procuring_entity",
            OrganisationRole::Tenderer => "tenderer",
        }
    }
}

fn default_count_from() -> Vec<TendererCount> {
    vec![TendererCount::Bids, TendererCount::NumberOfTenderers]
}

fn default_disqualification_roles() -> Vec<OrganisationRole> {
    vec![
        OrganisationRole::Buyer,
        OrganisationRole::ProcuringEntity,
        OrganisationRole::Tenderer,
    ]
}

fn default_direct_methods() -> Vec<String> {
    vec!["direct".into()]
}

fn default_registration_field() -> String {
    "registrationDate".into()
}

/// Fences from fewer values than this are noise: no verdicts then.
fn default_minimum_sample() -> usize {
    10
}

fn default_percentile() -> u32 {
    75
}

fn default_margin() -> f64 {
    0.2
}

fn one() -> usize {
    1
}

fn two() -> usize {
    2
}

fn three() -> usize {
    3
}

fn five() -> usize {
    5
}

fn ten() -> usize {
    10
}

fn twenty() -> usize {
    20
}

fn thirty() -> u32 {
    30
}

impl Procedure {
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// Every stage id a rule names, to check they all exist.
    pub(crate) fn referenced_stages(rule: &RuleKind) -> BTreeSet<&str> {
        let mut ids = BTreeSet::new();
        match rule {
            RuleKind::Precedence { stages, requires, .. } => {
                ids.extend(stages.iter().map(String::as_str));
                ids.insert(requires.as_str());
            }
            RuleKind::Deadline { start, stage, .. } => {
                if let DeadlineStart::Stage(s) = start {
                    ids.insert(s.as_str());
                }
                if let Some(s) = stage {
                    ids.insert(s.as_str());
                }
            }
            RuleKind::Performer { stage }
            | RuleKind::Once { stage }
            | RuleKind::CollectiveDecision { stage, .. } => {
                ids.insert(stage.as_str());
            }
            RuleKind::SeparationOfDuties { stages } => ids.extend(stages.iter().map(String::as_str)),
            RuleKind::Duration { from, to, .. } => {
                ids.insert(from.as_str());
                ids.insert(to.as_str());
            }
        }
        ids
    }
}
