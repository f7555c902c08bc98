//! The worm engine (`--engine worm`, src/engine.rs) against stateright's checker: the same
//! unique and total state counts on complete searches of every model, with and without
//! symmetry, with and without the model's predictions of fingerprints, and the same property
//! found violated on buggy variants.

mod common;

use common::worm;
use serde_json::Value;

/// `worm check` with `args` and `--json`, on the given engine (two threads unless `args`
/// says otherwise).
fn check(args: &str, engine: &str) -> (i32, Value) {
    let mut argv: Vec<&str> = vec!["check"];
    argv.extend(args.split_whitespace());
    if !args.contains("--threads") {
        argv.extend(["--threads", "2"]);
    }
    argv.extend(["--json", "--engine", engine]);
    let (code, out, err) = worm(&argv);
    let json = serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("worm {argv:?}: {e}\nstdout: {out}\nstderr: {err}"));
    (code, json)
}

/// Runs both engines on `args`: the same exit code, and the same counts if the search is
/// complete. (Which property a buggy model is caught violating first depends on the order the
/// states are visited in, which differs between the engines.)
fn same_verdict(args: &str) -> Value {
    let (sr_code, sr) = check(args, "stateright");
    let (code, own) = check(args, "worm");
    assert_eq!(code, sr_code, "{args}: exit codes");
    assert_eq!(
        own["violation"].is_null(),
        sr["violation"].is_null(),
        "{args}: {own} against {sr}"
    );
    if sr["violation"].is_null() {
        for field in ["unique_states", "total_states"] {
            assert_eq!(own[field], sr[field], "{args}: {field}");
        }
    }
    own
}

#[test]
fn complete_searches_count_what_stateright_counts() {
    for args in [
        "wor",
        "wor --network ordered --crashes 1",
        "wor --network duplicating",
        // The mirror, whose successors the worm engine fingerprints before building them.
        "wor --mirror --crashes 1",
        "wor --mirror --network duplicating --crashes 1",
        "wor --mirror --clients 1 --readers 1 --crashes 1",
        "wos --segment-size 1",
        "caspaxos",
        "multipaxos",
        "ado",
    ] {
        let own = same_verdict(args);
        assert!(own["violation"].is_null(), "{args}: {own}");
    }
}

#[test]
fn symmetry_both_ways() {
    // The WOR reduces by symmetry in the model itself, into canonical states: the count is
    // the number of classes, whatever the order of the search.
    let wor = same_verdict("wor --symmetry");
    assert_eq!(wor["unique_states"], 8746);
    // The WOS through a representative function given to the checker. That function does not
    // map every member of a class to one state, so the count depends on the order states are
    // met in: on one thread both engines search in the same order and count the same.
    let wos = same_verdict("wos --segment-size 1 --symmetry --threads 1");
    assert_eq!(wos["unique_states"], 12411);
    let (_, plain) = check("wos --segment-size 1", "worm");
    assert_eq!(plain["unique_states"], 19455);
}

#[test]
fn bugs_are_found_with_a_replayable_counterexample() {
    for args in [
        "wor --bug forget-promise",
        "wor --bug accept-lower-ballot --symmetry",
        "wor --mirror --bug forget-promise --crashes 1",
        "wos --bug alloc-without-capture",
        "caspaxos --bug expand-without-identity",
        "multipaxos --bug ignore-promised-values",
        "ado --bug push-without-pull",
    ] {
        let own = same_verdict(args);
        assert!(own["violation"]["property"].is_string(), "{args}: {own}");
        let steps = own["violation"]["counterexample"]
            .as_array()
            .unwrap_or_else(|| panic!("{args}: no counterexample in {own}"));
        assert!(!steps.is_empty(), "{args}: an empty counterexample");
    }
}

#[test]
fn the_worm_engine_refuses_breadth_first_search() {
    let (code, _, err) = worm(&["check", "wor", "--engine", "worm", "--strategy", "bfs"]);
    assert_eq!(code, 2);
    assert!(err.contains("depth-first"), "{err}");
}

#[test]
fn the_explorer_refuses_the_worm_engine() {
    let (code, _, err) = worm(&[
        "explore",
        "wor",
        "--engine",
        "worm",
        "--bind",
        "127.0.0.1:0",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--engine worm"), "{err}");
}
