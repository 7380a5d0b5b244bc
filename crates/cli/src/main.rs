//! `mandate`: supervise the exercise of public power. A thin binary over the
//! library crates: argument parsing, progress display and exit codes.

mod commands;
mod output;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "mandate",
    version,
    about = "Record, check and publish how public power is exercised"
)]
struct Cli {
    /// Workspace folder (database, keys, rule packs). Default: the current folder.
    #[arg(
        long,
        short = 'w',
        global = true,
        env = "MANDATE_WORKSPACE",
        default_value = "."
    )]
    workspace: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole main job on the shipped real data: init, import, check, report, checkpoint.
    Demo(commands::demo::Args),
    /// Create a workspace: database, log signing key, default rule packs.
    Init(commands::init::Args),
    /// Import records (OCDS JSON / JSON Lines, XES / XES.gz) into the transparency log.
    Import(commands::import::Args),
    /// Check every logged record against the rule packs; writes findings.jsonl.
    Check(commands::check::Args),
    /// Write the self-contained HTML report of the latest check.
    Report(commands::report::Args),
    /// Transparency log: signed checkpoints and verification.
    #[command(subcommand)]
    Log(commands::log::LogCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Import(args) => commands::import::run(&cli.workspace, args),
        Command::Check(args) => commands::check::run(&cli.workspace, args),
        Command::Report(args) => commands::report::run(&cli.workspace, args),
        Command::Log(command) => commands::log::run(&cli.workspace, command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
