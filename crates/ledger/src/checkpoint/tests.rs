//! Tests for checkpoints: Go sumdb and C2SP spec examples plus round trips.

use super::*;
use crate::merkle::leaf_hash;
use proptest::prelude::*;

/// The key of sum.golang.org pinned in the Go toolchain (cmd/go/internal/modfetch/key.go).
const SUMDB_KEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// Real signed tree heads published by sum.golang.org, as quoted in public
/// code (a transparency-dev checkpoint parsing test, and a witness README
/// where it carries a second, unknown cosignature). A valid signature by the
/// key above cannot be fabricated, so they are self-authenticating.
const SUMDB_NOTES: [(&str, u64, &str); 2] = [
    (
        "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n\
         — sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n",
        6476701,
        "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=",
    ),
    (
        "go.sum database tree\n15067302\ngJyioq6dwR9n+NjEWORfYmH+ubeYm3kH42BBQ0bTpYI=\n\n\
         — sum.golang.org Az3grp1rvWOs5NKlr/xR4GLN/CDyzzakmt1o61uSxYKpK1SerqOP2ClbX/peKUZjYnyomH5Xz7GZG3TpB7OeKn4E2ww=\n\
         — test.example.com qTGhC/xIPQ0AXKHK6Y+9ypRfuvMZWPjRXM8NiOg5M1WREn07VQXyuIXM3NRNav3ieVFLUqDRK77PWDmL6w8w84UqeAw=\n",
        15067302,
        "gJyioq6dwR9n+NjEWORfYmH+ubeYm3kH42BBQ0bTpYI=",
    ),
];

/// The worked example of c2sp.org/tlog-checkpoint (its key is not published).
const SPEC_EXAMPLE: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\
     — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

fn b64(s: &str) -> Hash {
    STANDARD.decode(s).unwrap().try_into().unwrap()
}

#[test]
fn sumdb_signed_tree_heads_verify() {
    let verifier = Verifier::from_text(SUMDB_KEY).unwrap();
    for (note, size, root) in SUMDB_NOTES {
        let cp = open_checkpoint(note, &verifier).unwrap();
        assert_eq!(cp, Checkpoint::new("go.sum database tree", size, b64(root)));
        // Any change to the body breaks the signature.
        let bumped = note.replacen(&size.to_string(), &(size + 1).to_string(), 1);
        assert!(matches!(
            open_checkpoint(&bumped, &verifier),
            Err(CheckpointError::Note(NoteError::InvalidSignature { .. }))
        ));
    }
    let opened = open_note(SUMDB_NOTES[1].0, &[verifier]).unwrap();
    assert_eq!(opened.unverified.len(), 1);
    assert_eq!(opened.unverified[0].name, "test.example.com");
}

#[test]
fn go_tlog_tree_format_vector() {
    // golang.org/x/mod/sumdb/tlog note_test.go TestFormatTree.
    let golden = "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
    let cp = Checkpoint::new("go.sum database tree", 123456789012, leaf_hash(b"hello world"));
    assert_eq!(cp.to_text().unwrap(), golden);
    assert_eq!(Checkpoint::parse(golden).unwrap(), cp);
    // TestParseTree's bad trees.
    for bad in [
        "go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
        "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n",
    ] {
        assert!(Checkpoint::parse(bad).is_err(), "{bad:?}");
    }
    // Go ignores trailing junk; here it must be a whole extension line.
    let with_ext = Checkpoint::parse(&format!("{golden}JOE\n")).unwrap();
    assert_eq!(with_ext.extensions, vec!["JOE".to_string()]);
    assert_eq!(
        Checkpoint::parse(&format!("{golden}JOE")),
        Err(CheckpointError::MissingNewline)
    );
}

#[test]
fn spec_example_parses_but_needs_its_key() {
    let (body, _) = SPEC_EXAMPLE.split_once("\n\n").unwrap();
    let cp = Checkpoint::parse(&format!("{body}\n")).unwrap();
    assert_eq!(cp.origin, "example.com/behind-the-sofa");
    assert_eq!(cp.size, 20852163);
    assert_eq!(cp.to_text().unwrap(), format!("{body}\n"));
    let stranger = Signer::from_seed("example.com/behind-the-sofa", &[3; 32]).unwrap();
    assert_eq!(
        open_checkpoint(SPEC_EXAMPLE, &stranger.verifier()),
        Err(CheckpointError::Note(NoteError::NoVerifiedSignature))
    );
}

