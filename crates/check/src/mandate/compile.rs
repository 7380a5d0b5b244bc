//! Building the Cedar policy sets of a mandate, and deciding acts with them.
//!
//! Each position gets a small policy set per matter (its powers and
//! delegations for that matter, the prohibitions that bind it, the recusal
//! rule), so a decision evaluates a handful of policies however large the
//! mandate is. Cedar decides; when it refuses an act that some power could
//! cover, the conditions that failed are read from the same `Condition`s the
//! policies were compiled from, to explain the refusal.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid, Policy, PolicyId,
    PolicySet, Request, RestrictedExpression,
};
use chrono::NaiveDate;
use mandate_model::{Act, LegalBasis, Money, Severity};
use mandate_rules::{Matter, MeetingRule, NamesPositions, Pack, Person, Position, Power};

use super::kinship::Kinship;
use super::policy::{self, Condition};
use super::verdict::{Permission, Verdict, Violation};
use crate::meeting::Tally;

#[derive(Debug, thiserror::Error)]
pub enum MandateError {
    /// A generated policy did not parse: a defect of the compiler, reported
    /// with the text so it can be fixed.
    #[error("cannot compile {what} to Cedar: {message}\n{text}")]
    Policy {
        what: String,
        message: String,
        text: String,
    },
    #[error("cannot build the Cedar entities: {0}")]
    Entities(String),
}

/// A rule quoted in findings.
#[derive(Debug, Clone)]
struct Cited {
    id: String,
    pack: String,
    title: String,
    severity: Severity,
    legal_basis: LegalBasis,
}

/// One way a position may decide a matter: a power it holds, or one lent to it.
#[derive(Debug, Clone)]
struct Candidate {
    power: String,
    delegation: Option<String>,
    matter: Matter,
    conditions: Vec<Condition>,
}

struct CompiledPosition {
    position: Position,
    /// The position's policies, split by matter so that Cedar evaluates
    /// only those that can apply to an act.
    by_matter: HashMap<Matter, MatterPolicies>,
    candidates: Vec<Candidate>,
    /// Every policy of the position, id and Cedar text, in order, for
    /// review and explanations (a power held by several positions has a
    /// policy per position, under one id).
    policies: Vec<(String, String)>,
}

/// The policy sets of one position for one matter.
#[derive(Default)]
struct MatterPolicies {
    /// Permits, prohibitions and recusal: the decision.
    decide: PolicySet,
    /// Permits alone: whether the powers would cover the act, once a prohibition refused it.
    grants: PolicySet,
}

/// The compiled mandate of a rule set.
pub struct Mandate {
    positions: HashMap<String, CompiledPosition>,
    people: HashMap<String, Person>,
    organisations: BTreeSet<String>,
    /// Each organisation's parent, to explain scope refusals.
    parents: HashMap<String, String>,
    entities: Entities,
    kinship: Kinship,
    default_deny: Cited,
    prohibitions: BTreeMap<String, Cited>,
    recusal: Option<(Cited, mandate_rules::Recusal)>,
    powers: BTreeMap<String, (Power, String)>,
    authorizer: Authorizer,
    types: Types,
}

fn pack_label(pack: &Pack) -> String {
    format!("{}@{}", pack.pack.id, pack.pack.version)
}

/// The entity types of the Cedar schema, parsed once: parsing a type name
/// runs Cedar's parser, too slow to do for every act.
struct Types {
    position: EntityTypeName,
    action: EntityTypeName,
    organisation: EntityTypeName,
}

impl Types {
    fn new() -> Result<Types, MandateError> {
        let parse =
            |kind: &str| EntityTypeName::from_str(kind).map_err(|e| MandateError::Entities(e.to_string()));
        Ok(Types {
            position: parse("Position")?,
            action: parse("Action")?,
            organisation: parse("Organisation")?,
        })
    }
}

fn uid(kind: &EntityTypeName, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(kind.clone(), EntityId::new(id))
}

fn parse(id: &str, text: &str, what: &str) -> Result<Policy, MandateError> {
    Policy::parse(Some(PolicyId::new(id)), text).map_err(|e| MandateError::Policy {
        what: what.to_string(),
        message: e.to_string(),
        text: text.to_string(),
    })
}

fn add(set: &mut PolicySet, policy: &Policy) -> Result<(), MandateError> {
    set.add(policy.clone()).map_err(|e| MandateError::Policy {
        what: policy.id().to_string(),
        message: e.to_string(),
        text: policy.to_string(),
    })
}

