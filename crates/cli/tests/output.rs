//! Output to a reader that goes away (`mandate ... | head`): the process
//! ends as command-line tools do, killed by SIGPIPE, without a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let packs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../packs");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args(["rules", "check", packs])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before anything is written
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.signal(),
        Some(13),
        "killed by SIGPIPE: {:?}",
        out.status
    );
}
