//! A workspace folder: `mandate.toml`, `mandate.db`, `keys/`, `rules/`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use mandate_ledger::cosignature::CosignatureVerifier;
use mandate_ledger::note::{Signer, Verifier};
use mandate_rules::Pack;
use mandate_store::Store;
use serde::{Deserialize, Serialize};

/// The rule packs every new workspace starts with (copied, so they can be
/// edited); `mandate indicators` uses them when given no `--rules`.
pub(crate) const DEFAULT_PACKS: [(&str, &str); 5] = [
    (
        "bpi2020-travel-expenses.toml",
        include_str!("../../../packs/bpi2020-travel-expenses.toml"),
    ),
    (
        "cn-municipal.toml",
        include_str!("../../../packs/cn-municipal.toml"),
    ),
    (
        "it-road-traffic-fines.toml",
        include_str!("../../../packs/it-road-traffic-fines.toml"),
    ),
    (
        "nl-wabo-permits.toml",
        include_str!("../../../packs/nl-wabo-permits.toml"),
    ),
    (
        "ocds-procurement.toml",
        include_str!("../../../packs/ocds-procurement.toml"),
    ),
];

/// Publisher code lists, copied to `rules/codelists/` like the packs.
pub(crate) const DEFAULT_CODELISTS: [(&str, &str); 4] = [
    (
        "armenia.toml",
        include_str!("../../../packs/codelists/armenia.toml"),
    ),
    (
        "moldova.toml",
        include_str!("../../../packs/codelists/moldova.toml"),
    ),
    (
        "ukraine.toml",
        include_str!("../../../packs/codelists/ukraine.toml"),
    ),
    (
        "uk-contracts-finder.toml",
        include_str!("../../../packs/codelists/uk-contracts-finder.toml"),
    ),
];

/// Where a workspace (or a `--rules` folder) keeps its code lists.
pub(crate) const CODELISTS_DIR: &str = "codelists";

/// The file that makes a folder a workspace.
pub(crate) const WORKSPACE_CONFIG: &str = "mandate.toml";
/// Rule packs, mandates and code lists (`codelists/`), inside a workspace.
pub(crate) const RULES_DIR: &str = "rules";
const DATABASE_FILE: &str = "mandate.db";
const PRIVATE_KEY_FILE: &str = "keys/log.key";
const PUBLIC_KEY_FILE: &str = "keys/log.pub";

#[derive(Debug, Serialize, Deserialize)]
pub struct Config {
    pub log: LogConfig,
    /// Optional, so workspaces made before witnessing keep working.
    #[serde(default)]
    pub publish: PublishConfig,
    /// `[[witness]]` tables: who is asked to cosign published checkpoints.
    #[serde(default, rename = "witness", skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<WitnessConfig>,
}

/// `[publish]`: the policy a checkpoint must meet to be published.
#[derive(Debug, Serialize, Deserialize)]
pub struct PublishConfig {
    /// How many of the configured witnesses must cosign.
    #[serde(default = "default_quorum")]
    pub quorum: usize,
}

fn default_quorum() -> usize {
    1
}

impl Default for PublishConfig {
    fn default() -> Self {
        Self {
            quorum: default_quorum(),
        }
    }
}

/// One `[[witness]]`: a c2sp.org/tlog-witness endpoint and its cosigner key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WitnessConfig {
    /// A label for messages.
    pub name: String,
    /// The witness's URL prefix; checkpoints go to `<url>/add-checkpoint`.
    pub url: String,
    /// The witness's verifier key, `<name>+<key id>+<base64(0x04 || key)>`.
    pub key: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LogConfig {
    /// The checkpoint origin line: names this log uniquely, e.g. "audit.example.gov/mandate".
    pub origin: String,
}

pub struct Workspace {
    pub dir: PathBuf,
    pub config: Config,
}

impl Workspace {
    /// Create a new workspace in `dir` (which may exist but must not hold a workspace).
    pub fn init(dir: &Path, origin: &str) -> Result<Workspace> {
        if dir.join(WORKSPACE_CONFIG).exists() {
            bail!("{} already holds a mandate workspace", dir.display());
        }
        fs::create_dir_all(dir.join("keys")).with_context(|| format!("cannot create {}", dir.display()))?;
        fs::create_dir_all(dir.join(RULES_DIR))?;
        for (name, text) in DEFAULT_PACKS {
            fs::write(dir.join(RULES_DIR).join(name), text)?;
        }
        fs::create_dir_all(dir.join(RULES_DIR).join(CODELISTS_DIR))?;
        for (name, text) in DEFAULT_CODELISTS {
            fs::write(dir.join(RULES_DIR).join(CODELISTS_DIR).join(name), text)?;
        }
        let signer = Signer::generate(origin).context("cannot create the log's signing key")?;
        write_private(&dir.join(PRIVATE_KEY_FILE), &signer.private_key_text())?;
        fs::write(dir.join(PUBLIC_KEY_FILE), signer.verifier_key_text() + "\n")?;
        let config = Config {
            log: LogConfig {
                origin: origin.to_string(),
            },
            publish: PublishConfig::default(),
            witnesses: Vec::new(),
        };
        let text = format!(
            "# mandate workspace settings\n{}",
            toml::to_string(&config).context("cannot write settings")?
        );
        fs::write(dir.join(WORKSPACE_CONFIG), text)?;
        Store::open(&dir.join(DATABASE_FILE))?;
        Ok(Workspace {
            dir: dir.to_path_buf(),
            config,
        })
    }

