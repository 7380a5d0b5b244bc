#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End to end on the shipped real data: the built `mandate` binary runs
//! `demo --data <repo>/data` once per test binary, and the tests check the
//! findings it wrote against numbers computed independently, the determinism
//! of a second check, and that the transparency log detects tampering.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime};

use serde_json::Value;
use sha2::{Digest, Sha256};

const MANDATE: &str = env!("CARGO_BIN_EXE_mandate");
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const SCRATCH: &str = env!("CARGO_TARGET_TMPDIR");
const PREFIX: &str = "demo_real_data-";

/// Findings per rule on the shipped data (data/ with packs/). The numbers
/// come from tests/oracle/expected_findings.py, an independent Python
/// implementation of the written rule semantics (it shares no code with
/// crates/check); rerun it after changing the data, the packs or the
/// semantics: `python3 tests/oracle/expected_findings.py`.
const EXPECTED: &[(&str, usize)] = &[
    ("bpi.claim-within-two-months-of-trip", 250),
    ("bpi.paid-once", 0),
    ("bpi.payment-after-final-approval", 2),
    ("bpi.payment-within-30-days", 205),
    ("bpi.trip-after-permit-approval", 1140),
    ("it-cds.appeal-forwarded-within-60-days", 19),
    ("it-cds.no-notification-before-fine", 0),
    ("it-cds.notify-within-90-days", 142),
    ("nl-wabo.check-after-confirmation", 0),
    ("nl-wabo.within-decision-period", 84),
    ("ocds.all-except-winner-disqualified", 1),
    ("ocds.bid-rotation", 0),
    ("ocds.contract-value-increase", 0),
    ("ocds.excessive-disqualified-bids", 0),
    ("ocds.excessive-unsuccessful-bids", 0),
    ("ocds.heavily-discounted-bid", 0),
    ("ocds.heterogeneous-supplier", 0),
    ("ocds.high-complaint-rate", 0),
    ("ocds.identical-bid-prices", 0),
    ("ocds.late-bid-won", 2),
    ("ocds.lowest-bid-disqualified", 3),
    ("ocds.new-supplier", 0),
    ("ocds.price-close-to-winning-bid", 0),
    ("ocds.repeat-supplier", 0),
    ("ocds.short-submission-period", 47),
    ("ocds.single-bid", 4),
    ("ocds.supplier-concentration", 0),
    ("ocds.ua-split-purchases", 0),
    ("ocds.uk-direct-award-above-threshold", 0),
    ("ocds.uk-short-tender-period", 0),
];

/// `python3 tests/oracle/expected_findings.py --subjects bpi.payment-after-final-approval`:
/// both claims were paid without any final approval in the case.
const PAID_WITHOUT_APPROVAL: &[&str] = &[
    "Domestic Declarations/declaration 90815",
    "Domestic Declarations/declaration 95149",
];

/// `python3 tests/oracle/expected_findings.py --subjects ocds.late-bid-won`:
/// ProZorro bids dated after the end of the tender period, by the winner.
const LATE_BID_WON: &[&str] = &[
    "ocds-be6bcu-UA-2016-06-08-000504-c",
    "ocds-be6bcu-UA-2017-04-12-001619-b",
];

/// `python3 tests/oracle/expected_findings.py --subjects ocds.lowest-bid-disqualified`:
/// ProZorro tenders whose cheapest bidder's award was `unsuccessful` (read as
/// a disqualification through the Ukraine code list) before a costlier bid
/// won: 1,800 UAH refused for 2,875; 6,708.37 for 8,154; 42,074.56 for 43,788.90.
const LOWEST_BID_DISQUALIFIED: &[&str] = &[
    "ocds-be6bcu-UA-2016-06-08-000504-c",
    "ocds-be6bcu-UA-2017-04-10-002020-b",
    "ocds-be6bcu-UA-2017-04-12-001619-b",
];

/// `python3 tests/oracle/expected_findings.py --subjects ocds.single-bid`
/// (AM-PPS-3f08728a... also had a single bid, but its tender was cancelled).
const SINGLE_BID: &[&str] = &[
    "AM-PPS-da8b1b1a019e53c5d1fd025ad076ad3d",
    "OCDS-87SD3T-AD-SF-DRM-065-2015",
    "ocds-be6bcu-UA-2016-06-02-000468-c",
    "ocds-be6bcu-UA-2016-08-31-000670-b",
];

// ---------------------------------------------------------------------------
// The one demo run shared by the tests of this binary.

/// Number of #[test] functions below: when all have finished, the shared
/// workspace is removed (statics are never dropped).
const TESTS: usize = 6;

