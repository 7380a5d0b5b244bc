//! Reading and validating packs. Errors name the file, and for syntax errors
//! the line and column, so a reviewer can go straight to the problem.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use mandate_model::Currency;

use crate::codelist::{CodeList, PROCUREMENT_METHODS, TENDER_STATUSES};
use crate::pack::{DayCount, Indicator, IndicatorKind, Pack, Procedure};
use crate::ruleset::{Level, Problem, RuleSet, Source};

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The cause is part of the message, not a chained source, so it is
    /// printed once.
    #[error("{path}: cannot read: {cause}")]
    Read { path: PathBuf, cause: std::io::Error },
    /// TOML syntax or a field of the wrong shape; the message carries line and column.
    #[error("{path}: {message}")]
    Syntax { path: PathBuf, message: String },
    /// The pack parses but does not make sense (a rule names a stage that does not exist...).
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// Problems found across the rule files; each names its file and line.
    #[error("{}", problems_text(.0))]
    Problems(Vec<Problem>),
    #[error("ocid prefix `{prefix}` is claimed by code lists {first} and {second}")]
    DuplicatePrefix {
        prefix: String,
        first: PathBuf,
        second: PathBuf,
    },
}

/// A count first, then one problem per line as `rules check` prints them
/// (`file:line:column: error: ...`), so the caller's own "error:" prefix
/// does not run into the first problem's.
fn problems_text(problems: &[Problem]) -> String {
    let count = match problems.len() {
        1 => "1 error".to_string(),
        n => format!("{n} errors"),
    };
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    format!("the rules have {count}:\n{}", lines.join("\n"))
}

/// Parse and validate one pack from text; `path` is only used in messages.
pub fn parse_pack(path: &Path, text: &str) -> Result<Pack, RulesError> {
    let pack: Pack = toml::from_str(text).map_err(|e| RulesError::Syntax {
        path: path.to_path_buf(),
        message: syntax_message(text, &e),
    })?;
    validate(&pack).map_err(|message| RulesError::Invalid {
        path: path.to_path_buf(),
        message,
    })?;
    Ok(pack)
}

/// toml's own message, prefixed with line:column. Tables read through
/// serde's `flatten` (rules, indicators) lose their fields' spans: toml then
/// points at the table's header, so the member holding the offending value
/// is looked up in the table and named instead.
fn syntax_message(text: &str, e: &toml::de::Error) -> String {
    let message = plain_types(e.message().trim());
    let Some(span) = e.span() else {
        return message;
    };
    let start = span.start.min(text.len());
    if let Some((offset, key)) = member_in_table(text, start, &message) {
        let (line, column) = line_column(text, offset);
        return format!("line {line}, column {column}: {key}: {message}");
    }
    let (line, column) = line_column(text, start);
    format!("line {line}, column {column}: {message}")
}

/// serde names Rust's types (`expected f64`); a pack's author thinks in
/// numbers.
fn plain_types(message: &str) -> String {
    let mut out = message.to_string();
    for (rust, plain) in [
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected u32", "expected a whole number, 0 or more"),
        ("expected u16", "expected a whole number, 0 or more"),
        ("expected u8", "expected a whole number, 0 or more"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected i64", "expected a whole number"),
        ("expected i32", "expected a whole number"),
    ] {
        if let Some(rest) = out.strip_suffix(rust) {
            out = format!("{rest}{plain}");
        }
    }
    out
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// When `start` is a table header and the message quotes the offending
/// value (`invalid type: string "fifteen"`, ``unknown variant `urgent` ``),
/// the one member of that table whose value it is: its value's offset and key.
fn member_in_table(text: &str, start: usize, message: &str) -> Option<(usize, String)> {
    if !text[start..].starts_with('[') {
        return None;
    }
    let quoted = |open: &str, close: char| {
        let rest = &message[message.find(open)? + open.len()..];
        Some(rest[..rest.find(close)?].to_string())
    };
    let values: Vec<String> = if let Some(s) = quoted("string \"", '"').or_else(|| quoted("variant `", '`')) {
        vec![format!("\"{s}\""), format!("'{s}'")]
    } else {
        let bare = ["integer `", "floating point `", "boolean `"];
        vec![bare.iter().find_map(|open| quoted(open, '`'))?]
    };
    let mut offset = start + text[start..].find('\n')? + 1;
    let mut found = Vec::new();
    for line in text[offset..].split_inclusive('\n') {
        if line.trim_start().starts_with('[') {
            break; // the next table
        }
        if let Some((key, value)) = line.split_once('=') {
            let trimmed = value.trim();
            if values
                .iter()
                .any(|v| trimmed == v || trimmed.split_once(" #").is_some_and(|(v2, _)| v2.trim() == v))
            {
                let value_at = offset + key.len() + 1 + (value.len() - value.trim_start().len());
                found.push((value_at, key.trim().to_string()));
            }
        }
        offset += line.len();
    }
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None, // not found, or ambiguous: keep toml's position
    }
}

pub fn load_pack(path: &Path) -> Result<Pack, RulesError> {
    let text = std::fs::read_to_string(path).map_err(|cause| RulesError::Read {
        path: path.to_path_buf(),
        cause,
    })?;
    parse_pack(path, &text)
}

/// Load every `*.toml` pack in a directory, in file-name order, and check
/// the references between them.
pub fn load_dir(dir: &Path) -> Result<Vec<Pack>, RulesError> {
    Ok(load_rules(&[dir.to_path_buf()])?
        .sources
        .into_iter()
        .map(|s| s.pack)
        .collect())
}

/// Load the rules from files and folders (a folder: its `*.toml` files in
/// name order), failing with every error found if any.
pub fn load_rules(paths: &[PathBuf]) -> Result<RuleSet, RulesError> {
    let (rules, problems) = check_rules(paths)?;
    let errors: Vec<Problem> = problems.into_iter().filter(|p| p.level == Level::Error).collect();
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(RulesError::Problems(errors))
    }
}

