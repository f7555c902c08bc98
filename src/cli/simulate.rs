//! `worm simulate wormspace`: the deterministic simulator over a range of seeds, each run's
//! trace validated and its client history checked for linearizability.
//!
//! Per seed: the simulator runs the real acceptor and client cores under seeded faults,
//! recording trace events and the client history; then three checks look at the run:
//!
//! - *sim*: the simulator's own checks of the global state (agreement, stability,
//!   durability); without them (`--checks trace,history`) a run goes on past such a violation,
//!   so that the checks below are the ones that have to find it;
//! - *trace*: the run's trace events replayed against the WOS protocol model (worm-trace):
//!   every acceptor and client step must be an enabled action of the model with the same
//!   outcome;
//! - *history*: the client history, per WOR, against the write-once register spec (the
//!   WGL checker of `worm lin --model wor`).
//!
//! The first seed that fails stops the run: it is printed with every check that failed and the
//! command line that replays just that seed.

use super::Error;
use clap::{Args, Subcommand};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use worm_refinement::lin::specs::Wor;
use worm_refinement::lin::{check, Format, History};
use worm_trace::{parse_trace, validate, ModelKind, Options};
use worm_wormspace::sim::{simulate, Faults, SimConfig, SimReport};

#[derive(Subcommand, Debug)]
pub enum SimulateCmd {
    /// WormSpace's acceptors and client calls under seeded faults.
    Wormspace(SimArgs),
}

/// The fault kinds, by their names on the command line.
const FAULTS: [&str; 5] = ["loss", "dup", "reorder", "crash", "partition"];

#[derive(Args, Debug)]
pub struct SimArgs {
    /// Seeds to run.
    #[arg(long, default_value_t = 100)]
    pub seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    pub first_seed: u64,
    /// The faults, comma-separated: loss, dup, reorder, crash, partition (or `none`)
    /// [default: all of them].
    #[arg(long, value_parser = parse_faults)]
    pub faults: Option<FaultSet>,
    /// A seeded implementation bug (only in a build with `--features seeded-bugs`):
    /// reply-before-sync, accept-lower-ballot, forget-promise-on-restart, read-no-complete,
    /// notify-before-chosen.
    #[arg(long)]
    pub bug: Option<String>,
    /// The checks, comma-separated: sim (the simulator's own global-state checks; without
    /// them a run goes on past a violation), trace (trace validation), history (the
    /// linearizability check) [default: all three].
    #[arg(long, value_parser = parse_checks)]
    pub checks: Option<Checks>,
    /// Write the trace events (JSON lines) of the last seed run: the failing one, if any.
    #[arg(long)]
    pub trace_out: Option<PathBuf>,
    /// Write the client history (JSON lines, for `worm lin --model wor`) of the last seed run.
    #[arg(long)]
    pub history_out: Option<PathBuf>,
}

/// The checks, by their names on the command line.
const CHECKS: [&str; 3] = ["sim", "trace", "history"];

/// The checks chosen, in the order of [`CHECKS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checks(Vec<&'static str>);

fn parse_checks(s: &str) -> Result<Checks, String> {
    let mut set = Vec::new();
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match CHECKS.iter().find(|c| **c == name) {
            Some(c) => set.push(*c),
            None => {
                return Err(format!(
                    "unknown check {name:?} (valid: {})",
                    CHECKS.join(", ")
                ))
            }
        }
    }
    Ok(Checks(
        CHECKS.into_iter().filter(|c| set.contains(c)).collect(),
    ))
}

impl Checks {
    fn has(&self, name: &str) -> bool {
        self.0.contains(&name)
    }
}

/// The fault kinds chosen, in the order of [`FAULTS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultSet(Vec<&'static str>);

fn parse_faults(s: &str) -> Result<FaultSet, String> {
    let mut set = Vec::new();
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name == "none" {
            continue;
        }
        match FAULTS.iter().find(|f| **f == name) {
            Some(f) => set.push(*f),
            None => {
                return Err(format!(
                    "unknown fault {name:?} (valid: {}, or none)",
                    FAULTS.join(", ")
                ))
            }
        }
    }
    Ok(FaultSet(
        FAULTS.into_iter().filter(|f| set.contains(f)).collect(),
    ))
}

impl FaultSet {
    fn has(&self, name: &str) -> bool {
        self.0.contains(&name)
    }

    fn faults(&self) -> Faults {
        let all = Faults::ALL;
        Faults {
            loss: if self.has("loss") { all.loss } else { 0.0 },
            duplicate: if self.has("dup") { all.duplicate } else { 0.0 },
            reorder: self.has("reorder"),
            crashes: self.has("crash"),
            partitions: self.has("partition"),
        }
    }

    fn arg(&self) -> String {
        match self.0.is_empty() {
            true => "none".into(),
            false => self.0.join(","),
        }
    }
}

/// One seed's run and what the checks found.
struct Checked {
    report: SimReport,
    failures: Vec<String>,
    unknown: usize,
}

