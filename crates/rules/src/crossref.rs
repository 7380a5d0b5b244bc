//! Cross-file references of a rule set: every id a definition names must be
//! defined somewhere in the set. Each problem names the item and the field.

use std::collections::{BTreeMap, BTreeSet};

use crate::mandate::Power;
use crate::pack::RuleKind;
use crate::ruleset::{one_of, Problems, RuleSet};

impl RuleSet {
    pub(crate) fn check_organisations(&self, problems: &mut Problems) {
        let orgs: BTreeMap<&str, Option<&str>> = self
            .organisations()
            .map(|d| (d.item.id.as_str(), d.item.parent.as_deref()))
            .collect();
        for d in self.organisations() {
            let org = d.item;
            if let Some(parent) = org.parent.as_deref() {
                if !orgs.contains_key(parent) {
                    problems.error(
                        d.source,
                        &org.id,
                        format!(
                            "organisation `{}`: field `parent`: organisation `{parent}` is not defined ({})",
                            org.id,
                            one_of(orgs.keys().copied())
                        ),
                    );
                }
            }
            // Walk up: a cycle would make "in the organisation or below it" undecidable.
            let mut seen = BTreeSet::from([org.id.as_str()]);
            let mut at = org.parent.as_deref();
            while let Some(parent) = at {
                if !seen.insert(parent) {
                    problems.error(
                        d.source,
                        &org.id,
                        format!(
                            "organisation `{}`: its parents form a cycle through `{parent}`",
                            org.id
                        ),
                    );
                    break;
                }
                at = orgs.get(parent).copied().flatten();
            }
        }
        let org_ids = || orgs.keys().copied();
        for d in self.positions() {
            if !orgs.contains_key(d.item.organisation.as_str()) {
                problems.error(
                    d.source,
                    &d.item.id,
                    format!(
                        "position `{}`: field `organisation`: organisation `{}` is not defined ({})",
                        d.item.id,
                        d.item.organisation,
                        one_of(org_ids())
                    ),
                );
            }
        }
    }

    pub(crate) fn check_people(&self, problems: &mut Problems) {
        let positions: BTreeSet<&str> = self.positions().map(|d| d.item.id.as_str()).collect();
        let people: BTreeSet<&str> = self.people().map(|d| d.item.id.as_str()).collect();
        for d in self.people() {
            for term in &d.item.terms {
                if !positions.contains(term.position.as_str()) {
                    problems.error(
                        d.source,
                        &d.item.id,
                        format!(
                            "person `{}`: term: position `{}` is not defined ({})",
                            d.item.id,
                            term.position,
                            one_of(positions.iter().copied())
                        ),
                    );
                }
                if term.until.is_some_and(|until| until < term.from) {
                    problems.error(
                        d.source,
                        &d.item.id,
                        format!(
                            "person `{}`: term in `{}` ends before it starts",
                            d.item.id, term.position
                        ),
                    );
                }
            }
        }
        for source in &self.sources {
            for relation in &source.pack.relations {
                for (field, id) in [("person", &relation.person), ("of", &relation.of)] {
                    if !people.contains(id.as_str()) {
                        problems.error(
                            source,
                            &relation.person,
                            format!(
                                "relation of `{}`: field `{field}`: person `{id}` is not defined",
                                relation.person
                            ),
                        );
                    }
                }
                if relation.person == relation.of {
                    problems.error(
                        source,
                        &relation.person,
                        format!("relation: `{}` cannot be related to themselves", relation.person),
                    );
                }
            }
        }
        for d in self.companies() {
            let company = d.item;
            let named = company
                .owners
                .iter()
                .map(|o| ("owner", &o.person))
                .chain(company.directors.iter().map(|p| ("directors", p)));
            for (field, id) in named {
                if !people.contains(id.as_str()) {
                    problems.error(
                        d.source,
                        &company.id,
                        format!(
                            "company `{}`: field `{field}`: person `{id}` is not defined",
                            company.id
                        ),
                    );
                }
            }
            for owner in &company.owners {
                if !(owner.share > 0.0 && owner.share <= 1.0) {
                    problems.error(
                        d.source,
                        &company.id,
                        format!(
                            "company `{}`: owner `{}`: `share` must be above 0 and at most 1, not {}",
                            company.id, owner.person, owner.share
                        ),
                    );
                }
            }
        }
    }

