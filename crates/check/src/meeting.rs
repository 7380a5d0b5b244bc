//! Whether a collective body's meeting decided validly under a meeting
//! rule: attendance, votes of all members, the chief speaking last, reasons
//! for dissent. Shared by procedure checks and by the mandate's conditions.

use mandate_model::{Meeting, VoteChoice};
use mandate_rules::MeetingRule;

/// The counts a meeting rule is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub members: usize,
    pub present: usize,
    pub votes_for: usize,
    /// The chief is recorded and spoke last.
    pub chief_spoke_last: bool,
    /// Votes against or abstentions recorded without a reason.
    pub unreasoned_dissent: usize,
}

impl Tally {
    pub fn of(meeting: &Meeting) -> Tally {
        Tally {
            members: meeting.members.len(),
            present: meeting.present.len(),
            votes_for: meeting.votes_for(),
            chief_spoke_last: meeting
                .chief
                .as_ref()
                .is_some_and(|chief| meeting.speaking_order.last() == Some(chief)),
            unreasoned_dissent: meeting
                .votes
                .iter()
                .filter(|v| {
                    v.vote != VoteChoice::For && v.reason.as_deref().is_none_or(|r| r.trim().is_empty())
                })
                .count(),
        }
    }

    /// What falls short of the rule, one phrase each; empty when valid.
    pub fn failures(&self, rule: &MeetingRule) -> Vec<String> {
        let mut failures = Vec::new();
        if self.members == 0 {
            failures.push("the meeting lists no members".to_string());
            return failures;
        }
        if !rule.quorum.is_met(self.present, self.members) {
            failures.push(format!(
                "{} of {} members attended, the quorum is {} of all members",
                self.present, self.members, rule.quorum
            ));
        }
        if !rule.approval.is_met(self.votes_for, self.members) {
            failures.push(format!(
                "{} of {} members voted for, approval needs {} of all members",
                self.votes_for, self.members, rule.approval
            ));
        }
        if rule.chief_speaks_last && !self.chief_spoke_last {
            failures.push("the chief did not speak last".to_string());
        }
        if rule.dissent_with_reasons && self.unreasoned_dissent > 0 {
            failures.push(format!(
                "{} vote{} against or abstaining recorded no reason",
                self.unreasoned_dissent,
                if self.unreasoned_dissent == 1 { "" } else { "s" }
            ));
        }
        failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mandate_model::Vote;
    use mandate_rules::{Fraction, Share};

    fn rule() -> MeetingRule {
        MeetingRule {
            id: "m".into(),
            title: "m".into(),
            severity: mandate_model::Severity::High,
            quorum: Share::AtLeast(Fraction {
                numerator: 2,
                denominator: 3,
            }),
            approval: Share::MoreThan(Fraction {
                numerator: 1,
                denominator: 2,
            }),
            chief_speaks_last: true,
            dissent_with_reasons: true,
            legal_basis: mandate_model::LegalBasis {
                source: "s".into(),
                article: None,
                text: "t".into(),
                url: None,
            },
        }
    }

    fn meeting(members: usize, present: usize, votes_for: usize) -> Meeting {
        let id = |i: usize| format!("m{i}");
        Meeting {
            id: "x".into(),
            members: (0..members).map(id).collect(),
            present: (0..present).map(id).collect(),
            chief: Some(id(0)),
            speaking_order: (1..present).chain([0]).map(id).collect(),
            votes: (0..present)
                .map(|i| Vote {
                    member: id(i),
                    vote: if i < votes_for {
                        VoteChoice::For
                    } else {
                        VoteChoice::Against
                    },
                    reason: Some("disagrees".into()),
                })
                .collect(),
        }
    }

    #[test]
    fn quorum_and_approval_count_all_members() {
        // 6 of 9 present is exactly 2/3; 5 for is more than half of 9.
        assert!(Tally::of(&meeting(9, 6, 5)).failures(&rule()).is_empty());
        // 5 of 9 present misses 2/3.
        assert_eq!(
            Tally::of(&meeting(9, 5, 5)).failures(&rule()),
            ["5 of 9 members attended, the quorum is at least 2/3 of all members"]
        );
        // 8 of 11 present (24 >= 22); 5 for is a majority of those present but not of all 11.
        assert_eq!(
            Tally::of(&meeting(11, 8, 5)).failures(&rule()),
            ["5 of 11 members voted for, approval needs more than 1/2 of all members"]
        );
        // 7 of 11 present misses 2/3 (21 < 22); 4 of 8 is not more than half.
        assert_eq!(Tally::of(&meeting(11, 7, 7)).failures(&rule()).len(), 1);
        assert_eq!(Tally::of(&meeting(8, 8, 4)).failures(&rule()).len(), 1);
    }

    #[test]
    fn conduct_of_the_meeting() {
        let mut m = meeting(9, 9, 7);
        m.speaking_order.reverse();
        m.votes[8].reason = None;
        assert_eq!(
            Tally::of(&m).failures(&rule()),
            [
                "the chief did not speak last",
                "1 vote against or abstaining recorded no reason"
            ]
        );
    }
}