    pub fn open(dir: &Path) -> Result<Workspace> {
        let path = dir.join(WORKSPACE_CONFIG);
        let text = fs::read_to_string(&path).with_context(|| {
            format!(
                "{} is not a mandate workspace (no {WORKSPACE_CONFIG}); create one with `mandate init {}`",
                dir.display(),
                dir.display()
            )
        })?;
        let config: Config =
            toml::from_str(&text).with_context(|| format!("{}: invalid settings", path.display()))?;
        Ok(Workspace {
            dir: dir.to_path_buf(),
            config,
        })
    }

    pub fn store(&self) -> Result<Store> {
        let path = self.dir.join(DATABASE_FILE);
        Store::open(&path).with_context(|| format!("cannot open {}", path.display()))
    }

    pub fn packs(&self) -> Result<Vec<Pack>> {
        Ok(mandate_rules::load_dir(&self.dir.join(RULES_DIR))?)
    }

    pub fn signer(&self) -> Result<Signer> {
        let path = self.dir.join(PRIVATE_KEY_FILE);
        let text = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Signer::from_private_key_text(text.trim()).with_context(|| format!("{}: invalid key", path.display()))
    }

    pub fn verifier(&self) -> Result<Verifier> {
        let path = self.dir.join(PUBLIC_KEY_FILE);
        let text = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Verifier::from_text(text.trim()).with_context(|| format!("{}: invalid public key", path.display()))
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The configured witnesses with their parsed keys. A key listed twice
    /// is an error: one witness must not count twice towards the quorum.
    pub fn witnesses(&self) -> Result<Vec<(WitnessConfig, CosignatureVerifier)>> {
        let path = self.dir.join(WORKSPACE_CONFIG);
        let mut parsed: Vec<(WitnessConfig, CosignatureVerifier)> = Vec::new();
        for w in &self.config.witnesses {
            let key = CosignatureVerifier::from_text(w.key.trim()).with_context(|| {
                format!(
                    "{}: witness {:?}: invalid key {:?}",
                    path.display(),
                    w.name,
                    w.key
                )
            })?;
            if let Some((other, _)) = parsed.iter().find(|(_, k)| k.public_key() == key.public_key()) {
                bail!(
                    "{}: witnesses {:?} and {:?} have the same key",
                    path.display(),
                    other.name,
                    w.name
                );
            }
            parsed.push((w.clone(), key));
        }
        Ok(parsed)
    }

    /// Appends a `[[witness]]` table to `mandate.toml`, keeping the rest of
    /// the file (and its comments) as it is.
    pub fn add_witness(&mut self, witness: WitnessConfig) -> Result<()> {
        let path = self.dir.join(WORKSPACE_CONFIG);
        if self.config.witnesses.iter().any(|w| w.name == witness.name) {
            bail!(
                "{} already has a witness named {:?}",
                path.display(),
                witness.name
            );
        }
        if self
            .config
            .witnesses
            .iter()
            .any(|w| w.key.trim() == witness.key.trim())
        {
            bail!("{} already has a witness with this key", path.display());
        }
        #[derive(Serialize)]
        struct One<'a> {
            witness: [&'a WitnessConfig; 1],
        }
        let table = toml::to_string(&One { witness: [&witness] }).context("cannot write settings")?;
        let mut text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&table);
        // Check the result parses before replacing the file.
        let config: Config =
            toml::from_str(&text).with_context(|| format!("{}: invalid settings", path.display()))?;
        write_atomically(&path, text.as_bytes())?;
        self.config = config;
        Ok(())
    }
}

/// Replaces a file so that readers and crashes see the old or the new
/// content, never a mix: temporary file, fsync, rename, fsync the folder.
pub fn write_atomically(path: &Path, content: &[u8]) -> Result<()> {
    use std::io::Write;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let mut file = fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    file.write_all(content)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Persist the rename itself; not possible on every platform.
        if let Ok(dir) = fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// Write a secret readable by its owner only.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}
