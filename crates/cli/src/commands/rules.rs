//! `mandate rules`: review the rules as a compliance officer would: check
//! them (errors and lints with file and line), show one position's list of
//! powers and duties, explain the verdict on an act.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use mandate_check::mandate::{Mandate, Verdict};
use mandate_model::Act;
use mandate_rules::{Level, Matter, NamesPositions, Power, RuleSet};

use crate::output::print_table;

#[derive(clap::Subcommand)]
pub enum RulesCommand {
    /// Validate rule files and folders: errors and lints, each with file, line and column.
    Check {
        /// Files or folders of `*.toml` (default: the workspace's rules/).
        paths: Vec<PathBuf>,
    },
    /// A position's list: who holds it, its powers with limits and conditions, what binds it.
    Show {
        /// The position's id.
        position: String,
        /// Rule files or folders (default: the workspace's rules/).
        #[arg(long = "rules")]
        rules: Vec<PathBuf>,
        /// Also print the Cedar policies compiled for the position.
        #[arg(long)]
        cedar: bool,
    },
    /// Which rule permits or forbids an act (a JSON object, or JSON Lines of acts), and why.
    Explain {
        /// The act: a file with one JSON object, or one act per line.
        act: PathBuf,
        /// Rule files or folders (default: the workspace's rules/).
        #[arg(long = "rules")]
        rules: Vec<PathBuf>,
    },
}

/// The columns of a table of powers (held or delegated).
const POWER_COLUMNS: [&str; 7] = [
    "power",
    "matter",
    "scope",
    "limit",
    "safeguards",
    "procedure",
    "legal basis",
];

pub fn run(workspace: &Path, command: RulesCommand) -> Result<ExitCode> {
    let default = |paths: Vec<PathBuf>| {
        if paths.is_empty() {
            vec![workspace.join(crate::workspace::RULES_DIR)]
        } else {
            paths
        }
    };
    match command {
        RulesCommand::Check { paths } => check(&default(paths)),
        RulesCommand::Show {
            position,
            rules,
            cedar,
        } => show(&default(rules), &position, cedar),
        RulesCommand::Explain { act, rules } => explain(&default(rules), &act),
    }
}

