//! The checking engine: each process case against its procedure template,
//! each contracting process against the procurement indicators. Pure: inputs
//! are records already read from the log, outputs are findings and coverage.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod coverage;
mod days;
mod finding;
pub mod procedure;
pub mod procurement;

pub use coverage::{CodeCoverage, Coverage, RuleCoverage, SourceCoverage};
pub use procedure::{Case, LoggedEvent};
pub use procurement::{ContractingProcess, LoggedRelease, Outcome, VerdictRecord};

use mandate_model::{Evidence, Finding};
use mandate_rules::{CodeList, Pack};
use procurement::{lenient, Release, Screen};

/// Runs every rule of a set of packs. Collects coverage as it goes so a user
/// can tell "checked and clean" from "never checked".
///
/// Procurement indicators: call [`Checker::check_contracting_process`] for
/// every process, then [`Checker::finish`] once, for the indicators that
/// judge buyers, tenderers or processes against all the others.
pub struct Checker<'p> {
    packs: &'p [Pack],
    codelists: &'p [CodeList],
    screens: Vec<Screen<'p>>,
    coverage: Coverage,
    verdicts: Option<Vec<VerdictRecord>>,
}

impl<'p> Checker<'p> {
    pub fn new(packs: &'p [Pack]) -> Self {
        let mut coverage = Coverage::default();
        let mut screens = Vec::new();
        for pack in packs {
            for procedure in &pack.procedures {
                for rule in &procedure.rules {
                    coverage.register(&rule.common.id, &pack.pack.id);
                }
            }
            for indicator in &pack.indicators {
                coverage.register(&indicator.common.id, &pack.pack.id);
                let screen = Screen::new(pack, indicator);
                coverage.set_subject(screen.rule_id(), screen.subject());
                screens.push(screen);
            }
        }
        Checker {
            packs,
            codelists: &[],
            screens,
            coverage,
            verdicts: None,
        }
    }

    /// Publisher code lists to map codes with, chosen by ocid prefix.
    pub fn with_codelists(mut self, codelists: &'p [CodeList]) -> Self {
        self.codelists = codelists;
        self
    }

    /// Keep every indicator verdict, not only findings (see [`Checker::verdicts`]).
    pub fn keep_verdicts(mut self) -> Self {
        self.verdicts = Some(Vec::new());
        self
    }

    /// The verdicts kept so far, in the order they were reached.
    pub fn verdicts(&self) -> &[VerdictRecord] {
        self.verdicts.as_deref().unwrap_or_default()
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
        self.check_contracting_process_from(process, None)
    }

    /// The same, counting coverage under `source` (the file it came from).
    pub fn check_contracting_process_from(
        &mut self,
        process: &ContractingProcess,
        source: Option<&str>,
    ) -> Vec<Finding> {
        let evidence = || process.evidence();
        self.screen(Release::from_value(&process.compiled), &process.ocid, source, &evidence)
    }

    /// Screen one contracting process given as its compiled release, citing
    /// `evidence` in findings (for callers that read releases without a log).
    pub fn check_compiled(
        &mut self,
        compiled: &serde_json::Value,
        ocid: &str,
        source: Option<&str>,
        evidence: &dyn Fn() -> Vec<Evidence>,
    ) -> Vec<Finding> {
        self.screen(Release::from_value(compiled), ocid, source, evidence)
    }

    /// Screen a compiled release read by [`read_compiled_line`].
    pub fn check_compiled_line(
        &mut self,
        line: CompiledLine<'_>,
        source: Option<&str>,
        evidence: &dyn Fn() -> Vec<Evidence>,
    ) -> Vec<Finding> {
        let CompiledLine { release, ocid, .. } = line;
        self.screen(release, &ocid, source, evidence)
    }

    fn screen(
        &mut self,
        release: Release<'_>,
        ocid: &str,
        source: Option<&str>,
        evidence: &dyn Fn() -> Vec<Evidence>,
    ) -> Vec<Finding> {
        procurement::screen_release(
            &mut self.screens,
            release,
            ocid,
            source,
            evidence,
            self.codelists,
            &mut self.coverage,
            self.verdicts.as_mut(),
        )
    }

    /// The verdicts of aggregate indicators, once every process was
    /// screened. Call once; later calls find nothing new.
    pub fn finish(&mut self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for screen in &mut self.screens {
            findings.extend(screen.finish(&mut self.coverage, self.verdicts.as_mut()));
        }
        findings
    }

    pub fn into_coverage(self) -> Coverage {
        self.coverage
    }
}

/// A compiled release read straight from the bytes of a JSON line.
pub struct CompiledLine<'a> {
    release: Release<'a>,
    ocid: String,
    release_id: String,
    locator: &'static str,
}

impl CompiledLine<'_> {
    pub fn ocid(&self) -> &str {
        &self.ocid
    }

    /// The release id, or the ocid when a compiled release has none.
    pub fn release_id(&self) -> &str {
        &self.release_id
    }

    /// Where in the line: `release` or `compiledRelease`.
    pub fn locator(&self) -> &'static str {
        self.locator
    }
}

/// Reads one JSON line without building a `serde_json::Value`: the fast
/// path for large files of compiled releases. Only a record with a
/// `compiledRelease`, or a release that is compiled (tagged `compiled`, or
/// any release when `all_compiled`) with a non-empty `ocid` and `id`, is
/// read here; anything else (packages, plain releases to merge, bad JSON,
/// missing ids) gives `None`, for the general reader, which reports problems
/// as it does for every other input.
pub fn read_compiled_line(line: &[u8], all_compiled: bool) -> Option<CompiledLine<'_>> {
    use lenient::J;
    let mut top = serde_json::from_slice::<Release<'_>>(line).ok()?;
    if !top.records.is_absent() {
        return None; // a record package
    }
    let top_ocid = top.ocid.ok().map(|o| o.to_string());
    match std::mem::take(&mut top.compiled_release) {
        J::Ok(compiled) => {
            // The record's ocid stands in only for a missing one.
            let ocid = match &compiled.ocid {
                J::Ok(o) if !o.is_empty() => o.to_string(),
                J::Absent => top_ocid?,
                _ => return None,
            };
            let release_id = compiled
                .id
                .ok()
                .map(|i| i.0.to_string())
                .filter(|i| !i.is_empty())
                .unwrap_or_else(|| ocid.clone());
            Some(CompiledLine {
                release: *compiled,
                ocid,
                release_id,
                locator: "compiledRelease",
            })
        }
        J::Absent if top.releases.is_absent() => {
            let tagged = top
                .tag
                .ok()
                .is_some_and(|t| t.iter().any(|x| x.ok().is_some_and(|s| s == "compiled")));
            let ocid = top_ocid.filter(|o| !o.is_empty())?;
            let release_id = top.id.ok().map(|i| i.0.to_string()).filter(|i| !i.is_empty())?;
            (all_compiled || tagged).then_some(CompiledLine {
                release: top,
                ocid,
                release_id,
                locator: "release",
            })
        }
        _ => None,
    }
}

/// Sort findings into their canonical order, so the same input always gives
/// the same output file byte for byte.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.rule_id, &a.subject, &a.evidence, &a.id).cmp(&(&b.rule_id, &b.subject, &b.evidence, &b.id))
    });
}
