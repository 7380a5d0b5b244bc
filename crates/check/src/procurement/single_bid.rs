//! Single bid received: a competitive procedure that attracted only one bid.
//! Competition is what makes a tender fair; a lone bidder is the most common
//! red flag for a tender tailored to one supplier (OCP, "Red flags for
//! integrity", 2016).
//!
//! Bids counted: `bids.details` entries not `withdrawn`; without details,
//! `tender.numberOfTenderers`.

use serde_json::Value;

use super::{as_count, ContractingProcess, RedFlag, Verdict};

pub(crate) struct SingleBid;

impl RedFlag for SingleBid {
    fn assess(&self, process: &ContractingProcess) -> Verdict {
        let details = process
            .compiled
            .pointer("/bids/details")
            .and_then(Value::as_array);
        let (count, source) = match details {
            Some(bids) => (
                bids.iter()
                    .filter(|b| b.get("status").and_then(Value::as_str) != Some("withdrawn"))
                    .count() as u64,
                "bids.details",
            ),
            None => match process
                .tender()
                .and_then(|t| t.get("numberOfTenderers"))
                .and_then(as_count)
            {
                Some(n) => (n, "tender.numberOfTenderers"),
                None => return Verdict::NotApplicable("no bids.details or tender.numberOfTenderers".into()),
            },
        };
        if count == 1 {
            let method = process.tender_str("procurementMethod").unwrap_or("unknown");
            Verdict::Flag(format!(
                "Only one bid was received ({source}) in this {method} procedure, so the buyer had no competing offer to compare."
            ))
        } else {
            Verdict::Clean
        }
    }
}
