//! `worm ... caspaxos` and `worm ... caspaxos-kv`: the CASPaxos model, one register or the
//! key-value store of two registers over the same acceptors.

use super::check::{bench_once, CheckRun, Outcome, Symmetry};
use super::refines_ado::{self, Refines};
use super::{Error, RunArgs};
use clap::Args;
use stateright::Model;
use std::fmt::Write as _;
use std::process::ExitCode;
use worm_models::caspaxos::model::{parse_scripts, representative, show_scripts, CasCheck};
use worm_models::caspaxos::{CasBug, CasConfig, Membership};
use worm_models::network::NetworkKind;

/// The key-value store's default workload: two keys, a delete, and the GC.
pub const KV_CHANGES: &str = "init=1,k1:init=2,del,k1:read";

#[derive(Args, Debug, Clone)]
pub struct CasArgs {
    /// Acceptors at the start [default: 3]
    #[arg(long)]
    pub acceptors: Option<usize>,
    /// The changes, per proposer (separated by /), in order (separated by ,): init=V,
    /// cas=VERSION:V, inc, read, del, each optionally on key 1 as k1:CHANGE
    /// [default: init=1/cas=0:2]
    #[arg(long)]
    pub changes: Option<String>,
    /// Prepare attempts per change [default: 1]
    #[arg(long)]
    pub attempts: Option<u8>,
    /// The one-round-trip optimisation (the next prepare rides on the accept).
    #[arg(long)]
    pub one_rtt: bool,
    /// Prepare quorum size [default: a majority]
    #[arg(long)]
    pub prepare_quorum: Option<usize>,
    /// Accept quorum size [default: a majority]
    #[arg(long)]
    pub accept_quorum: Option<usize>,
    /// none | expand | expand-twice | shrink | replace [default: none]
    #[arg(long)]
    pub membership: Option<Membership>,
    /// The last proposer starts off and the operator adds it.
    #[arg(long)]
    pub add_proposer: bool,
    /// The operator turns the first proposer off.
    #[arg(long)]
    pub remove_proposer: bool,
    /// Garbage-collect deleted keys.
    #[arg(long)]
    pub gc: bool,
    /// Acceptors that may be down at once [default: 0]
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
    pub bug: Option<CasBug>,
    /// Check the protocol alone, without history: the state machine of tla/CASPaxos.tla.
    #[arg(long)]
    pub mirror: bool,
    /// Check that the protocol refines this model instead of the CAS registers.
    #[arg(long, value_enum)]
    pub refines: Option<Refines>,
    /// With --refines ado: the naive abstraction (correct protocols fail it).
    #[arg(long)]
    pub naive: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

impl CasArgs {
    /// The configuration: unset options come from the bug's configuration, or the defaults
    /// (for the key-value store, two keys with a delete and the GC, on the ordered network).
    pub fn config(&self, kv: bool) -> Result<CasConfig, Error> {
        let base = match (self.bug, kv) {
            (Some(bug), _) => bug.config(),
            (None, true) => kv_default(),
            (None, false) => CasConfig::default(),
        };
        let scripts = match &self.changes {
            Some(s) => parse_scripts(s).map_err(Error::Usage)?,
            None => base.scripts,
        };
        let cfg = CasConfig {
            acceptors: self.acceptors.unwrap_or(base.acceptors),
            scripts,
            attempts: self.attempts.unwrap_or(base.attempts),
            one_rtt: self.one_rtt || base.one_rtt,
            prepare_quorum: self.prepare_quorum.or(base.prepare_quorum),
            accept_quorum: self.accept_quorum.or(base.accept_quorum),
            membership: self.membership.unwrap_or(base.membership),
            add_proposer: self.add_proposer || base.add_proposer,
            remove_proposer: self.remove_proposer || base.remove_proposer,
            gc: self.gc || base.gc,
            crashes: self.crashes.unwrap_or(base.crashes),
            network: self.network.unwrap_or(base.network),
            lossy: self.lossy || base.lossy,
            bug: self.bug,
        };
        cfg.validate().map_err(Error::Usage)?;
        if self.run.symmetry {
            return Err(Error::Usage(
                "caspaxos has no symmetry reduction (the operator's configurations tell acceptors apart)"
                    .into(),
            ));
        }
        Ok(cfg)
    }
}

fn name(kv: bool) -> &'static str {
    if kv {
        "caspaxos-kv"
    } else {
        "caspaxos"
    }
}

/// The abstract step behind a refinement violation.
fn explain(
    m: &CasCheck,
    property: &str,
    last: &<CasCheck as Model>::State,
    next: &<CasCheck as Model>::State,
) -> Option<String> {
    (property == m.property_name()).then(|| {
        format!(
            "The last step takes the abstract registers (state after the set of changes applied) from\n      {:?}\n   to {:?},\nwhich is neither a stutter nor a step of the CAS registers.",
            last.high,
            next.high
        )
    })
}

fn checker(cfg: CasConfig, kv: bool, run: &RunArgs) -> CheckRun<'_, CasCheck> {
    CheckRun {
        name: name(kv),
        model: cfg.into_model(),
        args: run,
        symmetry: Symmetry::Checker(representative),
        explain,
        predict: None,
    }
}

/// Checks one CASPaxos configuration.
pub fn run_check(cfg: CasConfig, kv: bool, run: &RunArgs) -> Result<Outcome, Error> {
    checker(cfg, kv, run).run().map_err(Error::Usage)
}

