//! # The write-once register (WOR) as single-shot Paxos
//!
//! A WOR holds one value, forever. WormSpace builds it from 2F+1 *acceptors* (wormservers),
//! each keeping two durable fields, and a client library that runs the two phases of Paxos as
//! the register's API:
//!
//! - **capture** (phase 1). The client picks a ballot `(round, client)`, larger than any it has
//!   used or seen, and sends `Prepare(ballot)`. An acceptor whose promise is not higher promises
//!   the ballot, persists the promise, and answers `Promise(ballot, accepted)` with the proposal
//!   it last accepted, if any; otherwise it answers `Nack(ballot, promised)`. A quorum of
//!   promises is a capture: until someone captures with a higher ballot, this client alone can
//!   write. A nack means the capture was stolen; the client retries with a higher round while
//!   it has attempts left (fast-forwarding past the ballot it was shown).
//! - **write** (phase 2). With a capture, the client sends `Accept(ballot, value)`. The value is
//!   *not* free: if any promise in the quorum reported an accepted proposal, the client must
//!   write the value of the highest-ballot one, finishing whatever an earlier writer started;
//!   the caller learns which value won. An acceptor accepts unless it promised a higher ballot
//!   (then it nacks), persisting before it answers. A quorum of `Accepted` means the value is
//!   chosen. A nack means the capture was stolen mid-write: the outcome is *unknown*, because
//!   the proposal may already sit on some acceptors and a later capturer will finish it.
//! - **read**. The client asks a quorum for their accepted proposals (`Read`, which changes
//!   nothing). If the quorum agrees on one proposal, or on nothing, that is the answer. If it
//!   sees a value accepted by fewer than a quorum, the read cannot tell whether it was chosen,
//!   so it *completes* it: a capture and a write of the highest proposal it finds, with its own
//!   ballot, before returning it.
//!
//! Clients are *writers*, which capture and then write (retrying the capture while they have
//! attempts left), and *readers*, which read once, concurrently with the writers: a read that
//! meets a half-written register is the interesting case. Client `c` is named by the letter
//! `'A' + c`, which is also the value a writer proposes. Acceptors keep promise and accepted proposal in stateright's actor `Storage`, so
//! crashes and restarts lose only what was not persisted.
//!
//! ## Invariants
//!
//! - An acceptor never accepts below its promise, and its promise and accepted ballot never
//!   go down, across crashes too.
//! - All proposals at ballots at or above the one at which a value was chosen carry that
//!   value (the heart of Paxos, owed to the "highest accepted value" rule). Hence
//!   *agreement*: no two clients are ever told different values; and *stability*: once a value
//!   is returned, every later read returns it.
//! - The client-visible history of capture / write / read is linearizable against the
//!   sequential object in [`spec`], and the protocol refines that object (see [`model`]).

mod hash;
pub mod mirror;
pub mod model;
pub mod spec;
pub mod symmetry;

use serde::Serialize;
use spec::WorRet;
pub use spec::{Ballot, Value};
use stateright::actor::{Actor, Id, Out};
use std::borrow::Cow;
use std::fmt;

pub use model::{WorBug, WorConfig};

/// An accepted proposal: the ballot it was accepted at, and its value.
pub type Proposal = (Ballot, Value);

/// The messages between clients and acceptors. Every message names the ballot it belongs to,
/// so a client can ignore stale replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum WorMsg {
    /// Capture, phase 1a: "promise to ignore ballots below this one".
    Prepare(Ballot),
    /// Phase 1b: the promise, with the acceptor's last accepted proposal.
    Promise(Ballot, Option<Proposal>),
    /// Write, phase 2a.
    Accept(Ballot, Value),
    /// Phase 2b.
    Accepted(Ballot),
    /// The acceptor promised the second, higher ballot: the capture was stolen.
    Nack(Ballot, Ballot),
    /// Read: report your accepted proposal.
    Read(Ballot),
    ReadReply(Ballot, Option<Proposal>),
}

/// A set of acceptors (by index), for counting quorums.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AcceptorSet(pub u8);

impl AcceptorSet {
    /// Adds acceptor `i`; false if it was already there.
    pub fn insert(&mut self, i: usize) -> bool {
        let new = self.0 & (1 << i) == 0;
        self.0 |= 1 << i;
        new
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, i: usize) -> bool {
        self.0 & (1 << i) != 0
    }

