//! Rule packs: the law made executable, as TOML files a compliance officer can
//! read and diff. A pack holds procedure templates (stages and the rules that
//! bind them) and procurement indicator settings; every rule cites its legal
//! basis, which findings quote.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod load;
mod pack;

pub use load::{load_dir, load_pack, parse_pack, RulesError};
pub use pack::{
    DayCount, DeadlineStart, Granularity, Indicator, IndicatorKind, Pack, PackInfo, Procedure, ProcedureRule,
    RuleCommon, RuleKind, Stage,
};
