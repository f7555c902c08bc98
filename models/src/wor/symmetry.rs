//! Symmetry reduction: acceptors are interchangeable.
//!
//! Renaming acceptors maps runs to runs, so the checker needs to visit one state per class of
//! states that differ only in acceptor names. The canonical member sorts acceptors by
//! everything that tells them apart — their state (volatile, durable, and whether they are
//! down), the messages to and from them, their place in each client's tally and in the ghost
//! votes — and renames them everywhere they appear. Acceptors equal in all of that are
//! interchangeable in the state itself, so any order among them gives the same representative.
//!
//! Clients are *not* interchangeable: client `c` proposes its own letter and owns the ballots
//! `(round, c)`, whose order breaks ties between equal rounds, so renaming clients would change
//! which ballot wins, not just names.

use super::model::{HistoryStep, WorSysState, HISTORIES};
use super::{ClientState, Phase, WorMsg, WorState};
use crate::symmetry::{renaming, reorder};
use crate::system::Env;
use std::cmp::Ordering;

/// The representative of `s`'s class under renaming of acceptors.
pub fn canonical(s: &WorSysState) -> WorSysState {
    let n = s
        .actors
        .iter()
        .take_while(|a| matches!(a, WorState::Acceptor(_)))
        .count();
    let Some((order, perm)) = renaming(n, |i, j| compare(s, i, j)) else {
        return s.clone();
    };
    let actors = reorder(&s.actors, &order)
        .into_iter()
        .map(|a| match a {
            WorState::Client(c) => WorState::Client(permute_client(&c, &perm)),
            acceptor => acceptor,
        })
        .collect();
    let rename = |i: u8| perm.get(usize::from(i)).map_or(i, |&j| j as u8);
    let crashed = (0..n)
        .filter(|&old| s.is_crashed(old))
        .fold(s.crashed >> n << n, |bits, old| bits | 1 << perm[old]);
    let history = if s.history.votes.is_empty() {
        s.history.clone()
    } else {
        let mut renaming = [0u8; 8];
        for (slot, &j) in renaming.iter_mut().zip(&perm) {
            *slot = j as u8;
        }
        HISTORIES.step(&s.history, HistoryStep::Rename(renaming), |h| {
            for (_, voters) in h.votes.iter_mut() {
                *voters = voters.permute(&perm);
            }
        })
    };
    WorSysState {
        actors,
        storage: reorder(&s.storage, &order),
        crashed,
        network: s.network.map(|e| Env {
            src: rename(e.src),
            dst: rename(e.dst),
            msg: e.msg,
        }),
        history,
    }
}

/// Compares what tells acceptors `i` and `j` apart, independent of any acceptor's name except
/// their own (messages between acceptors do not exist): their state, whether they are down,
/// their storage, the messages from and to each (in network order, as `(sent by it, client,
/// message)`), then their membership in each client's tally and in each ghost vote.
///
/// The same lexicographic order as comparing the tuples of those fields with the sequences
/// collected into vectors, without allocating them: this runs for every generated state.
fn compare(s: &WorSysState, i: usize, j: usize) -> Ordering {
    let own = |k: usize| (&s.actors[k], s.is_crashed(k), &s.storage[k]);
    own(i)
        .cmp(&own(j))
        .then_with(|| messages(s, i).cmp(messages(s, j)))
        .then_with(|| tallies(s, i).cmp(tallies(s, j)))
}

fn messages(s: &WorSysState, i: usize) -> impl Iterator<Item = (bool, u8, WorMsg)> + '_ {
    let i = i as u8;
    s.network
        .iter()
        .filter(move |e| e.src == i || e.dst == i)
        .map(move |e| (e.src == i, e.src.max(e.dst), e.msg))
}

fn tallies(s: &WorSysState, i: usize) -> impl Iterator<Item = bool> + '_ {
    s.actors[s.actors.len().min(i + 1)..]
        .iter()
        .filter_map(move |a| match a {
            WorState::Client(c) => Some(match c.phase {
                Phase::Prepare { promises: set, .. }
                | Phase::Accept { accepts: set, .. }
                | Phase::Read { replies: set, .. } => set.contains(i),
                Phase::Done => false,
            }),
            WorState::Acceptor(_) => None,
        })
        .chain(
            s.history
                .votes
                .iter()
                .map(move |(_, voters)| voters.contains(i)),
        )
}

fn permute_client(c: &ClientState, perm: &[usize]) -> ClientState {
    let mut phase = c.phase;
    match &mut phase {
        Phase::Prepare { promises: set, .. }
        | Phase::Accept { accepts: set, .. }
        | Phase::Read { replies: set, .. } => *set = set.permute(perm),
        Phase::Done => {}
    }
    ClientState { phase, ..*c }
}
