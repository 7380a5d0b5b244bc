//! Input paths as given on the command line: a folder stands for the data
//! files under it, so `mandate indicators data/ocds` reads a whole download.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// OCDS files, by the end of their names in lower case.
pub const OCDS_FILES: &[&str] = &[
    ".json",
    ".jsonl",
    ".ndjson",
    ".json.gz",
    ".jsonl.gz",
    ".ndjson.gz",
];

/// Event logs (XES, CSV, OCEL XML); OCEL JSON and own records end as OCDS does.
const EVENT_LOG_FILES: &[&str] = &[".xes", ".xes.gz", ".csv", ".csv.gz", ".xml"];

/// Every input file the commands read.
pub const DATA_FILES: &[&[&str]] = &[OCDS_FILES, EVENT_LOG_FILES];

/// Files as given, folders replaced by the files under them whose names end
/// with one of `extensions` (searched recursively, in path order, so runs
/// are repeatable; READMEs and licence notes beside the data are skipped).
/// A folder with no such file is an error: screening nothing must not look
/// like a clean result.
pub fn expand(paths: &[PathBuf], extensions: &[&[&str]]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let found = files_under(path, extensions)?;
            if found.is_empty() {
                anyhow::bail!(
                    "{}: no data file in this folder or below (names ending {})",
                    path.display(),
                    extensions.concat().join(", ")
                );
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// The files under `dir` whose names end with one of `extensions`, sorted.
/// Linked folders are followed once each, so a link back up cannot loop.
pub fn files_under(dir: &Path, extensions: &[&[&str]]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let canonical = current
            .canonicalize()
            .with_context(|| format!("cannot read {}", current.display()))?;
        if !seen.insert(canonical) {
            continue;
        }
        let entries =
            std::fs::read_dir(&current).with_context(|| format!("cannot read {}", current.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("cannot read {}", current.display()))?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if has_extension(&path, extensions) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The folder a file is in, as `dir/` (`./` for a bare name), for the
/// summaries that add up many files per folder.
pub fn folder_of(file: &str) -> String {
    match Path::new(file).parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => format!("{}/", dir.display()),
        None => "./".to_string(),
    }
}

fn has_extension(path: &Path, extensions: &[&[&str]]) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    !name.starts_with('.')
        && extensions
            .iter()
            .flat_map(|e| e.iter())
            .any(|ext| name.ends_with(ext))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn folders_become_their_data_files_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/inner")).unwrap();
        for name in [
            "b/inner/2.jsonl",
            "b/1.json",
            "b/README.md",
            "b/.hidden.json",
            "a.xes",
        ] {
            std::fs::write(root.join(name), "").unwrap();
        }
        let loose = root.join("loose.txt");
        let files = expand(&[root.join("b"), loose.clone()], &[OCDS_FILES]).unwrap();
        assert_eq!(
            files,
            [root.join("b/1.json"), root.join("b/inner/2.jsonl"), loose]
        );
        assert_eq!(files_under(root, DATA_FILES).unwrap().len(), 3);
    }

    #[test]
    fn names_match_in_any_case_and_ndjson_counts() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["A.JSON", "b.ndjson", "c.Jsonl.GZ", "d.txt"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let names: Vec<_> = files_under(dir.path(), &[OCDS_FILES])
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["A.JSON", "b.ndjson", "c.Jsonl.GZ"]);
    }

    #[test]
    fn a_folder_without_data_files_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        let err = expand(&[dir.path().to_path_buf()], &[OCDS_FILES]).unwrap_err();
        assert!(
            err.to_string().contains("no data file in this folder or below"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_back_up_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("a");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(inner.join("1.jsonl"), "").unwrap();
        std::os::unix::fs::symlink("..", inner.join("up")).unwrap();
        assert_eq!(
            files_under(dir.path(), &[OCDS_FILES]).unwrap(),
            [inner.join("1.jsonl")]
        );
    }

    #[test]
    fn a_files_folder_ends_with_a_slash() {
        assert_eq!(folder_of("data/ocds/uk/1.json"), "data/ocds/uk/");
        assert_eq!(folder_of("one.json"), "./");
    }
}
