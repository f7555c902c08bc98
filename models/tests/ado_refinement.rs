//! CASPaxos and Multi-Paxos refine the ADO: pinned state counts of both refinement checks,
//! and protocol bugs or broken abstractions caught with short counterexamples.

use stateright::{Checker, Expectation, HasDiscoveries, Model};
use worm_models::multipaxos::{MpBug, MpConfig};
use worm_models::refines_ado::multipaxos::{refines_ado, MpAdoCheck};
use worm_refinement::first_violation;

fn bfs(m: MpAdoCheck) -> impl Checker<MpAdoCheck> {
    m.checker()
        .finish_when(HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join()
}

fn violation<M: Model>(checker: &impl Checker<M>) -> Option<(&'static str, Vec<String>)>
where
    M::State: std::fmt::Debug + Clone + PartialEq + std::hash::Hash,
    M::Action: std::fmt::Debug + Clone + PartialEq,
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

#[test]
fn scratch() {
    for cfg in [MpConfig::default(), MpConfig { commands: vec![2, 1], ..MpConfig::default() }, MpConfig { attempts: 2, ..MpConfig::default() }] {
        let c = bfs(refines_ado(cfg.clone()));
        println!("{cfg:?} {} {:#?}", c.unique_state_count(), violation(&c));
        if let Some((name, _)) = violation(&c) {
            let path = c.discovery(name).unwrap();
            let m = c.model();
            let path = first_violation(m, name, path).unwrap();
            let last = &path[path.len()-2];
            if let Some(a) = &last.1 { println!("{}", m.format_step(&last.0, a.clone()).unwrap_or_default().lines().take(6).collect::<Vec<_>>().join("\n")); }
        }
    }
    for bug in MpBug::ALL {
        let c = bfs(refines_ado(bug.config()));
        println!("{bug} {} {:#?}", c.unique_state_count(), violation(&c));
    }
    panic!()
}
