//! CASPaxos and Multi-Paxos refine the ADO: pinned state counts of both refinement checks;
//! protocol bugs, and the naive abstraction without the two excuses of
//! `worm_models::refines_ado`, caught with pinned counterexamples (single-threaded
//! breadth-first search, deterministic).

use stateright::{Checker, Expectation, HasDiscoveries, Model};
use std::fmt::Debug;
use std::hash::Hash;
use worm_models::caspaxos::model::parse_scripts;
use worm_models::caspaxos::{CasBug, CasConfig};
use worm_models::multipaxos::{MpBug, MpConfig};
use worm_models::refines_ado::{caspaxos, multipaxos};
use worm_refinement::first_violation;

fn bfs<M>(m: M) -> impl Checker<M>
where
    M: Model + Send + Sync + 'static,
    M::State: Debug + Clone + PartialEq + Hash + Send + Sync,
    M::Action: Debug + Clone + PartialEq + Send + Sync,
{
    m.checker()
        .finish_when(HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join()
}

/// The violated property and the counterexample, one step per line.
fn violation<M>(checker: &impl Checker<M>) -> Option<(&'static str, Vec<String>)>
where
    M: Model,
    M::State: Debug + Clone + PartialEq + Hash,
    M::Action: Debug + Clone + PartialEq,
{
    let model = checker.model();
    model
        .properties()
        .iter()
        .filter(|p| p.expectation == Expectation::Always)
        .find_map(|p| checker.discovery(p.name).map(|path| (p.name, path)))
        .map(|(name, path)| {
            let steps = first_violation(model, name, path)
                .expect("the path violates the property")
                .iter()
                .filter_map(|(_, a)| a.as_ref().map(|a| model.format_action(a)))
                .collect();
            (name, steps)
        })
}

/// Refines the ADO, commits something in the ADO, and has `count` unique states.
fn assert_refines<M>(m: M, count: usize)
where
    M: Model + Send + Sync + 'static,
    M::State: Debug + Clone + PartialEq + Hash + Send + Sync,
    M::Action: Debug + Clone + PartialEq + Send + Sync,
{
    let checker = bfs(m);
    assert_eq!(violation(&checker), None);
    for p in checker.model().properties() {
        if p.expectation == Expectation::Sometimes {
            assert!(checker.discovery(p.name).is_some(), "{}", p.name);
        }
    }
    assert_eq!(checker.unique_state_count(), count);
}

/// Fails "refines the ADO" with a counterexample of `len` steps ending in `last`.
fn assert_fails<M>(m: M, len: usize, last: &str)
where
    M: Model + Send + Sync + 'static,
    M::State: Debug + Clone + PartialEq + Hash + Send + Sync,
    M::Action: Debug + Clone + PartialEq + Send + Sync,
{
    let checker = bfs(m);
    let (name, steps) = violation(&checker).expect("a violation");
    assert_eq!(name, "refines the ADO", "{steps:#?}");
    assert_eq!(steps.len(), len, "{steps:#?}");
    assert_eq!(steps.last().map(String::as_str), Some(last), "{steps:#?}");
}

#[test]
fn caspaxos_refines_the_ado() {
    assert_refines(caspaxos::refines_ado(CasConfig::default(), false), 62_180);
}

#[test]
fn caspaxos_with_retries_refines_the_ado() {
    let cfg = CasConfig {
        attempts: 2,
        ..CasConfig::default()
    };
    assert_refines(caspaxos::refines_ado(cfg, false), 189_526);
}

#[test]
fn multipaxos_refines_the_ado() {
    assert_refines(multipaxos::refines_ado(MpConfig::default(), false), 19_813);
    let retries = MpConfig {
        attempts: 2,
        ..MpConfig::default()
    };
    assert_refines(multipaxos::refines_ado(retries, false), 63_043);
}

/// The first leader proposes its second command with phase 2 alone.
#[test]
fn multipaxos_with_a_stable_leader_refines_the_ado() {
    let cfg = MpConfig {
        commands: vec![2, 1],
        ..MpConfig::default()
    };
    assert_refines(multipaxos::refines_ado(cfg, false), 264_262);
}

/// The naive abstraction (every completed pull and acknowledged push succeeds in the ADO)
/// fails for both correct protocols: a push acknowledged after a higher ballot's pull.
#[test]
fn the_naive_abstraction_fails() {
    assert_fails(
        caspaxos::refines_ado(CasConfig::default(), true),
        12,
        "a2 -> pA: Accepted(1.A)",
    );
    assert_fails(
        multipaxos::refines_ado(MpConfig::default(), true),
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
        12,
        promise,
    );
    assert_fails(
        caspaxos::refines_ado(CasBug::AcceptLowerBallot.config(), false),
        12,
        "a2 -> pB: Promise(1.B, none)",
    );
    assert_fails(
        multipaxos::refines_ado(MpBug::IgnorePromisedValues.config(), false),
        13,
        "a2 -> pB: Promise(1.B, [0: (1.A, A1@1.A)])",
    );
    assert_fails(
        multipaxos::refines_ado(MpBug::PrepareOneSlot.config(), false),
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
