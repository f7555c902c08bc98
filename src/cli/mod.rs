//! The command line: argument parsing and dispatch.

mod ado;
mod bench_wormspace;
mod caspaxos;
mod check;
mod client;
mod cluster;
mod explore;
mod lin;
mod multipaxos;
mod refine;
mod refines_ado;
mod serve;
mod simulate;
mod tlc;
mod verify;
mod wor;
mod wos;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "worm",
    version,
    about = "Model-check, explore and verify write-once registers and friends"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// Whether the command only writes a report to standard output (no sockets): such a
    /// command should end quietly when its reader goes away (`worm list | head`), as other
    /// Unix tools do, rather than fail on the broken pipe. Servers and clients keep Rust's
    /// default (SIGPIPE ignored, so a peer that hangs up is an error to handle, not death).
    pub fn only_reports(&self) -> bool {
        matches!(
            self.command,
            Command::List
                | Command::Check { .. }
                | Command::Verify { .. }
                | Command::Tlc(_)
                | Command::Lin(_)
                | Command::Refine(_)
                | Command::Simulate(_)
        )
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The models, their options and their bug names.
    List,
    /// Check a model exhaustively.
    Check {
        #[command(subcommand)]
        model: ModelArgs,
    },
    /// Serve stateright's web explorer on a model.
    Explore {
        #[command(subcommand)]
        model: ModelArgs,
    },
    /// Every model on its default configuration, and every bug variant, with a table of results.
    Verify {
        /// Worker threads per check.
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// Run TLC on a TLA+ spec in tla/, optionally cross-checked against stateright.
    Tlc(tlc::TlcArgs),
    /// Check a recorded client history for linearizability (exit 0: linearizable, 1: not,
    /// 2: bad input).
    Lin(lin::LinArgs),
    /// Replay implementation traces against the WOR / WOS model (exit 0: explained, 1: an
    /// unexplained event, 2: bad input).
    Refine(refine::RefineArgs),
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        what: BenchArgs,
    },
    /// Run a wormserver (a WormSpace acceptor).
    Serve(serve::ServeArgs),
    /// Start or stop a local WormSpace cluster.
    Cluster {
        #[command(subcommand)]
        what: cluster::ClusterCmd,
    },
    /// Write-once registers on a running cluster.
    #[command(subcommand)]
    Wor(client::WorCmd),
    /// Write-once segments on a running cluster.
    #[command(subcommand)]
    Wos(client::WosCmd),
    /// Run an implementation in the deterministic simulator over many seeds, checking each
    /// run (exit 0: all passed, 1: a seed failed, 2: bad arguments).
    #[command(subcommand)]
    Simulate(simulate::SimulateCmd),
}

#[derive(Subcommand, Debug)]
enum ModelArgs {
    /// The write-once register as single-shot Paxos.
    Wor(wor::WorArgs),
    /// Write-once segments over WORs, on partitions.
    Wos(wos::WosArgs),
    /// CASPaxos: a rewritable register from Synod.
    Caspaxos(caspaxos::CasArgs),
    /// The CASPaxos key-value store: one register per key.
    #[command(name = "caspaxos-kv")]
    CaspaxosKv(caspaxos::CasArgs),
    /// Multi-Paxos: a replicated log with one phase 1 for all later slots.
    Multipaxos(multipaxos::MpArgs),
    /// The atomic distributed object, bare or with one of its apps.
    Ado(ado::AdoArgs),
}

#[derive(Subcommand, Debug)]
enum BenchArgs {
    /// Unique states per second of an exhaustive check, with and without symmetry.
    Check {
        #[command(subcommand)]
        model: ModelArgs,
    },
    /// CPU time of the linearizability checker per history.
    Lin(lin::BenchLinArgs),
    /// Latency and durable throughput of a running WormSpace cluster.
    Wormspace(bench_wormspace::BenchArgs),
    /// Trace events replayed per second against the WOS model, on a simulator trace.
    Refine(refine::BenchRefineArgs),
}

