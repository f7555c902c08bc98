//! `worm lin`: check a recorded client history for linearizability, and `worm bench lin`.

use super::Error;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use worm_refinement::lin::specs::{Cas, Kv, Wor};
use worm_refinement::lin::{check, check_with, Format, History, Report, Spec};

#[derive(Args, Debug)]
pub struct LinArgs {
    /// The history: JSON lines (worm's format) or Jepsen EDN.
    pub history: PathBuf,
    /// The object the history is of.
    #[arg(long, value_enum)]
    pub model: LinModel,
    /// The history's format [default: auto: JSON if it starts `{"`]
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LinModel {
    /// Write-once registers: capture, write([id, v]), read.
    Wor,
    /// Compare-and-set registers: read, write(v), cas([old, new]).
    Cas,
    /// A key-value map of strings: get, put(v), append(v).
    Kv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Auto,
    Json,
    Edn,
}

impl FormatArg {
    fn resolve(self, text: &str) -> Format {
        match self {
            FormatArg::Auto => Format::detect(text),
            FormatArg::Json => Format::Json,
            FormatArg::Edn => Format::Edn,
        }
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))
}

/// Reads and checks a history with one spec; bad input names the file and the line.
fn parse<S: Spec>(spec: &S, path: &Path, text: &str, format: Format) -> Result<History<S>, Error> {
    History::parse(spec, text, format)
        .map_err(|bad| Error::Usage(format!("{}: {bad}", path.display())))
}

pub fn lin(args: &LinArgs) -> Result<ExitCode, Error> {
    let text = read(&args.history)?;
    let format = args.format.resolve(&text);
    match args.model {
        LinModel::Wor => run(&Wor, args, &text, format),
        LinModel::Cas => run(&Cas, args, &text, format),
        LinModel::Kv => run(&Kv::default(), args, &text, format),
    }
}

fn run<S: Spec>(spec: &S, args: &LinArgs, text: &str, format: Format) -> Result<ExitCode, Error> {
    let start = Instant::now();
    let history = parse(spec, &args.history, text, format)?;
    let report = check(spec, &history);
    let seconds = start.elapsed().as_secs_f64();
    let name = args.history.display();
    if args.json {
        let mut json = report.to_json();
        json["history"] = name.to_string().into();
        json["model"] = format!("{:?}", args.model).to_lowercase().into();
        json["seconds"] = seconds.into();
        println!("{json}");
    } else {
        if let Some(v) = &report.violation {
            print!("{v}");
        }
        let verdict = match &report.violation {
            None => "linearizable".to_string(),
            Some(v) => match &v.key {
                Some(k) => format!("NOT linearizable (key {k})"),
                None => "NOT linearizable".to_string(),
            },
        };
        println!(
            "{name}: {verdict}, {} operations ({} of unknown outcome, {} failed), {} keys, {} states, {seconds:.3} s",
            report.operations, report.unknown, report.failed, report.keys, report.states
        );
    }
    Ok(if report.linearizable() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(Args, Debug)]
pub struct BenchLinArgs {
    /// Histories [default: porcupine's six key-value histories in refinement/testdata]
    pub histories: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = LinModel::Kv)]
    pub model: LinModel,
    /// Runs per history; the table shows the fastest and the median.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,
}

/// CPU time per history: reading it, checking it (the verdict alone, as porcupine's figures
/// are), and, for a violation, the verdict and the sub-history that shows it (median).
pub fn bench(args: &BenchLinArgs) -> Result<ExitCode, Error> {
    let histories = if args.histories.is_empty() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("refinement/testdata/porcupine-kv");
        [
            "c01-ok", "c01-bad", "c10-ok", "c10-bad", "c50-ok", "c50-bad",
        ]
        .iter()
        .map(|f| dir.join(format!("{f}.txt")))
        .collect()
    } else {
        args.histories.clone()
    };
    println!(
        "{:<14} {:>6} {:>5} {:>8} {:>8}   {:>19}   {:>19}   {:>15}",
        "history",
        "ops",
        "keys",
        "verdict",
        "states",
        "check ms (min/med)",
        "parse ms (min/med)",
        "with witness ms"
    );
    for path in &histories {
        let text = read(path)?;
        match args.model {
            LinModel::Wor => bench_one(|| Wor, path, &text, args.runs)?,
            LinModel::Cas => bench_one(|| Cas, path, &text, args.runs)?,
            LinModel::Kv => bench_one(Kv::default, path, &text, args.runs)?,
        }
    }
    println!("(CPU time of this process, one thread; the search is single-threaded)");
    Ok(ExitCode::SUCCESS)
}

/// Each run starts from a new spec, since a spec may keep tables (the kv spec interns strings).
fn bench_one<S: Spec>(
    new_spec: impl Fn() -> S,
    path: &Path,
    text: &str,
    runs: u32,
) -> Result<(), Error> {
    let format = Format::detect(text);
    let mut parse_ms = Vec::new();
    let mut check_ms = Vec::new();
    let mut witness_ms = Vec::new();
    let mut last: Option<Report> = None;
    for _ in 0..runs {
        let spec = new_spec();
        let t = cpu_ms();
        let history = parse(&spec, path, text, format)?;
        parse_ms.push(cpu_ms() - t);
        let t = cpu_ms();
        let report = check_with(&spec, &history, false);
        check_ms.push(cpu_ms() - t);
        if !report.linearizable() {
            let spec = new_spec();
            let history = parse(&spec, path, text, format)?;
            let t = cpu_ms();
            check(&spec, &history);
            witness_ms.push(cpu_ms() - t);
        }
        last = Some(report);
    }
    let report = last.expect("at least one run");
    let min_med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        format!("{:>8.2} / {:>8.2}", v[0], v[v.len() / 2])
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    println!(
        "{:<14} {:>6} {:>5} {:>8} {:>8}   {}   {}   {:>15}",
        name,
        report.operations,
        report.keys,
        if report.linearizable() { "ok" } else { "NOT" },
        report.states,
        min_med(&mut check_ms),
        min_med(&mut parse_ms),
        if witness_ms.is_empty() {
            "-".to_string()
        } else {
            witness_ms.sort_by(f64::total_cmp);
            format!("{:.2}", witness_ms[witness_ms.len() / 2])
        }
    );
    Ok(())
}

/// CPU time used by this process so far, in milliseconds.
pub(super) fn cpu_ms() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "the process CPU clock exists on Linux");
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
}
