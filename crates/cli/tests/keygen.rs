//! `mandate log keygen`: a private key only its owner can read, a verifier key
//! in the signed-note format, and no overwriting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn keygen_writes_a_private_key_and_its_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keys");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_mandate"))
            .args(["log", "keygen", "--name", "audit.example.gov/log", "--out"])
            .arg(&out)
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success());
    let printed = String::from_utf8(first.stdout).unwrap();
    let public = std::fs::read_to_string(out.join("log.pub")).unwrap();
    assert_eq!(printed, public);
    // name + 8 hex digits of key hash + base64 of 0x01 || 32-byte key (44 characters).
    let parts: Vec<&str> = public.trim().splitn(3, '+').collect();
    assert_eq!(parts[0], "audit.example.gov/log");
    assert_eq!(parts[1].len(), 8);
    assert_eq!(parts[2].len(), 44);
    mandate_ledger::note::Verifier::from_text(public.trim()).unwrap();
    let private = std::fs::read_to_string(out.join("log.key")).unwrap();
    assert!(private.starts_with("PRIVATE+KEY+audit.example.gov/log+"));
    let mode = std::fs::metadata(out.join("log.key"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);

    let again = run();
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(out.join("log.key")).unwrap(), private);
}