/// How to run a check: the options every model shares.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Reduce by symmetry (acceptors are interchangeable); the WOS needs depth-first search.
    #[arg(long)]
    pub symmetry: bool,
    /// Worker threads.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: u16,
    /// Search order (default: bfs, or dfs with --symmetry).
    #[arg(long, value_enum)]
    pub strategy: Option<Strategy>,
    /// The checker: stateright's, or this project's own parallel depth-first search
    /// (depth-first only; same state counts, less sharing between threads).
    #[arg(long, value_enum, default_value = "stateright")]
    pub engine: Engine,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Address for `explore`.
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub bind: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    Bfs,
    Dfs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Stateright,
    Worm,
}

pub enum Error {
    /// Bad arguments: exit code 2.
    Usage(String),
}

pub fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::List => {
            print!("{}{}", wor::list(), wos::list());
            print!("{}", caspaxos::list());
            print!("{}", multipaxos::list());
            print!("{}", ado::list());
            print!("{}", tlc::list());
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            model: ModelArgs::Wor(args),
        } => wor::check(&args),
        Command::Check {
            model: ModelArgs::Wos(args),
        } => wos::check(&args),
        Command::Explore {
            model: ModelArgs::Wor(args),
        } => wor::explore(&args),
        Command::Explore {
            model: ModelArgs::Wos(args),
        } => wos::explore(&args),
        Command::Check {
            model: ModelArgs::Caspaxos(args),
        } => caspaxos::check(&args, false),
        Command::Check {
            model: ModelArgs::CaspaxosKv(args),
        } => caspaxos::check(&args, true),
        Command::Explore {
            model: ModelArgs::Caspaxos(args),
        } => caspaxos::explore(&args, false),
        Command::Explore {
            model: ModelArgs::CaspaxosKv(args),
        } => caspaxos::explore(&args, true),
        Command::Bench {
            what: BenchArgs::Check {
                model: ModelArgs::Caspaxos(args),
            },
        } => caspaxos::bench(&args, false),
        Command::Bench {
            what:
                BenchArgs::Check {
                    model: ModelArgs::CaspaxosKv(args),
                },
        } => caspaxos::bench(&args, true),
        Command::Check {
            model: ModelArgs::Multipaxos(args),
        } => multipaxos::check(&args),
        Command::Explore {
            model: ModelArgs::Multipaxos(args),
        } => multipaxos::explore(&args),
        Command::Bench {
            what:
                BenchArgs::Check {
                    model: ModelArgs::Multipaxos(args),
                },
        } => multipaxos::bench(&args),
        Command::Check {
            model: ModelArgs::Ado(args),
        } => ado::check(&args),
        Command::Explore {
            model: ModelArgs::Ado(args),
        } => ado::explore(&args),
        Command::Bench {
            what: BenchArgs::Check {
                model: ModelArgs::Ado(args),
            },
        } => ado::bench(&args),
        Command::Verify { threads } => Ok(verify::verify(threads)),
        Command::Tlc(args) => tlc::tlc(&args),
        Command::Bench {
            what: BenchArgs::Check {
                model: ModelArgs::Wor(args),
            },
        } => wor::bench(&args),
        Command::Lin(args) => lin::lin(&args),
        Command::Bench {
            what: BenchArgs::Lin(args),
        } => lin::bench(&args),
        Command::Bench {
            what: BenchArgs::Wormspace(args),
        } => bench_wormspace::run(&args),
        Command::Refine(args) => refine::refine(&args),
        Command::Bench {
            what: BenchArgs::Refine(args),
        } => refine::bench(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Cluster { what } => cluster::run(&what),
        Command::Wor(cmd) => client::wor(&cmd),
        Command::Wos(cmd) => client::wos(&cmd),
        Command::Simulate(cmd) => simulate::run(&cmd),
        Command::Bench {
            what: BenchArgs::Check {
                model: ModelArgs::Wos(args),
            },
        } => wos::bench(&args),
    }
}
