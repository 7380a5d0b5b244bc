//! The HTTP server and the client against each other, on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;

use mandate_ledger::checkpoint::{sign_checkpoint, Checkpoint};
use mandate_ledger::cosignature::CosignatureSigner;
use mandate_ledger::merkle::{consistency_proof, leaf_hash, root_from_leaf_hashes, Hash};
use mandate_ledger::note::Signer;
use mandate_witness::server::handle;
use mandate_witness::{add_checkpoint, config, Outcome, Server, Witness, WitnessState};

const ORIGIN: &str = "audit.example.gov/log";

fn note(signer: &Signer, leaves: &[Hash]) -> String {
    let checkpoint = Checkpoint::new(ORIGIN, leaves.len() as u64, root_from_leaf_hashes(leaves));
    sign_checkpoint(&checkpoint, signer).unwrap()
}

fn witness(dir: &std::path::Path, log: &Signer) -> Witness {
    let state = WitnessState::open(&dir.join("w.db")).unwrap();
    state.add_log(ORIGIN, &log.verifier(), "now").unwrap();
    let signer = CosignatureSigner::from_seed("witness.example/w1", &[2; 32]).unwrap();
    Witness::new(signer, state)
}

/// Sends a raw request and returns the raw response, to see headers.
fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn client_and_server_speak_the_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let log = Signer::from_seed(ORIGIN, &[1; 32]).unwrap();
    let witness = witness(dir.path(), &log);
    let leaves: Vec<Hash> = (0..20u8).map(|i| leaf_hash(&[i])).collect();
    let server = Server::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    let url = format!("http://{addr}/");
    std::thread::scope(|scope| {
        scope.spawn(|| server.run(&witness, &|_| {}));

        let first = add_checkpoint(&url, 0, &[], &note(&log, &leaves[..7])).unwrap();
        let Outcome::Cosigned(lines) = first else {
            panic!("{first:?}")
        };
        assert_eq!(lines.len(), 1);
        let body = Checkpoint::new(ORIGIN, 7, root_from_leaf_hashes(&leaves[..7]))
            .to_text()
            .unwrap();
        witness.verifier().verify_line(&body, &lines[0]).unwrap();

        // Stale old size: 409 with the size held, as text/x.tlog.size.
        let outcome = add_checkpoint(&url, 0, &[], &note(&log, &leaves[..9])).unwrap();
        assert_eq!(outcome, Outcome::Conflict { latest_size: 7 });
        let request = format!("old 0\n\n{}", note(&log, &leaves[..9]));
        let response = raw(
            addr,
            &format!(
                "POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{request}",
                request.len()
            ),
        );
        assert!(response.starts_with("HTTP/1.1 409"), "{response}");
        assert!(
            response
                .to_ascii_lowercase()
                .contains("content-type: text/x.tlog.size"),
            "{response}"
        );
        assert!(response.ends_with("\r\n\r\n7\n"), "{response}");

        // Retrying from the size learnt, with the proof from there.
        let proof = consistency_proof(7, &leaves[..9]).unwrap();
        let outcome = add_checkpoint(&url, 7, &proof, &note(&log, &leaves[..9])).unwrap();
        assert!(matches!(outcome, Outcome::Cosigned(_)), "{outcome:?}");

        // A refusal carries the status and the witness's reason.
        let other = Signer::from_seed(ORIGIN, &[5; 32]).unwrap();
        let outcome = add_checkpoint(&url, 9, &[], &note(&other, &leaves[..9])).unwrap();
        let Outcome::Refused { status, reason } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(status, 403);
        assert!(reason.contains("signed"), "{reason}");

        server.stop();
    });
}

#[test]
fn routing() {
    let dir = tempfile::tempdir().unwrap();
    let log = Signer::from_seed(ORIGIN, &[1; 32]).unwrap();
    let witness = witness(dir.path(), &log);
    assert_eq!(handle(&witness, "GET", "/add-checkpoint", b"").status, 405);
    assert_eq!(handle(&witness, "POST", "/elsewhere", b"").status, 404);
    assert_eq!(
        handle(&witness, "POST", "/add-checkpoint", b"garbage").status,
        400
    );
    let home = handle(&witness, "GET", "/", b"");
    assert_eq!(home.status, 200);
    assert!(home.body.contains(&witness.verifier().to_text()));
}

#[test]
fn an_unreachable_witness_is_a_transport_error() {
    // Bind then drop, so the port is very likely closed.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    assert!(add_checkpoint(&format!("http://{addr}"), 0, &[], "x\n").is_err());
}

#[test]
fn witness_folder_keeps_a_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let signer = config::create(dir.path(), "witness.example/w9").unwrap();
    assert!(matches!(
        config::create(dir.path(), "witness.example/w9"),
        Err(config::ConfigError::KeyExists(_))
    ));
    let loaded = config::load_signer(dir.path()).unwrap();
    assert_eq!(loaded.verifier(), signer.verifier());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = dir.path().join(config::KEY_FILE);
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            config::load_signer(dir.path()),
            Err(config::ConfigError::KeyTooOpen(_))
        ));
    }
    let public = std::fs::read_to_string(dir.path().join(config::PUBLIC_KEY_FILE)).unwrap();
    assert_eq!(public.trim(), signer.verifier_key_text());
}
