//! Process cases end to end: `mandate check --as-of DATE` and `precheck` on
//! the worked example, a CSV event log giving the findings of its XES
//! original, and the live mode (`check --follow`) with its clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::Value;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const WAIT: Duration = Duration::from_secs(30);

fn mandate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mandate"))
        .env_remove("MANDATE_WORKSPACE")
        .args(args)
        .output()
        .unwrap()
}

/// A new workspace in `dir`, with the worked example's process cases
/// imported when `cases`, and its city (the mandate) in rules/ when `city`.
fn workspace(dir: &Path, cases: bool, city: bool) -> String {
    let ws = dir.join("ws").to_str().unwrap().to_string();
    assert!(mandate(&["init", &ws]).status.success());
    if cases {
        import(&ws, &format!("{REPO}/examples/city/cases.jsonl"));
    }
    if city {
        std::fs::copy(
            format!("{REPO}/examples/city/city.toml"),
            Path::new(&ws).join("rules/city.toml"),
        )
        .unwrap();
    }
    ws
}

fn import(ws: &str, file: &str) {
    let out = mandate(&["-w", ws, "import", file]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn log_entries(ws: &str) -> i64 {
    let db = rusqlite::Connection::open(Path::new(ws).join("mandate.db")).unwrap();
    db.query_row("SELECT COUNT(*) FROM log_entries", [], |r| r.get(0))
        .unwrap()
}

fn findings_after(ws: &str, extra: &[&str]) -> String {
    let mut args = vec!["-w", ws, "check"];
    args.extend_from_slice(extra);
    let out = mandate(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(Path::new(ws).join("findings.jsonl")).unwrap()
}

/// One process event of mandate's JSON Lines records.
fn event(process: &str, case: &str, activity: &str, time: &str) -> String {
    format!(
        r#"{{"kind":"process_event","process":"{process}","case_id":"{case}","activity":"{activity}","time":"{time}","resource":"p.dong"}}"#
    )
}

fn write_lines(dir: &Path, name: &str, lines: &[String]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n")).unwrap();
    path.to_str().unwrap().to_string()
}

/// A running `mandate check --follow`, with what it prints on stdout
/// (findings) and stderr (status), each read on a thread; killed on drop.
struct Follower {
    child: Child,
    findings: Receiver<String>,
    status: Receiver<String>,
}

fn follow(ws: &str, args: &[&str]) -> Follower {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .env_remove("MANDATE_WORKSPACE")
        .args(["-w", ws, "check", "--follow", "--interval", "0.1"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let findings = lines(child.stdout.take().unwrap());
    let status = lines(child.stderr.take().unwrap());
    Follower {
        child,
        findings,
        status,
    }
}

fn lines(from: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (send, receive) = channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(from).lines() {
            if send.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    receive
}

impl Follower {
    fn next(&self, what: &str) -> Value {
        let line = self
            .findings
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("no finding: {what}"));
        serde_json::from_str(&line).unwrap()
    }

    fn nothing_more(&self) {
        let more = self.findings.recv_timeout(Duration::from_secs(1));
        assert!(more.is_err(), "unexpected: {more:?}");
    }

    fn wait_for_status(&self, expected: &str) {
        loop {
            let line = self
                .status
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("no status {expected}"));
            if line == expected {
                return;
            }
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn an_unfinished_petition_past_its_deadline_is_found_as_of_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), true, false);

    // examples/city/expected-cases.md: petition-2025-002 was accepted on
    // 2025-10-11 and never concluded; 60 days later is 2025-12-10, and
    // 2026-12-01 is 21 + 31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 1 = 356 days after.
    let overdue = "In case petition-2025-002, petition concluded (办结) has still not happened on \
                   2026-12-01, 356 days after the deadline of 2025-12-10 (60 days after 'acceptance \
                   decided' on 2025-10-11 16:00).";
    assert!(!findings_after(&ws, &[]).contains("has still not happened"));
    assert!(findings_after(&ws, &["--as-of", "2026-12-01"]).contains(overdue));
    // On the due date itself it is not late yet.
    assert!(
        !findings_after(&ws, &["--as-of", "2025-12-10"]).contains("petition-2025-002, petition concluded")
    );

    let bad = mandate(&["-w", &ws, "check", "--as-of", "1 December"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--as-of"));
}

#[test]
fn a_csv_export_gives_the_same_findings_as_its_xes_original() {
    // PM4Py exported tests/fixtures/process-logs/receipt.csv.gz from
    // data/process-logs/wabo-receipt/08_receipt.xes.gz; the XES gives 84
    // findings of nl-wabo.within-decision-period (tests/oracle/expected_findings.py).
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), false, false);
    let csv = format!("{REPO}/tests/fixtures/process-logs/receipt.csv.gz");
    let process = "Receipt phase of an environmental permit application process (‘WABO’), CoSeLoG project";
    let out = mandate(&["-w", &ws, "import", &csv, "--process", process]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("10011 accepted, 0 rejected"));
    let late = findings_after(&ws, &[])
        .lines()
        .filter(|l| l.contains("\"rule_id\":\"nl-wabo.within-decision-period\""))
        .count();
    assert_eq!(late, 84);
}

#[test]
fn precheck_says_before_the_act_what_it_would_break() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), true, true);
    let logged = log_entries(&ws);
    let propose = |name: &str, line: String| {
        let file = write_lines(dir.path(), name, &[line]);
        mandate(&["-w", &ws, "precheck", &file])
    };
    let concluded = |time: &str| event("cn.petition", "petition-2025-002", "petition concluded", time);

    // petition-2025-002 was accepted on 2025-10-11: due 2025-12-10 (60 days);
    // concluding it on 2026-01-20 would be 21 + 20 = 41 days late.
    let late = propose("late.json", concluded("2026-01-20T10:00:00+08:00"));
    let text = String::from_utf8_lossy(&late.stdout);
    assert_eq!(late.status.code(), Some(1), "{text}");
    assert!(text.contains("WOULD BREAK"), "{text}");
    assert!(text.contains("cn.petition.concluded-within-60-days"), "{text}");
    assert!(
        text.contains("41 days after the deadline of 2025-12-10"),
        "{text}"
    );

    let in_time = propose("in-time.json", concluded("2025-12-01T10:00:00+08:00"));
    let text = String::from_utf8_lossy(&in_time.stdout);
    assert!(in_time.status.success(), "{text}");
    assert!(text.contains("breaks no rule"), "{text}");

    // An act: expected-acts.md, act-027 (3 of 6 members for an appointment).
    let acts = std::fs::read_to_string(format!("{REPO}/examples/city/acts.jsonl")).unwrap();
    let act = acts.lines().find(|l| l.contains("\"act-027\"")).unwrap();
    let refused = propose("act.json", act.to_string());
    let text = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(1), "{text}");
    assert!(text.contains("qinghe.party.appointment"), "{text}");

    // Nothing proposed was logged: the 137 events of cases.jsonl only.
    assert_eq!(log_entries(&ws), logged);
    assert_eq!(logged, 137);
}

