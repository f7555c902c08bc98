//! Symmetry reduction: acceptors are interchangeable.
//!
//! Renaming acceptors maps runs to runs, so the checker needs to visit one state per class of
//! states that differ only in acceptor names. The canonical member sorts acceptors by their
//! state (volatile, durable, and whether they are down) and renames them everywhere they
//! appear: in messages' sources and destinations, in the sets of acceptors that clients count
//! towards a quorum, and in the ghost votes.
//!
//! Clients are *not* interchangeable: client `c` proposes its own letter and owns the ballots
//! `(round, c)`, whose order breaks ties between equal rounds, so renaming clients would change
//! which ballot wins, not just names.

use super::model::WorSysState;
use super::{ClientState, Phase, WorMsg, WorState};
use stateright::actor::Id;
use stateright::{Rewrite, RewritePlan};
use std::sync::Arc;

impl Rewrite<Id> for WorMsg {
    /// Messages name ballots and values, never actors.
    fn rewrite<S>(&self, _plan: &RewritePlan<Id, S>) -> Self {
        *self
    }
}

/// The representative of `s`'s class under renaming of acceptors.
pub fn canonical(s: &WorSysState) -> WorSysState {
    let n = s
        .actor_states
        .iter()
        .take_while(|a| matches!(***a, WorState::Acceptor(_)))
        .count();
    let key = |i: usize| (&s.actor_states[i], &s.actor_storages[i], s.crashed[i]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| key(i).cmp(&key(j)));
    if order.iter().enumerate().all(|(new, &old)| new == old) {
        return s.clone();
    }
    // perm[old] = new
    let mut perm = vec![0; n];
    for (new, &old) in order.iter().enumerate() {
        perm[old] = new;
    }
    fn reorder<T: Clone>(v: &[T], order: &[usize]) -> Vec<T> {
        order
            .iter()
            .map(|&old| v[old].clone())
            .chain(v[order.len()..].iter().cloned())
            .collect()
    }
    let actor_states = reorder(&s.actor_states, &order)
        .into_iter()
        .map(|a| match &*a {
            WorState::Client(c) => Arc::new(WorState::Client(permute_client(c, &perm))),
            WorState::Acceptor(_) => a,
        })
        .collect();
    let plan = RewritePlan::new(perm.clone(), |id: &Id, perm: &Vec<usize>| {
        let i = usize::from(*id);
        Id::from(perm.get(i).copied().unwrap_or(i))
    });
    let mut history = s.history.clone();
    for (_, voters) in history.votes.iter_mut() {
        *voters = voters.permute(&perm);
    }
    WorSysState {
        actor_states,
        network: s.network.rewrite(&plan),
        timers_set: reorder(&s.timers_set, &order),
        random_choices: reorder(&s.random_choices, &order),
        crashed: reorder(&s.crashed, &order),
        history,
        actor_storages: reorder(&s.actor_storages, &order),
    }
}

fn permute_client(c: &ClientState, perm: &[usize]) -> ClientState {
    let mut phase = c.phase;
    match &mut phase {
        Phase::Prepare { promises: set, .. }
        | Phase::Accept { accepts: set, .. }
        | Phase::Read { replies: set, .. } => *set = set.permute(perm),
        Phase::Done => {}
    }
    ClientState { phase, ..c.clone() }
}
