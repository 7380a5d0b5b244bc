//! The rules of one workspace taken together: every pack and definition
//! file, cross-checked. A city's mandate names positions from its own file,
//! procedures and meeting rules from a jurisdiction's pack and calendars
//! from either, so references are resolved here, across files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::calendar::Calendar;
use crate::mandate::{DefaultDeny, MeetingRule, PersonalMatters, Power, Recusal};
use crate::org::{Company, Organisation, Person, Position};
use crate::pack::{Pack, Procedure, RuleKind};

/// One loaded file: where it came from, its text (to point at lines) and the pack.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
    pub pack: Pack,
}

/// How bad a problem is: an error stops a check; a warning is a gap or
/// conflict a reviewer should look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
}

/// A problem found in the rules, with the place to fix it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub level: Level,
    pub path: PathBuf,
    /// 1-based line and column, when the problem can be pinned to one.
    pub line: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        match self.line {
            Some((line, column)) => write!(
                f,
                "{}:{line}:{column}: {level}: {}",
                self.path.display(),
                self.message
            ),
            None => write!(f, "{}: {level}: {}", self.path.display(), self.message),
        }
    }
}

/// The line and column of `id = "<id>"` in a file, where an item is defined.
pub fn locate(text: &str, id: &str) -> Option<(usize, usize)> {
    let quoted = format!("\"{id}\"");
    text.lines().enumerate().find_map(|(n, line)| {
        let trimmed = line.trim_start();
        let rest = trimmed.strip_prefix("id")?.trim_start().strip_prefix('=')?.trim();
        (rest == quoted || rest.starts_with(&format!("{quoted} ")) || rest.starts_with(&format!("{quoted}#")))
            .then(|| (n + 1, line.len() - trimmed.len() + 1))
    })
}

/// Every definition of a workspace's rules, indexed by id.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub sources: Vec<Source>,
}

/// A definition and the file it comes from.
pub struct Defined<'a, T> {
    pub item: &'a T,
    pub source: &'a Source,
}

impl<T> Clone for Defined<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Defined<'_, T> {}

impl RuleSet {
    pub fn new(sources: Vec<Source>) -> RuleSet {
        RuleSet { sources }
    }

    pub fn packs(&self) -> impl Iterator<Item = &Pack> {
        self.sources.iter().map(|s| &s.pack)
    }

    /// Every item a pack section holds, with its file.
    pub fn all<'a, T: 'a>(
        &'a self,
        section: fn(&'a Pack) -> &'a [T],
    ) -> impl Iterator<Item = Defined<'a, T>> {
        self.sources.iter().flat_map(move |source| {
            section(&source.pack)
                .iter()
                .map(move |item| Defined { item, source })
        })
    }

