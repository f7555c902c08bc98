//! `worm verify`: every model on its default configuration, and every bug variant.

use super::ado::AdoSetup;
use super::check::Outcome;
use super::Error;
use super::RunArgs;
use std::process::ExitCode;
use worm_models::ado::apps::{App, AppConfig};
use worm_models::ado::{AdoBug, AdoConfig};
use worm_models::caspaxos::{CasBug, CasConfig};
use worm_models::wor::{WorBug, WorConfig};
use worm_models::wos::{WosBug, WosConfig};

struct Row {
    model: &'static str,
    variant: String,
    expected: &'static str,
    got: String,
    states: usize,
    seconds: f64,
    ok: bool,
}

pub fn verify(threads: usize) -> ExitCode {
    let run = RunArgs {
        symmetry: false,
        threads: threads.clamp(1, 64) as u16,
        strategy: None,
        json: true,
        engine: crate::cli::Engine::Stateright,
        bind: String::new(),
    };
    let mut rows = Vec::new();
    let wor = std::iter::once(("correct".to_string(), WorConfig::default(), true))
        .chain(WorBug::ALL.map(|bug| (format!("--bug {bug}"), bug.config(), false)));
    for (variant, cfg, should_hold) in wor {
        let outcome = super::wor::run_check(cfg, &run);
        rows.push(row("wor", variant, should_hold, outcome));
    }
    let wos = std::iter::once(("correct".to_string(), WosConfig::default(), true))
        .chain(WosBug::ALL.map(|bug| (format!("--bug {bug}"), bug.config(), false)));
    for (variant, cfg, should_hold) in wos {
        let outcome = super::wos::run_check(cfg, &run);
        rows.push(row("wos", variant, should_hold, outcome));
    }
    let cas = [
        ("correct".to_string(), CasConfig::default(), false, true),
        (
            "correct".to_string(),
            super::caspaxos::kv_default(),
            true,
            true,
        ),
    ]
    .into_iter()
    .chain(CasBug::ALL.map(|bug| (format!("--bug {bug}"), bug.config(), false, false)));
    for (variant, cfg, kv, should_hold) in cas {
        let outcome = super::caspaxos::run_check(cfg, kv, &run);
        let model = if kv { "caspaxos-kv" } else { "caspaxos" };
        rows.push(row(model, variant, should_hold, outcome));
    }
    rows.extend(
        super::multipaxos::verify_rows(&run).into_iter().map(
            |(model, variant, should_hold, outcome)| row(model, variant, should_hold, outcome),
        ),
    );
    let ado = std::iter::once((
        "correct".to_string(),
        AdoSetup::Free(AdoConfig::default()),
        true,
    ))
    .chain(App::ALL.map(|app| {
        (
            format!("--app {app}"),
            AdoSetup::App(AppConfig::new(app)),
            true,
        )
    }))
    .chain(AdoBug::ALL.map(|bug| (format!("--bug {bug}"), AdoSetup::for_bug(bug), false)));
    for (variant, setup, should_hold) in ado {
        let outcome = super::ado::run_check(setup, &run);
        rows.push(row("ado", variant, should_hold, outcome));
    }
    println!(
        "{:<11} {:<42} {:<10} {:<56} {:>10} {:>8}  verdict",
        "model", "variant", "expected", "result", "states", "seconds"
    );
    for r in &rows {
        println!(
            "{:<11} {:<42} {:<10} {:<56} {:>10} {:>8.2}  {}",
            r.model,
            r.variant,
            r.expected,
            r.got,
            r.states,
            r.seconds,
            if r.ok { "as expected" } else { "UNEXPECTED" }
        );
    }
    let bad = rows.iter().filter(|r| !r.ok).count();
    println!("verify: {} of {} as expected", rows.len() - bad, rows.len());
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// A table row from the outcome of one check.
fn row(
    model: &'static str,
    variant: String,
    should_hold: bool,
    outcome: Result<Outcome, Error>,
) -> Row {
    let Ok(o) = outcome else {
        unreachable!("default configurations are valid")
    };
    let got = match &o.violation {
        None => "holds".to_string(),
        Some(v) => format!(
            "violates \"{}\" in {} steps",
            v.property,
            v.counterexample.len()
        ),
    };
    Row {
        model,
        variant,
        expected: if should_hold { "holds" } else { "violation" },
        ok: o.violation.is_none() == should_hold,
        got,
        states: o.unique_states,
        seconds: o.seconds,
    }
}
