//! What the TLC cross-check tests share: `worm tlc SPEC --config NAME --cross-check` and the
//! assertions on its report.
#![allow(dead_code)] // each test file uses a subset

use super::worm;
use serde_json::Value;

/// TLC and stateright on one configuration: they must agree. Returns the report.
pub fn cross_check(spec: &str, config: &str) -> Value {
    let (code, out, err) = worm(&["tlc", spec, "--config", config, "--cross-check", "--json"]);
    assert_eq!(code, 0, "{spec} {config}: {out}{err}");
    let report: Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(report["disagreement"], serde_json::json!([]), "{report}");
    report
}

/// The configuration has exactly `states` distinct states and depth `depth` on both sides.
pub fn assert_mirrored(spec: &str, config: &str, states: u64, depth: u64) {
    let r = cross_check(spec, config);
    assert!(r["tlc"]["violation"].is_null(), "{config}: {r}");
    assert!(r["stateright"]["violation"].is_null(), "{config}: {r}");
    let counts = |side: &str, key: &str| (r[side][key].as_u64(), r[side]["depth"].as_u64());
    assert_eq!(
        counts("tlc", "distinct_states"),
        (Some(states), Some(depth)),
        "{config}"
    );
    assert_eq!(
        counts("stateright", "unique_states"),
        (Some(states), Some(depth)),
        "{config}"
    );
}

/// Both find a violation; TLC's is of `property`, with a counterexample of `trace` states.
/// Returns the report.
pub fn assert_both_violate(spec: &str, config: &str, property: &str, trace: u64) -> Value {
    let r = cross_check(spec, config);
    assert!(!r["stateright"]["violation"].is_null(), "{config}: {r}");
    let v = &r["tlc"]["violation"];
    assert_eq!(
        (v["property"].as_str(), v["trace_states"].as_u64()),
        (Some(property), Some(trace)),
        "{config}: {r}"
    );
    r
}

/// `worm list` names each module's spec, and every configuration file in `tla/<module>/` of
/// each `(spec, module)` is in `checked`: checked by a test, or listed as too large for CI.
pub fn assert_every_configuration_listed(modules: &[(&str, &str)], checked: &[(&str, &str)]) {
    let (code, out, _) = super::worm(&["list"]);
    assert_eq!(code, 0);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tla");
    for &(spec, module) in modules {
        assert!(out.contains(&format!("tla/{module}.tla")), "{out}");
        for entry in std::fs::read_dir(dir.join(module)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            assert!(
                checked.contains(&(spec, name.as_str())),
                "{} is neither checked here nor listed as large",
                path.display()
            );
        }
    }
}