/// Read and check rules, collecting every problem (errors and lint
/// warnings) instead of stopping at the first. Only an unreadable file or
/// folder is an `Err`. Files that do not parse are left out of the rule set.
pub fn check_rules(paths: &[PathBuf]) -> Result<(RuleSet, Vec<Problem>), RulesError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(toml_files(path)?);
        } else {
            files.push(path.clone());
        }
    }
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|cause| RulesError::Read {
            path: path.clone(),
            cause,
        })?;
        match parse_pack(&path, &text) {
            Ok(pack) => sources.push(Source { path, text, pack }),
            Err(RulesError::Syntax { path, message }) | Err(RulesError::Invalid { path, message }) => {
                let (line, message) = split_position(&message);
                problems.push(Problem {
                    level: Level::Error,
                    path,
                    line,
                    message,
                })
            }
            Err(other) => return Err(other),
        }
    }
    let rules = RuleSet::new(sources);
    problems.extend(rules.cross_check());
    problems.extend(rules.lint());
    Ok((rules, problems))
}

/// "line 3, column 5: msg" into its position and the message.
fn split_position(message: &str) -> (Option<(usize, usize)>, String) {
    let parsed = message.strip_prefix("line ").and_then(|rest| {
        let (line, rest) = rest.split_once(", column ")?;
        let (column, rest) = rest.split_once(": ")?;
        Some(((line.parse().ok()?, column.parse().ok()?), rest.to_string()))
    });
    match parsed {
        Some((at, rest)) => (Some(at), rest),
        None => (None, message.to_string()),
    }
}

/// Parse and validate one code list; `path` is only used in messages.
pub fn parse_codelist(path: &Path, text: &str) -> Result<CodeList, RulesError> {
    let list: CodeList = toml::from_str(text).map_err(|e| RulesError::Syntax {
        path: path.to_path_buf(),
        message: syntax_message(text, &e),
    })?;
    let invalid = |message: String| RulesError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    if list.codelist.ocid_prefixes.iter().any(|p| p.is_empty()) || list.codelist.ocid_prefixes.is_empty() {
        return Err(invalid(
            "`ocid_prefixes` must list the publisher's non-empty prefixes".into(),
        ));
    }
    for (table, map, allowed) in list.tables() {
        for (from, to) in map {
            if !allowed.contains(&to.as_str()) {
                return Err(invalid(format!(
                    "[{table}] maps `{from}` to `{to}`, which is not one of: {}",
                    allowed.join(", ")
                )));
            }
        }
    }
    if let Some((from, to)) = list.currency.iter().find(|(_, to)| !Currency::is_iso_4217(to)) {
        return Err(invalid(format!(
            "[currency] maps `{from}` to `{to}`, which is not an ISO 4217 code"
        )));
    }
    Ok(list)
}

