//! `mandate witness ...`: run a witness for other logs (keygen, add-log,
//! serve), or name one that this workspace asks to cosign (trust).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use mandate_ledger::cosignature::CosignatureVerifier;
use mandate_ledger::note::Verifier;
use mandate_witness::server::Served;
use mandate_witness::{config, Server};

use crate::workspace::{WitnessConfig, Workspace};

#[derive(clap::Subcommand)]
pub enum WitnessCommand {
    /// Create a witness in DIR: a new cosigning key (DIR/witness.key, owner-only; DIR/witness.pub)
    /// and its database. Prints the public key that logs put in their mandate.toml.
    Keygen {
        /// Folder for the witness's key and database.
        dir: PathBuf,
        /// The witness's name, a schema-less URL such as "witness.example.org/w1".
        #[arg(long)]
        name: String,
    },
    /// Follow a log: cosign checkpoints of ORIGIN signed by KEY.
    AddLog {
        /// The witness's folder.
        dir: PathBuf,
        /// The log's origin (first line of its checkpoints).
        #[arg(long)]
        origin: String,
        /// The log's public key: keys/log.pub of its workspace (`<name>+<id>+<key>`).
        #[arg(long)]
        key: String,
    },
    /// Serve the witness over HTTP (c2sp.org/tlog-witness: POST /add-checkpoint) until stopped
    /// with Ctrl-C. Every state change is one database transaction, so stopping it at any moment
    /// is safe.
    Serve {
        /// The witness's folder.
        dir: PathBuf,
        /// Address to listen on; port 0 picks a free port (the address is printed).
        #[arg(long, default_value = "127.0.0.1:7380")]
        listen: String,
    },
    /// Ask a witness to cosign this workspace's checkpoints: adds a [[witness]] to mandate.toml.
    Trust {
        /// A label for messages (default: the name in the key).
        #[arg(long)]
        name: Option<String>,
        /// The witness's URL prefix, e.g. "https://witness.example.org" (checkpoints are sent to
        /// <URL>/add-checkpoint).
        #[arg(long)]
        url: String,
        /// The witness's public key, as `mandate witness keygen` printed it.
        #[arg(long)]
        key: String,
    },
}

pub fn run(workspace_dir: &Path, command: WitnessCommand) -> Result<ExitCode> {
    match command {
        WitnessCommand::Keygen { dir, name } => keygen(&dir, &name),
        WitnessCommand::AddLog { dir, origin, key } => add_log(&dir, &origin, &key),
        WitnessCommand::Serve { dir, listen } => serve(&dir, &listen),
        WitnessCommand::Trust { name, url, key } => trust(workspace_dir, name, &url, &key),
    }
}

fn keygen(dir: &Path, name: &str) -> Result<ExitCode> {
    let signer =
        config::create(dir, name).with_context(|| format!("cannot create a witness in {}", dir.display()))?;
    println!("{}", signer.verifier_key_text());
    eprintln!(
        "Created witness {name} in {} (private key: {}, keep it secret).",
        dir.display(),
        dir.join(config::KEY_FILE).display()
    );
    eprintln!(
        "Next: mandate witness add-log {} --origin ORIGIN --key LOG_PUBLIC_KEY",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn add_log(dir: &Path, origin: &str, key: &str) -> Result<ExitCode> {
    let verifier =
        Verifier::from_text(key.trim()).with_context(|| format!("invalid log public key {key:?}"))?;
    config::load_signer(dir).with_context(|| format!("{} is not a witness folder", dir.display()))?;
    let state = config::open_state(dir)?;
    let added = state.add_log(origin, &verifier, &super::now())?;
    let verb = if added { "now follows" } else { "already follows" };
    println!("The witness {verb} {origin} with key {}", verifier.to_text());
    Ok(ExitCode::SUCCESS)
}

fn serve(dir: &Path, listen: &str) -> Result<ExitCode> {
    let witness =
        config::open(dir).with_context(|| format!("cannot open the witness in {}", dir.display()))?;
    let logs = witness.state().logs()?;
    let server = Server::bind(listen)?;
    let banner = format!(
        "listening on http://{}\nwitness key: {}\nfollowing {} log key(s)\n",
        server.local_addr(),
        witness.verifier().to_text(),
        logs.len()
    );
    // Informational only: a closed stdout must not stop the witness.
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    drop(out);
    if logs.is_empty() {
        eprintln!("warning: this witness follows no log yet; add one with `mandate witness add-log`");
    }
    server.run(&witness, &log_request);
    Ok(ExitCode::SUCCESS)
}

/// One line per request on stderr, for the operator.
fn log_request(served: &Served<'_>) {
    let peer = served.peer.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
    let detail = match served.status {
        200 => "cosigned",
        _ => served.body.lines().next().unwrap_or(""),
    };
    eprintln!(
        "{} {peer} {} {} {} {detail}",
        super::now(),
        served.method,
        served.path,
        served.status
    );
}

fn trust(workspace_dir: &Path, name: Option<String>, url: &str, key: &str) -> Result<ExitCode> {
    let key = key.trim();
    let verifier =
        CosignatureVerifier::from_text(key).with_context(|| format!("invalid witness key {key:?}"))?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        bail!("the witness URL must start with https:// or http://, got {url:?}");
    }
    let mut workspace = Workspace::open(workspace_dir)?;
    let name = name.unwrap_or_else(|| verifier.name().to_owned());
    workspace.add_witness(WitnessConfig {
        name: name.clone(),
        url: url.to_owned(),
        key: key.to_owned(),
    })?;
    let config = &workspace.config;
    println!(
        "Added witness {name} ({url}); publishing needs {} of {} witness(es).",
        config.publish.quorum,
        config.witnesses.len()
    );
    Ok(ExitCode::SUCCESS)
}
