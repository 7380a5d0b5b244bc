//! Rule packs: the law made executable, as TOML files a compliance officer can
//! read and diff. A pack holds procedure templates (stages and the rules that
//! bind them) and procurement indicator settings; every rule cites its legal
//! basis, which findings quote. Code lists map publishers' own codes onto
//! the OCDS code lists the indicators read.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod codelist;
mod load;
mod pack;

pub use codelist::{CodeList, CodeListInfo};
pub use load::{load_codelists, load_dir, load_pack, parse_codelist, parse_pack, RulesError};
pub use pack::{
    DayCount, DeadlineStart, Granularity, Indicator, IndicatorKind, OrganisationRole, Pack, PackInfo,
    Procedure, ProcedureRule, RuleCommon, RuleKind, Stage, TendererCount,
};