/// Load the code lists in `dir` (`*.toml`, in name order); a missing folder
/// means none. Two lists may not claim the same ocid prefix.
pub fn load_codelists(dir: &Path) -> Result<Vec<CodeList>, RulesError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut lists: Vec<(PathBuf, CodeList)> = Vec::new();
    for path in toml_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|cause| RulesError::Read {
            path: path.clone(),
            cause,
        })?;
        let list = parse_codelist(&path, &text)?;
        for prefix in &list.codelist.ocid_prefixes {
            if let Some((first, _)) = lists
                .iter()
                .find(|(_, l)| l.codelist.ocid_prefixes.contains(prefix))
            {
                return Err(RulesError::DuplicatePrefix {
                    prefix: prefix.clone(),
                    first: first.clone(),
                    second: path,
                });
            }
        }
        lists.push((path, list));
    }
    Ok(lists.into_iter().map(|(_, l)| l).collect())
}

fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, RulesError> {
    let read_err = |cause| RulesError::Read {
        path: dir.to_path_buf(),
        cause,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    Ok(paths)
}

pub(crate) fn rule_ids(pack: &Pack) -> Vec<&str> {
    let procedure_rules = pack
        .procedures
        .iter()
        .flat_map(|p| p.rules.iter().map(|r| r.common.id.as_str()));
    let indicators = pack.indicators.iter().map(|i| i.common.id.as_str());
    procedure_rules.chain(indicators).collect()
}

fn validate(pack: &Pack) -> Result<(), String> {
    let mut ids = BTreeSet::new();
    for id in rule_ids(pack) {
        if !ids.insert(id) {
            return Err(format!("rule id `{id}` is used twice"));
        }
    }
    for procedure in &pack.procedures {
        validate_procedure(procedure)?;
    }
    for indicator in &pack.indicators {
        validate_indicator(indicator).map_err(|e| format!("indicator `{}`: {e}", indicator.common.id))?;
    }
    Ok(())
}

/// Settings that parse but cannot mean anything: caught here, with the
/// indicator named, rather than silently giving no findings.
fn validate_indicator(indicator: &Indicator) -> Result<(), String> {
    for method in &indicator.procurement_methods {
        if !PROCUREMENT_METHODS.contains(&method.as_str()) {
            return Err(format!(
                "procurement method `{method}` is not an OCDS method ({}); map publisher codes in a code list",
                PROCUREMENT_METHODS.join(", ")
            ));
        }
    }
    for status in &indicator.excluded_tender_statuses {
        if !TENDER_STATUSES.contains(&status.as_str()) {
            return Err(format!("`{status}` is not an OCDS tender status"));
        }
    }
    let share = |name: &str, value: Option<f64>| match value {
        Some(v) if !(0.0..=1.0).contains(&v) => Err(format!("`{name}` must be between 0 and 1, not {v}")),
        _ => Ok(()),
    };
    let at_least_one = |name: &str, value: usize| {
        if value == 0 {
            Err(format!("`{name}` must be at least 1"))
        } else {
            Ok(())
        }
    };
    match &indicator.kind {
        IndicatorKind::SingleBid { count_from } if count_from.is_empty() => {
            Err("`count_from` is empty, so no count could ever be read".into())
        }
        IndicatorKind::ShortTenderPeriod {
            days: DayCount::Working,
            whole_days: true,
            ..
        } => Err("`whole_days` counts elapsed time and cannot be combined with working days".into()),
        IndicatorKind::PriceCloseToWinningBid {
            threshold,
            minimum_sample,
        }
        | IndicatorKind::HeavilyDiscountedBid {
            threshold,
            minimum_sample,
        } => {
            if threshold.is_some_and(|t| !t.is_finite() || t < 0.0) {
                return Err("`threshold` must be a non-negative number".into());
            }
            at_least_one("minimum_sample", *minimum_sample)
        }
        IndicatorKind::ExcessiveUnsuccessfulBids {
            percentile,
            threshold,
            minimum_sample,
            ..
        } => {
            if *percentile > 100 {
                return Err(format!("`percentile` must be at most 100, not {percentile}"));
            }
            share("threshold", *threshold)?;
            at_least_one("minimum_sample", *minimum_sample)
        }
        IndicatorKind::AllExceptWinnerDisqualified { minimum_disqualified } => {
            at_least_one("minimum_disqualified", *minimum_disqualified)
        }
        IndicatorKind::ExcessiveDisqualifiedBids {
            threshold,
            per,
            minimum_sample,
            ..
        } => {
            if per.is_empty() {
                return Err("`per` is empty: name buyer, procuring_entity or tenderer".into());
            }
            share("threshold", *threshold)?;
            at_least_one("minimum_sample", *minimum_sample)
        }
        IndicatorKind::HeterogeneousSupplier {
            digits,
            threshold,
            minimum_sample,
            ..
        } => {
            at_least_one("digits", *digits)?;
            if threshold.is_some_and(|t| !t.is_finite() || t < 0.0) {
                return Err("`threshold` must be a non-negative number".into());
            }
            at_least_one("minimum_sample", *minimum_sample)
        }
        IndicatorKind::HighComplaintRate {
            threshold,
            minimum_contracting_processes,
            minimum_sample,
        }
        | IndicatorKind::SupplierConcentration {
            threshold,
            minimum_contracting_processes,
            minimum_sample,
        }
        | IndicatorKind::RepeatSupplier {
            threshold,
            minimum_contracting_processes,
            minimum_sample,
        } => {
            share("threshold", *threshold)?;
            at_least_one("minimum_contracting_processes", *minimum_contracting_processes)?;
            at_least_one("minimum_sample", *minimum_sample)
        }
        IndicatorKind::BidRotation {
            minimum_contracting_processes,
            minimum_group_size,
            maximum_group_size,
        } => {
            if *minimum_group_size < 2 || maximum_group_size < minimum_group_size {
                return Err("a group needs 2 <= `minimum_group_size` <= `maximum_group_size`".into());
            }
            if *minimum_contracting_processes < 2 {
                return Err("`minimum_contracting_processes` must be at least 2 to see a rotation".into());
            }
            Ok(())
        }
        IndicatorKind::SplitPurchases {
            threshold,
            currency,
            margin,
            minimum_count,
            ..
        } => {
            positive_amount(*threshold, currency)?;
            if !(*margin > 0.0 && *margin < 1.0) {
                return Err(format!(
                    "`margin` must be between 0 and 1 (exclusive), not {margin}"
                ));
            }
            if *minimum_count < 2 {
                return Err("`minimum_count` must be at least 2: one purchase is not a split".into());
            }
            Ok(())
        }
        IndicatorKind::ContractValueIncrease { maximum_increase } => {
            if !maximum_increase.is_finite() || *maximum_increase < 0.0 {
                return Err("`maximum_increase` must be a non-negative number".into());
            }
            Ok(())
        }
        IndicatorKind::NewSupplier {
            registration_date_field,
            ..
        } if registration_date_field.trim().is_empty() => Err("`registration_date_field` is empty".into()),
        IndicatorKind::DirectAwardAboveThreshold {
            threshold,
            currency,
            methods,
            threshold_by_category,
        } => {
            positive_amount(*threshold, currency)?;
            for amount in threshold_by_category.values() {
                positive_amount(*amount, currency)?;
            }
            match methods
                .iter()
                .find(|m| !PROCUREMENT_METHODS.contains(&m.as_str()))
            {
                Some(m) => Err(format!("`{m}` in `methods` is not an OCDS procurement method")),
                None if methods.is_empty() => Err("`methods` is empty".into()),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

fn positive_amount(amount: f64, currency: &str) -> Result<(), String> {
    if !amount.is_finite() || amount <= 0.0 {
        return Err(format!("threshold {amount} must be a positive amount"));
    }
    if !Currency::is_iso_4217(currency) {
        return Err(format!("`{currency}` is not an ISO 4217 currency code"));
    }
    Ok(())
}

fn validate_procedure(procedure: &Procedure) -> Result<(), String> {
    let here = format!("procedure `{}`", procedure.id);
    if procedure.processes.is_empty() {
        return Err(format!(
            "{here}: `processes` is empty, so no case would ever be checked"
        ));
    }
    let mut stage_ids = BTreeSet::new();
    for stage in &procedure.stages {
        if !stage_ids.insert(stage.id.as_str()) {
            return Err(format!("{here}: stage `{}` is defined twice", stage.id));
        }
        if stage.activities.is_empty() {
            return Err(format!("{here}: stage `{}` lists no activities", stage.id));
        }
    }
    for rule in &procedure.rules {
        for stage in Procedure::referenced_stages(&rule.kind) {
            if !stage_ids.contains(stage) {
                return Err(format!(
                    "{here}: rule `{}` names stage `{stage}`, but the procedure defines only: {}",
                    rule.common.id,
                    stage_ids.iter().copied().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        if let crate::RuleKind::Deadline {
            within_days,
            within_months,
            ..
        } = &rule.kind
        {
            if within_days.is_some() == within_months.is_some() {
                return Err(format!(
                    "{here}: rule `{}` must give exactly one of `within_days` and `within_months`",
                    rule.common.id
                ));
            }
        }
        let named = |message: &str| format!("{here}: rule `{}`: {message}", rule.common.id);
        if rule.kind.calendar().is_some()
            && !matches!(
                rule.kind,
                crate::RuleKind::Deadline {
                    days: DayCount::Working,
                    ..
                } | crate::RuleKind::Duration {
                    days: DayCount::Working,
                    ..
                }
            )
        {
            return Err(named("`calendar` only applies with `days = \"working\"`"));
        }
        match &rule.kind {
            crate::RuleKind::Duration {
                min_days, max_days, ..
            } => match (min_days, max_days) {
                (None, None) => return Err(named("give `min_days`, `max_days` or both")),
                (Some(min), Some(max)) if min > max => {
                    return Err(named(&format!("`min_days` {min} is more than `max_days` {max}")))
                }
                _ => {}
            },
            crate::RuleKind::SeparationOfDuties { stages } => {
                let distinct: BTreeSet<&String> = stages.iter().collect();
                if distinct.len() < 2 {
                    return Err(named(
                        "`stages` must name at least two different stages to separate",
                    ));
                }
            }
            _ => {}
        }
        if let crate::RuleKind::Performer { stage } = &rule.kind {
            if procedure.stage(stage).is_some_and(|s| s.performed_by.is_empty()) {
                return Err(format!(
                    "{here}: rule `{}` checks who performs `{stage}`, but that stage has no `performed_by`",
                    rule.common.id
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[pack]
id = "p"
title = "P"
version = "1"
jurisdiction = "X"

[[procedure]]
id = "proc"
title = "Proc"
processes = ["Log"]

[[procedure.stage]]
id = "a"
title = "A"
activities = ["A"]

[[procedure.stage]]
id = "b"
title = "B"
activities = ["B"]

[[procedure.rule]]
id = "r1"
title = "B after A"
severity = "high"
kind = "precedence"
stages = ["b"]
requires = "a"
legal_basis = { source = "Policy", text = "B needs A first." }
"#;

    #[test]
    fn minimal_pack_parses() {
        let pack = parse_pack(Path::new("p.toml"), MINIMAL).unwrap();
        assert_eq!(pack.procedures[0].rules[0].common.id, "r1");
    }

    #[test]
    fn unknown_stage_is_named() {
        let text = MINIMAL.replace(r#"requires = "a""#, r#"requires = "z""#);
        let err = parse_pack(Path::new("p.toml"), &text).unwrap_err().to_string();
        assert_eq!(
            err,
            "p.toml: procedure `proc`: rule `r1` names stage `z`, but the procedure defines only: a, b"
        );
    }

    #[test]
    fn syntax_error_names_line_and_column() {
        let text = MINIMAL.replace(r#"severity = "high""#, r#"severity = "urgent""#);
        let err = parse_pack(Path::new("p.toml"), &text).unwrap_err().to_string();
        // Rules are read through serde's `flatten`, which loses the field's own
        // span (toml points at the `[[procedure.rule]]` header, line 23): the
        // member is found in the table, line 26 `severity = "urgent"`.
        assert_eq!(
            err,
            "p.toml: line 26, column 12: severity: unknown variant `urgent`, expected one of `info`, `low`, `medium`, `high`, `critical`"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_in_an_indicator_is_named() {
        let text = "[pack]\nid = \"p\"\ntitle = \"P\"\nversion = \"1\"\njurisdiction = \"X\"\n\n\
            [[indicator]]\nid = \"short\"\ntitle = \"S\"\nseverity = \"high\"\n\
            kind = \"short_tender_period\"\nminimum_days = \"fifteen\"   # days\n\
            legal_basis = { source = \"X\", text = \"x\" }\n";
        let err = parse_pack(Path::new("p.toml"), text).unwrap_err().to_string();
        assert_eq!(
            err,
            "p.toml: line 12, column 16: minimum_days: invalid type: string \"fifteen\", expected a whole number, 0 or more"
        );
        // The same value twice in the table: toml's own position is kept.
        let twice = text.replace("title = \"S\"", "title = \"fifteen\"");
        let err = parse_pack(Path::new("p.toml"), &twice).unwrap_err().to_string();
        assert!(err.starts_with("p.toml: line 7, column 1: invalid type"), "{err}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let text = MINIMAL.replace(r#"title = "A""#, "title = \"A\"\nactivity = [\"A\"]");
        let err = parse_pack(Path::new("p.toml"), &text).unwrap_err().to_string();
        assert!(err.contains("unknown field `activity`"), "{err}");
    }

    #[test]
    fn misspelt_rule_field_is_rejected() {
        let text = MINIMAL.replace("requires = ", "require = ");
        let err = parse_pack(Path::new("p.toml"), &text).unwrap_err().to_string();
        assert!(err.contains("require"), "{err}");
    }

    #[test]
    fn duplicate_rule_id_is_rejected() {
        let dup = MINIMAL.to_string()
            + r#"
[[procedure.rule]]
id = "r1"
title = "again"
severity = "low"
kind = "performer"
stage = "a"
legal_basis = { source = "Policy", text = "x" }
"#;
        let err = parse_pack(Path::new("p.toml"), &dup).unwrap_err().to_string();
        assert_eq!(err, "p.toml: rule id `r1` is used twice");
    }

    const INDICATOR: &str = r#"
[pack]
id = "p"
title = "P"
version = "1"
jurisdiction = "X"

[[indicator]]
id = "i1"
title = "Split"
severity = "high"
kind = "split_purchases"
threshold = 200000
currency = "UAH"
legal_basis = { source = "Law", text = "No splitting." }
"#;

    #[test]
    fn indicator_settings_are_checked() {
        let pack = parse_pack(Path::new("p.toml"), INDICATOR).unwrap();
        assert!(matches!(
            pack.indicators[0].kind,
            crate::IndicatorKind::SplitPurchases {
                window_days: 30,
                minimum_count: 2,
                ..
            }
        ));
        assert_eq!(pack.indicators[0].excluded_tender_statuses, ["cancelled"]);
        let text = INDICATOR.replace("\"UAH\"", "\"uah\"");
        let err = parse_pack(Path::new("p.toml"), &text).unwrap_err().to_string();
        assert_eq!(
            err,
            "p.toml: indicator `i1`: `uah` is not an ISO 4217 currency code"
        );
        let text = INDICATOR.replace("\"UAH\"", "\"UHA\"");
        let err = parse_pack(Path::new("p.toml"), &text).unwrap_err().to_string();
        assert_eq!(
            err,
            "p.toml: indicator `i1`: `UHA` is not an ISO 4217 currency code"
        );
        let text = INDICATOR.replace(
            "currency = \"UAH\"",
            "currency = \"UAH\"\nprocurement_methods = [\"Licitaţie\"]",
        );
        let err = parse_pack(Path::new("p.toml"), &text).unwrap_err().to_string();
        assert!(err.contains("`Licitaţie` is not an OCDS method"), "{err}");
        let text = INDICATOR.replace("threshold = 200000", "threshold = 200000\nwindow = 30");
        let err = parse_pack(Path::new("p.toml"), &text).unwrap_err().to_string();
        assert!(err.contains("unknown field `window`"), "{err}");
    }

    #[test]
    fn codelist_targets_must_be_ocds_codes() {
        let text = "[codelist]\nid = \"x\"\npublisher = \"X\"\nocid_prefixes = [\"ocds-x-\"]\n[bid_status]\nqualified = \"ok\"\n";
        let err = parse_codelist(Path::new("x.toml"), text).unwrap_err().to_string();
        assert_eq!(
            err,
            "x.toml: [bid_status] maps `qualified` to `ok`, which is not one of: invited, pending, valid, disqualified, withdrawn"
        );
    }

    #[test]
    fn two_codelists_cannot_claim_one_prefix() {
        let dir = tempfile_dir();
        for name in ["a", "b"] {
            let text =
                format!("[codelist]\nid = \"{name}\"\npublisher = \"X\"\nocid_prefixes = [\"ocds-x-\"]\n");
            std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
        }
        let err = load_codelists(&dir).unwrap_err().to_string();
        assert!(
            err.starts_with("ocid prefix `ocds-x-` is claimed by code lists"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            load_codelists(&dir).unwrap().is_empty(),
            "a missing folder means no code lists"
        );
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mandate-rules-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
