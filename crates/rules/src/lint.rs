//! Lints: rules that load but have gaps or contradict each other. They are
//! warnings (the rules still run) that a reviewer should resolve.

use std::collections::{BTreeMap, BTreeSet};

use crate::mandate::{NamesPositions, Power, Scope};
use crate::pack::{DeadlineStart, RuleKind};
use crate::ruleset::{Problem, Problems, RuleSet};

impl RuleSet {
    /// Every lint, sorted by file and line.
    pub fn lint(&self) -> Vec<Problem> {
        let mut problems = Problems::default();
        self.lint_powers(&mut problems);
        self.lint_procedures(&mut problems);
        problems.0.sort();
        problems.0
    }

    /// The positions that hold a power: named ones and every position of its kinds.
    pub fn holders<'a>(&'a self, power: &'a Power) -> impl Iterator<Item = &'a crate::Position> + 'a {
        self.positions()
            .map(|d| d.item)
            .filter(move |p| power.concerns(p))
    }

    /// Organisations whose matters a power covers, over all its holders.
    fn covered(&self, power: &Power) -> BTreeSet<String> {
        let mut covered = BTreeSet::new();
        for holder in self.holders(power) {
            covered.insert(holder.organisation.clone());
            if power.scope == Scope::OwnAndSubordinate {
                covered.extend(self.below(&holder.organisation));
            }
        }
        covered
    }

    /// Organisations below `org`, at any depth.
    pub fn below(&self, org: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let mut frontier = vec![org.to_string()];
        while let Some(at) = frontier.pop() {
            for child in self
                .organisations()
                .filter(|d| d.item.parent.as_deref() == Some(&at))
            {
                if found.insert(child.item.id.clone()) {
                    frontier.push(child.item.id.clone());
                }
            }
        }
        found
    }

    fn lint_powers(&self, problems: &mut Problems) {
        let powers: Vec<_> = self.powers().collect();
        for d in &powers {
            let power = d.item;
            if power.procedure.is_none() {
                problems.warning(
                    d.source,
                    &power.id,
                    format!(
                        "power `{}` names no `procedure`: how the {} is prepared and decided is not checked",
                        power.id,
                        power.matter.as_str().replace('_', " ")
                    ),
                );
            }
            if self.holders(power).next().is_none() {
                problems.warning(
                    d.source,
                    &power.id,
                    format!("power `{}`: no defined position holds it", power.id),
                );
            }
            for prohibition in self.all(|p| &p.prohibitions) {
                let prohibition = prohibition.item;
                if !prohibition.matters.contains(&power.matter) {
                    continue;
                }
                let contradicted: Vec<&str> = self
                    .holders(power)
                    .filter(|p| prohibition.concerns(p))
                    .map(|p| p.id.as_str())
                    .collect();
                if !contradicted.is_empty() {
                    problems.warning(
                        d.source,
                        &power.id,
                        format!(
                            "power `{}` grants {} to {}, which prohibition `{}` forbids: every such act will be a finding",
                            power.id,
                            power.matter.as_str(),
                            contradicted.join(", "),
                            prohibition.id
                        ),
                    );
                }
            }
        }
        // Two powers on one matter where either is `sole`, over overlapping organisations.
        let covered: BTreeMap<&str, BTreeSet<String>> = powers
            .iter()
            .map(|d| (d.item.id.as_str(), self.covered(d.item)))
            .collect();
        for (i, a) in powers.iter().enumerate() {
            for b in &powers[i + 1..] {
                let (pa, pb) = (a.item, b.item);
                if pa.matter != pb.matter || !(pa.sole || pb.sole) {
                    continue;
                }
                let (Some(ca), Some(cb)) = (covered.get(pa.id.as_str()), covered.get(pb.id.as_str())) else {
                    continue;
                };
                if let Some(org) = ca.intersection(cb).next() {
                    let sole = if pa.sole { &pa.id } else { &pb.id };
                    problems.warning(
                        b.source,
                        &pb.id,
                        format!(
                            "powers `{}` and `{}` both decide {} for `{org}`, but `{sole}` is meant to be the sole approver",
                            pa.id,
                            pb.id,
                            pa.matter.as_str()
                        ),
                    );
                }
            }
        }
        for source in &self.sources {
            for delegation in &source.pack.delegations {
                let Some(position) = self.position(&delegation.to_position) else {
                    continue;
                };
                let Some(power) = powers.iter().map(|d| d.item).find(|p| p.id == delegation.power) else {
                    continue;
                };
                for prohibition in self.all(|p| &p.prohibitions).map(|d| d.item) {
                    if prohibition.concerns(position) && prohibition.matters.contains(&power.matter) {
                        problems.warning(
                            source,
                            &delegation.id,
                            format!(
                                "delegation `{}` lends {} to `{}`, which prohibition `{}` forbids",
                                delegation.id,
                                power.matter.as_str(),
                                position.id,
                                prohibition.id
                            ),
                        );
                    }
                }
            }
        }
    }

    fn lint_procedures(&self, problems: &mut Problems) {
        for d in self.procedures() {
            let procedure = d.item;
            // Precedence as a graph "stage needs stage": a cycle means none of
            // its stages can ever be done in order.
            let mut needs: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for rule in &procedure.rules {
                if let RuleKind::Precedence { stages, requires, .. } = &rule.kind {
                    for stage in stages {
                        needs.entry(stage.as_str()).or_default().insert(requires.as_str());
                    }
                }
            }
            for stage in &procedure.stages {
                if reaches(&needs, &stage.id, &stage.id) {
                    problems.warning(
                        d.source,
                        &procedure.id,
                        format!(
                            "procedure `{}`: stage `{}` is unreachable: by the precedence rules it must come after itself",
                            procedure.id, stage.id
                        ),
                    );
                }
            }
            for deadline in &procedure.rules {
                let RuleKind::Deadline {
                    start: DeadlineStart::Stage(from),
                    stage: Some(to),
                    within_days: Some(within),
                    days,
                    ..
                } = &deadline.kind
                else {
                    continue;
                };
                for minimum in &procedure.rules {
                    let RuleKind::Duration {
                        from: min_from,
                        to: min_to,
                        min_days: Some(min),
                        days: min_count,
                        ..
                    } = &minimum.kind
                    else {
                        continue;
                    };
                    if min_from == from && min_to == to && min_count == days && min > within {
                        problems.warning(
                            d.source,
                            &deadline.common.id,
                            format!(
                                "procedure `{}`: rule `{}` allows {within} days from `{from}` to `{to}`, but rule `{}` requires at least {min}: no case can satisfy both",
                                procedure.id, deadline.common.id, minimum.common.id
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// Whether `target` can be reached from `from` by following `needs` edges.
fn reaches(needs: &BTreeMap<&str, BTreeSet<&str>>, from: &str, target: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut frontier: Vec<&str> = needs.get(from).into_iter().flatten().copied().collect();
    while let Some(at) = frontier.pop() {
        if at == target {
            return true;
        }
        if seen.insert(at) {
            frontier.extend(needs.get(at).into_iter().flatten().copied());
        }
    }
    false
}
