//! The fast path for large JSON Lines files: a compiled release read
//! straight from the bytes of its line into the indicators' typed view,
//! without building a generic JSON tree first, and made ready to screen
//! (codes mapped, wrong types noted). Reading and preparing need no state,
//! so several threads can do it while one screens the results in file order.

use mandate_rules::CodeList;

use super::lenient::J;
use super::{codelist_for, codes, Release, WrongType};
use crate::coverage::Coverage;

/// A compiled release read straight from the bytes of a JSON line, its
/// codes mapped: ready for [`crate::Checker::check_compiled_line`].
pub struct CompiledLine<'a> {
    release: Release<'a>,
    ocid: String,
    release_id: String,
    locator: &'static str,
    wrong: Vec<WrongType>,
}

impl<'a> CompiledLine<'a> {
    pub fn ocid(&self) -> &str {
        &self.ocid
    }

    /// The release id, or the ocid when a compiled release has none.
    pub fn release_id(&self) -> &str {
        &self.release_id
    }

    /// Where in the line: `release` or `compiledRelease`.
    pub fn locator(&self) -> &'static str {
        self.locator
    }

    pub(crate) fn release(&self) -> &Release<'a> {
        &self.release
    }

    /// Members of the wrong JSON type.
    pub(crate) fn wrong_types(&self) -> &[WrongType] {
        &self.wrong
    }
}

/// Reads one JSON line without building a `serde_json::Value`: the fast
/// path for large files of compiled releases. Only a record with a
/// `compiledRelease`, or a release that is compiled (tagged `compiled`, or
/// any release when `all_compiled`) with a non-empty `ocid` and `id`, is
/// read here; anything else (packages, plain releases to merge, bad JSON,
/// missing ids) gives `None`, for the general reader, which reports problems
/// as it does for every other input.
///
/// Codes are mapped with the publisher's code list from `codelists`
/// (see [`crate::Checker::codelists`]) and counted in `codes`, for
/// [`crate::Checker::add_code_counts`].
pub fn read_compiled_line<'a>(
    line: &'a [u8],
    all_compiled: bool,
    codelists: &[CodeList],
    codes: &mut Coverage,
) -> Option<CompiledLine<'a>> {
    let mut compiled = read(line, all_compiled)?;
    compiled.wrong = compiled.release.wrong_types();
    let list = codelist_for(codelists, &compiled.ocid);
    codes::normalize(&mut compiled.release, list, codes);
    Some(compiled)
}

fn read(line: &[u8], all_compiled: bool) -> Option<CompiledLine<'_>> {
    let mut top = serde_json::from_slice::<Release<'_>>(line).ok()?;
    if !top.records.is_absent() {
        return None; // a record package
    }
    let top_ocid = top.ocid.ok().map(|o| o.to_string());
    match std::mem::take(&mut top.compiled_release) {
        J::Ok(compiled) => {
            // The record's ocid stands in only for a missing one.
            let ocid = match &compiled.ocid {
                J::Ok(o) if !o.is_empty() => o.to_string(),
                J::Absent => top_ocid?,
                _ => return None,
            };
            let release_id = compiled
                .id
                .ok()
                .map(|i| i.0.to_string())
                .filter(|i| !i.is_empty())
                .unwrap_or_else(|| ocid.clone());
            Some(CompiledLine {
                release: *compiled,
                ocid,
                release_id,
                locator: "compiledRelease",
                wrong: Vec::new(),
            })
        }
        J::Absent if top.releases.is_absent() => {
            let tagged = top
                .tag
                .ok()
                .is_some_and(|t| t.iter().any(|x| x.ok().is_some_and(|s| s == "compiled")));
            let ocid = top_ocid.filter(|o| !o.is_empty())?;
            let release_id = top.id.ok().map(|i| i.0.to_string()).filter(|i| !i.is_empty())?;
            (all_compiled || tagged).then_some(CompiledLine {
                release: top,
                ocid,
                release_id,
                locator: "release",
                wrong: Vec::new(),
            })
        }
        _ => None,
    }
}