impl Mandate {
    /// Compile the mandate of `packs` (positions, powers, delegations,
    /// prohibitions, recusal). Packs must have passed validation.
    pub fn compile(packs: &[Pack]) -> Result<Mandate, MandateError> {
        let meeting_rules: BTreeMap<&str, &MeetingRule> = packs
            .iter()
            .flat_map(|p| &p.meeting_rules)
            .map(|m| (m.id.as_str(), m))
            .collect();
        let default_deny = packs
            .iter()
            .find_map(|p| {
                p.default_deny.as_ref().map(|d| Cited {
                    id: d.id.clone(),
                    pack: pack_label(p),
                    title: d.title.clone(),
                    severity: d.severity,
                    legal_basis: d.legal_basis.clone(),
                })
            })
            .unwrap_or_else(|| Cited {
                id: "mandate.default-deny".into(),
                pack: "mandate".into(),
                title: "No power without a basis in the mandate".into(),
                severity: Severity::High,
                legal_basis: LegalBasis {
                    source: "Rights-and-responsibilities list (default deny)".into(),
                    article: None,
                    text:
                        "A position may exercise only the powers its list grants; anything else is refused."
                            .into(),
                    url: None,
                },
            });
        let recusal = packs.iter().find_map(|p| {
            p.recusal.as_ref().map(|r| {
                let cited = Cited {
                    id: r.id.clone(),
                    pack: pack_label(p),
                    title: r.title.clone(),
                    severity: r.severity,
                    legal_basis: r.legal_basis.clone(),
                };
                (cited, r.clone())
            })
        });
        let mut prohibitions = BTreeMap::new();
        for pack in packs {
            for p in &pack.prohibitions {
                prohibitions.insert(
                    p.id.clone(),
                    Cited {
                        id: p.id.clone(),
                        pack: pack_label(pack),
                        title: p.title.clone(),
                        severity: p.severity,
                        legal_basis: p.legal_basis.clone(),
                    },
                );
            }
        }
        let powers: BTreeMap<String, (Power, String)> = packs
            .iter()
            .flat_map(|pack| {
                pack.powers
                    .iter()
                    .map(move |p| (p.id.clone(), (p.clone(), pack_label(pack))))
            })
            .collect();

        let mut positions = HashMap::new();
        for position in packs.iter().flat_map(|p| &p.positions) {
            let mut candidates = Vec::new();
            for (power, _) in powers.values() {
                if power.concerns(position) {
                    candidates.push(Candidate {
                        power: power.id.clone(),
                        delegation: None,
                        matter: power.matter,
                        conditions: conditions(power, &position.organisation, power.limit, &meeting_rules),
                    });
                }
            }
            for delegation in packs.iter().flat_map(|p| &p.delegations) {
                if delegation.to_position != position.id {
                    continue;
                }
                let Some((power, _)) = powers.get(&delegation.power) else {
                    continue;
                };
                let limit = match (power.limit, delegation.limit) {
                    (Some(a), Some(b)) if b.cents() < a.cents() => Some(b),
                    (Some(a), _) => Some(a),
                    (None, b) => b,
                };
                let mut conditions = conditions(power, &position.organisation, limit, &meeting_rules);
                conditions.insert(
                    1,
                    Condition::Window {
                        from: delegation.from,
                        until: delegation.until,
                    },
                );
                candidates.push(Candidate {
                    power: power.id.clone(),
                    delegation: Some(delegation.id.clone()),
                    matter: power.matter,
                    conditions,
                });
            }
            let mut by_matter: HashMap<Matter, MatterPolicies> = Matter::ALL
                .iter()
                .map(|m| (*m, MatterPolicies::default()))
                .collect();
            let mut policies = Vec::new();
            for candidate in &candidates {
                let id = match &candidate.delegation {
                    Some(d) => format!("delegation:{d}"),
                    None => format!("power:{}", candidate.power),
                };
                let text = policy::permit(
                    &id,
                    &position.id,
                    candidate.matter.as_str(),
                    &candidate.conditions,
                );
                let permit = parse(&id, &text, &id)?;
                let sets = by_matter.entry(candidate.matter).or_default();
                add(&mut sets.decide, &permit)?;
                add(&mut sets.grants, &permit)?;
                policies.push((id, text));
            }
            for prohibition in packs.iter().flat_map(|p| &p.prohibitions) {
                if !prohibition.concerns(position) {
                    continue;
                }
                let id = format!("prohibition:{}", prohibition.id);
                let kinds: Vec<&str> = prohibition.position_kinds.iter().map(|k| k.as_str()).collect();
                let matters: Vec<&str> = prohibition.matters.iter().map(|m| m.as_str()).collect();
                let text = policy::prohibition(&id, &prohibition.positions, &kinds, &matters);
                let forbid = parse(&id, &text, &id)?;
                for matter in &prohibition.matters {
                    add(&mut by_matter.entry(*matter).or_default().decide, &forbid)?;
                }
                policies.push((id, text));
            }
            if let Some((cited, _)) = &recusal {
                let id = format!("recusal:{}", cited.id);
                let text = policy::recusal(&id);
                let forbid = parse(&id, &text, &id)?;
                for sets in by_matter.values_mut() {
                    add(&mut sets.decide, &forbid)?;
                }
                policies.push((id, text));
            }
            positions.insert(
                position.id.clone(),
                CompiledPosition {
                    position: position.clone(),
                    by_matter,
                    candidates,
                    policies,
                },
            );
        }

        let types = Types::new()?;
        let mut entities = Vec::new();
        let mut organisations = BTreeSet::new();
        let mut org_parents = HashMap::new();
        for org in packs.iter().flat_map(|p| &p.organisations) {
            let parents: HashSet<EntityUid> =
                org.parent.iter().map(|p| uid(&types.organisation, p)).collect();
            entities.push(Entity::new_no_attrs(uid(&types.organisation, &org.id), parents));
            organisations.insert(org.id.clone());
            if let Some(parent) = &org.parent {
                org_parents.insert(org.id.clone(), parent.clone());
            }
        }
        for position in packs.iter().flat_map(|p| &p.positions) {
            let attrs = HashMap::from([(
                "kind".to_string(),
                RestrictedExpression::new_string(position.kind.as_str().to_string()),
            )]);
            let entity = Entity::new(uid(&types.position, &position.id), attrs, HashSet::new())
                .map_err(|e| MandateError::Entities(e.to_string()))?;
            entities.push(entity);
        }
        let entities =
            Entities::from_entities(entities, None).map_err(|e| MandateError::Entities(e.to_string()))?;
        let people = packs
            .iter()
            .flat_map(|p| &p.people)
            .map(|p| (p.id.clone(), p.clone()))
            .collect();
        Ok(Mandate {
            positions,
            people,
            organisations,
            parents: org_parents,
            entities,
            kinship: Kinship::new(packs),
            default_deny,
            prohibitions,
            recusal,
            powers,
            authorizer: Authorizer::new(),
            types,
        })
    }

