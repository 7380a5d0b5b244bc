//! The mandate (权责清单): which position may decide which matters, up to
//! which sums and with which safeguards; what no position of a kind may do;
//! when an official must step aside. Anything no power grants is refused
//! (default deny).

use chrono::NaiveDate;
use mandate_model::{LegalBasis, Money, Severity};
use serde::Deserialize;

use crate::org::{date, Position, PositionKind};
use crate::pack::{Fraction, Share};

/// The kinds of matter a power covers. An act names one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Matter {
    /// Approving the spending of funds (财务审批).
    FundApproval,
    /// Appointing a cadre.
    Appointment,
    /// Removing or dismissing a cadre.
    Removal,
    /// Approving an investment or engineering project.
    ProjectApproval,
    /// Deciding a purchase or tender.
    Procurement,
    /// Signing a contract.
    Contract,
    /// Transferring land-use rights.
    LandTransfer,
    /// Granting an administrative licence.
    AdministrativeLicence,
    /// Imposing an administrative penalty.
    AdministrativePenalty,
    /// A major administrative decision (重大行政决策).
    MajorDecision,
}

impl Matter {
    pub const ALL: [Matter; 10] = [
        Matter::FundApproval,
        Matter::Appointment,
        Matter::Removal,
        Matter::ProjectApproval,
        Matter::Procurement,
        Matter::Contract,
        Matter::LandTransfer,
        Matter::AdministrativeLicence,
        Matter::AdministrativePenalty,
        Matter::MajorDecision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Matter::FundApproval => "fund_approval",
            Matter::Appointment => "appointment",
            Matter::Removal => "removal",
            Matter::ProjectApproval => "project_approval",
            Matter::Procurement => "procurement",
            Matter::Contract => "contract",
            Matter::LandTransfer => "land_transfer",
            Matter::AdministrativeLicence => "administrative_licence",
            Matter::AdministrativePenalty => "administrative_penalty",
            Matter::MajorDecision => "major_decision",
        }
    }

    pub fn parse(s: &str) -> Option<Matter> {
        Matter::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Powers, prohibitions and duties name the positions they concern by id
/// and by kind.
pub trait NamesPositions {
    fn position_ids(&self) -> &[String];
    fn kinds(&self) -> &[PositionKind];

    /// Whether `position` is named, by its id or its kind.
    fn concerns(&self, position: &Position) -> bool {
        self.position_ids().contains(&position.id) || self.kinds().contains(&position.kind)
    }
}

macro_rules! names_positions {
    ($($item:ty),*) => {$(
        impl NamesPositions for $item {
            fn position_ids(&self) -> &[String] {
                &self.positions
            }
            fn kinds(&self) -> &[PositionKind] {
                &self.position_kinds
            }
        }
    )*};
}
names_positions!(Power, Prohibition, Duty);

/// `[[power]]`: a matter a position may decide.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Power {
    /// Quoted in every decision this power makes: `city.finance.fund-approval`.
    pub id: String,
    pub title: String,
    /// The positions that hold the power (ids) ...
    #[serde(default)]
    pub positions: Vec<String>,
    /// ... and/or every position of these kinds.
    #[serde(default)]
    pub position_kinds: Vec<PositionKind>,
    pub matter: Matter,
    /// Whose matters: the holder's own organisation only, or also the
    /// organisations below it (the default).
    #[serde(default)]
    pub scope: Scope,
    /// The highest amount the power covers.
    #[serde(default)]
    pub limit: Option<Money>,
    /// Above this amount the matter must be decided collectively (a
    /// meeting in the act) ...
    #[serde(default)]
    pub collective_decision_above: Option<Money>,
    /// ... or always.
    #[serde(default)]
    pub collective_decision: bool,
    /// The `[[meeting_rule]]` a collective decision must meet (quorum,
    /// majority); required when a collective decision is.
    #[serde(default)]
    pub meeting_rule: Option<String>,
    /// Someone other than the actor must have reviewed the act.
    #[serde(default)]
    pub second_reviewer: bool,
    /// The holder decides alone: no other power may cover the same matter
    /// for the same organisations (a lint checks this).
    #[serde(default)]
    pub sole: bool,
    /// The procedure template acts under this power follow.
    #[serde(default)]
    pub procedure: Option<String>,
    pub legal_basis: LegalBasis,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Own,
    #[default]
    OwnAndSubordinate,
}

