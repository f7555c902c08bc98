//! `worm ... ado`: the ADO with free callers, or with the clients of one of its apps.

use super::check::{bench_once, property_names, CheckRun, Outcome, Symmetry};
use super::{Error, RunArgs};
use clap::Args;
use std::fmt::Write as _;
use std::process::ExitCode;
use worm_models::ado::apps::{App, AppConfig, AppModel};
use worm_models::ado::{AdoBug, AdoConfig, AdoModel};

#[derive(Args, Debug, Clone)]
pub struct AdoArgs {
    /// free (callers of the bare ADO) | kv | dvec | dlock | kvlock | kvlockfree | 2pc
    /// [default: free, or the app of the --bug]
    #[arg(long)]
    pub app: Option<String>,
    /// Nodes (free) or clients (apps; RMs for 2pc) [default: 2]
    #[arg(long)]
    pub clients: Option<usize>,
    /// Timestamps each ADO may draw [default: 3 free and 2pc, 4 the other apps]
    #[arg(long)]
    pub max_ts: Option<u8>,
    /// Free callers: calls the log and cache may hold together [default: 2]
    #[arg(long)]
    pub max_entries: Option<usize>,
    /// 2pc: the TM's MAX_TRY, pushes per prepare [default: 2]
    #[arg(long)]
    pub max_try: Option<u8>,
    /// Switch on a named bug (see `worm list`).
    #[arg(long)]
    pub bug: Option<AdoBug>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// A configuration: the bare ADO, or an app.
#[derive(Clone, Debug)]
pub enum AdoSetup {
    Free(AdoConfig),
    App(AppConfig),
}

impl AdoSetup {
    /// The default configuration for a bug: its app's, or free callers'.
    pub fn for_bug(bug: AdoBug) -> Self {
        match bug.app() {
            Some(app) => AdoSetup::App(AppConfig {
                bug: Some(bug),
                ..AppConfig::new(app)
            }),
            None => AdoSetup::Free(AdoConfig {
                bug: Some(bug),
                ..AdoConfig::default()
            }),
        }
    }
}

impl AdoArgs {
    pub fn config(&self) -> Result<AdoSetup, Error> {
        if self.run.symmetry {
            return Err(Error::Usage("ado has no symmetry reduction".into()));
        }
        let app = match self.app.as_deref() {
            Some("free") => None,
            Some(name) => Some(name.parse::<App>().map_err(|e| {
                Error::Usage(e.replace("(expected one of: ", "(expected one of: free, "))
            })?),
            None => self.bug.and_then(AdoBug::app),
        };
        let setup = match app {
            None => {
                let d = AdoConfig::default();
                let cfg = AdoConfig {
                    nodes: self.clients.unwrap_or(d.nodes),
                    max_ts: self.max_ts.unwrap_or(d.max_ts),
                    max_entries: self.max_entries.unwrap_or(d.max_entries),
                    bug: self.bug,
                };
                if self.max_try.is_some() {
                    return Err(Error::Usage("--max-try needs --app 2pc".into()));
                }
                if let Some(app) = self.bug.and_then(AdoBug::app) {
                    return Err(Error::Usage(format!(
                        "bug {} needs --app {app}",
                        self.bug.expect("a bug")
                    )));
                }
                cfg.validate().map_err(Error::Usage)?;
                AdoSetup::Free(cfg)
            }
            Some(app) => {
                let d = AppConfig::new(app);
                if self.max_entries.is_some() {
                    return Err(Error::Usage("--max-entries needs --app free".into()));
                }
                let cfg = AppConfig {
                    clients: self.clients.unwrap_or(d.clients),
                    max_ts: self.max_ts.unwrap_or(d.max_ts),
                    max_try: self.max_try.unwrap_or(d.max_try),
                    bug: self.bug,
                    ..d
                };
                cfg.validate().map_err(Error::Usage)?;
                AdoSetup::App(cfg)
            }
        };
        Ok(setup)
    }
}

fn no_explanation<M, S>(_: &M, _: &str, _: &S, _: &S) -> Option<String> {
    None
}

fn free(cfg: AdoConfig, run: &RunArgs) -> CheckRun<'_, AdoModel<worm_models::ado::objects::Kv>> {
    CheckRun {
        name: "ado",
        model: AdoModel::kv(cfg),
        args: run,
        symmetry: Symmetry::None,
        explain: no_explanation,
        predict: None,
    }
}

