//! Award to a newly registered supplier: the winner was registered fewer
//! than `minimum_days` before the tender opened. Companies set up just in
//! time to win are a classic sign of a front for an insider.
//!
//! OCDS has no standard registration date: the pack names the member of
//! `parties[].details` that holds it (`registration_date_field`). The tender
//! opens at `tender.tenderPeriod.startDate`.

use super::process::{calendar_date, supplier_ids, Process};
use super::{RedFlag, Verdict};
use crate::finding::count;

pub(crate) struct NewSupplier<'p> {
    pub minimum_days: u32,
    pub field: &'p str,
}

impl RedFlag for NewSupplier<'_> {
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let active = process.some_active_awards()?;
        let opened = process
            .tender()
            .and_then(|t| t.tender_period.ok())
            .and_then(|p| p.start_date.ok())
            .and_then(|d| calendar_date(d));
        let Some(opened) = opened else {
            return Err("no tender.tenderPeriod.startDate (or not a date)".into());
        };
        let mut dated = 0;
        for supplier in supplier_ids(&active) {
            let registered = process
                .party(&supplier)
                .and_then(|p| p.details.ok())
                .and_then(|d| d.0.iter().find(|(k, _)| k == self.field).map(|(_, v)| v.as_ref()))
                .and_then(calendar_date);
            let Some(registered) = registered else {
                continue;
            };
            dated += 1;
            let days = (opened - registered).num_days();
            if days < i64::from(self.minimum_days) {
                let mut verdict = Verdict::flag(format!(
                    "Supplier {supplier} was registered on {registered}, {} before the tender opened on {opened} (less than {}).",
                    count(days, "day"),
                    count(i64::from(self.minimum_days), "day")
                ));
                if let Verdict::Flag(flag) = &mut verdict {
                    flag.involved = vec![format!("supplier: {supplier}")];
                }
                return Ok(verdict);
            }
        }
        if dated == 0 {
            return Err(format!(
                "no parties[].details.{} for the winning supplier",
                self.field
            ));
        }
        Ok(Verdict::Clean)
    }
}