#[test]
fn strict_parsing() {
    let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let ok = |s: &str| Checkpoint::parse(s);
    assert_eq!(ok(&format!("o\n0\n{root}\n")).unwrap().size, 0);
    assert_eq!(
        ok(&format!("o\n18446744073709551615\n{root}\n")).unwrap().size,
        u64::MAX
    );
    let cases = [
        (format!("o\n1\n{root}"), CheckpointError::MissingNewline),
        ("o\n1\n".to_string(), CheckpointError::TooFewLines),
        (format!("\n1\n{root}\n"), CheckpointError::InvalidOrigin),
        (format!("o\t\n1\n{root}\n"), CheckpointError::InvalidOrigin),
        (format!("o\n01\n{root}\n"), CheckpointError::InvalidSize),
        (format!("o\n00\n{root}\n"), CheckpointError::InvalidSize),
        (format!("o\n+1\n{root}\n"), CheckpointError::InvalidSize),
        (format!("o\n-1\n{root}\n"), CheckpointError::InvalidSize),
        (format!("o\n 1\n{root}\n"), CheckpointError::InvalidSize),
        (format!("o\n\n{root}\n"), CheckpointError::InvalidSize),
        (
            format!("o\n18446744073709551616\n{root}\n"),
            CheckpointError::InvalidSize,
        ),
        ("o\n1\nAAAA\n".to_string(), CheckpointError::InvalidRootHash),
        (
            format!("o\n1\n{}\n", root.trim_end_matches('=')),
            CheckpointError::InvalidRootHash,
        ),
        (
            "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".to_string(),
            CheckpointError::InvalidRootHash,
        ),
        (format!("o\n1\n{root}\n\n"), CheckpointError::InvalidExtension),
        (
            format!("o\n1\n{root}\na\n\nb\n"),
            CheckpointError::InvalidExtension,
        ),
    ];
    for (text, want) in cases {
        assert_eq!(ok(&text), Err(want), "{text:?}");
    }
}

#[test]
fn to_text_refuses_unparseable_fields() {
    let mut cp = Checkpoint::new("", 1, [0; 32]);
    assert_eq!(cp.to_text(), Err(CheckpointError::InvalidOrigin));
    cp.origin = "a\nb".into();
    assert_eq!(cp.to_text(), Err(CheckpointError::InvalidOrigin));
    cp.origin = "a".into();
    cp.extensions = vec![String::new()];
    assert_eq!(cp.to_text(), Err(CheckpointError::InvalidExtension));
    let signer = Signer::from_seed("a", &[1; 32]).unwrap();
    assert_eq!(
        sign_checkpoint(&cp, &signer),
        Err(CheckpointError::InvalidExtension)
    );
}

#[test]
fn sign_open_and_reject_wrong_key() {
    let signer = Signer::from_seed("example.com/mandate", &[5; 32]).unwrap();
    let other = Signer::from_seed("example.com/mandate", &[6; 32]).unwrap();
    let mut cp = Checkpoint::new("example.com/mandate", 42, leaf_hash(b"x"));
    cp.extensions.push("ext line".into());
    let note = sign_checkpoint(&cp, &signer).unwrap();
    assert_eq!(open_checkpoint(&note, &signer.verifier()).unwrap(), cp);
    assert!(open_checkpoint(&note, &other.verifier()).is_err());
    let tampered = note.replacen("\n42\n", "\n43\n", 1);
    assert!(open_checkpoint(&tampered, &signer.verifier()).is_err());
}

proptest! {
    #[test]
    fn checkpoint_text_round_trips(
        origin in "[^\\x00-\\x1f\\x7f-\\x9f]{1,40}",
        size in any::<u64>(),
        root in any::<[u8; 32]>(),
        extensions in prop::collection::vec("[^\\x00-\\x1f\\x7f-\\x9f]{1,20}", 0..3),
    ) {
        let cp = Checkpoint { origin, size, root, extensions };
        let text = cp.to_text().unwrap();
        prop_assert_eq!(Checkpoint::parse(&text).unwrap(), cp);
    }
}
