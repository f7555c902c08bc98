//! `worm ... multipaxos`: the Multi-Paxos model, alone or (`--refines ado`) checked to refine
//! the ADO.

use super::check::{bench_once, property_names, CheckRun, Outcome, Symmetry};
use super::refines_ado::{self, Refines};
use super::{Error, RunArgs};
use clap::Args;
use std::fmt::Write as _;
use std::process::ExitCode;
use worm_models::caspaxos::{CasBug, CasConfig};
use worm_models::multipaxos::{MpBug, MpConfig, MpModel};

#[derive(Args, Debug, Clone)]
pub struct MpArgs {
    /// Acceptors [default: 3]
    #[arg(long)]
    pub acceptors: Option<usize>,
    /// Commands per proposer, comma-separated (one number per proposer) [default: 1,1]
    #[arg(long)]
    pub commands: Option<String>,
    /// Slots in the log [default: 2]
    #[arg(long)]
    pub slots: Option<usize>,
    /// Phase 1 attempts per command [default: 1]
    #[arg(long)]
    pub attempts: Option<u8>,
    /// Switch on a named bug (see `worm list`).
    #[arg(long)]
    pub bug: Option<MpBug>,
    /// Check that the protocol refines this model too.
    #[arg(long, value_enum)]
    pub refines: Option<Refines>,
    /// With --refines ado: the naive abstraction, without the excuses for stale pulls and
    /// overtaken pushes (correct protocols fail it).
    #[arg(long)]
    pub naive: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

fn parse_commands(s: &str) -> Result<Vec<usize>, Error> {
    s.split(',')
        .map(|c| {
            c.trim()
                .parse()
                .map_err(|_| Error::Usage(format!("bad --commands {s:?}: expected e.g. 1,1")))
        })
        .collect()
}

impl MpArgs {
    /// The configuration: unset options come from the bug's configuration, or the defaults.
    pub fn config(&self) -> Result<MpConfig, Error> {
        let base = self.bug.map_or_else(MpConfig::default, MpBug::config);
        let commands = match &self.commands {
            Some(s) => parse_commands(s)?,
            None => base.commands,
        };
        let cfg = MpConfig {
            acceptors: self.acceptors.unwrap_or(base.acceptors),
            commands,
            slots: self.slots.unwrap_or(base.slots),
            attempts: self.attempts.unwrap_or(base.attempts),
            bug: self.bug,
        };
        cfg.validate().map_err(Error::Usage)?;
        if self.run.symmetry {
            return Err(Error::Usage("multipaxos has no symmetry reduction".into()));
        }
        if self.naive && self.refines.is_none() {
            return Err(Error::Usage("--naive needs --refines ado".into()));
        }
        Ok(cfg)
    }
}

fn checker(cfg: MpConfig, run: &RunArgs) -> CheckRun<'_, MpModel> {
    CheckRun {
        name: "multipaxos",
        model: cfg.into_model(),
        args: run,
        symmetry: Symmetry::None,
        explain: |_, _, _, _| None,
        predict: None,
    }
}

/// Checks one configuration, alone or against the ADO.
pub fn run_check(
    cfg: MpConfig,
    refines: Option<Refines>,
    naive: bool,
    run: &RunArgs,
) -> Result<Outcome, Error> {
    match refines {
        Some(Refines::Ado) => refines_ado::multipaxos(cfg, naive, run),
        None => checker(cfg, run).run().map_err(Error::Usage),
    }
}

pub fn check(args: &MpArgs) -> Result<ExitCode, Error> {
    let outcome = run_check(args.config()?, args.refines, args.naive, &args.run)?;
    Ok(refines_ado::report(outcome, args.run.json))
}

/// Serves the explorer on the protocol alone; returns only on a bad address.
pub fn explore(args: &MpArgs) -> Result<ExitCode, Error> {
    if args.refines.is_some() {
        return Err(Error::Usage(
            "explore multipaxos shows the protocol alone: drop --refines".into(),
        ));
    }
    checker(args.config()?, &args.run).explore()
}

