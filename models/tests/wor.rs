//! The WOR model: pinned state counts, every bug found with a pinned counterexample.
//!
//! The counts pin the model: any change to the protocol, the network or the history shows up
//! here. Counterexamples come from single-threaded breadth-first search stopped at the first
//! violation, which is deterministic.

mod common;

use common::violation;
use stateright::{Checker, Expectation, Model};
use worm_models::network::NetworkKind;
use worm_models::wor::model::{original_actions, WorCheck};
use worm_models::wor::symmetry::canonicalise;
use worm_models::wor::{WorBug, WorConfig};
use worm_refinement::{first_violation, Refined};

fn bfs(cfg: WorConfig) -> impl Checker<WorCheck> {
    common::bfs(cfg.into_model())
}

#[test]
fn default_configuration_is_safe_with_pinned_counts() {
    let checker = bfs(WorConfig::default());
    checker.assert_no_discovery("agreement");
    checker.assert_no_discovery("stability");
    checker.assert_no_discovery("linearizable");
    checker.assert_no_discovery("refines the WOR spec");
    assert!(checker.discovery("value chosen").is_some());
    assert_eq!(checker.unique_state_count(), 48_753);
    assert_eq!(checker.max_depth(), 20);
}

#[test]
fn a_reader_beside_a_writer_is_safe_with_pinned_counts() {
    let checker = bfs(WorConfig {
        clients: 1,
        readers: 1,
        ..WorConfig::default()
    });
    assert_eq!(violation(&checker), None);
    assert_eq!(checker.unique_state_count(), 39_191);
}

#[test]
fn three_acceptors_two_writers_one_crash_on_every_network() {
    for (network, count) in [
        (NetworkKind::Ordered, 66_872),
        (NetworkKind::Unordered, 195_012),
        (NetworkKind::Duplicating, 76_616),
    ] {
        let checker = bfs(WorConfig {
            crashes: 1,
            network,
            ..WorConfig::default()
        });
        assert_eq!(violation(&checker), None, "{network}");
        assert_eq!(checker.unique_state_count(), count, "{network}");
    }
}

/// The history (the linearizability monitor, the ghost votes) adds few states to the
/// protocol's own: the model settles writes that can no longer succeed, which merges histories
/// that differ only in linearizations the protocol has ruled out (21,663 states without).
#[test]
fn the_history_adds_few_states_to_the_protocol() {
    let cfg = WorConfig {
        network: NetworkKind::Ordered,
        ..WorConfig::default()
    };
    let full = bfs(cfg.clone());
    assert_eq!(violation(&full), None);
    let protocol = cfg.into_mirror().checker().spawn_bfs().join();
    assert_eq!(
        (full.unique_state_count(), protocol.unique_state_count()),
        (16_718, 16_360)
    );
}

#[test]
fn lossy_network_is_safe() {
    let checker = bfs(WorConfig {
        clients: 1,
        readers: 1,
        lossy: true,
        network: NetworkKind::Ordered,
        ..WorConfig::default()
    });
    assert_eq!(violation(&checker), None);
}

/// The model reduces by symmetry itself, so breadth-first and depth-first search visit the
/// same states, and stateright's own reduction (a canonicaliser applied by the checker, which
/// only depth-first search honours) agrees on the count.
#[test]
fn symmetry_reduces_the_default_configuration() {
    let symmetric = WorConfig {
        symmetry: true,
        ..WorConfig::default()
    };
    let checker = bfs(symmetric.clone());
    assert_eq!(violation(&checker), None);
    assert_eq!(
        (checker.unique_state_count(), checker.state_count()),
        (8_746, 49_784)
    );
    let dfs = symmetric.clone().into_model().checker().spawn_dfs().join();
    assert_eq!(dfs.unique_state_count(), 8_746);
    let by_checker = WorConfig::default()
        .into_model()
        .checker()
        .symmetry_fn(|s| {
            let mut low = s.low.clone();
            canonicalise(&mut low);
            Refined { low, ..s.clone() }
        })
        .spawn_dfs()
        .join();
    assert_eq!(by_checker.unique_state_count(), 8_746);
}

fn assert_bug(bug: WorBug, property: &str, steps: &[&str]) {
    let checker = bfs(bug.config());
    let (found, path) = violation(&checker).unwrap_or_else(|| panic!("{bug} not found"));
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    assert_eq!((found, path), (property, steps.to_vec()), "{bug}");
}

#[test]
fn forget_promise_is_found() {
    assert_bug(
        WorBug::ForgetPromise,
        "refines the WOR spec",
        &[
            "cB -> a0: Prepare(1.B)",
            "a0 -> cB: Promise(1.B, None)",
            "cB -> a2: Prepare(1.B)",
            "crash a2",
            "restart a2",
        ],
    );
}

