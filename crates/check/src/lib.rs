//! The checking engine: each process case against its procedure template,
//! each contracting process against the procurement indicators. Pure: inputs
//! are records already read from the log, outputs are findings and coverage.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod coverage;
mod days;
mod finding;
pub mod procedure;
pub mod procurement;

pub use coverage::{Coverage, RuleCoverage};
pub use procedure::{Case, LoggedEvent};
pub use procurement::{ContractingProcess, LoggedRelease};

use mandate_model::Finding;
use mandate_rules::Pack;

/// Runs every rule of a set of packs. Collects coverage as it goes so a user
/// can tell "checked and clean" from "never checked".
pub struct Checker<'p> {
    packs: &'p [Pack],
    coverage: Coverage,
}

impl<'p> Checker<'p> {
    pub fn new(packs: &'p [Pack]) -> Self {
        let mut coverage = Coverage::default();
        for pack in packs {
            for procedure in &pack.procedures {
                for rule in &procedure.rules {
                    coverage.register(&rule.common.id, &pack.pack.id);
                }
            }
            for indicator in &pack.indicators {
                coverage.register(&indicator.common.id, &pack.pack.id);
            }
        }
        Checker { packs, coverage }
    }

    /// Check one process case against every procedure that covers its process.
    pub fn check_case(&mut self, case: &Case) -> Vec<Finding> {
        let mut findings = Vec::new();
        for pack in self.packs {
            for procedure in pack
                .procedures
                .iter()
                .filter(|p| p.processes.contains(&case.process))
            {
                findings.extend(procedure::check(pack, procedure, case, &mut self.coverage));
            }
        }
        findings
    }

    /// Screen one contracting process with every procurement indicator.
    pub fn check_contracting_process(&mut self, process: &ContractingProcess) -> Vec<Finding> {
        let mut findings = Vec::new();
        for pack in self.packs {
            for indicator in &pack.indicators {
                findings.extend(procurement::screen(pack, indicator, process, &mut self.coverage));
            }
        }
        findings
    }

    pub fn into_coverage(self) -> Coverage {
        self.coverage
    }
}

/// Sort findings into their canonical order, so the same input always gives
/// the same output file byte for byte.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.rule_id, &a.subject, &a.evidence, &a.id).cmp(&(&b.rule_id, &b.subject, &b.evidence, &b.id))
    });
}