    /// Whether the mandate has anything to judge acts by.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// The rule ids acts are judged by, with their pack, for coverage.
    pub fn rule_ids(&self) -> Vec<(String, String)> {
        let mut ids = vec![(self.default_deny.id.clone(), self.default_deny.pack.clone())];
        ids.extend(self.prohibitions.values().map(|p| (p.id.clone(), p.pack.clone())));
        ids.extend(self.recusal.iter().map(|(c, _)| (c.id.clone(), c.pack.clone())));
        ids.extend(
            self.powers
                .iter()
                .map(|(id, (_, pack))| (id.clone(), pack.clone())),
        );
        ids
    }

    /// Decide one act: the rules it breaks, or the powers that permit it.
    pub fn decide(&self, act: &Act) -> Verdict {
        self.judge(act, false)
    }

    /// Decide one act and say why: also the Cedar policies that decided and
    /// how each condition of the permitting powers was met.
    pub fn explain(&self, act: &Act) -> Verdict {
        self.judge(act, true)
    }

    fn judge(&self, act: &Act, explain: bool) -> Verdict {
        let mut verdict = Verdict {
            position: None,
            permitted_by: Vec::new(),
            violations: Vec::new(),
            policies: Vec::new(),
        };
        let position = match self.resolve_position(act) {
            Ok(position) => position,
            Err(reason) => {
                verdict.violations.push(self.refusal(
                    &self.default_deny,
                    format!("Act {} is refused: {reason}.", act.id),
                ));
                return verdict;
            }
        };
        verdict.position = Some(position.position.id.clone());
        let Some(matter) = Matter::parse(&act.matter) else {
            let known: Vec<&str> = Matter::ALL.iter().map(|m| m.as_str()).collect();
            verdict.violations.push(self.refusal(
                &self.default_deny,
                format!(
                    "Act {} is refused: `{}` is not a kind of matter the mandate grants ({}).",
                    act.id,
                    act.matter,
                    known.join(", ")
                ),
            ));
            return verdict;
        };
        let conflict = match (&self.recusal, &act.counterparty) {
            (Some((_, rule)), Some(counterparty)) => self.kinship.tie(&act.actor, counterparty, rule),
            _ => None,
        };
        let Some(policies) = position.by_matter.get(&matter) else {
            verdict.violations.push(self.refusal(
                &self.default_deny,
                format!(
                    "Act {} cannot be evaluated: no policies for {}.",
                    act.id,
                    matter.as_str()
                ),
            ));
            return verdict;
        };
        let request = match request(
            &self.types,
            act,
            &position.position.id,
            matter,
            conflict.is_some(),
        ) {
            Ok(request) => request,
            Err(reason) => {
                verdict.violations.push(self.refusal(
                    &self.default_deny,
                    format!("Act {} cannot be evaluated: {reason}.", act.id),
                ));
                return verdict;
            }
        };
        let response = self
            .authorizer
            .is_authorized(&request, &policies.decide, &self.entities);
        let errors: Vec<String> = response.diagnostics().errors().map(|e| e.to_string()).collect();
        if !errors.is_empty() {
            // Fail closed: a policy that could not be evaluated may have been a forbid.
            verdict.violations.push(self.refusal(
                &self.default_deny,
                format!(
                    "Act {} cannot be evaluated, so it is refused: {}.",
                    act.id,
                    errors.join("; ")
                ),
            ));
            return verdict;
        }
        let reasons: Vec<String> = response.diagnostics().reason().map(|id| id.to_string()).collect();
        if explain {
            verdict.policies = reasons
                .iter()
                .filter_map(|id| position.policies.iter().find(|(p, _)| p == id).cloned())
                .collect();
        }
        let who = format!("{} as {}", act.actor, position.position.id);
        for reason in &reasons {
            if let Some(id) = reason.strip_prefix("prohibition:") {
                if let Some(cited) = self.prohibitions.get(id) {
                    verdict.violations.push(self.refusal(
                        cited,
                        format!(
                            "Act {} ({}) by {who} is forbidden: {}, whatever power is granted.",
                            act.id,
                            describe(act),
                            cited.title.trim_end_matches('.').to_lowercase()
                        ),
                    ));
                }
            }
            if reason.starts_with("recusal:") {
                if let (Some((cited, _)), Some(tie)) = (&self.recusal, &conflict) {
                    verdict.violations.push(self.refusal(
                        cited,
                        format!(
                            "Act {} ({}) by {who} should have been left to someone else: {}.",
                            act.id,
                            describe(act),
                            tie.0
                        ),
                    ));
                }
            }
        }
        let granted = match response.decision() {
            Decision::Allow => Some(reasons.clone()),
            Decision::Deny if verdict.violations.is_empty() => None,
            Decision::Deny => {
                let grants = self
                    .authorizer
                    .is_authorized(&request, &policies.grants, &self.entities);
                (grants.decision() == Decision::Allow && grants.diagnostics().errors().next().is_none())
                    .then(|| grants.diagnostics().reason().map(|id| id.to_string()).collect())
            }
        };
        match granted {
            Some(ids) => verdict.permitted_by = self.permissions(act, position, &ids, explain),
            None => {
                if let Some(violation) = self.diagnose(act, position, matter, &who) {
                    verdict.violations.push(violation);
                }
            }
        }
        verdict
    }

