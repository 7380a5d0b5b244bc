//! The organisation a mandate applies to: organisations in a hierarchy,
//! positions in them, the people who hold them (terms of office), their
//! family relations and the companies they own or direct. Recusal and
//! "who held which position on that day" are computed from these.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

/// `[[organisation]]`: a city, one of its departments, a subordinate unit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    /// The organisation above this one; absent for the root.
    #[serde(default)]
    pub parent: Option<String>,
}

/// `[[position]]`: a post in an organisation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub id: String,
    pub title: String,
    pub organisation: String,
    pub kind: PositionKind,
}

/// What kind of post it is; prohibitions and some powers apply by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionKind {
    /// The "number one" (一把手): mayor, party secretary, director.
    TopLeader,
    /// A deputy in charge of a portfolio.
    Deputy,
    DepartmentHead,
    /// A member of the leadership team without a portfolio of their own.
    LeadershipMember,
    Clerk,
    Other,
}

impl PositionKind {
    pub const ALL: [PositionKind; 6] = [
        PositionKind::TopLeader,
        PositionKind::Deputy,
        PositionKind::DepartmentHead,
        PositionKind::LeadershipMember,
        PositionKind::Clerk,
        PositionKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PositionKind::TopLeader => "top_leader",
            PositionKind::Deputy => "deputy",
            PositionKind::DepartmentHead => "department_head",
            PositionKind::LeadershipMember => "leadership_member",
            PositionKind::Clerk => "clerk",
            PositionKind::Other => "other",
        }
    }
}

/// `[[person]]`: an official, or anyone whose relations matter (a relative,
/// a company owner).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub id: String,
    pub name: String,
    /// Terms of office, `[[person.term]]`.
    #[serde(default, rename = "term")]
    pub terms: Vec<Term>,
    /// Always verified in personal-matters checks.
    #[serde(default)]
    pub high_risk: bool,
}

/// One term in a position: from its first day to its last (open while in office).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub position: String,
    #[serde(deserialize_with = "date")]
    pub from: NaiveDate,
    #[serde(default, deserialize_with = "optional_date")]
    pub until: Option<NaiveDate>,
}

impl Term {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.until.is_none_or(|until| day <= until)
    }
}

/// `[[relation]]`: `person` is the `kind` of `of` — "p.wang is the parent
/// of p.wang-lei". Only direct ties are written; grandparents, cousins and
/// in-laws are worked out from them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub person: String,
    pub kind: RelationKind,
    pub of: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    Spouse,
    Parent,
    Child,
    /// When the common parents are not recorded.
    Sibling,
}

/// `[[company]]`: a firm that may bid, be paid or be licensed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub id: String,
    pub name: String,
    /// Registration date in the business registry.
    #[serde(default, deserialize_with = "optional_date")]
    pub registered: Option<NaiveDate>,
    #[serde(default, rename = "owner")]
    pub owners: Vec<Owner>,
    /// People on the board or acting as legal representative.
    #[serde(default)]
    pub directors: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    pub person: String,
    /// Share of the capital, 0 to 1.
    pub share: f64,
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

pub(crate) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = String::deserialize(d)?;
    parse_date(&s).map_err(serde::de::Error::custom)
}

pub(crate) fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let s = String::deserialize(d)?;
    parse_date(&s).map(Some).map_err(serde::de::Error::custom)
}
