//! `worm ... wor`: the write-once register model.

use super::check::{bench as bench_twice, property_names, CheckRun, Outcome, Symmetry};
use super::{Error, RunArgs};
use clap::Args;
use stateright::Model;
use std::fmt::Write as _;
use std::process::ExitCode;
use worm_models::network::NetworkKind;
use worm_models::wor::model::{original_actions, WorCheck};
use worm_models::wor::{WorBug, WorConfig};

#[derive(Args, Debug, Clone)]
pub struct WorArgs {
    /// Acceptors (2F+1 for F failures) [default: 3]
    #[arg(long)]
    pub acceptors: Option<usize>,
    /// Writers: clients that capture, then write their letter [default: 2]
    #[arg(long)]
    pub clients: Option<usize>,
    /// Readers: clients that read once, concurrently with the writers [default: 0]
    #[arg(long)]
    pub readers: Option<usize>,
    /// Capture attempts per writer [default: 1]
    #[arg(long)]
    pub captures: Option<u8>,
    /// Acceptors that may be down at once: crash, then restart from storage [default: 0]
    #[arg(long)]
    pub crashes: Option<usize>,
    /// ordered | unordered | duplicating [default: unordered]
    #[arg(long)]
    pub network: Option<NetworkKind>,
    /// The network may lose messages.
    #[arg(long)]
    pub lossy: bool,
    /// Switch on a named bug (see `worm list`).
    #[arg(long)]
    pub bug: Option<WorBug>,
    /// Check the protocol alone, without history: the state machine of tla/Wor.tla.
    #[arg(long, conflicts_with = "symmetry")]
    pub mirror: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

impl WorArgs {
    pub fn config(&self) -> Result<WorConfig, Error> {
        // Unset options come from the bug's own configuration (say, a reader for
        // read-no-complete), or from the defaults.
        let base = self.bug.map_or_else(WorConfig::default, WorBug::config);
        let cfg = WorConfig {
            acceptors: self.acceptors.unwrap_or(base.acceptors),
            clients: self.clients.unwrap_or(base.clients),
            readers: self.readers.unwrap_or(base.readers),
            captures: self.captures.unwrap_or(base.captures),
            crashes: self.crashes.unwrap_or(base.crashes),
            network: self.network.unwrap_or(base.network),
            lossy: self.lossy || base.lossy,
            bug: self.bug,
            symmetry: self.run.symmetry,
        };
        cfg.validate().map_err(Error::Usage)?;
        Ok(cfg)
    }
}

/// The abstract step behind a refinement violation.
fn explain(
    m: &WorCheck,
    property: &str,
    last: &<WorCheck as Model>::State,
    next: &<WorCheck as Model>::State,
) -> Option<String> {
    (property == m.property_name()).then(|| {
        format!(
            "The last step takes the abstract register from\n      {:?}\n   to {:?},\nwhich is neither a stutter nor a step of the WOR spec.",
            last.high,
            next.high
        )
    })
}

/// The model reduces by symmetry itself when the run asks for it (see `WorConfig::symmetry`).
fn checker(cfg: WorConfig, run: &RunArgs) -> CheckRun<'_, WorCheck> {
    let cfg = WorConfig {
        symmetry: run.symmetry,
        ..cfg
    };
    CheckRun {
        name: "wor",
        model: cfg.into_model(),
        args: run,
        symmetry: Symmetry::Model {
            original: original_actions,
        },
        explain,
        predict: None,
    }
}

/// Checks one WOR configuration.
pub fn run_check(cfg: WorConfig, run: &RunArgs) -> Result<Outcome, Error> {
    checker(cfg, run).run().map_err(Error::Usage)
}

pub fn check(args: &WorArgs) -> Result<ExitCode, Error> {
    if !args.mirror {
        return checker(args.config()?, &args.run).check();
    }
    let outcome = super::tlc::wor_mirror_check(args.config()?, &args.run).map_err(Error::Usage)?;
    outcome.print(args.run.json);
    Ok(if outcome.violation.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Serves the explorer; returns only on a bad address.
pub fn explore(args: &WorArgs) -> Result<ExitCode, Error> {
    if args.mirror {
        return Err(Error::Usage("--mirror is an option of check".into()));
    }
    checker(args.config()?, &args.run).explore()
}

/// States per second with and without symmetry, measured side by side.
pub fn bench(args: &WorArgs) -> Result<ExitCode, Error> {
    let cfg = args.config()?;
    bench_twice(&args.run, |run| run_check(cfg.clone(), run))
}

/// The `worm list` entry for the WOR model.
pub fn list() -> String {
    let d = WorConfig::default();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "wor   the write-once register as single-shot Paxos (refines the WOR spec)"
    );
    let _ = writeln!(s, "  options:");
    let _ = writeln!(
        s,
        "    --acceptors N      acceptors, 2..7 (default {})",
        d.acceptors
    );
    let _ = writeln!(
        s,
        "    --clients N        writers: capture, then write, 1..4 (default {})",
        d.clients
    );
    let _ = writeln!(
        s,
        "    --readers N        readers: read once, 0..2 (default {})",
        d.readers
    );
    let _ = writeln!(
        s,
        "    --captures N       capture attempts per writer, 1..3 (default {})",
        d.captures
    );
    let _ = writeln!(
        s,
        "    --crashes N        acceptors down at once (default {})",
        d.crashes
    );
    let _ = writeln!(
        s,
        "    --network KIND     ordered | unordered | duplicating (default {})",
        d.network
    );
    let _ = writeln!(s, "    --lossy            the network may lose messages");
    let _ = writeln!(
        s,
        "    --mirror           check: the protocol alone, no history (as tla/Wor.tla)"
    );
    let _ = writeln!(
        s,
        "    --bug NAME         switch on a named bug (unset options then default to the bug's"
    );
    let _ = writeln!(
        s,
        "                       configuration: a crash for forget-promise, a reader and the"
    );
    let _ = writeln!(
        s,
        "                       ordered network for read-no-complete)"
    );
    let _ = writeln!(
        s,
        "  properties: {}",
        property_names(&WorConfig::default().into_model()).join(", ")
    );
    let _ = writeln!(s, "  bugs:");
    for bug in WorBug::ALL {
        let _ = writeln!(s, "    {:<24} {}", bug.name(), bug.describe());
    }
    s
}