    /// The Cedar text of every policy of a position, for review.
    pub fn policies_of(&self, position: &str) -> Vec<(String, String)> {
        self.positions
            .get(position)
            .map(|p| p.policies.clone())
            .unwrap_or_default()
    }

    fn refusal(&self, cited: &Cited, explanation: String) -> Violation {
        Violation {
            rule_id: cited.id.clone(),
            pack: cited.pack.clone(),
            title: cited.title.clone(),
            severity: cited.severity,
            legal_basis: cited.legal_basis.clone(),
            explanation,
        }
    }

    fn resolve_position(&self, act: &Act) -> Result<&CompiledPosition, String> {
        let day = act.time.date_naive();
        let Some(person) = self.people.get(&act.actor) else {
            return Err(format!("the actor `{}` is not a person in the rules", act.actor));
        };
        let held: Vec<&str> = person
            .terms
            .iter()
            .filter(|t| t.covers(day))
            .map(|t| t.position.as_str())
            .collect();
        let id = match &act.position {
            Some(position) if held.contains(&position.as_str()) => position.as_str(),
            Some(position) => {
                return Err(format!(
                    "{} did not hold the position `{position}` on {day}{}",
                    act.actor,
                    held_list(&held)
                ))
            }
            None => match held.as_slice() {
                [one] => one,
                [] => return Err(format!("{} held no position on {day}", act.actor)),
                several => {
                    return Err(format!(
                        "{} held {} positions on {day} ({}), and the act does not say in which it was taken",
                        act.actor,
                        several.len(),
                        several.join(", ")
                    ))
                }
            },
        };
        self.positions
            .get(id)
            .ok_or_else(|| format!("position `{id}` is not defined"))
    }

