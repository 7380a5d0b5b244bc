//! The rule-pack format. Field docs here are the format's reference; the
//! shipped packs under `packs/` show every field in use.

use std::collections::BTreeSet;

use mandate_model::{LegalBasis, Severity};
use serde::Deserialize;

/// One rule pack file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub pack: PackInfo,
    #[serde(default, rename = "procedure")]
    pub procedures: Vec<Procedure>,
    #[serde(default, rename = "indicator")]
    pub indicators: Vec<Indicator>,
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
    },
    /// Only the stage's `performed_by` roles may perform it.
    Performer { stage: String },
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
    /// Monday to Friday only (public holidays are not yet modelled).
    Working,
}

/// A procurement red-flag indicator and its settings.
#[derive(Debug, Clone, Deserialize)]
pub struct Indicator {
    #[serde(flatten)]
    pub common: RuleCommon,
    /// Only contracting processes whose `ocid` starts with one of these
    /// prefixes (empty: all); binds a publisher's legal limits to its data.
    #[serde(default)]
    pub ocid_prefixes: Vec<String>,
    /// Only these `tender.procurementMethod` values (empty: all).
    #[serde(default)]
    pub procurement_methods: Vec<String>,
    #[serde(flatten)]
    pub kind: IndicatorKind,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum IndicatorKind {
    /// Exactly one bid was received in a competitive procedure.
    SingleBid,
    /// The submission period (tender.tenderPeriod) was shorter than the minimum.
    ShortTenderPeriod {
        minimum_days: u32,
        #[serde(default)]
        days: DayCount,
    },
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
            RuleKind::Performer { stage } => {
                ids.insert(stage.as_str());
            }
        }
        ids
    }
}
