//! Reading and validating packs. Errors name the file, and for syntax errors
//! the line and column, so a reviewer can go straight to the problem.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::pack::{Pack, Procedure};

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    /// TOML syntax or a field of the wrong shape; the message carries line and column.
    #[error("{path}: {message}")]
    Syntax { path: PathBuf, message: String },
    /// The pack parses but does not make sense (a rule names a stage that does not exist...).
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("rule id `{id}` is defined in both {first} and {second}")]
    DuplicateRule {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },
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

/// toml's own message shows the offending line; prefix it with line:column.
fn syntax_message(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

pub fn load_pack(path: &Path) -> Result<Pack, RulesError> {
    let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_pack(path, &text)
}

/// Load every `*.toml` pack in a directory, in file-name order, and check
/// that rule ids are unique across packs.
pub fn load_dir(dir: &Path) -> Result<Vec<Pack>, RulesError> {
    let read_err = |source| RulesError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    let mut packs = Vec::new();
    let mut seen: Vec<(String, PathBuf)> = Vec::new();
    for path in paths {
        let pack = load_pack(&path)?;
        for id in rule_ids(&pack) {
            if let Some((_, first)) = seen.iter().find(|(seen_id, _)| *seen_id == id) {
                return Err(RulesError::DuplicateRule {
                    id,
                    first: first.clone(),
                    second: path,
                });
            }
            seen.push((id, path.clone()));
        }
        packs.push(pack);
    }
    Ok(packs)
}

fn rule_ids(pack: &Pack) -> Vec<String> {
    let procedure_rules = pack
        .procedures
        .iter()
        .flat_map(|p| p.rules.iter().map(|r| r.common.id.clone()));
    let indicators = pack.indicators.iter().map(|i| i.common.id.clone());
    procedure_rules.chain(indicators).collect()
}

fn validate(pack: &Pack) -> Result<(), String> {
    let mut ids = BTreeSet::new();
    for id in rule_ids(pack) {
        if !ids.insert(id.clone()) {
            return Err(format!("rule id `{id}` is used twice"));
        }
    }
    for procedure in &pack.procedures {
        validate_procedure(procedure)?;
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
        // span: the error points at the rule's `[[procedure.rule]]` header, line 23.
        assert_eq!(
            err,
            "p.toml: line 23, column 1: unknown variant `urgent`, expected one of `info`, `low`, `medium`, `high`, `critical`"
        );
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
}
