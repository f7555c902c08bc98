//! `worm refine`: replay implementation traces against the WOR / WOS model, and
//! `worm bench refine`.

use super::Error;
use clap::{Args, ValueEnum};
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use worm_trace::{merge, parse_trace, validate, Event, ModelKind, Options};
use worm_wormspace::sim::{self, SimConfig};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Model {
    /// Single write-once registers.
    Wor,
    /// Write-once segments: WORs plus batch capture, trim, subscribe.
    Wos,
}

impl From<Model> for ModelKind {
    fn from(m: Model) -> Self {
        match m {
            Model::Wor => ModelKind::Wor,
            Model::Wos => ModelKind::Wos,
        }
    }
}

#[derive(Args, Debug)]
pub struct RefineArgs {
    /// Trace files (JSON lines, one per process); several are merged by Lamport clock.
    #[arg(required = true)]
    pub traces: Vec<PathBuf>,
    #[arg(long, value_enum)]
    pub model: Model,
    /// The most candidate model states one acceptor of one WOR may have.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_candidates: u32,
}

/// Reads every trace (bad input: exit 2 naming the file and line) and merges them.
fn read(paths: &[PathBuf]) -> Result<Vec<Event>, Error> {
    let mut logs = Vec::new();
    for p in paths {
        let f =
            File::open(p).map_err(|e| Error::Usage(format!("cannot read {}: {e}", p.display())))?;
        let events = parse_trace(BufReader::new(f))
            .map_err(|bad| Error::Usage(format!("{}: {bad}", p.display())))?;
        logs.push(events);
    }
    Ok(match logs.len() {
        1 => logs.pop().expect("one log"),
        _ => merge(logs),
    })
}

pub fn refine(args: &RefineArgs) -> Result<ExitCode, Error> {
    let start = Instant::now();
    let events = read(&args.traces)?;
    let opts = Options {
        max_candidates: args.max_candidates as usize,
        ..Options::new(args.model.into())
    };
    let result = validate(&events, &opts);
    let seconds = start.elapsed().as_secs_f64();
    let model = format!("{:?}", args.model).to_lowercase();
    match result {
        Ok(r) => {
            let durability = match r.explicit_durability {
                true => "logged",
                false => "searched",
            };
            println!(
                "refine {model}: OK, {} events, {} addresses, durability {durability}, at most {} candidate states, {seconds:.3} s",
                r.events, r.addresses, r.max_candidates
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(f) => {
            let file = args.traces[f.file].display();
            print!("{file}: {f}");
            println!(
                "refine {model}: FAILED at {file}:{} after {} of {} events, {seconds:.3} s",
                f.line,
                f.index,
                events.len()
            );
            Ok(ExitCode::from(1))
        }
    }
}

#[derive(Args, Debug)]
pub struct BenchRefineArgs {
    /// Simulator seed of the trace.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Clients in the simulated run (each runs --calls calls).
    #[arg(long, default_value_t = 12)]
    pub clients: usize,
    #[arg(long, default_value_t = 400)]
    pub calls: usize,
    /// Replays of the trace; the table shows the fastest and the median.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,
}

/// Events replayed per CPU second on one thread, on one large simulator trace (all faults),
/// with durability logged (the simulator's syncs) and searched (the syncs removed, as real
/// servers log); parsing the JSON is timed apart.
pub fn bench(args: &BenchRefineArgs) -> Result<ExitCode, Error> {
    let cfg = SimConfig {
        clients: args.clients,
        calls: args.calls,
        max_steps: usize::MAX,
        trace: true,
        ..SimConfig::new(args.seed)
    };
    let run = sim::run(cfg).map_err(|e| Error::Usage(format!("the simulated run failed: {e}")))?;
    let logged = run.trace.join("\n");
    let searched: Vec<&str> = run
        .trace
        .iter()
        .filter(|l| {
            !["sync", "crash", "restart"]
                .iter()
                .any(|s| l.contains(&format!("\"step\":\"{s}\"")))
        })
        .map(String::as_str)
        .collect();
    let searched = searched.join("\n");
    println!(
        "simulated run: seed {}, {} clients x {} calls, {} steps, {} crashes, {} lost, {} duplicated",
        args.seed, args.clients, args.calls, run.steps, run.crashes, run.lost, run.duplicated
    );
    println!(
        "{:<10} {:>9} {:>22} {:>22} {:>24}",
        "durability",
        "events",
        "replay ms (min/med)",
        "parse ms (min/med)",
        "replayed/s (best/med)"
    );
    for (name, text) in [("logged", &logged), ("searched", &searched)] {
        let (mut parse_ms, mut replay_ms) = (Vec::new(), Vec::new());
        let mut events = 0;
        for _ in 0..args.runs {
            let t = super::lin::cpu_ms();
            let evs = parse_trace(text.as_bytes())
                .map_err(|e| Error::Usage(format!("the simulator's trace: {e}")))?;
            parse_ms.push(super::lin::cpu_ms() - t);
            let t = super::lin::cpu_ms();
            let r = validate(&evs, &Options::new(ModelKind::Wos));
            replay_ms.push(super::lin::cpu_ms() - t);
            if let Err(f) = r {
                return Err(Error::Usage(format!("the simulator's trace fails: {f}")));
            }
            events = evs.len();
        }
        parse_ms.sort_by(f64::total_cmp);
        replay_ms.sort_by(f64::total_cmp);
        let med = |v: &[f64]| v[v.len() / 2];
        println!(
            "{name:<10} {events:>9} {:>10.1} / {:>9.1} {:>10.1} / {:>9.1} {:>11.0} / {:>10.0}",
            replay_ms[0],
            med(&replay_ms),
            parse_ms[0],
            med(&parse_ms),
            events as f64 / (replay_ms[0] / 1e3),
            events as f64 / (med(&replay_ms) / 1e3)
        );
    }
    println!("(CPU time of this process, one thread)");
    Ok(ExitCode::SUCCESS)
}
