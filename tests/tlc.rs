//! TLC on the TLA+ specs in `tla/`, cross-checked against stateright through
//! `worm tlc SPEC --config NAME --cross-check`.
//!
//! - `Wor.tla` describes the WOR protocol state for state like the stateright model without
//!   history (`WorConfig::into_mirror`): on every correct configuration TLC's distinct states
//!   and depth equal stateright's unique states and depth, and are pinned here; with each bug
//!   constant both find a violation.
//! - `WorVotes.tla` (the protocol with ghost votes, refining `WorSpec.tla`) gives the same
//!   verdict as the full stateright model (history, linearizability, refinement) on each bug's
//!   own configuration, `WorBug::config()`.
//! - `WorSpec.tla` has as many states as the spec model of `models/src/wor/spec.rs`.
//! - `CASPaxos.tla` describes the CASPaxos core state for state like the stateright model
//!   without history (`CasConfig::into_mirror`): counts and depths pinned, and both find each
//!   core bug. `CASPaxosChain.tla` (with a ghost chain, refining `CASRegister.tla`) gives the
//!   full model's verdicts.
//! - `WosSpec.tla` has as many states as the spec model of `models/src/wos/spec.rs`.
//! - `Ado.tla` (refining `AdoLog.tla`) describes the ADO with free callers state for state
//!   like the stateright model `AdoModel` on a one-key KV: counts and depths pinned, and both
//!   find each of the ADO's three bugs.
//!
//! TLC comes from `ci/install-tlc.sh` (which `ci/test.sh` runs first). These are the small
//! configurations, a few seconds of TLC each; the large ones are listed in [`LARGE`].

mod common;

use common::tlc::{
    assert_both_violate, assert_every_configuration_listed, assert_mirrored, cross_check,
};
use common::worm_with_env as worm;

/// Configurations of the correct protocol: (name, distinct states, depth).
const WOR_CORRECT: &[(&str, u64, u64)] = &[
    ("default", 47_898, 20),
    ("ordered", 16_360, 20),
    ("reader", 11_434, 24),
    ("crash", 1_335, 22),
    ("retries", 8_751, 24),
    ("lossy", 2_124, 13),
];

/// Each bug's configuration with two acceptors: (name, TLC's violated property, trace states).
const WOR_BUGS: &[(&str, &str, u64)] = &[
    ("forget-promise", "LearnedIsHeld", 18),
    ("accept-lower-ballot", "LearnedIsHeld", 14),
    ("ignore-accepted-value", "LearnedIsHeld", 14),
    ("minority-quorum", "LearnedIsHeld", 5),
    ("read-no-complete", "LearnedIsHeld", 10),
];

/// Each bug's own configuration: (name, TLC's violated property, trace states).
const WOR_VOTES_BUGS: &[(&str, &str, u64)] = &[
    ("forget-promise", "RefinesWorSpec", 5),
    ("accept-lower-ballot", "RefinesWorSpec", 13),
    ("ignore-accepted-value", "RefinesWorSpec", 13),
    ("minority-quorum", "RefinesWorSpec", 4),
];