fn app(cfg: AppConfig, run: &RunArgs) -> CheckRun<'_, AppModel> {
    CheckRun {
        name: "ado",
        model: cfg.into_model(),
        args: run,
        symmetry: Symmetry::None,
        explain: no_explanation,
        predict: None,
    }
}

/// Checks one ADO configuration.
pub fn run_check(setup: AdoSetup, run: &RunArgs) -> Result<Outcome, Error> {
    match setup {
        AdoSetup::Free(cfg) => free(cfg, run).run(),
        AdoSetup::App(cfg) => app(cfg, run).run(),
    }
    .map_err(Error::Usage)
}

pub fn check(args: &AdoArgs) -> Result<ExitCode, Error> {
    match args.config()? {
        AdoSetup::Free(cfg) => free(cfg, &args.run).check(),
        AdoSetup::App(cfg) => app(cfg, &args.run).check(),
    }
}

/// Serves the explorer; returns only on a bad address.
pub fn explore(args: &AdoArgs) -> Result<ExitCode, Error> {
    match args.config()? {
        AdoSetup::Free(cfg) => free(cfg, &args.run).explore(),
        AdoSetup::App(cfg) => app(cfg, &args.run).explore(),
    }
}

/// Unique states per second of one exhaustive check (breadth-first unless told otherwise).
pub fn bench(args: &AdoArgs) -> Result<ExitCode, Error> {
    let setup = args.config()?;
    bench_once("ado", &args.run, |run| run_check(setup.clone(), run))
}

/// The `worm list` entry for the ADO.
pub fn list() -> String {
    let d = AdoConfig::default();
    let mut s = String::new();
    let mut line = |text: String| {
        let _ = writeln!(s, "{text}");
    };
    line(
        "ado           the atomic distributed object (pull, invoke, push), bare or with an app"
            .into(),
    );
    line("  options:".into());
    for (opt, text) in [
        (
            "--app APP".to_string(),
            "free (default) | kv | dvec | dlock | kvlock | kvlockfree | 2pc".to_string(),
        ),
        (
            "--clients N".into(),
            format!(
                "nodes (free) or clients (apps; RMs for 2pc), 1..4 / 1..3 (default {})",
                d.nodes
            ),
        ),
        (
            "--max-ts N".into(),
            format!(
                "timestamps each ADO may draw (default {} free and 2pc, 4 apps)",
                d.max_ts
            ),
        ),
        (
            "--max-entries N".into(),
            format!(
                "free: calls in log and cache together (default {})",
                d.max_entries
            ),
        ),
        (
            "--max-try N".into(),
            "2pc: the TM's MAX_TRY (default 2)".into(),
        ),
        (
            "--bug NAME".into(),
            "switch on a named bug (without --app, in the bug's own app)".into(),
        ),
    ] {
        line(format!("    {opt:<20} {text}"));
    }
    line(format!(
        "  properties (free): {}",
        property_names(&AdoModel::kv(d)).join(", ")
    ));
    line("  apps:".into());
    for a in App::ALL {
        let props = property_names(&AppConfig::new(a).into_model());
        line(format!(
            "    {:<12} {}; {}",
            a.name(),
            a.describe(),
            props.join(", ")
        ));
    }
    line("  bugs:".into());
    for bug in AdoBug::ALL {
        let home = bug.app().map_or("free".to_string(), |a| a.to_string());
        line(format!(
            "    {:<28} {} (--app {home})",
            bug.name(),
            bug.describe()
        ));
    }
    s
}
