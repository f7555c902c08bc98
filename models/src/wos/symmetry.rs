//! Symmetry reduction: the acceptors of one partition are interchangeable.
//!
//! Renaming acceptors within a partition maps runs to runs (a client talks to a partition as
//! a whole and counts its replies as a set), so the checker needs one state per class of
//! states that differ only in those names. The canonical member sorts each partition's
//! acceptors by their state (volatile, durable, and whether they are down) and renames them
//! everywhere they appear: in messages' sources and destinations, in the sets of acceptors
//! that clients and the subscriber count, and in the ghost votes. Acceptors of different
//! partitions hold different segments, and clients are not interchangeable (see the WOR
//! model's symmetry), so nothing else is renamed.

use super::model::WosSysState;
use super::{OpPhase, WosMsg, WosState};
use crate::symmetry::{renaming, reorder};
use crate::wor::Phase;
use stateright::actor::Id;
use stateright::{Rewrite, RewritePlan};
use std::sync::Arc;

impl Rewrite<Id> for WosMsg {
    /// Messages name segments, ballots and values, never actors.
    fn rewrite<S>(&self, _plan: &RewritePlan<Id, S>) -> Self {
        *self
    }
}

/// The representative of `s`'s class under renaming of acceptors within partitions.
pub fn canonical(s: &WosSysState) -> WosSysState {
    let n = s
        .actor_states
        .iter()
        .take_while(|a| matches!(***a, WosState::Acceptor(_)))
        .count();
    // An acceptor's state begins with its partition, so sorting keeps each in its own.
    let key = |i: usize| (&s.actor_states[i], &s.actor_storages[i], s.crashed[i]);
    let Some(renaming) = renaming(n, |i, j| key(i).cmp(&key(j))) else {
        return s.clone();
    };
    let (order, perm) = (renaming.order(), renaming.perm().to_vec());
    let actor_states = reorder(&s.actor_states, order)
        .into_iter()
        .map(|a| match &*a {
            WosState::Client(c) => {
                let mut c = c.clone();
                if let Some(op) = &mut c.op {
                    match &mut op.phase {
                        OpPhase::Wor(phases) => {
                            for phase in phases.values_mut() {
                                permute_phase(phase, &perm);
                            }
                        }
                        OpPhase::Dropping(acks) => *acks = acks.permute(&perm),
                    }
                }
                Arc::new(WosState::Client(c))
            }
            WosState::Subscriber(sub) => {
                let mut sub = sub.clone();
                for (_, _, set) in sub.heard.iter_mut() {
                    *set = set.permute(&perm);
                }
                Arc::new(WosState::Subscriber(sub))
            }
            WosState::Acceptor(_) => a,
        })
        .collect();
    let plan = RewritePlan::new(perm.clone(), |id: &Id, perm: &Vec<usize>| {
        let i = usize::from(*id);
        Id::from(perm.get(i).copied().unwrap_or(i))
    });
    let mut history = s.history.clone();
    for wor in history.wors.iter_mut() {
        for (_, voters) in wor.votes.iter_mut() {
            *voters = voters.permute(&perm);
        }
    }
    WosSysState {
        actor_states,
        network: s.network.rewrite(&plan),
        timers_set: reorder(&s.timers_set, order),
        random_choices: reorder(&s.random_choices, order),
        crashed: reorder(&s.crashed, order),
        history,
        actor_storages: reorder(&s.actor_storages, order),
    }
}

fn permute_phase(phase: &mut Phase, perm: &[usize]) {
    match phase {
        Phase::Prepare { promises: set, .. }
        | Phase::Accept { accepts: set, .. }
        | Phase::Read { replies: set, .. } => *set = set.permute(perm),
        Phase::Done => {}
    }
}