/// `[[delegation]]`: a power lent to another position for a period,
/// optionally with a lower limit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delegation {
    pub id: String,
    /// The power delegated (its holder keeps it).
    pub power: String,
    pub to_position: String,
    #[serde(deserialize_with = "date")]
    pub from: NaiveDate,
    #[serde(deserialize_with = "date")]
    pub until: NaiveDate,
    #[serde(default)]
    pub limit: Option<Money>,
    pub legal_basis: LegalBasis,
}

/// `[[prohibition]]`: matters that positions of some kinds (or named
/// positions) may never decide directly, whatever power they are given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prohibition {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    #[serde(default)]
    pub positions: Vec<String>,
    #[serde(default)]
    pub position_kinds: Vec<PositionKind>,
    pub matters: Vec<Matter>,
    pub legal_basis: LegalBasis,
}

/// `[recusal]`: who must step aside when a relative, or a company of
/// theirs, is the counterparty of an act.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recusal {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Spouses.
    #[serde(default)]
    pub spouse: bool,
    /// Parents, grandparents, children, grandchildren... (lineal kin, any generation).
    #[serde(default)]
    pub lineal: bool,
    /// Collateral kin whose common ancestor is within this many
    /// generations, counting oneself as the first: 3 covers siblings,
    /// first cousins, uncles, aunts, nephews and nieces.
    #[serde(default)]
    pub collateral_within_generations: u8,
    /// Close in-laws: the spouse's parents and siblings, children's and
    /// siblings' spouses.
    #[serde(default)]
    pub close_in_laws: bool,
    /// Also when the counterparty is a company the official or such a
    /// relative owns or directs.
    #[serde(default)]
    pub companies: bool,
    pub legal_basis: LegalBasis,
}

/// `[personal_matters]`: the yearly report officials make of their family,
/// income, property and investments, and how many are verified.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalMatters {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Yearly due date, `"03-31"`.
    pub due: String,
    /// Share of reporters drawn at random for verification each year.
    pub verification_share: Fraction,
    /// High-risk people are verified every year, on top of the draw.
    #[serde(default)]
    pub verify_all_high_risk: bool,
    pub legal_basis: LegalBasis,
}

/// `[[meeting_rule]]`: when a collective body's decision is valid: how many
/// members must attend, how many must vote in favour, and how the meeting
/// must be conducted.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingRule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Members present, as a share of all members: `{ at_least = "2/3" }`.
    pub quorum: Share,
    /// Votes in favour, as a share of all members (not only those present):
    /// `{ more_than = "1/2" }`.
    pub approval: Share,
    /// The chief speaks last, so as not to sway the others.
    #[serde(default)]
    pub chief_speaks_last: bool,
    /// Every vote against or abstention carries its reason.
    #[serde(default)]
    pub dissent_with_reasons: bool,
    pub legal_basis: LegalBasis,
}

/// `[[duty]]`: what positions must do (as opposed to what they may do):
/// supervise a portfolio, report personal matters, answer petitions.
/// Shown in the position's list; checked where a rule names it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duty {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub positions: Vec<String>,
    #[serde(default)]
    pub position_kinds: Vec<PositionKind>,
    pub legal_basis: LegalBasis,
}

/// `[default_deny]`: the principle that refuses an act no power grants,
/// quoted in those findings ("no power without a legal basis").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultDeny {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub legal_basis: LegalBasis,
}