    fn permissions(
        &self,
        act: &Act,
        position: &CompiledPosition,
        ids: &[String],
        explain: bool,
    ) -> Vec<Permission> {
        position
            .candidates
            .iter()
            .filter(|c| {
                let id = match &c.delegation {
                    Some(d) => format!("delegation:{d}"),
                    None => format!("power:{}", c.power),
                };
                ids.contains(&id)
            })
            .filter_map(|c| {
                let (power, _) = self.powers.get(&c.power)?;
                Some(Permission {
                    power: power.id.clone(),
                    title: power.title.clone(),
                    delegation: c.delegation.clone(),
                    legal_basis: power.legal_basis.clone(),
                    met: if explain {
                        c.conditions.iter().map(|cond| met(cond, act)).collect()
                    } else {
                        Vec::new()
                    },
                })
            })
            .collect()
    }

    /// Why no power covers the act: the candidate closest to covering it,
    /// and the conditions it misses.
    fn diagnose(
        &self,
        act: &Act,
        position: &CompiledPosition,
        matter: Matter,
        who: &str,
    ) -> Option<Violation> {
        // A delegation out of its period grants nothing: it is no candidate.
        type Numbered<'c> = Vec<(usize, &'c Candidate)>;
        let (of_matter, lapsed): (Numbered, Numbered) = position
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.matter == matter)
            .partition(|(_, c)| {
                c.conditions.iter().all(|cond| match cond {
                    Condition::Window { from, until } => (*from..=*until).contains(&act.time.date_naive()),
                    _ => true,
                })
            });
        if of_matter.is_empty() {
            let lapsed: Vec<String> = lapsed
                .iter()
                .flat_map(|(_, c)| {
                    let window = c
                        .conditions
                        .iter()
                        .find(|cond| matches!(cond, Condition::Window { .. }));
                    c.delegation.as_ref().zip(window)
                })
                .map(|(d, window)| {
                    format!(
                        "; the delegation `{d}` is not in force: {}",
                        self.unmet(window, act)
                    )
                })
                .collect();
            return Some(self.refusal(
                &self.default_deny,
                format!(
                    "Act {} ({}) by {who}: no power in the mandate grants {} to this position{}.",
                    act.id,
                    describe(act),
                    matter.as_str().replace('_', " "),
                    lapsed.concat()
                ),
            ));
        }
        // Cedar refused the act; which conditions failed is worked out here,
        // from the same conditions the policies were compiled from.
        let (_, _, candidate, failed) = of_matter
            .iter()
            .map(|(_, candidate)| {
                let failed: Vec<&Condition> = candidate
                    .conditions
                    .iter()
                    .filter(|condition| !self.holds(condition, act))
                    .collect();
                (failed.len(), &candidate.power, *candidate, failed)
            })
            .min_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)))?;
        if failed.is_empty() {
            // The policies and this reading disagree: refuse, and say so.
            return Some(self.refusal(
                &self.default_deny,
                format!(
                    "Act {} ({}) by {who} is refused by the policies of `{}` although each of its conditions appears met.",
                    act.id,
                    describe(act),
                    candidate.power
                ),
            ));
        }
        let (power, pack) = self.powers.get(&candidate.power)?;
        let cited = Cited {
            id: power.id.clone(),
            pack: pack.clone(),
            title: power.title.clone(),
            severity: self.default_deny.severity,
            legal_basis: power.legal_basis.clone(),
        };
        let via = match &candidate.delegation {
            Some(d) => format!(" (delegated by `{d}`)"),
            None => String::new(),
        };
        let reasons: Vec<String> = failed.iter().map(|c| self.unmet(c, act)).collect();
        Some(self.refusal(
            &cited,
            format!(
                "Act {} ({}) by {who} is not covered by the power `{}`{via}: {}.",
                act.id,
                describe(act),
                power.id,
                reasons.join("; ")
            ),
        ))
    }

    /// Whether an act meets one condition of a power: the reading of the
    /// condition's Cedar text (`Condition::cedar`) used to explain a refusal.
    fn holds(&self, condition: &Condition, act: &Act) -> bool {
        let within = |limit: &Money| {
            act.amount.is_some_and(|a| {
                a.currency == limit.currency && a.cents().zip(limit.cents()).is_some_and(|(a, l)| a <= l)
            })
        };
        match condition {
            Condition::Scope { organisation, scope } => {
                act.organisation == *organisation
                    || (*scope == mandate_rules::Scope::OwnAndSubordinate
                        && self.is_below(&act.organisation, organisation))
            }
            Condition::Window { from, until } => (*from..=*until).contains(&act.time.date_naive()),
            Condition::Limit(limit) => within(limit),
            Condition::Collective { above, meeting_rule } => {
                above.as_ref().is_some_and(within)
                    || act
                        .meeting
                        .as_ref()
                        .is_some_and(|m| Tally::of(m).failures(meeting_rule).is_empty())
            }
            Condition::Reviewer => act.reviewer.as_ref().is_some_and(|r| *r != act.actor),
        }
    }

    /// Whether `org` is strictly below `ancestor` in the hierarchy.
    fn is_below(&self, org: &str, ancestor: &str) -> bool {
        let mut at = self.parents.get(org);
        let mut steps = 0;
        while let Some(parent) = at {
            if parent == ancestor {
                return true;
            }
            steps += 1;
            if steps > self.parents.len() {
                return false;
            }
            at = self.parents.get(parent);
        }
        false
    }

    /// Why a condition is not met, in words.
    fn unmet(&self, condition: &Condition, act: &Act) -> String {
        match condition {
            Condition::Scope { organisation, scope } => {
                if !self.organisations.contains(&act.organisation) {
                    format!(
                        "the organisation `{}` is not defined in the rules",
                        act.organisation
                    )
                } else {
                    match scope {
                        mandate_rules::Scope::Own => {
                            format!(
                                "the matter belongs to `{}`, and the power covers `{organisation}` only",
                                act.organisation
                            )
                        }
                        mandate_rules::Scope::OwnAndSubordinate => format!(
                            "the matter belongs to `{}`, outside `{organisation}` and the units below it",
                            act.organisation
                        ),
                    }
                }
            }
            Condition::Window { from, until } => format!(
                "the delegation runs from {from} to {until}, and the act is dated {}",
                act.time.date_naive()
            ),
            Condition::Limit(limit) => match act.amount {
                None => format!("the act states no amount, and the power is limited to {limit}"),
                Some(amount) if amount.currency != limit.currency => {
                    format!(
                        "the amount {amount} is not in {}, the currency of the limit {limit}",
                        limit.currency
                    )
                }
                Some(amount) => format!("the amount {amount} is above the limit of {limit}"),
            },
            Condition::Collective { above, meeting_rule } => {
                let why = match above {
                    Some(above) => match act.amount {
                        Some(amount) if amount.currency == above.currency => {
                            format!("above {above} the matter must be decided collectively")
                        }
                        _ => format!(
                            "without an amount in {} the matter must be decided collectively",
                            above.currency
                        ),
                    },
                    None => "the matter must be decided collectively".into(),
                };
                match &act.meeting {
                    None => format!("{why}, and no meeting is recorded"),
                    Some(meeting) => format!(
                        "{why}, and meeting {} does not meet {} ({}): {}",
                        meeting.id,
                        meeting_rule.id,
                        meeting_rule.legal_basis,
                        Tally::of(meeting).failures(meeting_rule).join(", ")
                    ),
                }
            }
            Condition::Reviewer => match &act.reviewer {
                Some(reviewer) if *reviewer == act.actor => "the reviewer is the actor themself".into(),
                _ => "a second reviewer is required and none is recorded".into(),
            },
        }
    }
}

