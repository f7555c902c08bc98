//! The Multi-Paxos model: pinned state counts, and each bug found with a pinned
//! counterexample (single-threaded breadth-first search, deterministic).

mod common;

use common::{assert_fails, assert_holds};
use worm_models::multipaxos::{MpBug, MpConfig};

fn assert_safe(cfg: MpConfig, count: usize) {
    assert_holds(cfg.into_model(), count);
}

#[test]
fn multipaxos_is_safe_with_pinned_counts() {
    assert_safe(MpConfig::default(), 16_106);
    assert_safe(
        MpConfig {
            attempts: 2,
            ..MpConfig::default()
        },
        51_202,
    );
}

/// The first leader chooses two slots under one phase 1 while the other competes.
#[test]
fn a_leader_keeps_its_ballot_for_later_slots() {
    assert_safe(
        MpConfig {
            commands: vec![2, 1],
            ..MpConfig::default()
        },
        165_333,
    );
}

/// Each bug breaks agreement: a second entry is chosen in a slot.
#[test]
fn every_bug_is_found_with_a_short_counterexample() {
    assert_fails(
        MpBug::IgnorePromisedValues.config().into_model(),
        "agreement",
        15,
        "pB -> a1: Accept(1.B, [0: B1@1.B])",
    );
    assert_fails(
        MpBug::PrepareOneSlot.config().into_model(),
        "agreement",
        19,
        "pA -> a1: Accept(1.A, [1: A2@1.A])",
    );
}

#[test]
fn bad_configurations_are_rejected() {
    let err = |cfg: MpConfig| cfg.validate().unwrap_err();
    assert!(err(MpConfig {
        slots: 4,
        ..MpConfig::default()
    })
    .contains("slots"));
    assert!(err(MpConfig {
        commands: vec![],
        ..MpConfig::default()
    })
    .contains("proposers"));
    assert!(err(MpConfig {
        acceptors: 0,
        ..MpConfig::default()
    })
    .contains("acceptors"));
}
