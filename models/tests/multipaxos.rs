//! The Multi-Paxos model: pinned state counts, and each bug found with a pinned
//! counterexample (single-threaded breadth-first search, deterministic).

use stateright::{Checker, Expectation, HasDiscoveries, Model};
use worm_models::multipaxos::{MpBug, MpConfig, MpModel};
use worm_refinement::first_violation;

fn bfs(cfg: MpConfig) -> impl Checker<MpModel> {
    cfg.into_model()
        .checker()
        .finish_when(HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join()
}

fn violation(checker: &impl Checker<MpModel>) -> Option<(&'static str, Vec<String>)> {
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

fn assert_safe(cfg: MpConfig, count: usize) {
    let label = format!("{cfg:?}");
    let checker = bfs(cfg);
    assert_eq!(violation(&checker), None, "{label}");
    for p in checker.model().properties() {
        if p.expectation == Expectation::Sometimes {
            assert!(checker.discovery(p.name).is_some(), "{} in {label}", p.name);
        }
    }
    assert_eq!(checker.unique_state_count(), count, "{label}");
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
    let expected = [
        (
            MpBug::IgnorePromisedValues,
            15,
            "pB -> a1: Accept(1.B, [0: B1@1.B])",
        ),
        (
            MpBug::PrepareOneSlot,
            19,
            "pA -> a1: Accept(1.A, [1: A2@1.A])",
        ),
    ];
    for (bug, len, last) in expected {
        let checker = bfs(bug.config());
        let (name, steps) = violation(&checker).expect("the bug is found");
        assert_eq!(name, "agreement", "{bug}");
        assert_eq!(steps.len(), len, "{bug}: {steps:#?}");
        assert_eq!(steps.last().map(String::as_str), Some(last), "{bug}");
    }
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