/// Unique states per second of one exhaustive check, breadth-first.
pub fn bench(args: &MpArgs) -> Result<ExitCode, Error> {
    let cfg = args.config()?;
    let name = match args.refines {
        Some(Refines::Ado) => "multipaxos --refines ado",
        None => "multipaxos",
    };
    bench_once(name, &args.run, |run| {
        run_check(cfg.clone(), args.refines, args.naive, run)
    })
}

/// The `worm list` entry.
pub fn list() -> String {
    let d = MpConfig::default();
    let mut s = String::new();
    let mut line = |text: String| {
        let _ = writeln!(s, "{text}");
    };
    line(
        "multipaxos    Multi-Paxos: a log, one phase 1 for all later slots (--refines ado)".into(),
    );
    line("  options:".into());
    for (opt, text) in [
        (
            "--acceptors N",
            format!("acceptors, 1..5 (default {})", d.acceptors),
        ),
        (
            "--commands N,N",
            "commands per proposer, one number per proposer (default 1,1)".into(),
        ),
        (
            "--slots N",
            format!("slots in the log, 1..3 (default {})", d.slots),
        ),
        (
            "--attempts N",
            format!(
                "phase 1 attempts per command, 1..3 (default {})",
                d.attempts
            ),
        ),
        (
            "--refines ado",
            "also check that it refines the ADO (pull, invoke, push)".into(),
        ),
        (
            "--naive",
            "with --refines ado: the naive abstraction (fails)".into(),
        ),
        ("--bug NAME", "switch on a named bug".into()),
    ] {
        line(format!("    {opt:<20} {text}"));
    }
    line(format!(
        "  properties: {}",
        property_names(&d.into_model()).join(", ")
    ));
    line("  bugs:".into());
    for bug in MpBug::ALL {
        line(format!("    {:<28} {}", bug.name(), bug.describe()));
    }
    line(
        "  caspaxos --refines ado [--naive]: the CASPaxos model refines the ADO (one register)"
            .into(),
    );
    s
}

/// The rows of `worm verify` for Multi-Paxos and the ADO refinements: (model, variant, should
/// hold, outcome).
pub fn verify_rows(run: &RunArgs) -> Vec<(&'static str, String, bool, Result<Outcome, Error>)> {
    let mut rows = Vec::new();
    let mp = std::iter::once(("correct".to_string(), MpConfig::default(), true))
        .chain(MpBug::ALL.map(|bug| (format!("--bug {bug}"), bug.config(), false)));
    for (variant, cfg, should_hold) in mp {
        rows.push((
            "multipaxos",
            variant.clone(),
            should_hold,
            run_check(cfg.clone(), None, false, run),
        ));
        let variant = format!("--refines ado {variant}");
        let outcome = run_check(cfg, Some(Refines::Ado), false, run);
        rows.push(("multipaxos", variant, should_hold, outcome));
    }
    rows.push((
        "multipaxos",
        "--refines ado --naive".into(),
        false,
        run_check(MpConfig::default(), Some(Refines::Ado), true, run),
    ));
    let cas = [
        ("--refines ado", CasConfig::default(), false, true),
        ("--refines ado --naive", CasConfig::default(), true, false),
    ]
    .into_iter()
    .chain(
        [CasBug::PickLowestBallot, CasBug::AcceptLowerBallot].map(|bug| {
            let variant = if bug == CasBug::PickLowestBallot {
                "--refines ado --bug pick-lowest-ballot"
            } else {
                "--refines ado --bug accept-lower-ballot"
            };
            (variant, bug.config(), false, false)
        }),
    );
    for (variant, cfg, naive, should_hold) in cas {
        let outcome = refines_ado::caspaxos(cfg, naive, run);
        rows.push(("caspaxos", variant.to_string(), should_hold, outcome));
    }
    rows
}
