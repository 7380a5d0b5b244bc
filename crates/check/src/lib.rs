//! The checking engine: each process case against its procedure template,
//! each contracting process against the procurement indicators. Pure: inputs
//! are records already read from the log, outputs are findings and coverage.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod coverage;
mod days;
mod finding;
pub mod mandate;
pub mod meeting;
pub mod procedure;
pub mod procurement;

pub use coverage::{CodeCoverage, Coverage, RuleCoverage, SourceCoverage, WrongTypeCount};
pub use procedure::{Case, LoggedEvent};
pub use procurement::{
    read_compiled_line, CompiledLine, ContractingProcess, LoggedRelease, Outcome, VerdictRecord, WrongType,
};

use mandate_model::{Evidence, Finding};
use mandate_rules::{CodeList, Pack};
use procurement::{Release, Screen};

/// Runs every rule of a set of packs. Collects coverage as it goes so a user
/// can tell "checked and clean" from "never checked".
///
/// Procurement indicators: call [`Checker::check_contracting_process`] for
/// every process, then [`Checker::finish`] once, for the indicators that
/// judge buyers, tenderers or processes against all the others.
pub struct Checker<'p> {
    packs: &'p [Pack],
    mandate: Option<&'p mandate::Mandate>,
    /// The mandate's rule ids and packs, registered in coverage on the first act.
    mandate_rules: Vec<(String, String)>,
    shared: procedure::Shared,
    codelists: &'p [CodeList],
    screens: Vec<Screen<'p>>,
    coverage: Coverage,
    verdicts: Option<Vec<VerdictRecord>>,
    wrong: Vec<WrongType>,
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
                screens.push(Screen::new(pack, indicator));
            }
        }
        Checker {
            packs,
            mandate: None,
            mandate_rules: Vec::new(),
            shared: procedure::Shared::of(packs),
            codelists: &[],
            screens,
            coverage,
            verdicts: None,
            wrong: Vec::new(),
        }
    }

    /// The compiled mandate to judge acts by (see [`Checker::check_act`]).
    pub fn with_mandate(mut self, mandate: &'p mandate::Mandate) -> Self {
        self.mandate_rules = mandate.rule_ids();
        self.mandate = Some(mandate);
        self
    }

    /// Check one act against the mandate. Every mandate rule counts the act
    /// as evaluated; the rules it breaks count it as flagged.
    pub fn check_act(&mut self, act: &mandate_model::Act, log_index: u64, record_id: &str) -> Vec<Finding> {
        let Some(mandate) = self.mandate else {
            return Vec::new();
        };
        let verdict = mandate.decide(act);
        let findings = verdict.findings(act, log_index, record_id);
        for (rule, pack) in &self.mandate_rules {
            self.coverage.register(rule, pack);
            self.coverage.set_subject(rule, "act");
            let flagged = findings.iter().any(|f| &f.rule_id == rule);
            self.coverage.evaluated(rule, flagged);
        }
        findings
    }

    /// Check as of a date: a case still waiting for a stage past its
    /// deadline on that date is a finding (without it, such a case is not
    /// applicable to the deadline rule: it has no such stage yet).
    pub fn as_of(mut self, date: chrono::NaiveDate) -> Self {
        self.shared.as_of = Some(date);
        self
    }

    /// Change the date checks are made as of (live checking: the clock moves on).
    pub fn set_as_of(&mut self, date: Option<chrono::NaiveDate>) {
        self.shared.as_of = date;
    }

    /// Before the act: the findings that `proposed`, added to `case`, would
    /// bring that the case does not have already. An empty list means the
    /// step breaks no procedure rule.
    pub fn precheck_event(&mut self, case: &Case, proposed: LoggedEvent) -> Vec<Finding> {
        let before: std::collections::BTreeSet<String> =
            self.check_case(case).into_iter().map(|f| f.rule_id).collect();
        let mut after = case.clone();
        after.events.push(proposed);
        after.sort_events();
        self.check_case(&after)
            .into_iter()
            .filter(|f| !before.contains(&f.rule_id))
            .collect()
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

    /// The members of the last screened process that have the wrong JSON
    /// type (a text amount...), for readers to report with their position.
    pub fn wrong_types(&self) -> &[WrongType] {
        &self.wrong
    }

    /// The verdicts kept so far, in the order they were reached.
    pub fn verdicts(&self) -> &[VerdictRecord] {
        self.verdicts.as_deref().unwrap_or_default()
    }

    /// The verdicts kept since the last call, to write them out as they come.
    pub fn take_verdicts(&mut self) -> Vec<VerdictRecord> {
        self.verdicts.as_mut().map(std::mem::take).unwrap_or_default()
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
                findings.extend(procedure::check(
                    pack,
                    procedure,
                    case,
                    &self.shared,
                    &mut self.coverage,
                ));
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
        self.screen(
            Release::from_value(&process.compiled),
            &process.ocid,
            source,
            &evidence,
        )
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

    /// Screen a compiled release read by [`read_compiled_line`] (whose code
    /// counts go in with [`Checker::add_code_counts`]).
    pub fn check_compiled_line(
        &mut self,
        line: &CompiledLine<'_>,
        source: Option<&str>,
        evidence: &dyn Fn() -> Vec<Evidence>,
    ) -> Vec<Finding> {
        self.wrong.clear();
        self.wrong.extend_from_slice(line.wrong_types());
        self.screen_prepared(line.release(), line.ocid(), source, evidence)
    }

    /// The publishers' code lists, for [`read_compiled_line`].
    pub fn codelists(&self) -> &'p [CodeList] {
        self.codelists
    }

    /// Adds the publisher codes counted while reading lines elsewhere.
    pub fn add_code_counts(&mut self, counted: &Coverage) {
        self.coverage.add_codes(counted);
    }

    fn screen(
        &mut self,
        mut release: Release<'_>,
        ocid: &str,
        source: Option<&str>,
        evidence: &dyn Fn() -> Vec<Evidence>,
    ) -> Vec<Finding> {
        self.wrong = procurement::prepare(&mut release, ocid, self.codelists, &mut self.coverage);
        self.screen_prepared(&release, ocid, source, evidence)
    }

    fn screen_prepared(
        &mut self,
        release: &Release<'_>,
        ocid: &str,
        source: Option<&str>,
        evidence: &dyn Fn() -> Vec<Evidence>,
    ) -> Vec<Finding> {
        self.coverage.wrong_types(ocid, &self.wrong);
        let run = procurement::Run {
            screens: &mut self.screens,
            log: self.verdicts.as_mut(),
        };
        procurement::screen_release(run, release, ocid, source, evidence)
    }

    /// The verdicts of aggregate indicators, once every process was
    /// screened. Call once; later calls find nothing new.
    pub fn finish(&mut self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for screen in &mut self.screens {
            findings.extend(screen.finish(self.verdicts.as_mut()));
        }
        findings
    }

    /// What was evaluated, flagged and not applicable, rule by rule.
    pub fn into_coverage(self) -> Coverage {
        let mut coverage = self.coverage;
        for screen in self.screens {
            let id = screen.rule_id().to_string();
            coverage.rules.insert(id, screen.into_coverage());
        }
        coverage
    }
}

/// Sort findings into their canonical order, so the same input always gives
/// the same output file byte for byte.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.rule_id, &a.subject, &a.evidence, &a.id).cmp(&(&b.rule_id, &b.subject, &b.evidence, &b.id))
    });
}