    pub(crate) fn check_mandate(&self, problems: &mut Problems) {
        let positions: BTreeSet<&str> = self.positions().map(|d| d.item.id.as_str()).collect();
        let procedures: BTreeSet<&str> = self.procedures().map(|d| d.item.id.as_str()).collect();
        let meeting_rules: BTreeSet<&str> = self.meeting_rules().map(|d| d.item.id.as_str()).collect();
        let powers: BTreeMap<&str, &Power> = self.powers().map(|d| (d.item.id.as_str(), d.item)).collect();
        let unknown_position = |id: &str| {
            format!(
                "position `{id}` is not defined ({})",
                one_of(positions.iter().copied())
            )
        };
        for d in self.powers() {
            let power = d.item;
            let here = format!("power `{}`", power.id);
            if power.positions.is_empty() && power.position_kinds.is_empty() {
                problems.error(
                    d.source,
                    &power.id,
                    format!("{here}: give `positions` or `position_kinds`: nobody holds it"),
                );
            }
            for id in power
                .positions
                .iter()
                .filter(|id| !positions.contains(id.as_str()))
            {
                problems.error(
                    d.source,
                    &power.id,
                    format!("{here}: field `positions`: {}", unknown_position(id)),
                );
            }
            if let Some(procedure) = power.procedure.as_deref().filter(|p| !procedures.contains(p)) {
                problems.error(
                    d.source,
                    &power.id,
                    format!(
                        "{here}: field `procedure`: procedure `{procedure}` is not defined ({})",
                        one_of(procedures.iter().copied())
                    ),
                );
            }
            let needs_meeting = power.collective_decision || power.collective_decision_above.is_some();
            match power.meeting_rule.as_deref() {
                None if needs_meeting => problems.error(
                    d.source,
                    &power.id,
                    format!("{here}: a collective decision is required, so `meeting_rule` must say what makes it valid"),
                ),
                Some(rule) if !meeting_rules.contains(rule) => problems.error(
                    d.source,
                    &power.id,
                    format!(
                        "{here}: field `meeting_rule`: meeting rule `{rule}` is not defined ({})",
                        one_of(meeting_rules.iter().copied())
                    ),
                ),
                _ => {}
            }
            for (field, amount) in [
                ("limit", power.limit),
                ("collective_decision_above", power.collective_decision_above),
            ] {
                if amount.is_some_and(|m| m.cents().is_none_or(|c| c < 0)) {
                    problems.error(
                        d.source,
                        &power.id,
                        format!("{here}: field `{field}`: not a usable amount"),
                    );
                }
            }
            if let (Some(limit), Some(above)) = (power.limit, power.collective_decision_above) {
                if limit.currency != above.currency {
                    problems.error(
                        d.source,
                        &power.id,
                        format!(
                            "{here}: `limit` is in {} but `collective_decision_above` in {}",
                            limit.currency, above.currency
                        ),
                    );
                }
            }
        }
        for source in &self.sources {
            for delegation in &source.pack.delegations {
                let here = format!("delegation `{}`", delegation.id);
                match powers.get(delegation.power.as_str()) {
                    None => problems.error(
                        source,
                        &delegation.id,
                        format!(
                            "{here}: field `power`: power `{}` is not defined ({})",
                            delegation.power,
                            one_of(powers.keys().copied())
                        ),
                    ),
                    Some(power) => {
                        if let (Some(own), Some(lent)) = (power.limit, delegation.limit) {
                            if own.currency != lent.currency {
                                problems.error(
                                    source,
                                    &delegation.id,
                                    format!(
                                        "{here}: `limit` is in {} but the power's in {}",
                                        lent.currency, own.currency
                                    ),
                                );
                            }
                        }
                    }
                }
                if !positions.contains(delegation.to_position.as_str()) {
                    problems.error(
                        source,
                        &delegation.id,
                        format!(
                            "{here}: field `to_position`: {}",
                            unknown_position(&delegation.to_position)
                        ),
                    );
                }
                if delegation.until < delegation.from {
                    problems.error(
                        source,
                        &delegation.id,
                        format!("{here}: `until` is before `from`"),
                    );
                }
            }
            for prohibition in &source.pack.prohibitions {
                let here = format!("prohibition `{}`", prohibition.id);
                for id in prohibition
                    .positions
                    .iter()
                    .filter(|id| !positions.contains(id.as_str()))
                {
                    problems.error(
                        source,
                        &prohibition.id,
                        format!("{here}: field `positions`: {}", unknown_position(id)),
                    );
                }
                if prohibition.positions.is_empty() && prohibition.position_kinds.is_empty() {
                    problems.error(
                        source,
                        &prohibition.id,
                        format!("{here}: give `positions` or `position_kinds`: it binds nobody"),
                    );
                }
                if prohibition.matters.is_empty() {
                    problems.error(source, &prohibition.id, format!("{here}: `matters` is empty"));
                }
            }
            for duty in &source.pack.duties {
                for id in duty
                    .positions
                    .iter()
                    .filter(|id| !positions.contains(id.as_str()))
                {
                    problems.error(
                        source,
                        &duty.id,
                        format!("duty `{}`: field `positions`: {}", duty.id, unknown_position(id)),
                    );
                }
            }
        }
    }

