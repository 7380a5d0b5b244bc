//! A witness's folder: its private key (`witness.key`, owner-only), its
//! public key (`witness.pub`) and its database (`witness.db`, the logs it
//! follows and what it cosigned).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use mandate_ledger::cosignature::{CosignatureError, CosignatureSigner};
use thiserror::Error;

use crate::state::{StateError, WitnessState};
use crate::witness::Witness;

/// The private key file.
pub const KEY_FILE: &str = "witness.key";
/// The public (verifier) key file.
pub const PUBLIC_KEY_FILE: &str = "witness.pub";
/// The database file.
pub const DATABASE_FILE: &str = "witness.db";

/// Errors setting up or opening a witness folder.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// `keygen` never overwrites a key.
    #[error("{0} already exists; a witness keeps its key for life")]
    KeyExists(PathBuf),
    /// The key file is readable by others.
    #[error("{0} is readable by other users; restrict it with `chmod 600`")]
    KeyTooOpen(PathBuf),
    /// The key file does not hold a valid key.
    #[error("{path}: {source}")]
    Key { path: PathBuf, source: CosignatureError },
    /// The database failed.
    #[error(transparent)]
    State(#[from] StateError),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ConfigError + '_ {
    move |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates a witness folder with a fresh key named `name`; returns the signer.
pub fn create(dir: &Path, name: &str) -> Result<CosignatureSigner, ConfigError> {
    let key_path = dir.join(KEY_FILE);
    if key_path.exists() {
        return Err(ConfigError::KeyExists(key_path));
    }
    let signer = CosignatureSigner::generate(name).map_err(|source| ConfigError::Key {
        path: key_path.clone(),
        source,
    })?;
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    write_private(&key_path, &signer.private_key_text())?;
    let pub_path = dir.join(PUBLIC_KEY_FILE);
    fs::write(&pub_path, signer.verifier_key_text() + "\n").map_err(io_error(&pub_path))?;
    open_state(dir)?;
    Ok(signer)
}

/// Writes a secret with owner-only permissions, failing if the file exists.
fn write_private(path: &Path, text: &str) -> Result<(), ConfigError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_error(path))?;
    file.write_all(text.as_bytes()).map_err(io_error(path))?;
    file.write_all(b"\n").map_err(io_error(path))?;
    file.sync_all().map_err(io_error(path))?;
    Ok(())
}

/// Loads the witness's private key, refusing a key file others can read.
pub fn load_signer(dir: &Path) -> Result<CosignatureSigner, ConfigError> {
    let path = dir.join(KEY_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).map_err(io_error(&path))?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(ConfigError::KeyTooOpen(path));
        }
    }
    let text = fs::read_to_string(&path).map_err(io_error(&path))?;
    CosignatureSigner::from_private_key_text(text.trim()).map_err(|source| ConfigError::Key { path, source })
}

/// Opens the witness's database.
pub fn open_state(dir: &Path) -> Result<WitnessState, ConfigError> {
    Ok(WitnessState::open(&dir.join(DATABASE_FILE))?)
}

/// Opens the witness kept in `dir`: key and database.
pub fn open(dir: &Path) -> Result<Witness, ConfigError> {
    let signer = load_signer(dir)?;
    Ok(Witness::new(signer, open_state(dir)?))
}
