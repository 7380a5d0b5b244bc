//! An exercise of power as the mandate sees it: who did what, for which
//! organisation, for how much, and with which safeguards (a collective
//! decision, a second reviewer). Also the meeting that takes a collective
//! decision, with attendance, votes and speaking order.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// One act: an approval, appointment, signature, award...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Act {
    /// The act's id in the source system.
    pub id: String,
    /// The person who performed it (an id from the organisation file).
    pub actor: String,
    /// The position the actor acted in. When absent, the position the actor
    /// held on `time` by their terms of office (it must be exactly one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// The kind of matter: `fund_approval`, `appointment`, `procurement`...
    pub matter: String,
    /// The organisation whose matter it is.
    pub organisation: String,
    pub time: DateTime<FixedOffset>,
    /// The sum involved, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Who benefits: a person or company id (for recusal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    /// The meeting that decided the matter collectively, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<Meeting>,
    /// The person who reviewed the act before it was taken, if anyone did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// Free text: what was decided.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
}

/// An amount of money: decimal units as written (`1250000.00`) and an ISO 4217 code.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    pub amount: f64,
    pub currency: Currency,
}

/// An ISO 4217 currency code, stored inline so amounts stay `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Whether `code` is an ISO 4217 currency code (`UAH`; not `uah`, not `UHA`).
    pub fn is_iso_4217(code: &str) -> bool {
        iso_currency::Currency::from_code(code).is_some()
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        match code.as_bytes() {
            [a, b, c] if Currency::is_iso_4217(&code) => Ok(Currency([*a, *b, *c])),
            _ => Err(format!("`{code}` is not an ISO 4217 currency code")),
        }
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_string()
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Money {
    /// The amount in hundredths, the unit limits are compared in, so that
    /// no comparison depends on floating-point rounding.
    pub fn cents(&self) -> Option<i64> {
        let cents = (self.amount * 100.0).round();
        (cents.is_finite() && cents.abs() < 9.0e15).then_some(cents as i64)
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} {}", self.amount, self.currency)
    }
}

/// A meeting of a collective body (a leadership team, a standing committee)
/// that decided one or more matters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    pub id: String,
    /// Every member of the body, present or not.
    pub members: Vec<String>,
    /// The members who attended.
    pub present: Vec<String>,
    /// The chief (the body's top leader), who should speak last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chief: Option<String>,
    /// Members in the order they spoke on the matter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub speaking_order: Vec<String>,
    #[serde(default)]
    pub votes: Vec<Vote>,
}

/// One member's vote, with the reason when they dissented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    pub member: String,
    pub vote: VoteChoice,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteChoice {
    For,
    Against,
    Abstain,
}

impl Meeting {
    pub fn votes_for(&self) -> usize {
        self.votes.iter().filter(|v| v.vote == VoteChoice::For).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_round_half_away_from_zero() {
        let m = |amount| Money {
            amount,
            currency: Currency::try_from("CNY".to_string()).unwrap(),
        };
        assert_eq!(m(0.1 + 0.2).cents(), Some(30));
        assert_eq!(m(5_000_000.0).cents(), Some(500_000_000));
        assert_eq!(m(f64::NAN).cents(), None);
    }

    #[test]
    fn currency_must_be_three_capitals() {
        assert!(Currency::try_from("cny".to_string()).is_err());
        assert!(Currency::try_from("CNYX".to_string()).is_err());
        assert_eq!(Currency::try_from("EUR".to_string()).unwrap().as_str(), "EUR");
    }
}
