//! The CI gate's simulator half: a few hundred seeds of `worm simulate wormspace` with every
//! fault kind, every run's trace validated against the WOS model and its client history
//! checked for linearizability. (The real-cluster half, with a `kill -9`, is in
//! tests/wormspace.rs; the seeded bugs the checks catch are in tests/seeded_bugs.rs.)

mod common;

use common::worm;

/// The numbers in the summary line, in order.
fn numbers(line: &str) -> Vec<u64> {
    line.split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect()
}

#[test]
fn three_hundred_seeds_with_every_fault_validate_and_are_linearizable() {
    let (code, out, err) = worm(&["simulate", "wormspace", "--seeds", "300"]);
    assert_eq!(code, 0, "{out}{err}");
    let line = out.lines().last().unwrap();
    assert!(
        line.starts_with("wormspace simulate: OK, 300 seeds (0..=299), faults loss,dup,reorder,crash,partition ("),
        "{line}"
    );
    assert!(line.contains("checks sim,trace,history"), "{line}");
    // lost, duplicated, crashes, partitions, then steps, trace events, operations, unknown.
    let n = numbers(line.split("partition (").nth(1).unwrap());
    assert!(
        n[..4].iter().all(|&x| x > 0),
        "every fault happened: {line}"
    );
    assert!(n[5] > 50_000 && n[6] > 5_000, "{line}");
}

#[test]
fn a_seed_replays_alone_and_writes_its_trace_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let (trace, history) = (dir.path().join("t.jsonl"), dir.path().join("h.jsonl"));
    let (trace_s, history_s) = (trace.to_str().unwrap(), history.to_str().unwrap());
    let args = [
        "simulate",
        "wormspace",
        "--first-seed",
        "42",
        "--seeds",
        "1",
        "--faults",
        "crash,loss",
        "--trace-out",
        trace_s,
        "--history-out",
        history_s,
    ];
    let (code, out, _) = worm(&args);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 seeds (42..=42), faults loss,crash ("),
        "{out}"
    );
    let events = std::fs::read_to_string(&trace).unwrap().lines().count() as u64;
    let n = numbers(out.split("partitions), checks").nth(1).unwrap());
    assert_eq!(n[1], events, "{out}");
    // The history file is what `worm lin` reads.
    let (code, out, _) = worm(&["lin", history_s, "--model", "wor"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("linearizable"), "{out}");
}

#[test]
fn bad_arguments_exit_2_with_the_valid_names() {
    let (code, _, err) = worm(&["simulate", "wormspace", "--faults", "loss,flood"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "unknown fault \"flood\" (valid: loss, dup, reorder, crash, partition, or none)"
        ),
        "{err}"
    );
    let (code, _, err) = worm(&["simulate", "wormspace", "--checks", "vibes"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown check \"vibes\" (valid: sim, trace, history)"),
        "{err}"
    );
    let (code, _, err) = worm(&["simulate", "wormspace", "--seeds", "0"]);
    assert_eq!(code, 2, "{err}");
}

/// A default build has no seeded bugs: asking for one is a usage error that says how to get
/// them.
#[cfg(not(feature = "seeded-bugs"))]
#[test]
fn a_default_build_has_no_seeded_bugs() {
    let (code, _, err) = worm(&["simulate", "wormspace", "--bug", "read-no-complete"]);
    assert_eq!(code, 2);
    assert!(err.contains("--features seeded-bugs"), "{err}");
}
