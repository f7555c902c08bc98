//! TLC on `tla/Wos.tla`, the WOS protocol with its history, cross-checked against the full
//! stateright WOS model (history, properties, refinement check) through
//! `worm tlc wos --config NAME --cross-check`: the same verdict on every configuration, TLC's
//! counts and counterexample lengths pinned. (The two do not describe the same state machine,
//! so their counts are not compared: see "WOS protocol" in tla/README.md.)

use serde_json::Value;
use std::process::Command;

fn worm(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_worm"))
        .args(args)
        .output()
        .expect("worm runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// TLC and stateright on one configuration: they must agree. Returns the report.
fn cross_check(spec: &str, config: &str) -> Value {
    let (code, out, err) = worm(&["tlc", spec, "--config", config, "--cross-check", "--json"]);
    assert_eq!(code, 0, "{spec} {config}: {out}{err}");
    let report: Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(report["disagreement"], serde_json::json!([]), "{report}");
    report
}

/// Correct configurations: (name, TLC's distinct states, depth).
const WOS_CORRECT: &[(&str, u64, u64)] = &[
    ("small", 33, 17),
    ("trim", 145, 31),
    ("partitions", 1_089, 33),
];

/// Each bug's configuration: (name, the property stateright reports, TLC's violated property,
/// TLC's counterexample states).
const WOS_BUGS: &[(&str, &str, &str, u64)] = &[
    // A writes the metadata WOR uncaptured: as the write lands on the second acceptor, the
    // abstract WOR is captured and written in one step.
    (
        "alloc-without-capture",
        "refines the WOS spec",
        "RefinesWosSpec",
        3,
    ),
    // The trim WOR written, a replica drops the segment without a tombstone: the abstract trim
    // WOR loses its capture although the segment is not trimmed.
    (
        "write-after-trim",
        "refines the WOS spec",
        "RefinesWosSpec",
        10,
    ),
    // A's batch capture nacked on d0 alone (B captured it first) retries d0 and batch-writes
    // d1 with the older ballot.
    (
        "batch-write-stale-capture",
        "batch writes use one capture id",
        "BatchOneCapture",
        26,
    ),
    // The subscriber notifies A's batch write after one acceptor's report.
    (
        "notify-before-chosen",
        "notifications are final",
        "NotificationsAreFinal",
        15,
    ),
    // B allocates segment 0 on partition 1 while A does on partition 0: both are told they
    // wrote the metadata WOR, with different values. (The configuration checks the
    // invariants only; see tla/README.md.)
    ("wrong-partition", "agreement", "Agreement", 17),
];

/// Configurations too large for CI (TLC wall time on the project's shared machine).
const LARGE: &[&str] = &[
    // WosConfig::default(): 27,697 states (stateright's full model: 38,589), 4 minutes.
    "default", // A writer and a reader: 592 states (stateright: 608), 10 s.
    "reader",
];

#[test]
fn wos_correct_configurations_agree_with_the_full_model() {
    for &(config, states, depth) in WOS_CORRECT {
        let r = cross_check("wos", config);
        assert!(r["tlc"]["violation"].is_null(), "{config}: {r}");
        assert!(r["stateright"]["violation"].is_null(), "{config}: {r}");
        assert_eq!(
            (
                r["tlc"]["distinct_states"].as_u64(),
                r["tlc"]["depth"].as_u64()
            ),
            (Some(states), Some(depth)),
            "{config}: {r}"
        );
    }
}

#[test]
fn every_wos_bug_constant_is_a_violation_for_both() {
    for &(config, stateright, tlc, trace) in WOS_BUGS {
        let r = cross_check("wos", config);
        assert_eq!(
            r["stateright"]["violation"]["property"].as_str(),
            Some(stateright),
            "{config}: {r}"
        );
        let v = &r["tlc"]["violation"];
        assert_eq!(
            (v["property"].as_str(), v["trace_states"].as_u64()),
            (Some(tlc), Some(trace)),
            "{config}: {r}"
        );
    }
}

#[test]
fn every_wos_configuration_is_checked_here_or_listed_as_large() {
    let (code, out, _) = worm(&["list"]);
    assert_eq!(code, 0);
    assert!(out.contains("tla/Wos.tla"), "{out}");
    let mut checked: Vec<&str> = LARGE.to_vec();
    checked.extend(WOS_CORRECT.iter().map(|c| c.0));
    checked.extend(WOS_BUGS.iter().map(|c| c.0));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tla/Wos");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        assert!(
            checked.contains(&name.as_str()),
            "{} is neither checked here nor listed as large",
            path.display()
        );
    }
}