/// Configurations too large for CI, for `worm tlc` by hand and the benchmarks (TLC CPU time
/// on the project's machine): they agree too.
const LARGE: &[(&str, &str)] = &[
    // 18,701 states, 13 s.
    ("wor", "duplicating"),
    // 191,592 states, the benchmark of docs/BENCHMARKS.md.
    ("wor", "bench"),
    // 48,597 states, 25 s.
    ("wor-votes", "default"),
    // TLC: 16,686 states to the violation, 34 s; stateright's full model: 847,169, a minute
    // (pinned in models/tests/wor.rs).
    ("wor-votes", "read-no-complete"),
    // (CASPaxos: TLC wall time with the machine's two cores shared by several builds.)
    // CasConfig::default(): 47,898 states (as many as the WOR's default: the same Paxos
    // interleavings), 54 s.
    ("caspaxos", "default"),
    // 16,360 states, 31 s.
    ("caspaxos", "ordered"),
    // 65,440 states, 90 s.
    ("caspaxos", "crash"),
    // TLC: 15,429 states to the violation, 52 s (CASPaxos.tla's pick-lowest-ballot, the
    // same configuration, runs in CI).
    ("caspaxos-chain", "pick-lowest-ballot"),
    // The CASPaxos operator's (tests/tlc_caspaxos_operator.rs pins the CI ones; counts and
    // verdicts of these in tla/README.md, "CASPaxos: the operator").
    ("caspaxos", "expand-twice"),
    ("caspaxos", "shrink"),
    ("caspaxos", "replace"),
    ("caspaxos", "add-proposer"),
    ("caspaxos", "remove-proposer"),
    ("caspaxos", "gc-two"),
    ("caspaxos", "even-expand-without-rescan"),
    ("caspaxos", "gc-without-age-check"),
    ("caspaxos", "gc-without-fast-forward"),
    ("caspaxos-chain", "expand"),
    ("caspaxos-chain", "gc-two"),
    ("caspaxos-chain", "even-expand-without-rescan"),
    // 6,722 states, 36 s.
    ("wos-spec", "default"),
    // 30,976 states, 53 s.
    ("wos-spec", "segments"),
    // AdoConfig::default(): 35,020 states (as pinned in models/tests/ado.rs), 53 s.
    ("ado", "default"),
    // 6,542 states, 17-25 s.
    ("ado", "two-values"),
];

#[test]
fn wor_counts_equal_the_stateright_mirror() {
    for &(config, states, depth) in WOR_CORRECT {
        assert_mirrored("wor", config, states, depth);
    }
}

#[test]
fn every_wor_bug_constant_is_a_violation_for_both() {
    for &(config, property, trace) in WOR_BUGS {
        assert_both_violate("wor", config, property, trace);
    }
}

#[test]
fn wor_votes_refines_the_wor_spec_and_agrees_with_the_full_model() {
    let r = cross_check("wor-votes", "crash");
    assert!(r["tlc"]["violation"].is_null(), "{r}");
    assert_eq!(r["tlc"]["distinct_states"], 4_467);
    for &(config, property, trace) in WOR_VOTES_BUGS {
        assert_both_violate("wor-votes", config, property, trace);
    }
}

#[test]
fn wor_spec_counts_equal_the_spec_model() {
    assert_mirrored("wor-spec", "default", 44, 5);
}

/// CASPaxos core configurations: (name, distinct states, depth).
const CASPAXOS_CORRECT: &[(&str, u64, u64)] = &[
    ("small", 541, 17),
    ("one-rtt", 2_002, 23),
    ("retries", 2_916, 23),
    ("keys", 829, 26),
    ("flexible", 3_577, 20),
];

/// Each core bug's configuration: (name, TLC's violated property, trace states).
const CASPAXOS_BUGS: &[(&str, &str, u64)] = &[
    ("accept-lower-ballot", "AckedKept", 14),
    ("pick-lowest-ballot", "AckedKept", 14),
];

#[test]
fn caspaxos_counts_equal_the_stateright_mirror() {
    for &(config, states, depth) in CASPAXOS_CORRECT {
        assert_mirrored("caspaxos", config, states, depth);
    }
}

#[test]
fn every_core_caspaxos_bug_constant_is_a_violation_for_both() {
    for &(config, property, trace) in CASPAXOS_BUGS {
        assert_both_violate("caspaxos", config, property, trace);
    }
}

#[test]
fn caspaxos_chain_refines_the_cas_register_and_agrees_with_the_full_model() {
    let r = cross_check("caspaxos-chain", "small");
    assert!(r["tlc"]["violation"].is_null(), "{r}");
    assert_eq!(r["tlc"]["distinct_states"], 541);
    assert_both_violate(
        "caspaxos-chain",
        "accept-lower-ballot",
        "RefinesCASRegister",
        17,
    );
}

