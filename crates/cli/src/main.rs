//! `mandate`: supervise the exercise of public power. A thin binary over the
//! library crates: argument parsing, progress display and exit codes.

mod commands;
mod inputs;
mod output;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `mandate indicators` allocates a release's values on parsing threads and
/// frees them on others, where mimalloc is markedly faster than the system
/// allocator (about 10 % of the run on a large file).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Import records (OCDS JSON / JSON Lines, XES / XES.gz, CSV event logs, mandate's JSON Lines) into the transparency log.
    Import(commands::import::Args),
    /// Check every logged record against the rule packs; writes findings.jsonl.
    Check(commands::check::Args),
    /// Before the act: which rules a proposed act or process step would break (nothing is logged).
    Precheck(commands::precheck::Args),
    /// Write the self-contained HTML report of the latest check.
    Report(commands::report::Args),
    /// Rules: check them for errors and gaps, show a position's list, explain an act's verdict.
    #[command(subcommand)]
    Rules(commands::rules::RulesCommand),
    /// Screen OCDS files with the procurement indicators, without importing them.
    Indicators(commands::indicators::Args),
    /// Transparency log: signed checkpoints, proofs, tiles and verification.
    #[command(subcommand)]
    Log(commands::log::LogCommand),
    /// Measure performance on generated data in a temporary folder.
    #[command(subcommand)]
    Bench(commands::log::bench::BenchCommand),
    /// Publish a checkpoint of the log once a quorum of witnesses has cosigned it.
    Publish(commands::publish::Args),
    /// Witnesses: run one for other logs (keygen, add-log, serve), or trust one for this workspace.
    #[command(subcommand)]
    Witness(commands::witness::WitnessCommand),
}

fn main() -> ExitCode {
    // `mandate check | head`: end quietly when the reader goes away, as
    // command-line tools do, instead of panicking on the closed pipe.
    sigpipe::reset();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Import(args) => commands::import::run(&cli.workspace, args),
        Command::Check(args) => commands::check::run(&cli.workspace, args),
        Command::Precheck(args) => commands::precheck::run(&cli.workspace, args),
        Command::Report(args) => commands::report::run(&cli.workspace, args),
        Command::Indicators(args) => commands::indicators::run(&cli.workspace, args),
        Command::Rules(command) => commands::rules::run(&cli.workspace, command),
        Command::Log(command) => commands::log::run(&cli.workspace, command),
        Command::Bench(command) => commands::log::bench::run(command),
        Command::Publish(args) => commands::publish::run(&cli.workspace, args),
        Command::Witness(command) => commands::witness::run(&cli.workspace, command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
