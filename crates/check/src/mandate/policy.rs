//! The mandate compiled to Cedar. Every power held by a position becomes a
//! `permit`, every prohibition and the recusal rule a `forbid`; anything no
//! permit covers is refused, Cedar's default. Each condition of a power is
//! also compiled on its own, so a refusal can say which condition failed.
//!
//! Facts Cedar cannot work out itself (which position the actor held that
//! day, kinship, the tallies of a meeting) are computed in Rust and passed
//! in the request's context:
//!
//! | context | type | meaning |
//! |---|---|---|
//! | `day` | Long | the act's date, days since 0001-01-01 |
//! | `amount` | `{ currency: String, cents: Long }` | the sum involved, if any |
//! | `meeting` | `{ members, present, votes_for, unreasoned_dissent: Long, chief_spoke_last: Bool }` | the collective decision, if any |
//! | `reviewed_by_other` | Bool | a reviewer other than the actor is recorded |
//! | `conflict_of_interest` | Bool | the counterparty is tied to the actor as the recusal rule says |

use chrono::{Datelike, NaiveDate};
use mandate_model::Money;
use mandate_rules::{MeetingRule, Scope, Share};

/// One condition of a power, as held by one position.
#[derive(Debug, Clone)]
pub enum Condition {
    /// The act's organisation is the holder's (and, for `OwnAndSubordinate`, below it).
    Scope {
        organisation: String,
        scope: Scope,
    },
    /// A delegation's period.
    Window {
        from: NaiveDate,
        until: NaiveDate,
    },
    Limit(Money),
    /// A valid collective decision: always, or above an amount.
    Collective {
        above: Option<Money>,
        meeting_rule: MeetingRule,
    },
    Reviewer,
}

/// A Cedar string literal (also an entity id).
pub fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn entity(kind: &str, id: &str) -> String {
    format!("{kind}::{}", literal(id))
}

pub fn day_number(day: NaiveDate) -> i64 {
    i64::from(day.num_days_from_ce())
}

fn within(money: &Money) -> String {
    format!(
        "(context has amount_cents && context.amount_currency == {} && context.amount_cents <= {})",
        literal(money.currency.as_str()),
        money.cents().unwrap_or(i64::MIN)
    )
}

fn share(count: &str, share: &Share) -> String {
    let (op, f) = match share {
        Share::AtLeast(f) => (">=", f),
        Share::MoreThan(f) => (">", f),
    };
    format!(
        "{count} * {} {op} context.meeting_members * {}",
        f.denominator, f.numerator
    )
}

pub fn valid_meeting(rule: &MeetingRule) -> String {
    let mut parts = vec![
        "context has meeting_members".to_string(),
        "context.meeting_members > 0".to_string(),
        share("context.meeting_present", &rule.quorum),
        share("context.meeting_votes_for", &rule.approval),
    ];
    if rule.chief_speaks_last {
        parts.push("context.meeting_chief_spoke_last".into());
    }
    if rule.dissent_with_reasons {
        parts.push("context.meeting_unreasoned_dissent == 0".into());
    }
    format!("({})", parts.join(" && "))
}

impl Condition {
    /// The condition as a Cedar expression over `resource` and `context`.
    pub fn cedar(&self) -> String {
        match self {
            Condition::Scope {
                organisation,
                scope: Scope::Own,
            } => format!("resource == {}", entity("Organisation", organisation)),
            Condition::Scope {
                organisation,
                scope: Scope::OwnAndSubordinate,
            } => format!("resource in {}", entity("Organisation", organisation)),
            Condition::Window { from, until } => format!(
                "(context.day >= {} && context.day <= {})",
                day_number(*from),
                day_number(*until)
            ),
            Condition::Limit(limit) => within(limit),
            Condition::Collective {
                above: Some(above),
                meeting_rule,
            } => format!("({} || {})", within(above), valid_meeting(meeting_rule)),
            Condition::Collective {
                above: None,
                meeting_rule,
            } => valid_meeting(meeting_rule),
            Condition::Reviewer => "context.reviewed_by_other".into(),
        }
    }
}

/// `permit` for one position and matter under all `conditions`.
pub fn permit(annotation: &str, position: &str, matter: &str, conditions: &[Condition]) -> String {
    let when = if conditions.is_empty() {
        "true".to_string()
    } else {
        conditions
            .iter()
            .map(Condition::cedar)
            .collect::<Vec<_>>()
            .join("\n    && ")
    };
    format!(
        "@id({})\npermit(principal == {}, action == {}, resource)\nwhen {{\n    {when}\n}};",
        literal(annotation),
        entity("Position", position),
        entity("Action", matter)
    )
}

/// `forbid` of `matters` for positions named or of the kinds given.
pub fn prohibition(annotation: &str, positions: &[String], kinds: &[&str], matters: &[&str]) -> String {
    let mut who: Vec<String> = positions
        .iter()
        .map(|p| format!("principal == {}", entity("Position", p)))
        .collect();
    who.extend(kinds.iter().map(|k| format!("principal.kind == {}", literal(k))));
    let actions: Vec<String> = matters.iter().map(|m| entity("Action", m)).collect();
    format!(
        "@id({})\nforbid(principal, action in [{}], resource)\nwhen {{ {} }};",
        literal(annotation),
        actions.join(", "),
        who.join(" || ")
    )
}

/// `forbid` of every act whose counterparty is tied to the actor.
pub fn recusal(annotation: &str) -> String {
    format!(
        "@id({})\nforbid(principal, action, resource)\nwhen {{ context.conflict_of_interest }};",
        literal(annotation)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(literal(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(entity("Position", "pos.mayor"), r#"Position::"pos.mayor""#);
    }

    #[test]
    fn shares_compare_in_integers() {
        let s = Share::AtLeast(mandate_rules::Fraction {
            numerator: 2,
            denominator: 3,
        });
        assert_eq!(
            share("context.meeting_present", &s),
            "context.meeting_present * 3 >= context.meeting_members * 2"
        );
    }
}
