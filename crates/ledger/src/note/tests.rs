//! Tests for signed notes, mostly the vectors of Go's
//! golang.org/x/mod/sumdb/note note_test.go.

use super::*;
use proptest::prelude::*;

const PETER_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

fn peter() -> Verifier {
    Verifier::from_text(PETER_VKEY).unwrap()
}

fn enoch() -> Verifier {
    Verifier::from_text(ENOCH_VKEY).unwrap()
}

fn sig(name: &str, key_hash: u32, base64: &str) -> NoteSignature {
    NoteSignature {
        name: name.into(),
        key_hash,
        base64: base64.into(),
    }
}

fn peter_signature() -> NoteSignature {
    sig(
        "PeterNeumann",
        0xc74f20a3,
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
    )
}

fn enoch_signature() -> NoteSignature {
    sig(
        "EnochRoot",
        0xaf0cfe78,
        "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=",
    )
}

#[test]
fn go_keys_parse_and_round_trip() {
    let signer = Signer::from_private_key_text(PETER_SKEY).unwrap();
    assert_eq!(signer.name(), "PeterNeumann");
    assert_eq!(signer.key_hash(), 0xc74f20a3);
    assert_eq!(signer.private_key_text(), PETER_SKEY);
    assert_eq!(signer.verifier_key_text(), PETER_VKEY);
    assert_eq!(signer.verifier(), peter());
    assert_eq!(peter().to_text(), PETER_VKEY);
    assert_eq!(enoch().to_text(), ENOCH_VKEY);
    assert_eq!(key_hash("PeterNeumann", &peter().public_key()), 0xc74f20a3);
}

#[test]
fn debug_does_not_leak_private_key() {
    let signer = Signer::from_private_key_text(PETER_SKEY).unwrap();
    let shown = format!("{signer:?}");
    assert!(shown.contains("PeterNeumann"));
    assert!(!shown.contains("AYEKFALV"));
    let err = Signer::from_private_key_text(&PETER_SKEY.replace("+c74f", "+d74f")).unwrap_err();
    assert!(!err.to_string().contains("AYEKFALV"));
}

#[test]
fn go_sign_vector() {
    // Ed25519 is deterministic, so this reproduces Go's TestSign exactly.
    let signer = Signer::from_private_key_text(PETER_SKEY).unwrap();
    let note = sign_note(TEXT, &[&signer]).unwrap();
    assert_eq!(note, format!("{TEXT}\n{PETER_SIG}"));
    // Signing twice with the same key yields one line.
    assert_eq!(sign_note(TEXT, &[&signer, &signer]).unwrap(), note);
}

#[test]
fn mangled_keys_are_rejected() {
    // Port of Go's TestNewVerifier / TestNewSigner manglings.
    for key in [PETER_VKEY, PETER_SKEY] {
        let parse = |k: &str| {
            if key == PETER_VKEY {
                Verifier::from_text(k).map(|_| ())
            } else {
                Signer::from_private_key_text(k).map(|_| ())
            }
        };
        parse(key).unwrap();
        let b = key.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if i != 0 || j != b.len() {
                    let sub = std::str::from_utf8(&b[i..j]).unwrap();
                    assert!(parse(sub).is_err(), "accepted substring {sub:?}");
                }
            }
        }
        for i in 0..b.len() {
            let mut m = b.to_vec();
            m[i] += 1;
            let m = String::from_utf8(m).unwrap();
            assert!(parse(&m).is_err(), "accepted mangled {m:?}");
        }
    }
    // Go: wrong key length, and unknown algorithm, each with adjusted key hash.
    assert!(Verifier::from_text(
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
    )
    .is_err());
    assert_eq!(
        Verifier::from_text("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::UnsupportedAlgorithm(0x65))
    );
    // A sign is not a hex digit.
    assert!(Verifier::from_text(&PETER_VKEY.replace("+c74f20a3+", "++74f20a3+")).is_err());
}

#[test]
fn key_names() {
    for bad in ["", "a b", "a+b", "a\tb", "a\u{2003}b", "a\nb", "a\u{7f}b"] {
        assert!(validate_key_name(bad).is_err(), "{bad:?}");
        assert!(Signer::from_seed(bad, &[1; 32]).is_err(), "{bad:?}");
    }
    for good in ["example.com/log", "PeterNeumann", "ü/∂"] {
        validate_key_name(good).unwrap();
    }
}

#[test]
fn go_open_vectors() {
    let note = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");

    // One verified, one unknown.
    let n = open_note(&note, &[peter()]).unwrap();
    assert_eq!(n.text, TEXT);
    assert_eq!(n.verified, vec![peter_signature()]);
    assert_eq!(n.unverified, vec![enoch_signature()]);

    // Both verified.
    let n = open_note(&note, &[peter(), enoch()]).unwrap();
    assert_eq!(n.verified, vec![peter_signature(), enoch_signature()]);
    assert!(n.unverified.is_empty());

    // Neither known.
    assert_eq!(open_note(&note, &[]), Err(NoteError::NoVerifiedSignature));

    // Duplicate trusted keys are harmless; conflicting ones are not.
    open_note(&note, &[enoch(), peter(), enoch()]).unwrap();
}

