//! The simulator over many seeds, with every kind of fault: the WOR safety properties hold on
//! every run, and runs are reproducible. (The seeded bugs the checks catch are in
//! tests/seeded_bugs.rs, built with the `seeded-bugs` feature.)

use worm_wormspace::sim::{run, SimConfig};

const SEEDS: u64 = 1200;

#[test]
fn wor_safety_holds_over_many_seeds_with_every_fault() {
    let mut total = worm_wormspace::sim::SimReport::default();
    for seed in 0..SEEDS {
        let report = run(SimConfig::new(seed)).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        total.steps += report.steps;
        total.delivered += report.delivered;
        total.lost += report.lost;
        total.duplicated += report.duplicated;
        total.crashes += report.crashes;
        total.partitions += report.partitions;
        total.calls += report.calls;
        total.errors += report.errors;
        total.chosen += report.chosen;
    }
    // Every fault kind happened, and most calls still succeeded.
    assert!(total.lost > 0 && total.duplicated > 0, "{total:?}");
    assert!(total.crashes > 0 && total.partitions > 0, "{total:?}");
    assert!(total.chosen > SEEDS as usize, "{total:?}");
    assert!(total.errors * 2 < total.calls, "{total:?}");
    eprintln!("{SEEDS} seeds: {total:?}");
}

#[test]
fn runs_are_reproducible_from_their_seed() {
    for seed in [3, 77, 1001] {
        let a = format!("{:?}", run(SimConfig::new(seed)));
        let b = format!("{:?}", run(SimConfig::new(seed)));
        assert_eq!(a, b);
    }
    assert_ne!(
        format!("{:?}", run(SimConfig::new(1))),
        format!("{:?}", run(SimConfig::new(2)))
    );
}

#[test]
fn a_traced_run_is_the_same_run_with_its_steps_as_json_lines() {
    let plain = run(SimConfig::new(11)).unwrap();
    let traced = run(SimConfig {
        trace: true,
        ..SimConfig::new(11)
    })
    .unwrap();
    assert_eq!(plain.trace.len(), 0);
    assert_eq!(
        (plain.steps, plain.calls, plain.chosen),
        (traced.steps, traced.calls, traced.chosen)
    );
    let events: Vec<serde_json::Value> = traced
        .trace
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["lamport"], i as u64 + 1);
    }
    let promise = events
        .iter()
        .find(|e| e["role"] == "acceptor" && e["step"] == "Prepare")
        .expect("an acceptor step");
    assert!(promise["from"].as_str().unwrap().starts_with('c'));
    assert!(events.iter().any(|e| e["step"] == "sync"));
    let starts = events
        .iter()
        .filter(|e| e["role"] == "client" && e["step"] == "start")
        .count();
    assert!(starts >= traced.calls, "{starts} < {}", traced.calls);
}
