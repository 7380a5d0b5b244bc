//! Rule packs: the law made executable, as TOML files a compliance officer can
//! read and diff. A pack holds procedure templates (stages and the rules that
//! bind them) and procurement indicator settings; every rule cites its legal
//! basis, which findings quote. Code lists map publishers' own codes onto
//! the OCDS code lists the indicators read.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod calendar;
pub mod codelist;
mod crossref;
mod lint;
mod load;
pub mod mandate;
pub mod org;
mod pack;
pub mod ruleset;

pub use codelist::{CodeList, CodeListInfo};
pub use load::{
    check_rules, load_codelists, load_dir, load_pack, load_rules, parse_codelist, parse_pack, RulesError,
};
pub use mandate::NamesPositions;
pub use org::{Owner, RelationKind, Term};
pub use pack::{
    Calendar, Company, DayCount, DeadlineStart, DefaultDeny, Delegation, Duty, Fraction, Granularity,
    Indicator, IndicatorKind, Matter, MeetingRule, Organisation, OrganisationRole, Pack, PackInfo, Person,
    PersonalMatters, Position, PositionKind, Power, Procedure, ProcedureRule, Prohibition, Recusal, Relation,
    RuleCommon, RuleKind, Scope, Share, Stage, TendererCount,
};
pub use ruleset::{Level, Problem, RuleSet, Source};
