//! `AdoApps.tla` (the ADO apps on the ADO core of `AdoCore.tla`)
//! cross-checked against the stateright app model (`worm check ado --app APP`) through
//! `worm tlc ado-apps --config NAME --cross-check`.
//!
//! The app model checks KVLock, 2PC and DLock without a linearizability monitor, so it keeps
//! no history and the spec describes it state for state: on the correct configurations TLC's
//! distinct states and depth equal stateright's unique states and depth. KV, DVec and
//! KVLockFree (one ADO each) are checked by stateright for linearizability, a property of the
//! history its monitor keeps and the spec does not; on their configurations the monitor adds
//! no states, and the counts agree too. With each app bug's constant
//! both find a violation of the same property; TLC's refinements of the apps' atomic specs
//! (`KVLockSpec.tla`, Lamport's `TCommit.tla`) find each bug on their own too.
//!
//! These are the small configurations, a few seconds of TLC each; the others are listed in
//! [`NOT_IN_CI`].

mod common;

use common::tlc::{assert_both_violate, assert_every_configuration_listed, cross_check};

/// Correct configurations: (name, distinct states, depth), the same on both sides.
const CORRECT: &[(&str, u64, u64)] = &[
    // KVLock, 2 clients, 2 timestamps per ADO.
    ("kvlock-small", 575, 16),
    // 2PC, a TM and 2 RMs, 2 timestamps per ADO, 2 pushes per prepare.
    ("2pc-small", 1_912, 15),
    // DLock, AppConfig::new(DLock).
    ("dlock", 733, 13),
    // The one-ADO apps, AppConfig::new(app): stateright's model carries its linearizability
    // monitor, which on these configurations adds no states.
    ("kv", 1_001, 13),
];

/// Each app bug's own configuration (`AppConfig::new(app)` with the bug): (name, TLC's
/// violated property, stateright's, TLC's trace states).
const BUGS: &[(&str, &str, &str, u64)] = &[
    // A acquires, writes data, and (releasing early) leaves the lock with meta unwritten.
    (
        "kvlock-release-early",
        "MetaIsLenData",
        "meta is the length of data",
        7,
    ),
    // The TM's prepare of rm2 fails twice; taken for a yes, rm1 commits; rm2's own node
    // pulls and times out: rm1 committed, rm2 aborted.
    ("tm-ignore-fail", "Atomicity", "2PC atomicity", 14),
];

/// The bugs with only the refinement of the app's atomic spec checked: (name, TLC's violated
/// property, trace states). Stateright, which has no refinement check for the apps, finds the
/// invariant violations above.
const REFINEMENT_BUGS: &[(&str, &str, u64)] = &[
    // The early release commits while meta is unwritten: the lock changes hands between
    // inconsistent writes, which no KVLockSpec step does.
    ("kvlock-release-early-spec", "RefinesKVLockSpec", 10),
    // rm1 commits while rm2 is still working: TCommit's Decide needs every RM prepared.
    ("tm-ignore-fail-tcommit", "RefinesTCommit", 11),
];

/// Configurations left out of CI (TLC wall time on the project's shared two cores), two for
/// their size and two because they add little to `kv` (which has the same count as `dvec`)
/// while each TLC run costs seconds of JVM; they agree too, with the same counts.
const NOT_IN_CI: &[(&str, u64, u64)] = &[
    // AppConfig::new(KvLock): 2 clients, 4 timestamps per ADO; 22-29 s.
    ("kvlock", 20_253, 29),
    // AppConfig::new(TwoPc): a TM and 2 RMs, 3 timestamps per ADO; 45-97 s.
    ("2pc", 26_122, 20),
    // 5 s each.
    ("dvec", 1_001, 13),
    ("kvlockfree", 221, 9),
];

#[test]
fn app_counts_equal_the_stateright_app_model() {
    for &(config, states, depth) in CORRECT {
        let r = cross_check("ado-apps", config);
        assert!(r["tlc"]["violation"].is_null(), "{config}: {r}");
        assert!(r["stateright"]["violation"].is_null(), "{config}: {r}");
        for (side, key) in [("tlc", "distinct_states"), ("stateright", "unique_states")] {
            assert_eq!(
                (r[side][key].as_u64(), r[side]["depth"].as_u64()),
                (Some(states), Some(depth)),
                "{config} {side}"
            );
        }
    }
}

#[test]
fn every_app_bug_is_the_same_violation_for_both() {
    for &(config, property, stateright, trace) in BUGS {
        let r = assert_both_violate("ado-apps", config, property, trace);
        assert_eq!(
            r["stateright"]["violation"]["property"].as_str(),
            Some(stateright),
            "{config}: {r}"
        );
    }
}

#[test]
fn the_atomic_specs_refinements_find_each_app_bug() {
    for &(config, property, trace) in REFINEMENT_BUGS {
        assert_both_violate("ado-apps", config, property, trace);
    }
}

#[test]
fn every_app_configuration_is_checked_here_or_listed_as_not_in_ci() {
    let mut checked: Vec<&str> = CORRECT.iter().map(|c| c.0).collect();
    checked.extend(BUGS.iter().map(|c| c.0));
    checked.extend(REFINEMENT_BUGS.iter().map(|c| c.0));
    checked.extend(NOT_IN_CI.iter().map(|c| c.0));
    let checked: Vec<(&str, &str)> = checked.into_iter().map(|c| ("ado-apps", c)).collect();
    assert_every_configuration_listed(&[("ado-apps", "AdoApps")], &checked);
}