#[test]
fn follow_reports_records_as_they_come_and_deadlines_as_they_pass() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), true, true);
    // Two seconds before midnight on the due date of petition-2025-002
    // (accepted 2025-10-11, concluded within 60 days: 2025-12-10).
    let follower = follow(&ws, &["--now", "2025-12-10T23:59:58+08:00"]);

    // The clock, not a record, brings the first finding once the day is over.
    let overdue = follower.next("the missed deadline");
    assert_eq!(overdue["rule_id"], "cn.petition.concluded-within-60-days");
    assert_eq!(
        overdue["explanation"],
        "In case petition-2025-002, petition concluded (办结) has still not happened on 2025-12-11, \
         1 day after the deadline of 2025-12-10 (60 days after 'acceptance decided' on 2025-10-11 16:00)."
    );

    // Acts imported meanwhile are judged as they arrive: expected-acts.md counts 30 findings.
    import(&ws, &format!("{REPO}/examples/city/acts.jsonl"));
    let on_acts: Vec<Value> = (0..30).map(|_| follower.next("a finding on an act")).collect();
    assert!(on_acts.iter().all(|f| f["subject"]["kind"] == "act"));
    assert!(on_acts.iter().any(|f| f["subject"]["id"] == "act-027"));
    follower.nothing_more();
}

#[test]
fn follow_holds_a_finding_until_records_that_could_undo_it_can_no_longer_come() {
    // A trip recorded by date only (00:00) whose permit is approved later
    // that day is in order (bpi.trip-after-permit-approval counts the same
    // day as in time): reporting the trip the moment it arrived would have
    // been wrong. Trip A gets its approval later; trip B never does.
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), false, false);
    let trip = |case: &str| event("Travel Permits", case, "Start trip", "2018-03-23T00:00:00+01:00");
    let trips = write_lines(dir.path(), "trips.jsonl", &[trip("A"), trip("B")]);
    let approval = write_lines(
        dir.path(),
        "approval.jsonl",
        &[event(
            "Travel Permits",
            "A",
            "Permit FINAL_APPROVED by SUPERVISOR",
            "2018-03-23T14:07:43+01:00",
        )],
    );

    // Five seconds before the trips' day is over.
    let follower = follow(&ws, &["--now", "2018-03-23T23:59:55+01:00"]);
    import(&ws, &trips);
    import(&ws, &approval);
    let finding = follower.next("trip B, once its day is over");
    assert_eq!(finding["rule_id"], "bpi.trip-after-permit-approval");
    assert_eq!(finding["subject"]["id"], "Travel Permits/B");
    follower.nothing_more();
}

#[test]
fn follow_forgets_idle_cases_and_recalls_them_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), true, false);
    // Every case of the example had its last event by early 2026.
    let follower = follow(
        &ws,
        &["--forget-after", "30", "--now", "2026-06-01T10:00:00+08:00"],
    );

    // The first sweep reports the petition still open, then every case is idle and forgotten.
    assert_eq!(
        follower.next("the open petition")["subject"]["id"],
        "cn.petition/petition-2025-002"
    );
    follower.wait_for_status("cases in memory: 0");

    // The forgotten petition is concluded at last: read back from the log, its
    // missed deadline was reported already, so nothing new is printed. A new
    // petition accepted after 20 days breaks the 15-day rule.
    let more = write_lines(
        dir.path(),
        "more.jsonl",
        &[
            event(
                "cn.petition",
                "petition-2025-002",
                "petition concluded",
                "2026-06-01T09:00:00+08:00",
            ),
            event(
                "cn.petition",
                "petition-2026-009",
                "petition received",
                "2026-05-01T09:00:00+08:00",
            ),
            event(
                "cn.petition",
                "petition-2026-009",
                "acceptance decided",
                "2026-05-21T09:00:00+08:00",
            ),
        ],
    );
    import(&ws, &more);
    let next = follower.next("the new petition");
    assert_eq!(next["subject"]["id"], "cn.petition/petition-2026-009");
    assert_eq!(next["rule_id"], "cn.petition.acceptance-within-15-days");
    follower.nothing_more();
}
