//! Kinship and company ties, for recusal. Only direct ties are written in
//! the rules (spouse, parent, child, sibling); grandparents, cousins and
//! in-laws are worked out here, each with the words that name the tie.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use mandate_rules::{Company, Pack, Recusal, RelationKind};

/// Who is related to whom, and who owns or directs which company.
#[derive(Debug, Default)]
pub struct Kinship {
    parents: HashMap<String, BTreeSet<String>>,
    spouses: HashMap<String, BTreeSet<String>>,
    companies: HashMap<String, Company>,
}

/// How the counterparty is tied to the actor, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tie(pub String);

impl Kinship {
    pub fn new(packs: &[Pack]) -> Kinship {
        let mut kin = Kinship::default();
        let mut siblings: Vec<(String, String)> = Vec::new();
        for relation in packs.iter().flat_map(|p| &p.relations) {
            let (a, b) = (relation.person.clone(), relation.of.clone());
            match relation.kind {
                RelationKind::Spouse => {
                    kin.spouses.entry(a.clone()).or_default().insert(b.clone());
                    kin.spouses.entry(b).or_default().insert(a);
                }
                RelationKind::Parent => {
                    kin.parents.entry(b).or_default().insert(a);
                }
                RelationKind::Child => {
                    kin.parents.entry(a).or_default().insert(b);
                }
                RelationKind::Sibling => siblings.push((a, b)),
            }
        }
        // Siblings whose parents are not recorded share a stand-in parent,
        // so that their children are cousins like any others.
        for (a, b) in siblings {
            let shared = kin
                .parents
                .get(&a)
                .zip(kin.parents.get(&b))
                .is_some_and(|(x, y)| !x.is_disjoint(y));
            if !shared {
                let stand_in = format!("~parents of {a} and {b}");
                kin.parents.entry(a).or_default().insert(stand_in.clone());
                kin.parents.entry(b).or_default().insert(stand_in);
            }
        }
        for company in packs.iter().flat_map(|p| &p.companies) {
            kin.companies.insert(company.id.clone(), company.clone());
        }
        kin
    }

    /// Ancestors of `person` with the number of generations up (parent = 1).
    fn ancestors(&self, person: &str) -> BTreeMap<&str, u32> {
        let mut found: BTreeMap<&str, u32> = BTreeMap::new();
        let mut frontier: Vec<(&str, u32)> = vec![(person, 0)];
        while let Some((at, depth)) = frontier.pop() {
            for parent in self.parents.get(at).into_iter().flatten() {
                let better = found.get(parent.as_str()).is_none_or(|d| *d > depth + 1);
                if better {
                    found.insert(parent, depth + 1);
                    frontier.push((parent, depth + 1));
                }
            }
        }
        found
    }

    fn spouses_of(&self, person: &str) -> impl Iterator<Item = &str> {
        self.spouses.get(person).into_iter().flatten().map(String::as_str)
    }

    fn is_sibling(&self, a: &str, b: &str) -> bool {
        a != b
            && self
                .parents
                .get(a)
                .zip(self.parents.get(b))
                .is_some_and(|(x, y)| !x.is_disjoint(y))
    }

    /// The blood tie between two people, if the recusal rule covers it.
    fn blood_tie(&self, actor: &str, other: &str, recusal: &Recusal) -> Option<String> {
        let up_actor = self.ancestors(actor);
        let up_other = self.ancestors(other);
        if recusal.lineal {
            if let Some(n) = up_actor.get(other) {
                return Some(lineal_name("parent", *n));
            }
            if let Some(n) = up_other.get(actor) {
                return Some(lineal_name("child", *n));
            }
        }
        if recusal.collateral_within_generations >= 2 {
            // The nearest common ancestor; generations count oneself as the first.
            let nearest = up_actor
                .iter()
                .filter_map(|(a, da)| up_other.get(a).map(|db| (*da.max(db), *da, *db)))
                .min();
            if let Some((far, da, db)) = nearest {
                // `far` parent steps up is generation `far + 1`, counting oneself.
                if far < u32::from(recusal.collateral_within_generations) {
                    return Some(collateral_name(da, db));
                }
            }
        }
        None
    }

    /// How `other` is tied to `actor` under the recusal rule, if at all.
    pub fn person_tie(&self, actor: &str, other: &str, recusal: &Recusal) -> Option<Tie> {
        if actor == other {
            return Some(Tie("the actor themself".into()));
        }
        if recusal.spouse && self.spouses_of(actor).any(|s| s == other) {
            return Some(Tie("the actor's spouse".into()));
        }
        if let Some(tie) = self.blood_tie(actor, other, recusal) {
            return Some(Tie(format!("the actor's {tie}")));
        }
        if recusal.close_in_laws {
            for spouse in self.spouses_of(actor) {
                if self.parents.get(spouse).is_some_and(|p| p.contains(other)) {
                    return Some(Tie(format!("the actor's spouse's parent (spouse {spouse})")));
                }
                if self.is_sibling(spouse, other) {
                    return Some(Tie(format!("the actor's spouse's sibling (spouse {spouse})")));
                }
            }
            for spouse_of_other in self.spouses_of(other) {
                if self
                    .parents
                    .get(spouse_of_other)
                    .is_some_and(|p| p.contains(actor))
                {
                    return Some(Tie(format!("the spouse of the actor's child {spouse_of_other}")));
                }
                if self.is_sibling(actor, spouse_of_other) {
                    return Some(Tie(format!(
                        "the spouse of the actor's sibling {spouse_of_other}"
                    )));
                }
            }
        }
        None
    }