fn held_list(held: &[&str]) -> String {
    if held.is_empty() {
        " (they held no position that day)".into()
    } else {
        format!(" (they held {})", held.join(", "))
    }
}

/// "fund approval for org.finance, 250000.00 CNY"
fn describe(act: &Act) -> String {
    let mut text = format!("{} for {}", act.matter.replace('_', " "), act.organisation);
    if let Some(amount) = act.amount {
        text.push_str(&format!(", {amount}"));
    }
    text
}

/// How a condition was met, for a permitted act.
fn met(condition: &Condition, act: &Act) -> String {
    match condition {
        Condition::Scope { organisation, .. } => {
            format!("{} is within `{organisation}`'s scope", act.organisation)
        }
        Condition::Window { from, until } => format!("dated within the delegation ({from} to {until})"),
        Condition::Limit(limit) => format!(
            "{} within the limit of {limit}",
            act.amount.map(|a| a.to_string()).unwrap_or_default()
        ),
        Condition::Collective { meeting_rule, .. } => match &act.meeting {
            Some(m) => format!("decided collectively at meeting {} ({})", m.id, meeting_rule.id),
            None => "below the amount that needs a collective decision".into(),
        },
        Condition::Reviewer => format!("reviewed by {}", act.reviewer.as_deref().unwrap_or("?")),
    }
}