#[test]
fn wos_spec_counts_equal_the_spec_model() {
    assert_mirrored("wos-spec", "small", 1_058, 11);
}

/// Each ADO bug's own configuration (`AdoConfig::default()` with the bug): (name, TLC's
/// violated property, trace states).
const ADO_BUGS: &[(&str, &str, u64)] = &[
    // A node that never pulled invokes (its call stays local) and pushes successfully.
    ("push-without-pull", "NoLostAck", 3),
    // A pulls, invokes, B pulls, A pushes anyway: B's point (the root) is pruned.
    ("commit-stale-branch", "LatestPullerIsLive", 5),
    // A commits a call, B pulls from the root below the tip.
    ("prune-committed", "LatestPullerIsLive", 5),
    // push-without-pull with no invariants: the refinement of AdoLog finds the committed
    // entry pruned (A pulls, invokes and pushes; B, without a pull, pushes the root).
    ("push-without-pull-log", "RefinesAdoLog", 5),
];

#[test]
fn ado_counts_equal_the_stateright_model() {
    assert_mirrored("ado", "small", 2_333, 11);
}

#[test]
fn every_ado_bug_constant_is_a_violation_for_both() {
    for &(config, property, trace) in ADO_BUGS {
        assert_both_violate("ado", config, property, trace);
    }
}

#[test]
fn every_configuration_is_checked_here_or_listed_as_large() {
    let mut checked: Vec<(&str, &str)> = LARGE.to_vec();
    checked.extend(WOR_CORRECT.iter().map(|c| ("wor", c.0)));
    checked.extend(WOR_BUGS.iter().map(|c| ("wor", c.0)));
    checked.extend(WOR_VOTES_BUGS.iter().map(|c| ("wor-votes", c.0)));
    checked.extend([("wor-votes", "crash"), ("wor-spec", "default")]);
    checked.extend(CASPAXOS_CORRECT.iter().map(|c| ("caspaxos", c.0)));
    checked.extend(CASPAXOS_BUGS.iter().map(|c| ("caspaxos", c.0)));
    checked.extend([
        ("caspaxos-chain", "small"),
        ("caspaxos-chain", "accept-lower-ballot"),
        // Pinned in tests/tlc_caspaxos_operator.rs.
        ("caspaxos", "expand"),
        ("caspaxos", "gc"),
        ("caspaxos", "expand-without-identity"),
        ("caspaxos-chain", "gc"),
        ("caspaxos-chain", "expand-without-identity"),
        ("caspaxos-chain", "gc-without-age-check"),
        ("caspaxos-chain", "gc-without-fast-forward"),
        ("wos-spec", "small"),
        ("ado", "small"),
    ]);
    checked.extend(ADO_BUGS.iter().map(|c| ("ado", c.0)));
    assert_every_configuration_listed(
        &[
            ("wor", "Wor"),
            ("wor-votes", "WorVotes"),
            ("wor-spec", "WorSpec"),
            ("caspaxos", "CASPaxos"),
            ("caspaxos-chain", "CASPaxosChain"),
            ("wos-spec", "WosSpec"),
            ("ado", "Ado"),
        ],
        &checked,
    );
}

#[test]
fn without_tlc_the_error_says_how_to_install_it() {
    let (code, _, err) = worm(
        &["tlc", "wor"],
        &[("WORM_TLA2TOOLS", "/nonexistent/tla2tools.jar")],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("TLC is not installed") && err.contains("bash ci/install-tlc.sh"),
        "{err}"
    );
}

#[test]
fn bad_specs_and_configurations_exit_2_naming_the_choices() {
    let (code, _, err) = worm(&["tlc", "paxos"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("paxos") && err.contains("wor-votes"), "{err}");

    let (code, _, err) = worm(&["tlc", "wor", "--config", "huge"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("\"huge\"") && err.contains("reader"), "{err}");
}