fn check(paths: &[PathBuf]) -> Result<ExitCode> {
    let (rules, problems) = mandate_rules::check_rules(paths)?;
    for problem in &problems {
        println!("{problem}");
    }
    let errors = problems.iter().filter(|p| p.level == Level::Error).count();
    let warnings = problems.len() - errors;
    let count = |n: usize| n.to_string();
    let powers = rules.powers().count();
    println!(
        "{} file{}: {} organisations, {} positions, {} people, {} powers, {} prohibitions, {} procedures, {} indicators; {errors} error{}, {warnings} warning{}",
        rules.sources.len(),
        if rules.sources.len() == 1 { "" } else { "s" },
        count(rules.organisations().count()),
        count(rules.positions().count()),
        count(rules.people().count()),
        count(powers),
        count(rules.all(|p| &p.prohibitions).count()),
        count(rules.procedures().count()),
        count(rules.all(|p| &p.indicators).count()),
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    );
    if errors == 0 {
        // The mandate must also compile to Cedar.
        let packs: Vec<_> = rules.packs().cloned().collect();
        Mandate::compile(&packs)?;
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn load(paths: &[PathBuf]) -> Result<(RuleSet, Mandate)> {
    let rules = mandate_rules::load_rules(paths)?;
    let packs: Vec<_> = rules.packs().cloned().collect();
    let mandate = Mandate::compile(&packs)?;
    Ok((rules, mandate))
}

fn show(paths: &[PathBuf], id: &str, cedar: bool) -> Result<ExitCode> {
    let (rules, mandate) = load(paths)?;
    let Some(position) = rules.position(id) else {
        let known: Vec<String> = rules.positions().map(|d| d.item.id.clone()).collect();
        bail!("position `{id}` is not defined (defined: {})", known.join(", "));
    };
    let organisation = rules
        .organisation(&position.organisation)
        .map(|o| format!("{} ({})", o.name, o.id))
        .unwrap_or_else(|| position.organisation.clone());
    println!("{} ({})", position.title, position.id);
    println!("  organisation: {organisation}");
    println!("  kind: {}", position.kind.as_str());
    let holders: Vec<String> = rules
        .people()
        .flat_map(|d| {
            d.item.terms.iter().filter(|t| t.position == id).map(move |t| {
                let until = t
                    .until
                    .map(|u| u.to_string())
                    .unwrap_or_else(|| "in office".into());
                format!("{} ({}, {} to {until})", d.item.name, d.item.id, t.from)
            })
        })
        .collect();
    println!(
        "  held by: {}",
        if holders.is_empty() {
            "nobody".into()
        } else {
            holders.join("; ")
        }
    );

    let held: Vec<&Power> = rules
        .powers()
        .map(|d| d.item)
        .filter(|p| p.concerns(position))
        .collect();
    println!("\nPowers:");
    if held.is_empty() {
        println!("  none: every act of this position is refused (default deny)");
    } else {
        let rows: Vec<Vec<String>> = held.iter().map(|p| power_row(p, None)).collect();
        print_table(&POWER_COLUMNS, &rows);
    }
    let delegations: Vec<Vec<String>> = rules
        .all(|p| &p.delegations)
        .map(|d| d.item)
        .filter(|d| d.to_position == id)
        .filter_map(|d| {
            let power = rules.powers().map(|x| x.item).find(|p| p.id == d.power)?;
            Some(power_row(power, Some(d)))
        })
        .collect();
    if !delegations.is_empty() {
        println!("\nDelegated to this position:");
        print_table(&POWER_COLUMNS, &delegations);
    }
    let prohibitions: Vec<Vec<String>> = rules
        .all(|p| &p.prohibitions)
        .map(|d| d.item)
        .filter(|p| p.concerns(position))
        .map(|p| {
            vec![
                p.id.clone(),
                p.matters
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                p.legal_basis.to_string(),
            ]
        })
        .collect();
    println!("\nProhibitions:");
    if prohibitions.is_empty() {
        println!("  none");
    } else {
        print_table(&["prohibition", "matters", "legal basis"], &prohibitions);
    }
    let duties: Vec<Vec<String>> = rules
        .all(|p| &p.duties)
        .map(|d| d.item)
        .filter(|d| d.concerns(position))
        .map(|d| vec![d.id.clone(), d.title.clone(), d.legal_basis.to_string()])
        .collect();
    println!("\nDuties:");
    if duties.is_empty() {
        println!("  none listed");
    } else {
        print_table(&["duty", "what", "legal basis"], &duties);
    }
    if let Some((recusal, _)) = rules.recusal() {
        println!("\nRecusal: {} ({})", recusal.title, recusal.legal_basis);
    }
    if cedar {
        println!("\nCedar policies:");
        for (_, text) in mandate.policies_of(id) {
            println!("{text}\n");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn power_row(power: &Power, delegation: Option<&mandate_rules::Delegation>) -> Vec<String> {
    let mut safeguards = Vec::new();
    if power.collective_decision {
        safeguards.push("collective decision".to_string());
    }
    if let Some(above) = power.collective_decision_above {
        safeguards.push(format!("collective decision above {above}"));
    }
    if let Some(rule) = &power.meeting_rule {
        safeguards.push(format!("meeting rule {rule}"));
    }
    if power.second_reviewer {
        safeguards.push("second reviewer".into());
    }
    if power.sole {
        safeguards.push("sole approver".into());
    }
    let limit = delegation.and_then(|d| d.limit).or(power.limit);
    let mut id = power.id.clone();
    if let Some(d) = delegation {
        id = format!("{id} via {} ({} to {})", d.id, d.from, d.until);
    }
    vec![
        id,
        power.matter.as_str().to_string(),
        match power.scope {
            mandate_rules::Scope::Own => "own".into(),
            mandate_rules::Scope::OwnAndSubordinate => "own and below".into(),
        },
        limit.map(|l| l.to_string()).unwrap_or_else(|| "none".into()),
        safeguards.join(", "),
        power.procedure.clone().unwrap_or_default(),
        power.legal_basis.to_string(),
    ]
}

fn explain(paths: &[PathBuf], path: &Path) -> Result<ExitCode> {
    let (_, mandate) = load(paths)?;
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let acts = parse_acts(path, &text)?;
    let mut refused = 0;
    for (i, act) in acts.iter().enumerate() {
        if i > 0 {
            println!();
        }
        let verdict = mandate.explain(act);
        print_verdict(act, &verdict);
        if !verdict.is_permitted() {
            refused += 1;
        }
    }
    Ok(if refused > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One JSON object, or JSON Lines of acts; the `kind` tag is optional.
fn parse_acts(path: &Path, text: &str) -> Result<Vec<Act>> {
    let parse = |value: serde_json::Value, at: &str| -> Result<Act> {
        let mut value = value;
        if let Some(map) = value.as_object_mut() {
            if map.get("kind").and_then(|k| k.as_str()) == Some("act") {
                map.remove("kind");
            }
        }
        serde_json::from_value(value).with_context(|| format!("{}: {at}: not an act", path.display()))
    };
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        return Ok(vec![parse(value, "document")?]);
    }
    let mut acts = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = format!("line {}", n + 1);
        let value =
            serde_json::from_str(line).with_context(|| format!("{}: {at}: invalid JSON", path.display()))?;
        acts.push(parse(value, &at)?);
    }
    Ok(acts)
}

pub(crate) fn print_verdict(act: &Act, verdict: &Verdict) {
    let matter = Matter::parse(&act.matter).map_or(act.matter.as_str(), |m| m.as_str());
    println!(
        "Act {}: {} by {}{} for {} on {}",
        act.id,
        matter.replace('_', " "),
        act.actor,
        verdict
            .position
            .as_ref()
            .map(|p| format!(" as {p}"))
            .unwrap_or_default(),
        act.organisation,
        act.time.to_rfc3339()
    );
    if verdict.is_permitted() {
        println!("  PERMITTED");
    } else {
        println!(
            "  REFUSED: {} rule{} broken",
            verdict.violations.len(),
            if verdict.violations.len() == 1 { "" } else { "s" }
        );
    }
    for permission in &verdict.permitted_by {
        let via = permission
            .delegation
            .as_ref()
            .map(|d| format!(", delegated by {d}"))
            .unwrap_or_default();
        println!(
            "  permitted by power {} ({}{via})",
            permission.power, permission.title
        );
        println!(
            "    legal basis: {}: {}",
            permission.legal_basis, permission.legal_basis.text
        );
        for met in &permission.met {
            println!("    - {met}");
        }
    }
    for violation in &verdict.violations {
        println!(
            "  {} [{}] ({})",
            violation.rule_id, violation.severity, violation.pack
        );
        println!("    {}", violation.explanation);
        println!(
            "    legal basis: {}: {}",
            violation.legal_basis, violation.legal_basis.text
        );
    }
    if !verdict.policies.is_empty() {
        println!("  deciding Cedar policies:");
        for (_, text) in &verdict.policies {
            for line in text.lines() {
                println!("    {line}");
            }
        }
    }
}
