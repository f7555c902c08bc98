//! `worm verify`: every model on its default configuration, and every bug variant.

use super::check::Outcome;
use super::RunArgs;
use std::process::ExitCode;
use worm_models::caspaxos::{CasBug, CasConfig};
use worm_models::wor::{WorBug, WorConfig};

struct Row {
    model: &'static str,
    variant: String,
    expected: &'static str,
    got: String,
    states: usize,
    seconds: f64,
    ok: bool,
}

impl Row {
    fn new(model: &'static str, variant: String, should_hold: bool, o: &Outcome) -> Self {
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
}

pub fn verify(threads: usize) -> ExitCode {
    let run = RunArgs {
        symmetry: false,
        threads: threads.clamp(1, 64) as u16,
        strategy: None,
        json: true,
        bind: String::new(),
    };
    let mut cases: Vec<(String, WorConfig, bool)> =
        vec![("correct".into(), WorConfig::default(), true)];
    for bug in WorBug::ALL {
        cases.push((format!("--bug {bug}"), bug.config(), false));
    }
    let mut rows = Vec::new();
    for (variant, cfg, should_hold) in cases {
        let outcome = super::wor::run_check(cfg, &run)
            .unwrap_or_else(|_| unreachable!("default configurations are valid"));
        rows.push(Row::new("wor", variant, should_hold, &outcome));
    }
    let mut cas_cases: Vec<(String, CasConfig, bool, bool)> = vec![
        ("correct".into(), CasConfig::default(), false, true),
        ("correct".into(), super::caspaxos::kv_default(), true, true),
    ];
    for bug in CasBug::ALL {
        cas_cases.push((format!("--bug {bug}"), bug.config(), false, false));
    }
    for (variant, cfg, kv, should_hold) in cas_cases {
        let outcome = super::caspaxos::run_check(cfg, kv, &run)
            .unwrap_or_else(|_| unreachable!("default configurations are valid"));
        rows.push(Row::new(
            if kv { "caspaxos-kv" } else { "caspaxos" },
            variant,
            should_hold,
            &outcome,
        ));
    }
    println!(
        "{:<11} {:<30} {:<10} {:<56} {:>10} {:>8}  verdict",
        "model", "variant", "expected", "result", "states", "seconds"
    );
    for r in &rows {
        println!(
            "{:<11} {:<30} {:<10} {:<56} {:>10} {:>8.2}  {}",
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