/// The conditions of `power` as held by a position of `organisation`.
fn conditions(
    power: &Power,
    organisation: &str,
    limit: Option<Money>,
    meeting_rules: &BTreeMap<&str, &MeetingRule>,
) -> Vec<Condition> {
    let mut conditions = vec![Condition::Scope {
        organisation: organisation.to_string(),
        scope: power.scope,
    }];
    if let Some(limit) = limit {
        conditions.push(Condition::Limit(limit));
    }
    let rule = power.meeting_rule.as_deref().and_then(|id| meeting_rules.get(id));
    if let Some(rule) = rule {
        if power.collective_decision {
            conditions.push(Condition::Collective {
                above: None,
                meeting_rule: (*rule).clone(),
            });
        } else if let Some(above) = power.collective_decision_above {
            conditions.push(Condition::Collective {
                above: Some(above),
                meeting_rule: (*rule).clone(),
            });
        }
    }
    if power.second_reviewer {
        conditions.push(Condition::Reviewer);
    }
    conditions
}

/// The Cedar request for an act, with the facts of its context.
fn request(
    types: &Types,
    act: &Act,
    position: &str,
    matter: Matter,
    conflict: bool,
) -> Result<Request, String> {
    let day: NaiveDate = act.time.date_naive();
    let mut pairs = vec![
        (
            "day".to_string(),
            RestrictedExpression::new_long(policy::day_number(day)),
        ),
        (
            "reviewed_by_other".to_string(),
            RestrictedExpression::new_bool(act.reviewer.as_ref().is_some_and(|r| *r != act.actor)),
        ),
        (
            "conflict_of_interest".to_string(),
            RestrictedExpression::new_bool(conflict),
        ),
    ];
    // A flat context: nested records cost Cedar an evaluation each.
    if let Some(amount) = act.amount {
        let cents = amount
            .cents()
            .ok_or_else(|| format!("the amount {} is not a usable number", amount.amount))?;
        pairs.push((
            "amount_currency".to_string(),
            RestrictedExpression::new_string(amount.currency.as_str().to_string()),
        ));
        pairs.push(("amount_cents".to_string(), RestrictedExpression::new_long(cents)));
    }
    if let Some(meeting) = &act.meeting {
        let tally = Tally::of(meeting);
        let long = |n: usize| RestrictedExpression::new_long(i64::try_from(n).unwrap_or(i64::MAX));
        pairs.extend([
            ("meeting_members".to_string(), long(tally.members)),
            ("meeting_present".to_string(), long(tally.present)),
            ("meeting_votes_for".to_string(), long(tally.votes_for)),
            (
                "meeting_unreasoned_dissent".to_string(),
                long(tally.unreasoned_dissent),
            ),
            (
                "meeting_chief_spoke_last".to_string(),
                RestrictedExpression::new_bool(tally.chief_spoke_last),
            ),
        ]);
    }
    let context = Context::from_pairs(pairs).map_err(|e| e.to_string())?;
    let principal = uid(&types.position, position);
    let action = uid(&types.action, matter.as_str());
    let resource = uid(&types.organisation, &act.organisation);
    Request::new(principal, action, resource, context, None).map_err(|e| e.to_string())
}
