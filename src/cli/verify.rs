//! `worm verify`: every model on its default configuration, and every bug variant.

use super::RunArgs;
use std::process::ExitCode;
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
        let row = match super::wor::run_check(cfg, &run) {
            Ok(o) => {
                let got = match &o.violation {
                    None => "holds".to_string(),
                    Some(v) => format!(
                        "violates \"{}\" in {} steps",
                        v.property,
                        v.counterexample.len()
                    ),
                };
                Row {
                    model: "wor",
                    variant,
                    expected: if should_hold { "holds" } else { "violation" },
                    ok: o.violation.is_none() == should_hold,
                    got,
                    states: o.unique_states,
                    seconds: o.seconds,
                }
            }
            Err(_) => unreachable!("default configurations are valid"),
        };
        rows.push(row);
    }
    println!(
        "{:<6} {:<30} {:<10} {:<48} {:>10} {:>8}  verdict",
        "model", "variant", "expected", "result", "states", "seconds"
    );
    for r in &rows {
        println!(
            "{:<6} {:<30} {:<10} {:<48} {:>10} {:>8.2}  {}",
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