#[test]
fn accept_lower_ballot_is_found() {
    assert_bug(
        WorBug::AcceptLowerBallot,
        "refines the WOR spec",
        &[
            "cA -> a0: Prepare(1.A)",
            "a0 -> cA: Promise(1.A, None)",
            "cA -> a1: Prepare(1.A)",
            "a1 -> cA: Promise(1.A, None)",
            "cA -> a1: Accept(1.A, 'A')",
            "cB -> a0: Prepare(1.B)",
            "a0 -> cB: Promise(1.B, None)",
            "cA -> a0: Accept(1.A, 'A')",
            "cB -> a2: Prepare(1.B)",
            "a2 -> cB: Promise(1.B, None)",
            "cB -> a1: Accept(1.B, 'B')",
            "cB -> a2: Accept(1.B, 'B')",
        ],
    );
}

#[test]
fn ignore_accepted_value_is_found() {
    assert_bug(
        WorBug::IgnoreAcceptedValue,
        "refines the WOR spec",
        &[
            "cA -> a0: Prepare(1.A)",
            "a0 -> cA: Promise(1.A, None)",
            "cA -> a1: Prepare(1.A)",
            "a1 -> cA: Promise(1.A, None)",
            "cA -> a0: Accept(1.A, 'A')",
            "cB -> a0: Prepare(1.B)",
            "a0 -> cB: Promise(1.B, Some((1.A, 'A')))",
            "cB -> a2: Prepare(1.B)",
            "a2 -> cB: Promise(1.B, None)",
            "cB -> a0: Accept(1.B, 'B')",
            "cB -> a2: Accept(1.B, 'B')",
            "cA -> a1: Accept(1.A, 'A')",
        ],
    );
}

#[test]
fn minority_quorum_is_found() {
    // A writes after one promise: a majority (a0, a1) stands behind 1.A only as the write
    // lands, so the capture and the write happen in one step, which the spec cannot take.
    assert_bug(
        WorBug::MinorityQuorum,
        "refines the WOR spec",
        &[
            "cA -> a0: Prepare(1.A)",
            "a0 -> cA: Promise(1.A, None)",
            "cA -> a1: Accept(1.A, 'A')",
        ],
    );
}

#[test]
fn read_no_complete_is_found() {
    // B is chosen on a1 and a2 while the reader sees A on a0 and nothing on a2, and returns
    // A without completing it.
    assert_bug(
        WorBug::ReadNoComplete,
        "agreement",
        &[
            "cA -> a0: Prepare(1.A)",
            "a0 -> cA: Promise(1.A, None)",
            "cA -> a1: Prepare(1.A)",
            "a1 -> cA: Promise(1.A, None)",
            "cA -> a0: Accept(1.A, 'A')",
            "cB -> a1: Prepare(1.B)",
            "a1 -> cB: Promise(1.B, None)",
            "cB -> a2: Prepare(1.B)",
            "a2 -> cB: Promise(1.B, None)",
            "cB -> a1: Accept(1.B, 'B')",
            "a1 -> cB: Accepted(1.B)",
            "cC -> a0: Read(1.C)",
            "a0 -> cC: ReadReply(1.C, Some((1.A, 'A')))",
            "cC -> a2: Read(1.C)",
            "a2 -> cC: ReadReply(1.C, None)",
            "cB -> a2: Accept(1.B, 'B')",
            "a2 -> cB: Accepted(1.B)",
        ],
    );
}

/// Under symmetry the model steps to canonical states, so a counterexample's acceptors are
/// renamed from step to step; `original_actions` renames them back. Replayed on the model
/// without reduction, those actions are each enabled and end in the same violation.
#[test]
fn symmetric_counterexamples_replay_without_reduction() {
    for bug in WorBug::ALL {
        let reduced = WorConfig {
            symmetry: true,
            ..bug.config()
        };
        let checker = bfs(reduced);
        let model = checker.model();
        let (property, path) = model
            .properties()
            .iter()
            .filter(|p| p.expectation == Expectation::Always)
            .find_map(|p| checker.discovery(p.name).map(|path| (p.name, path)))
            .unwrap_or_else(|| panic!("{bug} not found under symmetry"));
        let steps = first_violation(model, property, path).expect("a violating path");
        let unreduced = bug.config().into_model();
        let mut s = unreduced.init_states().remove(0);
        for action in original_actions(model, &steps) {
            let mut enabled = Vec::new();
            unreduced.actions(&s, &mut enabled);
            assert!(enabled.contains(&action), "{bug}: {action:?} not enabled");
            s = unreduced.next_state(&s, action).expect("a step");
        }
        let holds = unreduced
            .properties()
            .into_iter()
            .find(|p| p.name == property)
            .map(|p| (p.condition)(&unreduced, &s));
        assert_eq!(holds, Some(false), "{bug}: {property}");
    }
}
