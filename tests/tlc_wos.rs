//! TLC on the WOS protocol, cross-checked against stateright through
//! `worm tlc SPEC --config NAME --cross-check`:
//!
//! - `tla/Wos.tla` (the protocol with its history, refining `WosSpec.tla`) gives the same
//!   verdict as the full stateright WOS model (history, properties, refinement check) on
//!   correct configurations and on each bug's own configuration; TLC's counts, violated
//!   property and counterexample length are pinned, and stateright's violated property, whose
//!   counterexample (a shortest one) has as many steps as TLC's.
//! - `tla/WosMirror.tla` (`Wos.tla` seen without its history) has exactly the states and depth
//!   of the stateright model without history (`WosConfig::into_mirror`).
//!
//! See "WOS protocol" in tla/README.md.

mod common;

use common::tlc::{assert_every_configuration_listed, cross_check};

/// Correct configurations of `Wos.tla`: (name, TLC's distinct states, depth).
const WOS_CORRECT: &[(&str, u64, u64)] = &[("trim", 145, 31)];

/// Configurations of `WosMirror.tla`: (name, distinct states, depth), the same on both sides.
const WOS_MIRRORED: &[(&str, u64, u64)] = &[("trim", 145, 31), ("reader", 577, 28)];

/// Each bug's configuration: (name, the property stateright reports, TLC's violated property,
/// TLC's counterexample states: one more than stateright's steps).
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
    // B allocates segment 0 on partition 1 while A does on partition 0: as the second
    // partition chooses its value, the abstract metadata WOR has two (before either client is
    // told, which "agreement" sees 4 steps later).
    (
        "wrong-partition",
        "refines the WOS spec",
        "RefinesWosSpec",
        13,
    ),
];

/// Configurations too large for CI, (spec, name), with TLC's wall time on the project's
/// shared machine: they agree too.
const LARGE: &[(&str, &str)] = &[
    // WosConfig::default(): 27,697 states (stateright's full model: 38,589), 4 minutes.
    ("wos", "default"),
    // A writer and a reader: 592 states (stateright's full model: 608), 10 s.
    ("wos", "reader"),
    // 2 partitions: 1,089 states (= stateright's full model), 16-19 s.
    ("wos", "partitions"),
    // The protocol's states, = stateright's mirror:
    // 1,089 states, 16 s.
    ("wos-mirror", "partitions"),
    // 3,396 states, 20 s.
    ("wos-mirror", "crash"),
    // 948 states, 13 s.
    ("wos-mirror", "crash-ordered"),
    // 2,244 states, 20 s.
    ("wos-mirror", "crash-duplicating"),
    // 2,664 states, 15 s.
    ("wos-mirror", "tombstones"),
    // 17,203 states, 40 s.
    ("wos-mirror", "lossy"),
    // WosConfig::default(): 26,992 states, 84 s.
    ("wos-mirror", "default"),
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
        let found = &r["stateright"]["violation"];
        assert_eq!(
            (
                found["property"].as_str(),
                found["counterexample"]
                    .as_array()
                    .map(|c| c.len() as u64 + 1)
            ),
            (Some(stateright), Some(trace)),
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
fn wos_mirror_counts_equal_the_stateright_mirror() {
    for &(config, states, depth) in WOS_MIRRORED {
        let r = cross_check("wos-mirror", config);
        for (side, key) in [("tlc", "distinct_states"), ("stateright", "unique_states")] {
            assert!(r[side]["violation"].is_null(), "{config}: {r}");
            assert_eq!(
                (r[side][key].as_u64(), r[side]["depth"].as_u64()),
                (Some(states), Some(depth)),
                "{config} {side}: {r}"
            );
        }
    }
}

#[test]
fn every_wos_configuration_is_checked_here_or_listed_as_large() {
    let mut checked: Vec<(&str, &str)> = LARGE.to_vec();
    checked.extend(WOS_CORRECT.iter().map(|c| ("wos", c.0)));
    checked.extend(WOS_BUGS.iter().map(|c| ("wos", c.0)));
    checked.extend(WOS_MIRRORED.iter().map(|c| ("wos-mirror", c.0)));
    assert_every_configuration_listed(&[("wos", "Wos"), ("wos-mirror", "WosMirror")], &checked);
}