    /// How a counterparty (a person, or a company owned or directed by a
    /// person) is tied to the actor under the recusal rule, if at all.
    pub fn tie(&self, actor: &str, counterparty: &str, recusal: &Recusal) -> Option<Tie> {
        if let Some(company) = self.companies.get(counterparty) {
            if !recusal.companies {
                return None;
            }
            let holders = company
                .owners
                .iter()
                .map(|o| (o.person.as_str(), Some(o.share)))
                .chain(company.directors.iter().map(|d| (d.as_str(), None)));
            for (person, share) in holders {
                if let Some(Tie(who)) = self.person_tie(actor, person, recusal) {
                    let how = match share {
                        Some(share) => format!("owned {:.0} % by", share * 100.0),
                        None => "directed by".to_string(),
                    };
                    return Some(Tie(format!("{counterparty} is {how} {person}, {who}")));
                }
            }
            return None;
        }
        self.person_tie(actor, counterparty, recusal)
            .map(|Tie(who)| Tie(format!("{counterparty} is {who}")))
    }
}

fn lineal_name(base: &str, generations: u32) -> String {
    let base = match base {
        "parent" => "parent",
        _ => "child",
    };
    match generations {
        1 => base.to_string(),
        2 => format!("grand{base}"),
        n => format!("{}grand{base}", "great-".repeat(n as usize - 2)),
    }
}

/// Names of collateral kin by the generations from each side to the common ancestor.
fn collateral_name(from_actor: u32, from_other: u32) -> String {
    match (from_actor, from_other) {
        (1, 1) => "sibling".into(),
        (2, 2) => "first cousin".into(),
        (2, 1) => "uncle or aunt".into(),
        (1, 2) => "nephew or niece".into(),
        (a, b) => format!("collateral relative ({a} and {b} generations from the common ancestor)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// grandpa ─┬─ dad ── actor ══ wife ── (wife's parent: in-law-father; wife's brother: in-law)
    ///          └─ uncle ── cousin ── cousin's child
    /// actor's brother ══ brother's wife; brother ── nephew
    fn family() -> (Kinship, Recusal) {
        let text = r#"
[pack]
id = "f"
title = "f"
version = "1"
jurisdiction = "x"
[recusal]
id = "r"
title = "r"
severity = "high"
spouse = true
lineal = true
collateral_within_generations = 3
close_in_laws = true
companies = true
legal_basis = { source = "s", text = "t" }
[[relation]]
person = "grandpa"
kind = "parent"
of = "dad"
[[relation]]
person = "grandpa"
kind = "parent"
of = "uncle"
[[relation]]
person = "dad"
kind = "parent"
of = "actor"
[[relation]]
person = "dad"
kind = "parent"
of = "brother"
[[relation]]
person = "cousin"
kind = "child"
of = "uncle"
[[relation]]
person = "cousin-child"
kind = "child"
of = "cousin"
[[relation]]
person = "actor"
kind = "spouse"
of = "wife"
[[relation]]
person = "wife-father"
kind = "parent"
of = "wife"
[[relation]]
person = "wife-brother"
kind = "sibling"
of = "wife"
[[relation]]
person = "wife-brother-cousin"
kind = "child"
of = "wife-uncle"
[[relation]]
person = "brother"
kind = "spouse"
of = "brother-wife"
[[relation]]
person = "nephew"
kind = "child"
of = "brother"
[[company]]
id = "firm"
name = "Firm"
owner = [{ person = "nephew", share = 0.6 }]
[[company]]
id = "other-firm"
name = "Other"
directors = ["cousin-child"]
"#;
        let pack = mandate_rules::parse_pack(Path::new("f.toml"), text).unwrap();
        let recusal = pack.recusal.clone().unwrap();
        (Kinship::new(&[pack]), recusal)
    }

    #[test]
    fn derived_ties_are_named() {
        let (kin, r) = family();
        let tie = |other: &str| kin.tie("actor", other, &r).map(|t| t.0);
        assert_eq!(tie("wife").as_deref(), Some("wife is the actor's spouse"));
        assert_eq!(
            tie("grandpa").as_deref(),
            Some("grandpa is the actor's grandparent")
        );
        assert_eq!(tie("brother").as_deref(), Some("brother is the actor's sibling"));
        assert_eq!(
            tie("uncle").as_deref(),
            Some("uncle is the actor's uncle or aunt")
        );
        assert_eq!(
            tie("cousin").as_deref(),
            Some("cousin is the actor's first cousin")
        );
        assert_eq!(
            tie("nephew").as_deref(),
            Some("nephew is the actor's nephew or niece")
        );
        assert!(tie("wife-father").unwrap().contains("spouse's parent"));
        assert!(tie("wife-brother").unwrap().contains("spouse's sibling"));
        assert!(tie("brother-wife")
            .unwrap()
            .contains("spouse of the actor's sibling"));
        assert_eq!(
            tie("firm").as_deref(),
            Some("firm is owned 60 % by nephew, the actor's nephew or niece")
        );
    }

    #[test]
    fn ties_beyond_the_rule_are_not_conflicts() {
        let (kin, r) = family();
        // A first cousin's child shares great-grandparents... here: grandpa is
        // the cousin-child's great-grandparent: 4 generations, beyond 3.
        assert_eq!(kin.tie("actor", "cousin-child", &r), None);
        assert_eq!(kin.tie("actor", "other-firm", &r), None);
        // The spouse's cousin is no close in-law.
        assert_eq!(kin.tie("actor", "wife-brother-cousin", &r), None);
        let narrow = Recusal {
            collateral_within_generations: 2,
            ..r.clone()
        };
        assert_eq!(kin.tie("actor", "cousin", &narrow), None);
        assert!(kin.tie("actor", "brother", &narrow).is_some());
    }
}
