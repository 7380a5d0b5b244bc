//! Check runs and their findings. Every run is kept: earlier findings stay
//! available for audit; "current" means the latest run.

use mandate_model::Finding;
use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

#[derive(Debug, Clone)]
pub struct CheckRun {
    pub id: i64,
    pub created_at: String,
    pub log_size: u64,
    pub packs: String,
    pub coverage_json: String,
}

#[derive(Debug, Clone)]
pub struct StoredFindings {
    pub run: CheckRun,
    pub findings: Vec<Finding>,
}

impl Store {
    /// Save a check run and its findings in one transaction.
    pub fn save_check_run(
        &mut self,
        created_at: &str,
        packs: &str,
        coverage_json: &str,
        findings: &[Finding],
    ) -> Result<i64> {
        let log_size = self.log_size();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO check_runs (created_at, log_size, packs, coverage) VALUES (?1, ?2, ?3, ?4)",
            params![created_at, log_size, packs, coverage_json],
        )?;
        let run_id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare(
                "INSERT INTO findings (run_id, seq, rule_id, severity, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (seq, finding) in findings.iter().enumerate() {
                insert.execute(params![
                    run_id,
                    seq as i64,
                    finding.rule_id,
                    finding.severity.as_str(),
                    serde_json::to_string(finding)?
                ])?;
            }
        }
        tx.commit()?;
        Ok(run_id)
    }

    /// The latest check run with its findings, if any run was made.
    pub fn latest_findings(&self) -> Result<Option<StoredFindings>> {
        let run = self
            .conn
            .query_row(
                "SELECT id, created_at, log_size, packs, coverage FROM check_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(CheckRun {
                        id: r.get(0)?,
                        created_at: r.get(1)?,
                        log_size: r.get(2)?,
                        packs: r.get(3)?,
                        coverage_json: r.get(4)?,
                    })
                },
            )
            .optional()?;
        let Some(run) = run else { return Ok(None) };
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM findings WHERE run_id = ?1 ORDER BY seq")?;
        let bodies = stmt.query_map([run.id], |r| r.get::<_, String>(0))?;
        let mut findings = Vec::new();
        for body in bodies {
            findings.push(serde_json::from_str(&body?)?);
        }
        Ok(Some(StoredFindings { run, findings }))
    }
}