struct Demo {
    /// Folder holding the workspace, removed after the last test.
    root: PathBuf,
    workspace: PathBuf,
    findings_raw: Vec<u8>,
    findings: Vec<Value>,
    log_size: u64,
}

static DEMO: OnceLock<Demo> = OnceLock::new();
static FINISHED: AtomicUsize = AtomicUsize::new(0);
/// Held while a process runs on the shared workspace or while it is copied.
static WORKSPACE: Mutex<()> = Mutex::new(());

/// A test's use of the shared demo run; the last one to end cleans up.
struct Lease(&'static Demo);

impl Drop for Lease {
    fn drop(&mut self) {
        if FINISHED.fetch_add(1, Ordering::SeqCst) + 1 == TESTS {
            let _ = fs::remove_dir_all(&self.0.root);
        }
    }
}

impl std::ops::Deref for Lease {
    type Target = Demo;
    fn deref(&self) -> &Demo {
        self.0
    }
}

fn demo() -> Lease {
    Lease(DEMO.get_or_init(run_demo))
}

fn lock_workspace() -> MutexGuard<'static, ()> {
    WORKSPACE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn run_demo() -> Demo {
    remove_stale_scratch();
    let root = tempfile::Builder::new()
        .prefix(PREFIX)
        .tempdir_in(SCRATCH)
        .unwrap()
        .keep();
    let workspace = root.join("ws");
    let out = mandate(
        None,
        &[
            "demo".as_ref(),
            "--data".as_ref(),
            Path::new(REPO).join("data").as_os_str(),
            "--example".as_ref(),
            Path::new(REPO).join("examples/city").as_os_str(),
            "--dir".as_ref(),
            workspace.as_os_str(),
        ],
    );
    assert_success(&out, "mandate demo");
    let findings_raw = fs::read(workspace.join("findings.jsonl")).unwrap();
    let findings = String::from_utf8(findings_raw.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let conn = rusqlite::Connection::open(workspace.join("mandate.db")).unwrap();
    let log_size: i64 = conn
        .query_row("SELECT COUNT(*) FROM log_entries", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    Demo {
        root,
        workspace,
        findings_raw,
        findings,
        log_size: u64::try_from(log_size).unwrap(),
    }
}

/// Leftovers of earlier runs that did not clean up (filtered or aborted):
/// only ours, and only old ones, so that a concurrent run is left alone.
fn remove_stale_scratch() {
    let Ok(entries) = fs::read_dir(SCRATCH) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(PREFIX)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > Duration::from_secs(6 * 3600));
        if stale {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers

fn mandate(workspace: Option<&Path>, args: &[&OsStr]) -> Output {
    let mut cmd = Command::new(MANDATE);
    cmd.env_remove("MANDATE_WORKSPACE");
    if let Some(dir) = workspace {
        cmd.arg("-w").arg(dir);
    }
    cmd.args(args).output().unwrap()
}

fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A private copy of the demo workspace (database with its -wal/-shm files,
/// keys, packs, settings) that a test may damage.
fn copy_of_workspace(demo: &Demo) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(PREFIX)
        .tempdir_in(SCRATCH)
        .unwrap();
    let copy = dir.path().join("ws");
    let _guard = lock_workspace();
    copy_dir(&demo.workspace, &copy);
    (dir, copy)
}

/// The entry numbers that a message names as "entry N".
fn entries_named(text: &str) -> BTreeSet<u64> {
    text.match_indices("entry ")
        .filter_map(|(at, word)| {
            let digits: String = text[at + word.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value}"))
}

/// Rule and indicator ids of the shipped packs.
fn pack_rule_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for entry in fs::read_dir(Path::new(REPO).join("packs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension() != Some(OsStr::new("toml")) {
            continue;
        }
        let pack: toml::Value = fs::read_to_string(&path).unwrap().parse().unwrap();
        let procedures = pack.get("procedure").and_then(toml::Value::as_array);
        let rules = procedures
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("rule").and_then(toml::Value::as_array))
            .flatten();
        let indicators = pack
            .get("indicator")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten();
        for rule in rules.chain(indicators) {
            ids.insert(rule["id"].as_str().unwrap().to_owned());
        }
    }
    ids
}

/// Findings per rule on the worked example examples/city, from the totals
/// worked out by hand in its expected-acts.md ("Summary": rule, findings)
/// and expected-cases.md ("Totals per rule": rule, finding, clean, n/a).
fn example_counts() -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (file, heading) in [
        ("expected-acts.md", "## Summary"),
        ("expected-cases.md", "## Totals per rule"),
    ] {
        let text = fs::read_to_string(Path::new(REPO).join("examples/city").join(file)).unwrap();
        let (_, totals) = text.split_once(heading).unwrap();
        for line in totals.lines().filter(|l| l.starts_with("| ")) {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            let rule = cells[0].trim_matches('`');
            if let (true, Ok(n)) = (
                rule.starts_with("cn.") || rule.starts_with("qinghe."),
                cells[1].parse(),
            ) {
                counts.insert(rule.to_owned(), n);
            }
        }
    }
    assert!(counts.len() > 25, "totals found in the example's expected-*.md");
    counts
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn findings_per_rule_match_the_independent_oracle() {
    let demo = demo();

    // The oracle read packs/ and packs/codelists/; the demo must have used the same.
    let packs = fs::read_dir(Path::new(REPO).join("packs")).unwrap();
    let codelists = fs::read_dir(Path::new(REPO).join("packs/codelists")).unwrap();
    for entry in packs.chain(codelists) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let relative = path.strip_prefix(Path::new(REPO).join("packs")).unwrap();
        let used = demo.workspace.join("rules").join(relative);
        assert_eq!(
            fs::read(&path).unwrap(),
            fs::read(&used).unwrap(),
            "the demo workspace's {} differs from the shipped pack",
            used.display()
        );
    }
    let mut expected: BTreeMap<String, usize> = EXPECTED
        .iter()
        .map(|(rule, n)| ((*rule).to_owned(), *n))
        .collect();
    expected.extend(example_counts());
    let missing: Vec<String> = pack_rule_ids()
        .into_iter()
        .filter(|id| !expected.contains_key(id))
        .collect();
    assert!(
        missing.is_empty(),
        "EXPECTED or the example must count every rule of the shipped packs: {missing:?}"
    );

    let mut actual: BTreeMap<String, usize> = expected.keys().map(|k| (k.clone(), 0)).collect();
    let mut subjects: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for finding in &demo.findings {
        let rule = str_at(finding, "/rule_id");
        let subject = str_at(finding, "/subject/id");
        *actual.entry(rule.to_owned()).or_default() += 1;
        assert!(
            subjects.entry(rule).or_default().insert(subject),
            "rule {rule} gave more than one finding for {subject}"
        );
    }
    assert_eq!(actual, expected, "findings per rule");

    let flagged = |rule: &str| -> Vec<&str> {
        subjects
            .get(rule)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    };
    assert_eq!(flagged("bpi.payment-after-final-approval"), PAID_WITHOUT_APPROVAL);
    assert_eq!(flagged("ocds.single-bid"), SINGLE_BID);
    assert_eq!(flagged("ocds.late-bid-won"), LATE_BID_WON);
    assert_eq!(flagged("ocds.lowest-bid-disqualified"), LOWEST_BID_DISQUALIFIED);
    let refused = demo
        .findings
        .iter()
        .find(|f| {
            str_at(f, "/subject/id") == "ocds-be6bcu-UA-2017-04-12-001619-b"
                && str_at(f, "/rule_id") == "ocds.lowest-bid-disqualified"
        })
        .unwrap();
    assert_eq!(
        str_at(refused, "/explanation"),
        "The lowest bid (42 074.56 UAH from UA-EDR-2840014563) was disqualified (recorded as an unsuccessful \
         award to the tenderer); the lowest valid bid was 43 788.9 UAH, and the award went to UA-EDR-2304707963."
    );

    // 51 Moldovan releases publish `tender.value.amount` as "" (counted with
    // Python over data/ocds/moldova): the report names the field.
    let report = fs::read_to_string(demo.workspace.join("report.html")).unwrap();
    assert!(
        report.contains(
            "<code>tender.value.amount: an empty string, expected a number</code></td><td class=\"n\">51</td>"
        ),
        "the report should list the wrong-typed amounts"
    );
}

#[test]
fn every_finding_is_explained_and_points_into_the_log() {
    let demo = demo();
    assert!(demo.log_size > 0);
    let _guard = lock_workspace();
    let conn = rusqlite::Connection::open(demo.workspace.join("mandate.db")).unwrap();
    let mut logged = conn
        .prepare("SELECT record_id, subject FROM records WHERE idx = ?1")
        .unwrap();
    for finding in &demo.findings {
        let id = str_at(finding, "/id");
        assert!(
            !str_at(finding, "/legal_basis/source").trim().is_empty(),
            "finding {id} has no legal basis"
        );
        assert!(
            !str_at(finding, "/explanation").trim().is_empty(),
            "finding {id} has no explanation"
        );
        let evidence = finding["evidence"].as_array().unwrap();
        assert!(!evidence.is_empty(), "finding {id} has no evidence");
        for item in evidence {
            let index = item["log_index"].as_u64().unwrap();
            assert!(
                index < demo.log_size,
                "finding {id}: evidence at log index {index}, but the log has {} entries",
                demo.log_size
            );
            // The entry cited is the record named, of the subject flagged.
            let (record_id, subject): (String, String) =
                logged.query_row([index], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            assert_eq!(record_id, str_at(item, "/record_id"), "finding {id}");
            // A finding on a buyer, a tenderer... cites the processes behind it.
            if !["process_case", "contracting_process"].contains(&str_at(finding, "/subject/kind")) {
                continue;
            }
            assert_eq!(subject, str_at(finding, "/subject/id"), "finding {id}");
        }
    }
}

#[test]
fn a_second_check_writes_the_same_bytes() {
    let demo = demo();
    let out_dir = tempfile::tempdir_in(SCRATCH).unwrap();
    let again = out_dir.path().join("findings-again.jsonl");
    let _guard = lock_workspace();
    let out = mandate(
        Some(&demo.workspace),
        &["check".as_ref(), "--output".as_ref(), again.as_os_str()],
    );
    assert_success(&out, "mandate check");
    let second = fs::read(&again).unwrap();
    assert!(
        second == demo.findings_raw,
        "a second check on the same workspace wrote different findings ({} vs {} bytes)",
        second.len(),
        demo.findings_raw.len()
    );
}

#[test]
fn the_log_verifies() {
    let demo = demo();
    let _guard = lock_workspace();
    let out = mandate(Some(&demo.workspace), &["log".as_ref(), "verify".as_ref()]);
    assert_success(&out, "mandate log verify");
}

#[test]
fn a_changed_entry_is_named_by_verify() {
    let demo = demo();
    let (_dir, workspace) = copy_of_workspace(&demo);
    let conn = rusqlite::Connection::open(workspace.join("mandate.db")).unwrap();
    let index: u64 = conn
        .query_row(
            "SELECT MIN(idx) FROM log_entries WHERE CAST(body AS TEXT) LIKE '%Payment Handled%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let changed = conn
        .execute(
            "UPDATE log_entries
                SET body = CAST(replace(CAST(body AS TEXT), 'Payment Handled', 'Payment Handlet') AS BLOB)
              WHERE idx = (SELECT MIN(idx) FROM log_entries WHERE CAST(body AS TEXT) LIKE '%Payment Handled%')",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let body: Vec<u8> = conn
        .query_row("SELECT body FROM log_entries WHERE idx = ?1", [index], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(String::from_utf8(body).unwrap().contains("Payment Handlet"));
    drop(conn);

    let out = mandate(Some(&workspace), &["log".as_ref(), "verify".as_ref()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "verify accepted a changed entry");
    assert!(
        entries_named(&stderr).contains(&index),
        "verify should name entry {index}:\n{stderr}"
    );
}

#[test]
fn a_consistently_rehashed_entry_breaks_the_signed_checkpoint() {
    let demo = demo();
    let (_dir, workspace) = copy_of_workspace(&demo);
    let conn = rusqlite::Connection::open(workspace.join("mandate.db")).unwrap();
    let (index, body): (u64, Vec<u8>) = conn
        .query_row(
            "SELECT idx, body FROM log_entries
              WHERE idx = (SELECT MIN(idx) FROM log_entries WHERE CAST(body AS TEXT) LIKE '%Payment Handled%')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let body = String::from_utf8(body)
        .unwrap()
        .replace("Payment Handled", "Payment Handlet")
        .into_bytes();
    // RFC 9162 leaf hash: SHA-256(0x00 || body).
    let leaf: [u8; 32] = Sha256::new()
        .chain_update([0u8])
        .chain_update(&body)
        .finalize()
        .into();
    let changed = conn
        .execute(
            "UPDATE log_entries SET body = ?1, leaf_hash = ?2 WHERE idx = ?3",
            rusqlite::params![body, &leaf[..], index],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);

    let out = mandate(Some(&workspace), &["log".as_ref(), "verify".as_ref()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "verify accepted an entry changed together with its leaf hash"
    );
    assert!(
        stderr.contains("checkpoint"),
        "verify should report the signed checkpoint's root:\n{stderr}"
    );
    assert!(
        !entries_named(&stderr).contains(&index),
        "the leaf hash matches the body, so entry {index} itself should not be blamed:\n{stderr}"
    );
}