    /// The set with acceptor `i` added.
    pub fn with(mut self, i: usize) -> Self {
        self.insert(i);
        self
    }

    /// The same set after renaming acceptor `i` to `perm[i]`.
    pub fn permute(self, perm: &[usize]) -> Self {
        let mut out = AcceptorSet::default();
        for (i, &j) in perm.iter().enumerate() {
            if self.0 & (1 << i) != 0 {
                out.insert(j);
            }
        }
        out
    }
}

impl fmt::Debug for AcceptorSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries((0..8).filter(|i| self.0 & (1 << i) != 0))
            .finish()
    }
}

/// An acceptor's state. All of it is durable: it is saved before every reply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AcceptorState {
    pub promised: Ballot,
    pub accepted: Option<Proposal>,
}

/// Where a client is in its capture, write, read sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Phase {
    /// Paxos phase 1: a capture, or a read completing the value it saw on fewer than a quorum
    /// (`completing`, written if phase 1 finds nothing accepted).
    Prepare {
        ballot: Ballot,
        promises: AcceptorSet,
        highest: Option<Proposal>,
        completing: Option<Value>,
    },
    /// Paxos phase 2: a write, or a read's completion.
    Accept {
        ballot: Ballot,
        value: Value,
        accepts: AcceptorSet,
        completing: bool,
    },
    Read {
        ballot: Ballot,
        replies: AcceptorSet,
        highest: Option<Proposal>,
        /// Every reply so far equals `highest`.
        unanimous: bool,
    },
    Done,
}