    pub fn organisations(&self) -> impl Iterator<Item = Defined<'_, Organisation>> {
        self.all(|p| &p.organisations)
    }
    pub fn positions(&self) -> impl Iterator<Item = Defined<'_, Position>> {
        self.all(|p| &p.positions)
    }
    pub fn people(&self) -> impl Iterator<Item = Defined<'_, Person>> {
        self.all(|p| &p.people)
    }
    pub fn companies(&self) -> impl Iterator<Item = Defined<'_, Company>> {
        self.all(|p| &p.companies)
    }
    pub fn powers(&self) -> impl Iterator<Item = Defined<'_, Power>> {
        self.all(|p| &p.powers)
    }
    pub fn procedures(&self) -> impl Iterator<Item = Defined<'_, Procedure>> {
        self.all(|p| &p.procedures)
    }
    pub fn meeting_rules(&self) -> impl Iterator<Item = Defined<'_, MeetingRule>> {
        self.all(|p| &p.meeting_rules)
    }
    pub fn calendars(&self) -> impl Iterator<Item = Defined<'_, Calendar>> {
        self.all(|p| &p.calendars)
    }

    pub fn position(&self, id: &str) -> Option<&Position> {
        self.positions().map(|d| d.item).find(|p| p.id == id)
    }
    pub fn organisation(&self, id: &str) -> Option<&Organisation> {
        self.organisations().map(|d| d.item).find(|o| o.id == id)
    }
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people().map(|d| d.item).find(|p| p.id == id)
    }
    pub fn meeting_rule(&self, id: &str) -> Option<&MeetingRule> {
        self.meeting_rules().map(|d| d.item).find(|m| m.id == id)
    }
    pub fn calendar(&self, id: &str) -> Option<&Calendar> {
        self.calendars().map(|d| d.item).find(|c| c.id == id)
    }

    /// The one `[default_deny]`, `[recusal]`, `[personal_matters]` of the
    /// rules, with the pack that defines it (validation allows one each).
    pub fn default_deny(&self) -> Option<(&DefaultDeny, &Pack)> {
        self.packs().find_map(|p| p.default_deny.as_ref().map(|d| (d, p)))
    }
    pub fn recusal(&self) -> Option<(&Recusal, &Pack)> {
        self.packs().find_map(|p| p.recusal.as_ref().map(|r| (r, p)))
    }
    pub fn personal_matters(&self) -> Option<(&PersonalMatters, &Pack)> {
        self.packs()
            .find_map(|p| p.personal_matters.as_ref().map(|r| (r, p)))
    }

    /// The pack a power is defined in (for its id and version in findings).
    pub fn pack_of_power(&self, power_id: &str) -> Option<&Pack> {
        self.powers()
            .find(|d| d.item.id == power_id)
            .map(|d| &d.source.pack)
    }

    /// References between files that do not resolve, duplicate ids, and
    /// sections that may appear only once: errors, each pinned to its line.
    pub fn cross_check(&self) -> Vec<Problem> {
        let mut problems = Problems::default();
        self.check_unique_ids(&mut problems);
        self.check_organisations(&mut problems);
        self.check_people(&mut problems);
        self.check_mandate(&mut problems);
        self.check_procedures(&mut problems);
        self.check_singletons(&mut problems);
        for calendar in self.calendars() {
            for message in calendar.item.problems() {
                problems.error(
                    calendar.source,
                    &calendar.item.id,
                    format!("calendar `{}`: {message}", calendar.item.id),
                );
            }
        }
        problems.0.sort();
        problems.0.dedup();
        problems.0
    }

    fn check_unique_ids(&self, problems: &mut Problems) {
        let mut seen: BTreeMap<(&str, &str), &Path> = BTreeMap::new();
        let items = self.sources.iter().flat_map(|s| {
            let p = &s.pack;
            p.organisations
                .iter()
                .map(|o| ("organisation", o.id.as_str()))
                .chain(p.positions.iter().map(|o| ("position", o.id.as_str())))
                // People and companies share one namespace: either can be an act's counterparty.
                .chain(p.people.iter().map(|o| ("person or company", o.id.as_str())))
                .chain(p.companies.iter().map(|o| ("person or company", o.id.as_str())))
                .chain(p.powers.iter().map(|o| ("power", o.id.as_str())))
                .chain(p.delegations.iter().map(|o| ("delegation", o.id.as_str())))
                .chain(p.prohibitions.iter().map(|o| ("prohibition", o.id.as_str())))
                .chain(p.meeting_rules.iter().map(|o| ("meeting rule", o.id.as_str())))
                .chain(p.calendars.iter().map(|o| ("calendar", o.id.as_str())))
                .chain(p.duties.iter().map(|o| ("duty", o.id.as_str())))
                .chain(p.procedures.iter().map(|o| ("procedure", o.id.as_str())))
                .chain(crate::load::rule_ids(p).into_iter().map(|id| ("rule", id)))
                .map(move |(ns, id)| (ns, id, s))
        });
        for (namespace, id, source) in items {
            match seen.get(&(namespace, id)) {
                Some(first) => problems.error(
                    source,
                    id,
                    format!(
                        "{namespace} `{id}` is defined twice (first in {})",
                        first.display()
                    ),
                ),
                None => {
                    seen.insert((namespace, id), &source.path);
                }
            }
        }
    }
}

/// Problems collected while checking, pinned to the item's line.
#[derive(Default)]
pub(crate) struct Problems(pub(crate) Vec<Problem>);

impl Problems {
    pub(crate) fn error(&mut self, source: &Source, id: &str, message: String) {
        self.push(Level::Error, source, id, message);
    }
    pub(crate) fn warning(&mut self, source: &Source, id: &str, message: String) {
        self.push(Level::Warning, source, id, message);
    }
    fn push(&mut self, level: Level, source: &Source, id: &str, message: String) {
        self.0.push(Problem {
            level,
            path: source.path.clone(),
            line: locate(&source.text, id),
            message,
        });
    }
}

/// Names for "one of: a, b, c" in messages, capped so a long list stays readable.
pub(crate) fn one_of<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: BTreeSet<&str> = ids.collect();
    if ids.is_empty() {
        return "none is defined".into();
    }
    let shown: Vec<&str> = ids.iter().copied().take(8).collect();
    let more = ids.len().saturating_sub(shown.len());
    if more > 0 {
        format!("defined: {} and {more} more", shown.join(", "))
    } else {
        format!("defined: {}", shown.join(", "))
    }
}

impl RuleKind {
    /// The calendar a rule counts working days on, if it names one.
    pub fn calendar(&self) -> Option<&str> {
        match self {
            RuleKind::Deadline { calendar, .. } | RuleKind::Duration { calendar, .. } => calendar.as_deref(),
            _ => None,
        }
    }
}
