//! `worm ... wos`: the write-once segment model.

use super::check::{bench as bench_twice, property_names, CheckRun, Outcome, Symmetry};
use super::{Error, RunArgs};
use clap::Args;
use stateright::Model;
use std::fmt::Write as _;
use std::process::ExitCode;
use worm_models::network::NetworkKind;
use worm_models::wos::model::{representative, WosCheck};
use worm_models::wos::{WosBug, WosConfig};

#[derive(Args, Debug, Clone)]
pub struct WosArgs {
    /// Partitions: segment s lives on partition s mod P [default: 1]
    #[arg(long)]
    pub partitions: Option<usize>,
    /// Acceptors per partition [default: 2]
    #[arg(long)]
    pub acceptors: Option<usize>,
    /// Segments [default: 1]
    #[arg(long)]
    pub segments: Option<usize>,
    /// Data WORs per segment [default: 2]
    #[arg(long)]
    pub segment_size: Option<usize>,
    /// Writers: allocate segment c mod S, then batch-write it (winner) or write data WOR 0 [default: 2]
    #[arg(long)]
    pub clients: Option<usize>,
    /// Readers: read data WOR 0 of segment r mod S once [default: 0]
    #[arg(long)]
    pub readers: Option<usize>,
    /// Trimmers: trim segment t mod S once, concurrently with everyone [default: 0]
    #[arg(long)]
    pub trimmers: Option<usize>,
    /// Whether the writer that wins a segment trims it after its batch write [default: true]
    #[arg(long)]
    pub trim: Option<bool>,
    /// Whether a subscriber listens to write notifications [default: true]
    #[arg(long)]
    pub subscriber: Option<bool>,
    /// Notify the metadata and trim WORs too, not only the data WORs.
    #[arg(long)]
    pub notify_all: bool,
    /// Capture attempts per operation [default: 1]
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
    pub bug: Option<WosBug>,
    #[command(flatten)]
    pub run: RunArgs,
}

impl WosArgs {
    pub fn config(&self) -> Result<WosConfig, Error> {
        // Unset options come from the bug's own configuration, or from the defaults.
        let base = self.bug.map_or_else(WosConfig::default, WosBug::config);
        let cfg = WosConfig {
            partitions: self.partitions.unwrap_or(base.partitions),
            acceptors: self.acceptors.unwrap_or(base.acceptors),
            segments: self.segments.unwrap_or(base.segments),
            segment_size: self.segment_size.unwrap_or(base.segment_size),
            clients: self.clients.unwrap_or(base.clients),
            readers: self.readers.unwrap_or(base.readers),
            trimmers: self.trimmers.unwrap_or(base.trimmers),
            trim: self.trim.unwrap_or(base.trim),
            subscriber: self.subscriber.unwrap_or(base.subscriber),
            notify_all: self.notify_all || base.notify_all,
            captures: self.captures.unwrap_or(base.captures),
            crashes: self.crashes.unwrap_or(base.crashes),
            network: self.network.unwrap_or(base.network),
            lossy: self.lossy || base.lossy,
            bug: self.bug,
        };
        cfg.validate().map_err(Error::Usage)?;
        Ok(cfg)
    }
}

/// The abstract step behind a refinement violation.
fn explain(
    m: &WosCheck,
    property: &str,
    last: &<WosCheck as Model>::State,
    next: &<WosCheck as Model>::State,
) -> Option<String> {
    (property == m.property_name()).then(|| {
        format!(
            "The last step takes the abstract address space from\n      {:?}\n   to {:?},\nwhich is neither a stutter nor a step of the WOS spec.",
            last.high,
            next.high
        )
    })
}

fn checker(cfg: WosConfig, run: &RunArgs) -> CheckRun<'_, WosCheck> {
    CheckRun {
        name: "wos",
        model: cfg.into_model(),
        args: run,
        symmetry: Symmetry::Checker(representative),
        explain,
        predict: None,
    }
}

/// Checks one WOS configuration.
pub fn run_check(cfg: WosConfig, run: &RunArgs) -> Result<Outcome, Error> {
    checker(cfg, run).run().map_err(Error::Usage)
}

pub fn check(args: &WosArgs) -> Result<ExitCode, Error> {
    checker(args.config()?, &args.run).check()
}

pub fn explore(args: &WosArgs) -> Result<ExitCode, Error> {
    checker(args.config()?, &args.run).explore()
}

pub fn bench(args: &WosArgs) -> Result<ExitCode, Error> {
    let cfg = args.config()?;
    bench_twice(&args.run, |run| run_check(cfg.clone(), run))
}

/// The `worm list` entry for the WOS model.
pub fn list() -> String {
    let d = WosConfig::default();
    let mut s = String::new();
    let mut line = |text: String| {
        let _ = writeln!(s, "{text}");
    };
    line("wos   write-once segments over WORs: alloc, batch capture and write, trim, write".into());
    line("      notifications, partitions (refines the WOS address-space spec)".into());
    line("  options:".into());
    let options = [
        (
            "--partitions N",
            "partitions, segment s on s mod P, 1..4",
            d.partitions.to_string(),
        ),
        (
            "--acceptors N",
            "acceptors per partition, 2..5 (P x A <= 8)",
            d.acceptors.to_string(),
        ),
        ("--segments N", "segments, 1..4", d.segments.to_string()),
        (
            "--segment-size N",
            "data WORs per segment, 1..3",
            d.segment_size.to_string(),
        ),
        (
            "--clients N",
            "writers: alloc, then batch-write or write, 0..4",
            d.clients.to_string(),
        ),
        (
            "--readers N",
            "readers: read data WOR 0 once, 0..2",
            d.readers.to_string(),
        ),
        (
            "--trimmers N",
            "trimmers: trim once, 0..2",
            d.trimmers.to_string(),
        ),
        (
            "--trim BOOL",
            "the alloc winner trims after its batch write",
            d.trim.to_string(),
        ),
        (
            "--subscriber BOOL",
            "a subscriber gets write notifications",
            d.subscriber.to_string(),
        ),
        (
            "--notify-all",
            "notify the metadata and trim WORs too, not only data WORs",
            d.notify_all.to_string(),
        ),
        (
            "--captures N",
            "capture attempts per operation, 1..3",
            d.captures.to_string(),
        ),
        (
            "--crashes N",
            "acceptors down at once",
            d.crashes.to_string(),
        ),
        (
            "--network KIND",
            "ordered | unordered | duplicating",
            d.network.to_string(),
        ),
    ];
    for (flag, what, default) in options {
        line(format!("    {flag:<18} {what} (default {default})"));
    }
    line("    --lossy            the network may lose messages".into());
    line(
        "    --bug NAME         switch on a named bug (unset options then default to the bug's"
            .into(),
    );
    line("                       configuration, cut down to what it needs)".into());
    line(format!(
        "  properties: {}",
        property_names(&WosConfig::default().into_model()).join(", ")
    ));
    line("  bugs:".into());
    for bug in WosBug::ALL {
        line(format!("    {:<26} {}", bug.name(), bug.describe()));
    }
    s
}
