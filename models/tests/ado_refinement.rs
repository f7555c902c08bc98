//! CASPaxos and Multi-Paxos refine the ADO: pinned state counts of both refinement checks;
//! protocol bugs, and the naive abstraction without the two excuses of
//! `worm_models::refines_ado`, caught with pinned counterexamples (single-threaded
//! breadth-first search, deterministic).

mod common;

use common::{assert_fails, assert_holds};
use worm_models::caspaxos::model::parse_scripts;
use worm_models::caspaxos::{CasBug, CasConfig};
use worm_models::multipaxos::{MpBug, MpConfig};
use worm_models::refines_ado::{caspaxos, multipaxos};

const REFINES: &str = "refines the ADO";

#[test]
fn caspaxos_refines_the_ado() {
    assert_holds(caspaxos::refines_ado(CasConfig::default(), false), 62_180);
}

#[test]
fn caspaxos_with_retries_refines_the_ado() {
    let cfg = CasConfig {
        attempts: 2,
        ..CasConfig::default()
    };
    assert_holds(caspaxos::refines_ado(cfg, false), 189_526);
}

#[test]
fn multipaxos_refines_the_ado() {
    assert_holds(multipaxos::refines_ado(MpConfig::default(), false), 19_813);
    let retries = MpConfig {
        attempts: 2,
        ..MpConfig::default()
    };
    assert_holds(multipaxos::refines_ado(retries, false), 63_043);
}

/// The first leader proposes its second command with phase 2 alone.
#[test]
fn multipaxos_with_a_stable_leader_refines_the_ado() {
    let cfg = MpConfig {
        commands: vec![2, 1],
        ..MpConfig::default()
    };
    assert_holds(multipaxos::refines_ado(cfg, false), 264_262);
}

/// The naive abstraction (every completed pull and acknowledged push succeeds in the ADO)
/// fails for both correct protocols: a push acknowledged after a higher ballot's pull.
#[test]
fn the_naive_abstraction_fails() {
    assert_fails(
        caspaxos::refines_ado(CasConfig::default(), true),
        REFINES,
        12,
        "a2 -> pA: Accepted(1.A)",
    );
    assert_fails(
        multipaxos::refines_ado(MpConfig::default(), true),
        REFINES,
        13,
        "a2 -> pB: Accepted(1.B, ..0)",
    );
}

/// A proposer that builds on the wrong proposal pulls from below the ADO's log tip.
#[test]
fn protocol_bugs_break_the_refinement() {
    let promise = "a2 -> pB: Promise(1.B, 1.A=v0:1)";
    assert_fails(
        caspaxos::refines_ado(CasBug::PickLowestBallot.config(), false),
        REFINES,
        12,
        promise,
    );
    assert_fails(
        caspaxos::refines_ado(CasBug::AcceptLowerBallot.config(), false),
        REFINES,
        12,
        "a2 -> pB: Promise(1.B, none)",
    );
    assert_fails(
        multipaxos::refines_ado(MpBug::IgnorePromisedValues.config(), false),
        REFINES,
        13,
        "a2 -> pB: Promise(1.B, [0: (1.A, A1@1.A)])",
    );
    assert_fails(
        multipaxos::refines_ado(MpBug::PrepareOneSlot.config(), false),
        REFINES,
        18,
        "a2 -> pB: Promise(1.B, [0: (1.A, A1@1.A)])",
    );
}

#[test]
fn configurations_outside_the_refinement_are_rejected() {
    let two_keys = CasConfig {
        scripts: parse_scripts("init=1/k1:init=2").unwrap(),
        ..CasConfig::default()
    };
    assert!(caspaxos::validate(&two_keys)
        .unwrap_err()
        .contains("one register"));
    let one_rtt = CasConfig {
        one_rtt: true,
        ..CasConfig::default()
    };
    assert!(caspaxos::validate(&one_rtt)
        .unwrap_err()
        .contains("one-rtt"));
    assert_eq!(caspaxos::validate(&CasConfig::default()), Ok(()));
}