#[test]
fn go_open_rejections() {
    // Too many signatures.
    let many = format!("{TEXT}\n{}", PETER_SIG.repeat(101));
    assert_eq!(open_note(&many, &[peter()]), Err(NoteError::TooManySignatures));
    assert_eq!(open_note(&many, &[]), Err(NoteError::TooManySignatures));

    // Invalid signature from a known key.
    let bad = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    assert_eq!(
        open_note(&bad, &[peter()]),
        Err(NoteError::InvalidSignature {
            name: "PeterNeumann".into(),
            key_hash: 0xc74f20a3
        })
    );

    // Duplicated verified and unverified signatures.
    let enoch_abcd = format!("{}ABCD{}", &ENOCH_SIG[..60], &ENOCH_SIG[60..]);
    let dup = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{enoch_abcd}");
    let n = open_note(&dup, &[peter()]).unwrap();
    assert_eq!(n.verified, vec![peter_signature()]);
    let abcd = sig(
        "EnochRoot",
        0xaf0cfe78,
        "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5nABCD2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=",
    );
    assert_eq!(n.unverified, vec![enoch_signature(), abcd]);

    // Invalid syntax.
    let bad_msgs = [
        TEXT.to_string(),
        format!("{TEXT}\n"),
        format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
        format!("\x01{TEXT}\n{PETER_SIG}"),
        format!("{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="),
        format!("{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"),
        format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
        format!("{TEXT}\n{PETER_SIG}\n"),
        format!("{TEXT}\n- PeterNeumann x08go/ZJku\n"),
        format!("{TEXT}\n— PeterNeumann\n"),
        format!("{TEXT}\n— PeterNeumann x08go/Z\n"),
        format!("{TEXT}\n— PeterNeumann x08gow==\n"),
        format!("{TEXT}\r\n{PETER_SIG}"),
    ];
    for msg in bad_msgs {
        assert!(
            matches!(open_note(&msg, &[peter()]), Err(NoteError::Malformed(_))),
            "accepted {msg:?}"
        );
    }
}

#[test]
fn tampered_text_or_wrong_key_fails() {
    let tampered = format!("{}\n{PETER_SIG}", TEXT.replace("answer", "Answer"));
    assert!(matches!(
        open_note(&tampered, &[peter()]),
        Err(NoteError::InvalidSignature { .. })
    ));
    // Same name and key ID but a different key: a collision attempt.
    let impostor = Signer::from_seed("PeterNeumann", &[9; 32]).unwrap();
    let forged = Verifier {
        key_hash: 0xc74f20a3,
        ..impostor.verifier()
    };
    let note = format!("{TEXT}\n{PETER_SIG}");
    assert!(matches!(
        open_note(&note, std::slice::from_ref(&forged)),
        Err(NoteError::InvalidSignature { .. })
    ));
    assert!(matches!(
        open_note(&note, &[peter(), forged]),
        Err(NoteError::AmbiguousKey { .. })
    ));
    // A different key with the same name is simply unknown.
    assert_eq!(
        open_note(&note, &[impostor.verifier()]),
        Err(NoteError::NoVerifiedSignature)
    );
}

#[test]
fn cosigning_appends_and_replaces() {
    let peter_signer = Signer::from_private_key_text(PETER_SKEY).unwrap();
    let witness = Signer::from_seed("witness.example/w1", &[7; 32]).unwrap();
    let note = sign_note(TEXT, &[&peter_signer]).unwrap();
    let cosigned = add_signatures(&note, &[&witness]).unwrap();
    assert!(cosigned.starts_with(&note));
    let n = open_note(&cosigned, &[peter(), witness.verifier()]).unwrap();
    assert_eq!(n.verified.len(), 2);
    // Re-signing by the same key replaces rather than duplicates.
    let again = add_signatures(&cosigned, &[&witness]).unwrap();
    assert_eq!(again, cosigned);
    // Unknown signatures survive cosigning untouched.
    let with_enoch = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    let cosigned = add_signatures(&with_enoch, &[&witness]).unwrap();
    assert!(cosigned.starts_with(&with_enoch));
    assert!(add_signatures(TEXT, &[&witness]).is_err());
    assert_eq!(add_signatures(&note, &[]), Err(NoteError::NoSigners));
}

#[test]
fn sign_rejects_bad_text() {
    let signer = Signer::from_seed("a", &[1; 32]).unwrap();
    for bad in ["", "abc", "a\tb\n", "a\rb\n"] {
        assert_eq!(sign_note(bad, &[&signer]), Err(NoteError::InvalidText));
    }
    assert_eq!(sign_note("a\n", &[]), Err(NoteError::NoSigners));
}

#[test]
fn blank_lines_inside_text_are_allowed() {
    // Per the spec the text may hold blank lines; the last one separates.
    let signer = Signer::from_seed("a", &[1; 32]).unwrap();
    for text in ["one\n\ntwo\n", "one\n\n", "\n"] {
        let note = sign_note(text, &[&signer]).unwrap();
        assert_eq!(open_note(&note, &[signer.verifier()]).unwrap().text, text);
    }
}

#[test]
fn generated_keys_work() {
    let a = Signer::generate("example.com/log").unwrap();
    let b = Signer::generate("example.com/log").unwrap();
    assert_ne!(a.private_key_text(), b.private_key_text());
    let again = Signer::from_private_key_text(&a.private_key_text()).unwrap();
    assert_eq!(again.verifier(), a.verifier());
    let v = Verifier::from_text(&a.verifier_key_text()).unwrap();
    let note = sign_note("hello\n", &[&a]).unwrap();
    open_note(&note, &[v]).unwrap();
    assert_eq!(
        open_note(&note, &[b.verifier()]),
        Err(NoteError::NoVerifiedSignature)
    );
}

proptest! {
    #[test]
    fn sign_then_open_round_trips(lines in prop::collection::vec("[^\\x00-\\x1f]{0,40}", 1..6), seed in any::<[u8; 32]>()) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let signer = Signer::from_seed("example.com/p", &seed).unwrap();
        let note = sign_note(&text, &[&signer]).unwrap();
        let opened = open_note(&note, &[signer.verifier()]).unwrap();
        prop_assert_eq!(opened.text, text);
    }
}
