//! # Multi-Paxos: a replicated log from one phase 1 for all later slots
//!
//! A log of slots, each a single-shot Paxos instance, run by proposers (would-be leaders) over
//! 2F+1 acceptors. What makes it Multi-Paxos (Lamport, *Paxos Made Simple* §3) is that a leader
//! runs phase 1 *once* for every slot from the first it does not know to be chosen onwards, and
//! then runs only phase 2 for each command it proposes:
//!
//! - **prepare / promise** (phase 1, for all later slots). The proposer picks a ballot
//!   `(counter, proposer id)` larger than any it has used or been shown and sends
//!   `Prepare(ballot, from)`, `from` being the length of the log prefix it knows to be chosen.
//!   An acceptor whose promise is not higher promises the ballot *for every slot* and answers
//!   `Promise` with the proposal it accepted last in each slot from `from` on; otherwise it
//!   answers `Nack` naming its promise (the proposer fast-forwards past it and retries while it
//!   has attempts left; then its command fails, visibly).
//! - With a quorum of promises the proposer leads. It must *finish what others started*: in
//!   every slot from `from` on it takes the proposal of the highest ballot among the promises,
//!   as long as the slots so taken are contiguous. Those recovered entries come first; its own
//!   command goes in the next free slot.
//! - **accept / accepted** (phase 2). The leader sends `Accept(ballot, from, entries)` with the
//!   recovered entries and its new one (one batch: recovery and proposal are chosen together).
//!   An acceptor accepts unless it promised a higher ballot, and answers `Accepted`. A quorum of
//!   `Accepted` means the batch is chosen: the leader's command is committed, and the leader
//!   proposes its next command at the next slot with phase 2 alone, under the same ballot. A
//!   `Nack` in phase 2 leaves the outcome unknown (the entries may sit on some acceptors, to be
//!   finished by the next leader) and the proposer must run phase 1 again.
//!
//! Each entry carries, besides its command, two ghost fields the protocol never reads: the
//! ballot under which it was first proposed (its *timestamp*) and the command of the entry in
//! the slot before it (its *parent*). They name the entry in the ADO's cache tree, see
//! [`crate::refines_ado::multipaxos`].
//!
//! ## Invariants
//!
//! - An acceptor never accepts below its promise, and its promise never goes down.
//! - *Agreement*: at most one entry is ever chosen in a slot (an entry is chosen when a quorum
//!   of acceptors accepted it at one ballot).
//! - *The chosen log is one chain*: the chosen slots form a prefix of the log, and the entry
//!   chosen in each slot names the one chosen in the slot before it as its parent. This is what
//!   the ADO sees: committed entries form a log.

pub mod model;

use crate::caspaxos::Ballot;
use crate::wor::AcceptorSet;
use serde::Serialize;
use std::fmt;

pub use model::{MpBug, MpConfig, MpModel};

/// Most slots a model's log has.
pub const MAX_SLOTS: usize = 3;

/// A command: proposer `p`'s `j`-th is `16 p + j`, shown `A1` for proposer A's first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Cmd(pub u8);

impl Cmd {
    pub fn new(proposer: usize, j: usize) -> Self {
        Cmd((proposer * 16 + j) as u8)
    }

    pub fn proposer(self) -> usize {
        usize::from(self.0 / 16)
    }
}

impl fmt::Debug for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", (b'A' + self.0 / 16) as char, self.0 % 16 + 1)
    }
}

/// A log entry: a command, with its ghost name in the ADO's cache tree.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Entry {
    pub cmd: Cmd,
    /// Ghost: the ballot under which the entry was first proposed.
    pub time: Ballot,
    /// Ghost: the command in the slot before (none in slot 0).
    pub parent: Option<Cmd>,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}@{:?}", self.cmd, self.time)
    }
}

/// A proposal accepted in one slot: the ballot it was accepted at, and its entry.
pub type Proposal = (Ballot, Entry);

/// Per slot, what a promise reports, a leader recovers, or an accept carries.
pub type Slots<T> = [Option<T>; MAX_SLOTS];

/// The messages. Every reply names the ballot it answers, so a proposer ignores stale ones.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum MpMsg {
    /// Phase 1a for every slot from `from` on.
    Prepare { ballot: Ballot, from: u8 },
    /// Phase 1b: the accepted proposals of slots `from..`.
    Promise {
        ballot: Ballot,
        accepted: Slots<Proposal>,
    },
    /// Phase 2a for the slots whose entries are given.
    Accept {
        ballot: Ballot,
        entries: Slots<Entry>,
    },
    /// Phase 2b for the batch whose last slot is `upto`.
    Accepted { ballot: Ballot, upto: u8 },
    /// The acceptor promised `promised`, higher; `phase2` tells which request it answers.
    Nack {
        ballot: Ballot,
        promised: Ballot,
        phase2: bool,
    },
}

