#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `mandate rules check/show/explain` as a compliance officer runs them, on
//! the shipped packs and the worked example examples/city.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MANDATE: &str = env!("CARGO_BIN_EXE_mandate");
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn city_rules() -> [PathBuf; 2] {
    [
        Path::new(REPO).join("examples/city/city.toml"),
        Path::new(REPO).join("packs/cn-municipal.toml"),
    ]
}

fn mandate(args: &[&str], rules: &[PathBuf]) -> Output {
    let mut cmd = Command::new(MANDATE);
    cmd.env_remove("MANDATE_WORKSPACE").args(args);
    for path in rules {
        cmd.arg("--rules").arg(path);
    }
    cmd.output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One line of the example's acts, as its own file.
fn act_file(id: &str) -> PathBuf {
    let acts = std::fs::read_to_string(Path::new(REPO).join("examples/city/acts.jsonl")).unwrap();
    let line = acts
        .lines()
        .find(|l| l.contains(&format!("\"id\": \"{id}\"")))
        .unwrap();
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("rules-{id}.json"));
    std::fs::write(&path, line).unwrap();
    path
}

#[test]
fn the_shipped_packs_and_the_example_have_no_errors() {
    let mut cmd = Command::new(MANDATE);
    cmd.args(["rules", "check"])
        .arg(Path::new(REPO).join("packs"))
        .arg(Path::new(REPO).join("examples/city"));
    let out = cmd.output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(
        "8 organisations, 17 positions, 25 people, 11 powers, 1 prohibitions, 10 procedures, 20 indicators; 0 errors"
    ), "{text}");
    assert!(!text.contains(": error:"), "{text}");
}

#[test]
fn a_broken_file_fails_with_its_place() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rules-broken");
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.toml");
    std::fs::write(
        &broken,
        "[pack]\nid = \"b\"\ntitle = \"B\"\nversion = \"1\"\njurisdiction = \"x\"\n\n[[position]]\nid = \"clerk\"\ntitle = \"Clerk\"\norganisation = \"nowhere\"\nkind = \"clerk\"\n",
    )
    .unwrap();
    let out = Command::new(MANDATE)
        .args(["rules", "check"])
        .arg(&broken)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "{}:8:1: error: position `clerk`: field `organisation`: organisation `nowhere` is not defined",
            broken.display()
        )),
        "{text}"
    );
    assert!(text.contains("1 error"), "{text}");
}

#[test]
fn show_lists_a_positions_powers_with_limits_and_what_binds_it() {
    let out = mandate(&["rules", "show", "pos.finance-head"], &city_rules());
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    for expected in [
        "held by: Zhang Wei",
        "qinghe.dept.fund-approval",
        "500000.00 CNY",
        "collective decision above 300000.00 CNY",
        "qinghe.dept.procurement",
        "Recusal:",
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    let out = mandate(&["rules", "show", "pos.mayor"], &city_rules());
    let text = stdout(&out);
    assert!(text.contains("cn.top-leader-not-in-charge"), "{text}");

    // The Cedar policies shown are this position's, even for a power that
    // other positions hold too (fund approval: the finance and police heads).
    let out = mandate(&["rules", "show", "pos.finance-head", "--cedar"], &city_rules());
    let text = stdout(&out);
    assert!(
        text.contains("principal == Position::\"pos.finance-head\""),
        "{text}"
    );
    assert!(!text.contains("Position::\"pos.psb-head\""), "{text}");

    let out = mandate(&["rules", "show", "pos.nobody"], &city_rules());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pos.nobody"));
}

#[test]
fn explain_a_refused_appointment_short_of_the_majority_of_all_members() {
    // expected-acts.md: 3 of the 4 present voted for; 3 × 2 = 6 is not more than 6 members.
    let out = mandate(
        &["rules", "explain", act_file("act-027").to_str().unwrap()],
        &city_rules(),
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("REFUSED"), "{text}");
    assert!(text.contains("qinghe.party.appointment"), "{text}");
    assert!(text.contains("3 of 6 members voted for"), "{text}");
}

#[test]
fn explain_a_permitted_act_names_the_power() {
    // expected-acts.md: act-001 is within the finance head's limit and reviewed.
    let out = mandate(
        &["rules", "explain", act_file("act-001").to_str().unwrap()],
        &city_rules(),
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("PERMITTED"), "{text}");
    assert!(text.contains("qinghe.dept.fund-approval"), "{text}");
    // The deciding policy is the finance head's own.
    assert!(
        text.contains("principal == Position::\"pos.finance-head\""),
        "{text}"
    );
    assert!(!text.contains("Position::\"pos.psb-head\""), "{text}");
}

#[test]
fn explain_rejects_a_malformed_act_naming_the_field() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rules-bad-act.json");
    std::fs::write(
        &path,
        r#"{"kind":"act","id":"x","actor":"p.zhang-wei","matter":"fund_approval"}"#,
    )
    .unwrap();
    let out = mandate(&["rules", "explain", path.to_str().unwrap()], &city_rules());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rules-bad-act.json"), "{err}");
    assert!(err.contains("organisation") || err.contains("time"), "{err}");
}