pub fn check(args: &CasArgs, kv: bool) -> Result<ExitCode, Error> {
    if let Some(outcome) = refinement(args, kv, &args.run)? {
        return Ok(refines_ado::report(outcome, args.run.json));
    }
    if !args.mirror {
        return checker(args.config(kv)?, kv, &args.run).check();
    }
    let outcome =
        super::tlc::caspaxos_mirror_check(args.config(kv)?, &args.run).map_err(Error::Usage)?;
    outcome.print(args.run.json);
    Ok(if outcome.violation.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--refines ado`: the check against the ADO instead of the CAS registers.
fn refinement(args: &CasArgs, kv: bool, run: &RunArgs) -> Result<Option<Outcome>, Error> {
    match (args.refines, kv) {
        (None, _) if args.naive => Err(Error::Usage("--naive needs --refines ado".into())),
        (None, _) => Ok(None),
        (Some(_), true) => Err(Error::Usage(
            "--refines ado covers one register: use caspaxos, not caspaxos-kv".into(),
        )),
        (Some(Refines::Ado), false) => {
            refines_ado::caspaxos(args.config(kv)?, args.naive, run).map(Some)
        }
    }
}

/// Serves the explorer; returns only on a bad address.
pub fn explore(args: &CasArgs, kv: bool) -> Result<ExitCode, Error> {
    if args.mirror {
        return Err(Error::Usage("--mirror is an option of check".into()));
    }
    checker(args.config(kv)?, kv, &args.run).explore()
}

/// Unique states per second of one exhaustive check, breadth-first.
pub fn bench(args: &CasArgs, kv: bool) -> Result<ExitCode, Error> {
    if args.refines.is_some() || args.naive {
        return bench_once("caspaxos --refines ado", &args.run, |run| {
            refinement(args, kv, run)?
                .ok_or_else(|| Error::Usage("--naive needs --refines ado".into()))
        });
    }
    let cfg = args.config(kv)?;
    if args.mirror {
        let label = format!("{} mirror", name(kv));
        return bench_once(&label, &args.run, |run| {
            super::tlc::caspaxos_mirror_check(cfg.clone(), run).map_err(Error::Usage)
        });
    }
    bench_once(name(kv), &args.run, |run| run_check(cfg.clone(), kv, run))
}

/// The `worm list` entry for the CASPaxos models.
pub fn list() -> String {
    let d = CasConfig::default();
    let mut s = String::new();
    let mut line = |text: String| {
        let _ = writeln!(s, "{text}");
    };
    line(
        "caspaxos      CASPaxos: a rewritable register from Synod (refines the CAS registers)"
            .into(),
    );
    line(format!(
        "caspaxos-kv   the key-value store: one CASPaxos register per key over the same acceptors\n              (default changes {KV_CHANGES}, --gc, ordered network)"
    ));
    line("  options (both):".into());
    for (opt, text) in [
        ("--acceptors N", format!("acceptors at the start, 1..5 (default {})", d.acceptors)),
        (
            "--changes S",
            format!(
                "per proposer (/), in order (,): init=V cas=VERSION:V inc read del, k1: for key 1\n                         (default {})",
                show_scripts(&d.scripts)
            ),
        ),
        ("--attempts N", format!("prepare attempts per change, 1..3 (default {})", d.attempts)),
        ("--one-rtt", "the one-round-trip optimisation (§2.2.1)".into()),
        ("--prepare-quorum N", "prepare quorum (default a majority)".into()),
        (
            "--accept-quorum N",
            "accept quorum (default a majority); prepare + accept must exceed acceptors".into(),
        ),
        (
            "--membership KIND",
            "none | expand | expand-twice | shrink | replace (§2.3; default none)".into(),
        ),
        ("--add-proposer", "the last proposer starts off; the operator adds it".into()),
        ("--remove-proposer", "the operator turns the first proposer off".into()),
        ("--gc", "garbage-collect deleted keys (§3.1)".into()),
        ("--crashes N", format!("acceptors down at once (default {})", d.crashes)),
        (
            "--network KIND",
            format!("ordered | unordered | duplicating (default {})", d.network),
        ),
        ("--lossy", "the network may lose messages".into()),
        (
            "--mirror",
            "check: the protocol alone, no history (as tla/CASPaxos.tla)".into(),
        ),
        (
            "--bug NAME",
            "switch on a named bug (unset options default to the bug's configuration)".into(),
        ),
    ] {
        line(format!("    {opt:<20} {text}"));
    }
    line(format!("  properties: {}", property_names().join(", ")));
    line("  bugs:".into());
    for bug in CasBug::ALL {
        line(format!("    {:<28} {}", bug.name(), bug.describe()));
    }
    s
}

fn property_names() -> Vec<String> {
    CasConfig::default()
        .into_model()
        .properties()
        .iter()
        .map(|p| {
            format!(
                "{} \"{}\"",
                format!("{:?}", p.expectation).to_lowercase(),
                p.name
            )
        })
        .collect()
}

/// The key-value store's default configuration.
pub fn kv_default() -> CasConfig {
    CasConfig {
        scripts: parse_scripts(KV_CHANGES).expect("the default parses"),
        gc: true,
        network: NetworkKind::Ordered,
        ..CasConfig::default()
    }
}