fn run_seed(cfg: SimConfig, checks: &Checks) -> Checked {
    let (report, result) = simulate(cfg);
    let mut failures = Vec::new();
    if let Err(e) = result {
        failures.push(format!("sim: {e}"));
    }
    let trace = report.trace.join("\n");
    match parse_trace(trace.as_bytes()) {
        _ if !checks.has("trace") => {}
        Err(bad) => failures.push(format!("trace: unreadable: {bad}")),
        Ok(events) => {
            if let Err(f) = validate(&events, &Options::new(ModelKind::Wos)) {
                failures.push(format!("trace: {f}"));
            }
        }
    }
    let text = report.history.join("\n");
    let mut unknown = 0;
    match History::parse(&Wor, &text, Format::Json) {
        _ if !checks.has("history") => {}
        Err(bad) => failures.push(format!("history: unreadable: {bad}")),
        Ok(history) => {
            let verdict = check(&Wor, &history);
            unknown = verdict.unknown;
            if let Some(v) = &verdict.violation {
                let key = v
                    .key
                    .as_ref()
                    .map(|k| format!(" at {k}"))
                    .unwrap_or_default();
                failures.push(format!("history: NOT linearizable{key}\n{v}"));
            }
        }
    }
    Checked {
        report,
        failures,
        unknown,
    }
}

/// The command line that replays one seed.
fn replay(args: &SimArgs, faults: &FaultSet, checks: &Checks, seed: u64) -> String {
    let mut cmd = format!(
        "worm simulate wormspace --first-seed {seed} --seeds 1 --faults {}",
        faults.arg()
    );
    if let Some(bug) = &args.bug {
        let _ = write!(cmd, " --bug {bug}");
    }
    if checks.0.len() < CHECKS.len() {
        let _ = write!(cmd, " --checks {}", checks.0.join(","));
    }
    let _ = write!(
        cmd,
        " --trace-out seed-{seed}.trace.jsonl --history-out seed-{seed}.history.jsonl"
    );
    cmd
}

fn write_lines(path: &Option<PathBuf>, lines: &[String]) -> Result<(), Error> {
    if let Some(path) = path {
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(path, text)
            .map_err(|e| Error::Usage(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

pub fn run(cmd: &SimulateCmd) -> Result<ExitCode, Error> {
    let SimulateCmd::Wormspace(args) = cmd;
    let faults = args
        .faults
        .clone()
        .unwrap_or_else(|| FaultSet(FAULTS.to_vec()));
    let checks = args
        .checks
        .clone()
        .unwrap_or_else(|| Checks(CHECKS.to_vec()));
    let mut base = SimConfig {
        faults: faults.faults(),
        trace: true,
        history: true,
        checks: checks.has("sim"),
        ..SimConfig::new(args.first_seed)
    };
    set_bug(&mut base, args.bug.as_deref())?;
    if args.seeds == 0 {
        return Err(Error::Usage("--seeds must be at least 1".into()));
    }
    let last_seed = args
        .first_seed
        .checked_add(args.seeds - 1)
        .ok_or_else(|| Error::Usage("--first-seed + --seeds overflows".into()))?;
    let start = Instant::now();
    let (mut steps, mut events, mut ops, mut unknown) = (0, 0, 0, 0);
    let mut faulted = [0; 4];
    for seed in args.first_seed..=last_seed {
        let checked = run_seed(SimConfig { seed, ..base }, &checks);
        steps += checked.report.steps;
        events += checked.report.trace.len();
        ops += checked.report.operations;
        unknown += checked.unknown;
        let r = &checked.report;
        for (n, x) in faulted
            .iter_mut()
            .zip([r.lost, r.duplicated, r.crashes, r.partitions])
        {
            *n += x;
        }
        let failed = !checked.failures.is_empty();
        if failed || seed == last_seed {
            write_lines(&args.trace_out, &checked.report.trace)?;
            write_lines(&args.history_out, &checked.report.history)?;
        }
        if failed {
            println!(
                "seed {seed}: FAILED ({} steps, {} trace events, {} operations)",
                checked.report.steps,
                checked.report.trace.len(),
                checked.report.operations
            );
            for f in &checked.failures {
                println!("{}", f.trim_end());
            }
            println!("replay: {}", replay(args, &faults, &checks, seed));
            println!(
                "wormspace simulate: FAILED at seed {seed} after {} seeds, {:.1} s",
                seed - args.first_seed + 1,
                start.elapsed().as_secs_f64()
            );
            return Ok(ExitCode::from(1));
        }
    }
    println!(
        "wormspace simulate: OK, {} seeds ({}..={last_seed}), faults {} ({} lost, {} duplicated, {} crashes, {} partitions), checks {}, {steps} steps, {events} trace events, {ops} operations ({unknown} of unknown outcome), {:.1} s",
        args.seeds,
        args.first_seed,
        faults.arg(),
        faulted[0],
        faulted[1],
        faulted[2],
        faulted[3],
        checks.0.join(","),
        start.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "seeded-bugs")]
fn set_bug(cfg: &mut SimConfig, bug: Option<&str>) -> Result<(), Error> {
    cfg.bug = bug.map(str::parse).transpose().map_err(Error::Usage)?;
    Ok(())
}

#[cfg(not(feature = "seeded-bugs"))]
fn set_bug(_: &mut SimConfig, bug: Option<&str>) -> Result<(), Error> {
    match bug {
        None => Ok(()),
        Some(_) => Err(Error::Usage(
            "this worm was built without seeded bugs: build it with `--features seeded-bugs`"
                .into(),
        )),
    }
}
