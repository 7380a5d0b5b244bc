//! A workspace folder: `mandate.toml`, `mandate.db`, `keys/`, `rules/`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use mandate_ledger::note::{Signer, Verifier};
use mandate_rules::Pack;
use mandate_store::Store;
use serde::{Deserialize, Serialize};

/// The rule packs every new workspace starts with (copied, so they can be edited).
const DEFAULT_PACKS: [(&str, &str); 4] = [
    (
        "bpi2020-travel-expenses.toml",
        include_str!("../../../packs/bpi2020-travel-expenses.toml"),
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

const CONFIG_FILE: &str = "mandate.toml";
const DATABASE_FILE: &str = "mandate.db";
const PRIVATE_KEY_FILE: &str = "keys/log.key";
const PUBLIC_KEY_FILE: &str = "keys/log.pub";

#[derive(Debug, Serialize, Deserialize)]
pub struct Config {
    pub log: LogConfig,
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
        if dir.join(CONFIG_FILE).exists() {
            bail!("{} already holds a mandate workspace", dir.display());
        }
        fs::create_dir_all(dir.join("keys")).with_context(|| format!("cannot create {}", dir.display()))?;
        fs::create_dir_all(dir.join("rules"))?;
        for (name, text) in DEFAULT_PACKS {
            fs::write(dir.join("rules").join(name), text)?;
        }
        let signer = Signer::generate(origin).context("cannot create the log's signing key")?;
        write_private(&dir.join(PRIVATE_KEY_FILE), &signer.private_key_text())?;
        fs::write(dir.join(PUBLIC_KEY_FILE), signer.verifier_key_text() + "\n")?;
        let config = Config {
            log: LogConfig {
                origin: origin.to_string(),
            },
        };
        let text = format!(
            "# mandate workspace settings\n{}",
            toml::to_string(&config).context("cannot write settings")?
        );
        fs::write(dir.join(CONFIG_FILE), text)?;
        Store::open(&dir.join(DATABASE_FILE))?;
        Ok(Workspace {
            dir: dir.to_path_buf(),
            config,
        })
    }

    pub fn open(dir: &Path) -> Result<Workspace> {
        let path = dir.join(CONFIG_FILE);
        let text = fs::read_to_string(&path).with_context(|| {
            format!(
                "{} is not a mandate workspace (no {CONFIG_FILE}); create one with `mandate init {}`",
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
        Ok(mandate_rules::load_dir(&self.dir.join("rules"))?)
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
}

/// Write a secret readable by its owner only.
fn write_private(path: &Path, text: &str) -> Result<()> {
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
