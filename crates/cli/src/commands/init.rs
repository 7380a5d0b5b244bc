//! `mandate init DIR`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::workspace::Workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Folder to create the workspace in.
    pub dir: PathBuf,
    /// The log's origin line (names the log in its checkpoints), e.g. "audit.example.gov/mandate".
    #[arg(long)]
    pub origin: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let workspace = create(&args.dir, args.origin.as_deref())?;
    println!("Created workspace {}", workspace.dir.display());
    println!("  log origin:  {}", workspace.config.log.origin);
    println!("  public key:  {}", workspace.path("keys/log.pub").display());
    println!("  rule packs:  {}", workspace.path("rules").display());
    println!("Next: mandate -w {} import FILE...", workspace.dir.display());
    Ok(ExitCode::SUCCESS)
}

pub fn create(dir: &std::path::Path, origin: Option<&str>) -> Result<Workspace> {
    let default_origin = format!(
        "mandate.local/{}",
        dir.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("log")
            .replace([' ', '+'], "-")
    );
    Workspace::init(dir, origin.unwrap_or(&default_origin))
}