/// `[0: A1@1.A, 1: -]`-style list of the slots that hold something.
struct ShowSlots<'a, T>(&'a Slots<T>);

impl<T: fmt::Debug> fmt::Debug for ShowSlots<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        let mut first = true;
        for (k, x) in self.0.iter().enumerate() {
            if let Some(x) = x {
                if !first {
                    f.write_str(", ")?;
                }
                first = false;
                write!(f, "{k}: {x:?}")?;
            }
        }
        f.write_str("]")
    }
}

impl fmt::Debug for MpMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MpMsg::Prepare { ballot, from } => write!(f, "Prepare({ballot:?}, slots {from}..)"),
            MpMsg::Promise { ballot, accepted } => {
                write!(f, "Promise({ballot:?}, {:?})", ShowSlots(accepted))
            }
            MpMsg::Accept { ballot, entries } => {
                write!(f, "Accept({ballot:?}, {:?})", ShowSlots(entries))
            }
            MpMsg::Accepted { ballot, upto } => write!(f, "Accepted({ballot:?}, ..{upto})"),
            MpMsg::Nack {
                ballot, promised, ..
            } => write!(f, "Nack({ballot:?}, promised {promised:?})"),
        }
    }
}

/// An acceptor's durable state: one promise for all slots, one accepted proposal per slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AcceptorState {
    pub promised: Ballot,
    pub accepted: Slots<Proposal>,
}

impl AcceptorState {
    /// Handles a request; returns the reply.
    pub fn step(&mut self, msg: MpMsg, bug: Option<MpBug>) -> Option<MpMsg> {
        match msg {
            MpMsg::Prepare { ballot, from } if ballot >= self.promised => {
                self.promised = ballot;
                let mut accepted = [None; MAX_SLOTS];
                let upto = match bug {
                    // Phase 1 answered for the first slot only.
                    Some(MpBug::PrepareOneSlot) => usize::from(from) + 1,
                    _ => MAX_SLOTS,
                };
                let from = usize::from(from);
                accepted[from..upto].copy_from_slice(&self.accepted[from..upto]);
                Some(MpMsg::Promise { ballot, accepted })
            }
            MpMsg::Accept { ballot, entries } if ballot >= self.promised => {
                self.promised = ballot;
                let mut upto = 0;
                for (k, e) in entries.iter().enumerate() {
                    if let Some(e) = e {
                        self.accepted[k] = Some((ballot, *e));
                        upto = k as u8;
                    }
                }
                Some(MpMsg::Accepted { ballot, upto })
            }
            MpMsg::Prepare { ballot, .. } | MpMsg::Accept { ballot, .. } => Some(MpMsg::Nack {
                ballot,
                promised: self.promised,
                phase2: matches!(msg, MpMsg::Accept { .. }),
            }),
            _ => None,
        }
    }
}

/// Where a proposer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Phase {
    /// Not leading: its next command starts with phase 1 (or it has none left).
    Idle,
    /// Phase 1: promises so far, and the highest proposal seen per slot.
    Prepare {
        ballot: Ballot,
        from: u8,
        promises: AcceptorSet,
        picked: Slots<Proposal>,
    },
    /// Leading under `ballot`, with `entries` (recovered ones) to propose before its next
    /// command, which goes in slot `next`. `tip` is the entry the next one builds on.
    Lead {
        ballot: Ballot,
        entries: Slots<Entry>,
        next: u8,
        tip: Option<Entry>,
    },
    /// Phase 2 for `entries`, the last in slot `upto`.
    Accept {
        ballot: Ballot,
        entries: Slots<Entry>,
        upto: u8,
        accepts: AcceptorSet,
    },
}

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Outcome {
    /// Chosen in this slot.
    Committed(u8),
    /// Phase 1 failed on every attempt, or the log was full: the command was never proposed.
    Failed,
    /// Phase 2 was rejected: the command may or may not be chosen later.
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ProposerState {
    pub counter: u8,
    /// The slots it knows to be chosen: `0..known`.
    pub known: u8,
    /// Commands finished; the current one is the next.
    pub done: u8,
    /// The entry it knows chosen in slot `known - 1`, which its next command builds on.
    pub tip: Option<Entry>,
    pub attempts_left: u8,
    pub phase: Phase,
    pub last: Option<Outcome>,
}
