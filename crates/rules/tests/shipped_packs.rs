//! Every pack shipped in `packs/` loads and validates.

use std::path::Path;

#[test]
fn shipped_packs_load() -> Result<(), mandate_rules::RulesError> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs");
    let packs = mandate_rules::load_dir(&dir)?;
    let ids: Vec<&str> = packs.iter().map(|p| p.pack.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "bpi2020-travel-expenses",
            "cn-municipal",
            "it-road-traffic-fines",
            "nl-wabo-permits",
            "ocds-procurement"
        ]
    );
    Ok(())
}