impl Phase {
    /// Would delivering `msg` from acceptor `from` change this phase, now or ever? A client
    /// only listens to replies for its current ballot and phase, from acceptors it has not
    /// heard from yet; its phases and ballots never go back, so a reply it ignores now stays
    /// ignored.
    pub fn awaits(&self, from: usize, msg: &WorMsg) -> bool {
        match (*self, *msg) {
            (
                Phase::Prepare {
                    ballot, promises, ..
                },
                WorMsg::Promise(b, _),
            ) => b == ballot && !promises.contains(from),
            (
                Phase::Accept {
                    ballot, accepts, ..
                },
                WorMsg::Accepted(b),
            ) => b == ballot && !accepts.contains(from),
            (Phase::Prepare { ballot, .. } | Phase::Accept { ballot, .. }, WorMsg::Nack(b, _)) => {
                b == ballot
            }
            (
                Phase::Read {
                    ballot, replies, ..
                },
                WorMsg::ReadReply(b, _),
            ) => b == ballot && !replies.contains(from),
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ClientState {
    /// The highest round this client has used, or seen in a nack.
    pub round: u8,
    pub captures_left: u8,
    pub phase: Phase,
    /// What each finished operation returned, in order.
    pub results: Results,
}

/// What a client's finished operations returned, in order. A client finishes at most two: a
/// writer's capture and then its write (or one failed capture), a reader's read. A fixed array
/// rather than a vector keeps the client state `Copy`, so states clone without allocating.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Results([Option<WorRet>; 2]);

impl Results {
    pub fn len(&self) -> usize {
        self.0.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0[0].is_none()
    }

    pub fn iter(&self) -> impl Iterator<Item = WorRet> + '_ {
        self.0.iter().flatten().copied()
    }

    /// Both slots, filled in order.
    fn slots(&self) -> [Option<WorRet>; 2] {
        self.0
    }

    fn push(&mut self, ret: WorRet) {
        let slot = self.0.iter_mut().find(|r| r.is_none());
        *slot.expect("a client finishes at most two operations") = Some(ret);
    }
}

impl fmt::Debug for Results {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl ClientState {
    /// Would delivering `msg` from acceptor `from` change this client, now or ever? See
    /// [`Phase::awaits`]; the model drops dead replies from the network.
    pub fn awaits(&self, from: usize, msg: &WorMsg) -> bool {
        self.phase.awaits(from, msg)
    }

    /// The operation in flight, as the history records it.
    pub fn current_op(&self) -> Option<spec::WorOp> {
        use spec::WorOp;
        match self.phase {
            Phase::Prepare {
                ballot,
                completing: None,
                ..
            } => Some(WorOp::Capture(ballot.client)),
            Phase::Accept {
                ballot,
                value,
                completing: false,
                ..
            } => Some(WorOp::Write(ballot, value)),
            Phase::Read { .. } | Phase::Prepare { .. } | Phase::Accept { .. } => Some(WorOp::Read),
            Phase::Done => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum WorState {
    Acceptor(AcceptorState),
    Client(ClientState),
}

/// What a client does: a writer captures, then writes its letter; a reader reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Writer,
    Reader,
}

/// The actors of the model: acceptors take ids `0..n`, clients the ids after them.
#[derive(Clone, Debug)]
pub enum WorActor {
    Acceptor {
        bug: Option<WorBug>,
    },
    Client {
        index: u8,
        acceptors: usize,
        role: Role,
        quorum: usize,
        captures: u8,
        bug: Option<WorBug>,
    },
}

impl Actor for WorActor {
    type Msg = WorMsg;
    type State = WorState;
    type Timer = ();
    type Random = ();
    type Storage = AcceptorState;

    fn name(&self) -> String {
        match self {
            WorActor::Acceptor { .. } => "Acceptor".into(),
            WorActor::Client { index, role, .. } => format!("{role:?} {}", client_value(*index)),
        }
    }

    fn on_start(&self, _id: Id, storage: &Option<AcceptorState>, o: &mut Out<Self>) -> WorState {
        match self {
            // A restarted acceptor has exactly what it persisted.
            WorActor::Acceptor { .. } => WorState::Acceptor(storage.unwrap_or_default()),
            WorActor::Client { captures, role, .. } => {
                let mut state = ClientState {
                    round: 0,
                    captures_left: *captures,
                    phase: Phase::Done,
                    results: Results::default(),
                };
                match role {
                    Role::Writer => self.start_capture(&mut state, o),
                    Role::Reader => self.start_read(&mut state, o),
                }
                WorState::Client(state)
            }
        }
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<WorState>, src: Id, msg: WorMsg, o: &mut Out<Self>) {
        match (self, &**state) {
            (WorActor::Acceptor { bug }, WorState::Acceptor(acceptor)) => {
                let step = acceptor_step(*bug, acceptor, msg);
                if let Some(next) = step.next {
                    // Saved in the same step as the reply, i.e. before it leaves (except a
                    // promise under `forget-promise`).
                    if !(*bug == Some(WorBug::ForgetPromise) && matches!(msg, WorMsg::Prepare(_))) {
                        o.save(next);
                    }
                }
                if let Some(reply) = step.reply {
                    o.send(src, reply);
                }
                if let Some(next) = step.next {
                    *state.to_mut() = WorState::Acceptor(next);
                }
            }
            (WorActor::Client { .. }, WorState::Client(client)) => {
                let mut next = *client;
                self.client_step(&mut next, usize::from(src), msg, o);
                if next != *client {
                    *state.to_mut() = WorState::Client(next);
                }
            }
            _ => unreachable!("actor and state kinds always match"),
        }
    }
}

/// The letter client `index` proposes.
pub fn client_value(index: u8) -> Value {
    (b'A' + index) as char
}

/// What an acceptor does with one message about one WOR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AcceptorStep {
    /// The new state, if it changed; the caller persists it before the reply leaves.
    pub next: Option<AcceptorState>,
    pub reply: Option<WorMsg>,
}

/// One acceptor step for one WOR: the acceptor half of the protocol, shared by the WOR model
/// and the WOS model (which runs it once per address a message names).
pub fn acceptor_step(bug: Option<WorBug>, s: &AcceptorState, msg: WorMsg) -> AcceptorStep {
    let (next, reply) = match msg {
        WorMsg::Prepare(b) if b >= s.promised => (
            Some(AcceptorState { promised: b, ..*s }),
            WorMsg::Promise(b, s.accepted),
        ),
        WorMsg::Accept(b, v) if b >= s.promised || bug == Some(WorBug::AcceptLowerBallot) => {
            let next = AcceptorState {
                promised: b.max(s.promised),
                accepted: Some((b, v)),
            };
            (Some(next), WorMsg::Accepted(b))
        }
        WorMsg::Prepare(b) | WorMsg::Accept(b, _) => (None, WorMsg::Nack(b, s.promised)),
        WorMsg::Read(b) => (None, WorMsg::ReadReply(b, s.accepted)),
        WorMsg::Promise(..) | WorMsg::Accepted(_) | WorMsg::Nack(..) | WorMsg::ReadReply(..) => {
            return AcceptorStep {
                next: None,
                reply: None,
            }
        }
    };
    AcceptorStep {
        next,
        reply: Some(reply),
    }
}

/// What one reply did to a client's phase for one WOR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseEvent {
    /// Nothing: the reply is stale, a duplicate, or not for this phase.
    Ignored,
    /// Counted towards a quorum that is not complete yet.
    Counted,
    /// A capture's phase 1 reached a quorum: the capture returns this ballot, and the write
    /// begins; `Accept(ballot, value)` is to be broadcast.
    Captured(Ballot, Value),
    /// A read moves on to completing the value it saw; broadcast this.
    Send(WorMsg),
    /// A capture was nacked by an acceptor that promised this ballot: the caller retries
    /// with a higher round, or gives up.
    Nacked(Ballot),
    /// The operation ended with this result; the phase is now `Done`.
    Finished(WorRet),
}

/// One client step for one WOR on a reply from acceptor `from`: the client half of the
/// protocol, shared by the WOR model and the WOS model (which runs it once per address a
/// reply names). `own` is the value the client writes when it is free to choose. Replies for
/// other ballots are stale and ignored.
pub fn phase_step(
    phase: &mut Phase,
    from: usize,
    msg: WorMsg,
    quorum: usize,
    own: Value,
    bug: Option<WorBug>,
) -> PhaseEvent {
    match (*phase, msg) {
        (
            Phase::Prepare {
                ballot,
                promises,
                highest,
                completing,
            },
            WorMsg::Promise(b, accepted),
        ) if b == ballot && !promises.contains(from) => {
            let promises = promises.with(from);
            let highest = highest.max(accepted);
            if promises.len() < quorum {
                *phase = Phase::Prepare {
                    ballot,
                    promises,
                    highest,
                    completing,
                };
                return PhaseEvent::Counted;
            }
            // Finish the highest accepted proposal, if any: the rule that keeps Paxos safe.
            let value = match (completing, bug, highest) {
                (None, Some(WorBug::IgnoreAcceptedValue), _) => own,
                (_, _, Some((_, v))) => v,
                (Some(seen), _, None) => seen,
                (None, _, None) => own,
            };
            *phase = Phase::Accept {
                ballot,
                value,
                accepts: AcceptorSet::default(),
                completing: completing.is_some(),
            };
            match completing {
                None => PhaseEvent::Captured(ballot, value),
                Some(_) => PhaseEvent::Send(WorMsg::Accept(ballot, value)),
            }
        }
        (
            Phase::Prepare {
                ballot,
                completing: None,
                ..
            },
            WorMsg::Nack(b, promised),
        ) if b == ballot => PhaseEvent::Nacked(promised),
        (
            Phase::Accept {
                ballot,
                value,
                accepts,
                completing,
            },
            WorMsg::Accepted(b),
        ) if b == ballot && !accepts.contains(from) => {
            let accepts = accepts.with(from);
            if accepts.len() < quorum {
                *phase = Phase::Accept {
                    ballot,
                    value,
                    accepts,
                    completing,
                };
                return PhaseEvent::Counted;
            }
            *phase = Phase::Done;
            PhaseEvent::Finished(if completing {
                WorRet::ReadValue(Some(value))
            } else {
                WorRet::Written(value)
            })
        }
        (
            Phase::Accept {
                ballot,
                value,
                completing,
                ..
            },
            WorMsg::Nack(b, _),
        ) if b == ballot => {
            // A stolen write has an unknown outcome; a stolen completion, no answer.
            *phase = Phase::Done;
            PhaseEvent::Finished(if completing {
                WorRet::ReadFailed
            } else {
                WorRet::Unknown(value)
            })
        }
        (Phase::Prepare { ballot, .. }, WorMsg::Nack(b, _)) if b == ballot => {
            *phase = Phase::Done;
            PhaseEvent::Finished(WorRet::ReadFailed)
        }
        (
            Phase::Read {
                ballot,
                replies,
                highest,
                unanimous,
            },
            WorMsg::ReadReply(b, accepted),
        ) if b == ballot && !replies.contains(from) => {
            let replies = replies.with(from);
            let unanimous = replies.len() == 1 || (unanimous && accepted == highest);
            let highest = highest.max(accepted);
            if replies.len() < quorum {
                *phase = Phase::Read {
                    ballot,
                    replies,
                    highest,
                    unanimous,
                };
                return PhaseEvent::Counted;
            }
            match highest {
                // A quorum agrees: this proposal (or nothing) is chosen.
                _ if unanimous => {
                    *phase = Phase::Done;
                    PhaseEvent::Finished(WorRet::ReadValue(highest.map(|p| p.1)))
                }
                Some((_, v)) if bug == Some(WorBug::ReadNoComplete) => {
                    *phase = Phase::Done;
                    PhaseEvent::Finished(WorRet::ReadValue(Some(v)))
                }
                // Complete it with a capture and a write at the read's ballot.
                Some((_, seen)) => {
                    *phase = Phase::Prepare {
                        ballot,
                        promises: AcceptorSet::default(),
                        highest: None,
                        completing: Some(seen),
                    };
                    PhaseEvent::Send(WorMsg::Prepare(ballot))
                }
                None => unreachable!("replies that are not unanimous include a proposal"),
            }
        }
        _ => PhaseEvent::Ignored,
    }
}

impl WorActor {
    fn acceptor_ids(&self) -> Vec<Id> {
        match self {
            WorActor::Client { acceptors, .. } => (0..*acceptors).map(Id::from).collect(),
            WorActor::Acceptor { .. } => Vec::new(),
        }
    }

    /// Starts (or restarts) `capture` with a fresh ballot.
    fn start_capture(&self, s: &mut ClientState, o: &mut Out<Self>) {
        let WorActor::Client { index, .. } = self else {
            return;
        };
        s.round += 1;
        s.captures_left -= 1;
        let ballot = Ballot::new(s.round, *index);
        s.phase = Phase::Prepare {
            ballot,
            promises: AcceptorSet::default(),
            highest: None,
            completing: None,
        };
        o.broadcast(&self.acceptor_ids(), &WorMsg::Prepare(ballot));
    }

    /// Starts `read`. Its ballot tags the replies, and is the ballot of a completion if the
    /// read needs one.
    fn start_read(&self, s: &mut ClientState, o: &mut Out<Self>) {
        let WorActor::Client { index, .. } = self else {
            return;
        };
        s.round += 1;
        let ballot = Ballot::new(s.round, *index);
        s.phase = Phase::Read {
            ballot,
            replies: AcceptorSet::default(),
            highest: None,
            unanimous: true,
        };
        o.broadcast(&self.acceptor_ids(), &WorMsg::Read(ballot));
    }

    /// Ends the client's last operation. Its counters no longer matter, so they are cleared
    /// (which merges states that differ only in them).
    fn finish(s: &mut ClientState, ret: WorRet) {
        s.results.push(ret);
        s.phase = Phase::Done;
        s.round = 0;
        s.captures_left = 0;
    }

    /// One client step on a reply from acceptor `from` (see [`phase_step`]).
    fn client_step(&self, s: &mut ClientState, from: usize, msg: WorMsg, o: &mut Out<Self>) {
        let WorActor::Client {
            index, quorum, bug, ..
        } = self
        else {
            return;
        };
        match phase_step(&mut s.phase, from, msg, *quorum, client_value(*index), *bug) {
            PhaseEvent::Ignored | PhaseEvent::Counted => {}
            PhaseEvent::Captured(ballot, value) => {
                s.results.push(WorRet::Captured(ballot));
                o.broadcast(&self.acceptor_ids(), &WorMsg::Accept(ballot, value));
            }
            PhaseEvent::Send(msg) => o.broadcast(&self.acceptor_ids(), &msg),
            PhaseEvent::Nacked(promised) => {
                s.round = s.round.max(promised.round);
                if s.captures_left > 0 {
                    self.start_capture(s, o);
                } else {
                    Self::finish(s, WorRet::CaptureFailed);
                }
            }
            PhaseEvent::Finished(ret) => Self::finish(s, ret),
        }
    }
}