    pub(crate) fn check_procedures(&self, problems: &mut Problems) {
        let calendars: BTreeSet<&str> = self.calendars().map(|d| d.item.id.as_str()).collect();
        let meeting_rules: BTreeSet<&str> = self.meeting_rules().map(|d| d.item.id.as_str()).collect();
        for d in self.procedures() {
            for rule in &d.item.rules {
                let here = format!("procedure `{}`: rule `{}`", d.item.id, rule.common.id);
                if let Some(calendar) = rule.kind.calendar().filter(|c| !calendars.contains(c)) {
                    problems.error(
                        d.source,
                        &rule.common.id,
                        format!(
                            "{here}: field `calendar`: calendar `{calendar}` is not defined ({})",
                            one_of(calendars.iter().copied())
                        ),
                    );
                }
                if let RuleKind::CollectiveDecision { meeting_rule, .. } = &rule.kind {
                    if !meeting_rules.contains(meeting_rule.as_str()) {
                        problems.error(
                            d.source,
                            &rule.common.id,
                            format!(
                                "{here}: field `meeting_rule`: meeting rule `{meeting_rule}` is not defined ({})",
                                one_of(meeting_rules.iter().copied())
                            ),
                        );
                    }
                }
            }
        }
    }

    pub(crate) fn check_singletons(&self, problems: &mut Problems) {
        type Has = fn(&crate::Pack) -> bool;
        let sections: [(&str, Has); 3] = [
            ("[default_deny]", |p| p.default_deny.is_some()),
            ("[recusal]", |p| p.recusal.is_some()),
            ("[personal_matters]", |p| p.personal_matters.is_some()),
        ];
        for (name, has) in sections {
            let mut holders = self.sources.iter().filter(|s| has(&s.pack));
            if let Some(first) = holders.next() {
                for again in holders {
                    problems.0.push(crate::ruleset::Problem {
                        level: crate::ruleset::Level::Error,
                        path: again.path.clone(),
                        line: None,
                        message: format!(
                            "{name} is also defined in {}; the rules may have one",
                            first.path.display()
                        ),
                    });
                }
            }
        }
    }
}
