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
use crate::symmetry::{renaming, reorder_in_place, Renaming};
use std::cmp::Ordering;

/// Renames the acceptors of `s` into the canonical order of its class, in place; returns the
/// renaming, unless it is the identity.
pub fn canonicalise(s: &mut WorSysState) -> Option<Renaming> {
    let n = s
        .actors()
        .iter()
        .take_while(|a| matches!(a, WorState::Acceptor(_)))
        .count();
    let mut own = [0u128; Renaming::MAX];
    for (k, key) in own.iter_mut().enumerate().take(n) {
        *key = own_key(s, k);
    }
    let r = renaming(n, |i, j| compare(s, &own, i, j))?;
    s.rearrange(|actors, storage, crashed| {
        reorder_in_place(&mut actors[..n], r.order());
        for a in &mut actors[n..] {
            if let WorState::Client(c) = a {
                permute_client(c, r.perm());
            }
        }
        reorder_in_place(&mut storage[..n], r.order());
        *crashed = (0..n)
            .filter(|&old| *crashed & 1 << old != 0)
            .fold(*crashed >> n << n, |bits, old| bits | 1 << r.perm()[old]);
    });
    s.network.rename(|i| r.rename(i));
    // Most renamings leave every ghost vote set as it is (say, when all acceptors voted).
    let perm = r.perm();
    if s.history.votes.iter().any(|&(_, v)| v.permute(perm) != v) {
        let mut renaming = [0u8; 8];
        for (slot, &j) in renaming.iter_mut().zip(r.perm()) {
            *slot = j as u8;
        }
        s.history = HISTORIES.step(&s.history, HistoryStep::Rename(renaming), |h| {
            for (_, voters) in h.votes.iter_mut() {
                *voters = voters.permute(perm);
            }
        });
    }
    Some(r)
}

/// Compares what tells acceptors `i` and `j` apart, independent of any acceptor's name except
/// their own (messages between acceptors do not exist): their state, whether they are down,
/// their storage (packed, see [`own_key`]), the messages from and to each (in network order, as `(sent by it, client,
/// message)`), then their membership in each client's tally and in each ghost vote.
///
/// The same lexicographic order as comparing the tuples of those fields with the sequences
/// collected into vectors, without allocating them: this runs for every generated state.
fn compare(s: &WorSysState, own: &[u128], i: usize, j: usize) -> Ordering {
    own[i]
        .cmp(&own[j])
        .then_with(|| messages(s, i).cmp(messages(s, j)))
        .then_with(|| tallies(s, i).cmp(tallies(s, j)))
}

/// An acceptor's own state, whether it is down, and its storage, packed into one number
/// (computed once per acceptor, not once per comparison).
fn own_key(s: &WorSysState, k: usize) -> u128 {
    let WorState::Acceptor(a) = s.actors()[k] else {
        unreachable!("only acceptors are renamed")
    };
    let disk = s.storage()[k].map_or(0, |d| 1 << 54 | d.word());
    u128::from(a.word()) << 64 | u128::from(s.is_crashed(k)) << 55 | u128::from(disk)
}

fn messages(s: &WorSysState, i: usize) -> impl Iterator<Item = (bool, u8, WorMsg)> + '_ {
    let i = i as u8;
    s.network
        .iter()
        .filter(move |e| e.src == i || e.dst == i)
        .map(move |e| (e.src == i, e.src.max(e.dst), e.msg))
}

fn tallies(s: &WorSysState, i: usize) -> impl Iterator<Item = bool> + '_ {
    s.actors()[s.actors().len().min(i + 1)..]
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

fn permute_client(c: &mut ClientState, perm: &[usize]) {
    match &mut c.phase {
        Phase::Prepare { promises: set, .. }
        | Phase::Accept { accepts: set, .. }
        | Phase::Read { replies: set, .. } => *set = set.permute(perm),
        Phase::Done => {}
    }
}
