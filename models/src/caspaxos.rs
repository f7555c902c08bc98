//! # CASPaxos: a rewritable register from Synod, without a log
//!
//! CASPaxos (Rystsov, 2018) turns single-shot Paxos into a register whose clients submit
//! *change functions*. A proposer runs a change in the two phases of Synod:
//!
//! - **prepare.** The proposer picks a ballot `(counter, proposer id)`, larger than any it has
//!   used or been shown, and sends `Prepare(ballot)` to the acceptors of its prepare set. An
//!   acceptor whose promise is not higher persists the ballot as its promise and answers with
//!   the (ballot, state) it accepted last, if any; otherwise it answers with a conflict (`Nack`)
//!   naming its promise, and the proposer fast-forwards its counter past it.
//! - **accept.** With a prepare quorum of promises, the proposer takes the state accepted at
//!   the highest ballot among them (∅ if none), applies the change function to it and sends
//!   `Accept(ballot, new state)` to the acceptors of its accept set. An acceptor accepts unless
//!   it promised a higher ballot, persisting before it answers. An accept quorum of confirmations
//!   *acknowledges* the change: the client is told the new state. A conflict here leaves the
//!   outcome unknown (the new state may sit on some acceptors, to be picked up later).
//!
//! The change functions ([`spec::Change`]) are the paper's: initialise, compare-and-set on a
//! version, increment, read (the identity), and delete (write ∅, a tombstone).
//!
//! Options, all from the paper:
//!
//! - **One round trip** (§2.2.1): each accept carries the proposer's next ballot as a
//!   piggybacked prepare; the acceptor promises it as it accepts. Confirmations from a prepare
//!   quorum let the proposer cache (promised ballot, state it just wrote) and run its next
//!   change on that key with an accept alone.
//! - **Flexible quorums** (§2.3, appendix B): prepare and accept quorums of any sizes that
//!   intersect.
//! - **Membership change** (§2.3) and **deletion** (§3.1) are programs of an *operator*, an
//!   actor of its own (see [`operator`]): it reconfigures the proposers by message, runs identity
//!   changes as a proposer of its own, tells proposers to drop caches, fast-forward and age, and
//!   tells acceptors to check ages and remove a tombstone.
//! - **Keys** (§3): a key-value store runs one register per key over the same acceptors; every
//!   message names its key, and each acceptor keeps one slot per key.
//!
//! ## Invariants
//!
//! - An acceptor never accepts below its promise, and, until the GC removes a key, its promise
//!   and accepted ballot for the key never go down, across crashes too.
//! - The paper's theorem: acknowledged states form one chain, each a descendant of the one
//!   acknowledged at the next lower ballot (checked with a ghost record of every proposal's
//!   ancestry, see [`model`]).
//! - Per key, the history of changes is linearizable against the CAS register
//!   ([`spec::CasRegister`]), and the protocol refines the registers ([`spec::CasObject`]).

mod acceptor;
pub mod mirror;
pub mod model;
pub mod operator;
pub mod proposer;
pub mod spec;

use crate::wor::AcceptorSet;
use operator::Program;
use proposer::{Ctx, Outcome};
use serde::Serialize;
use spec::{Change, RegState, MAX_KEYS};
use stateright::actor::{Actor, Id, Out};
use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

pub use model::{CasBug, CasConfig, Membership};

/// Most proposers a model has, the operator included.
pub const MAX_PROPOSERS: usize = 4;

/// A ballot: a proposer's counter, then its id as the tie-breaker (§2.1).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Ballot {
    pub counter: u8,
    pub proposer: u8,
}

impl Ballot {
    /// Lower than every ballot a proposer uses (counters start at 1).
    pub const ZERO: Ballot = Ballot {
        counter: 0,
        proposer: 0,
    };
}

impl fmt::Debug for Ballot {
    /// `2.A` is proposer A's ballot with counter 2.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.counter, (b'A' + self.proposer) as char)
    }
}

/// An accepted state and the ballot it was accepted at.
pub type Proposal = (Ballot, RegState);

/// A proposer's configuration: where it sends prepares and accepts, and how many
/// confirmations it waits for.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct View {
    pub prepare: AcceptorSet,
    pub prepare_quorum: u8,
    pub accept: AcceptorSet,
    pub accept_quorum: u8,
}

impl fmt::Debug for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "prepare {:?}/{}, accept {:?}/{}",
            self.prepare, self.prepare_quorum, self.accept, self.accept_quorum
        )
    }
}

/// The messages. Protocol messages name their key and ballot, so a proposer can ignore stale
/// replies, and requests carry the sender's age for the GC's age check.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CasMsg {
    Prepare {
        key: u8,
        ballot: Ballot,
        age: u8,
    },
    Promise {
        key: u8,
        ballot: Ballot,
        accepted: Option<Proposal>,
    },
    /// `next`: the piggybacked prepare of the one-round-trip optimisation.
    Accept {
        key: u8,
        ballot: Ballot,
        state: RegState,
        next: Option<Ballot>,
        age: u8,
    },
    Accepted {
        key: u8,
        ballot: Ballot,
    },
    /// A conflict: the acceptor promised `promised`, or the sender is too old.
    Nack {
        key: u8,
        ballot: Ballot,
        promised: Ballot,
    },
    /// Operator to proposer: use this configuration.
    Configure(View),
    Configured,
    /// Operator to a proposer that is off: turn on with this configuration.
    Start(View),
    Started,
    /// Operator to proposer: turn off.
    Stop,
    /// GC step 2b: drop the cached state of `key`, fast-forward past `tombstone`, age.
    Invalidate {
        key: u8,
        tombstone: Ballot,
    },
    Invalidated {
        age: u8,
    },
    /// Proposer to operator: a delete of this key was acknowledged at this ballot.
    ScheduleGc(u8, Ballot),
    /// GC step 2c: the youngest age to accept from each proposer.
    SetAges([u8; MAX_PROPOSERS]),
    AgesSet,
    /// GC step 2d.
    Remove {
        key: u8,
        tombstone: Ballot,
    },
    Removed,
}

/// `k1:` before messages for key 1; nothing for key 0.
struct Key(u8);

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => Ok(()),
            k => write!(f, "k{k}:"),
        }
    }
}

/// ` age N` for ages above 0.
struct Age(u8);

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => Ok(()),
            a => write!(f, " age {a}"),
        }
    }
}

/// A state as the paper writes it: ∅ or `v<version>:<value>`.
pub struct ShowState(pub RegState);

impl fmt::Debug for ShowState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("∅"),
            Some(r) => write!(f, "{r:?}"),
        }
    }
}

impl fmt::Debug for CasMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CasMsg::Prepare { key, ballot, age } => {
                write!(f, "{}Prepare({ballot:?}{})", Key(key), Age(age))
            }
            CasMsg::Promise {
                key,
                ballot,
                accepted,
            } => match accepted {
                None => write!(f, "{}Promise({ballot:?}, none)", Key(key)),
                Some((b, s)) => {
                    write!(
                        f,
                        "{}Promise({ballot:?}, {b:?}={:?})",
                        Key(key),
                        ShowState(s)
                    )
                }
            },
            CasMsg::Accept {
                key,
                ballot,
                state,
                next,
                age,
            } => {
                write!(f, "{}Accept({ballot:?}, {:?}", Key(key), ShowState(state))?;
                if let Some(n) = next {
                    write!(f, ", next {n:?}")?;
                }
                write!(f, "{})", Age(age))
            }
            CasMsg::Accepted { key, ballot } => write!(f, "{}Accepted({ballot:?})", Key(key)),
            CasMsg::Nack {
                key,
                ballot,
                promised,
            } => write!(f, "{}Nack({ballot:?}, promised {promised:?})", Key(key)),
            CasMsg::Configure(v) => write!(f, "Configure({v:?})"),
            CasMsg::Configured => f.write_str("Configured"),
            CasMsg::Start(v) => write!(f, "Start({v:?})"),
            CasMsg::Started => f.write_str("Started"),
            CasMsg::Stop => f.write_str("Stop"),
            CasMsg::Invalidate { key, tombstone } => {
                write!(f, "{}Invalidate(tombstone {tombstone:?})", Key(key))
            }
            CasMsg::Invalidated { age } => write!(f, "Invalidated(age {age})"),
            CasMsg::ScheduleGc(key, b) => write!(f, "{}ScheduleGc({b:?})", Key(key)),
            CasMsg::SetAges(ages) => write!(f, "SetAges({ages:?})"),
            CasMsg::AgesSet => f.write_str("AgesSet"),
            CasMsg::Remove { key, tombstone } => {
                write!(f, "{}Remove(tombstone {tombstone:?})", Key(key))
            }
            CasMsg::Removed => f.write_str("Removed"),
        }
    }
}

/// An acceptor's record of one key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Slot {
    pub promised: Ballot,
    pub accepted: Option<Proposal>,
}

/// An acceptor's state. All of it is durable: it is saved before every reply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AcceptorState {
    pub slots: [Slot; MAX_KEYS],
    /// Per proposer, the youngest age whose messages are accepted (§3.1 step 2c).
    pub ages: [u8; MAX_PROPOSERS],
}

/// A promise held from the one-round-trip path: the acceptors of a prepare quorum promised
/// `promised` while accepting `state` at `accepted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Cache {
    pub promised: Ballot,
    pub accepted: Ballot,
    pub state: RegState,
}

/// Where a proposer is in its current change. `age` is the proposer's age when the change
/// began: every message of the change carries it, so that the GC's age check rejects the
/// whole of a change that began before the GC reached the proposer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Phase {
    Idle,
    Prepare {
        key: u8,
        ballot: Ballot,
        promises: AcceptorSet,
        /// The proposal the proposer will build on (the highest so far).
        picked: Option<Proposal>,
        age: u8,
    },
    Accept {
        key: u8,
        ballot: Ballot,
        state: RegState,
        next: Option<Ballot>,
        accepts: AcceptorSet,
        /// Ghost: the ballot of the proposal `state` was computed from, for the ancestry
        /// record of the chain property (a proposer knows it, but the protocol never uses it).
        parent: Option<Ballot>,
        age: u8,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ProposerState {
    pub counter: u8,
    pub age: u8,
    pub view: View,
    pub caches: [Option<Cache>; MAX_KEYS],
    /// Turned on (by the operator, for a proposer added later) and not turned off.
    pub on: bool,
    /// Changes finished so far; the current change is the next one.
    pub done: u8,
    pub attempts_left: u8,
    pub phase: Phase,
    /// How the last finished change ended.
    pub last: Option<Outcome>,
    /// A configuration the operator sent during a change: it takes effect, and is confirmed,
    /// when the change ends, so that no change runs under two configurations.
    pub pending: Option<View>,
}

impl ProposerState {
    fn new(view: View, on: bool) -> Self {
        ProposerState {
            counter: 0,
            age: 0,
            view,
            caches: [None; MAX_KEYS],
            on,
            done: 0,
            attempts_left: 0,
            phase: Phase::Idle,
            last: None,
            pending: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct OperatorState {
    /// The operator's own proposer, which runs its identity changes.
    pub p: ProposerState,
    /// The configuration it last gave the proposers.
    pub view: View,
    /// The next step of its program.
    pub step: u8,
    /// Actors whose confirmation the current step waits for.
    pub awaiting: u16,
    /// Its list of proposers (§2.3.4).
    pub proposers: u8,
    /// Keys whose delete was acknowledged.
    pub scheduled: u8,
    /// Ages collected in GC step 2b, for step 2c.
    pub ages: [u8; MAX_PROPOSERS],
    /// The ballot of the tombstone written in GC step 2a.
    pub tombstone: Ballot,
    pub retries_left: u8,
    /// An identity step ran out of retries: the model's operator stops there.
    pub halted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CasState {
    Acceptor(AcceptorState),
    Proposer(ProposerState),
    Operator(OperatorState),
}

/// The actors: acceptors take ids `0..acceptors`, proposers the ids after them, and the
/// operator, if any, the last id (its proposer index is the number of client proposers).
#[derive(Clone, Debug)]
pub enum CasActor {
    Acceptor {
        acceptors: usize,
        bug: Option<CasBug>,
    },
    Proposer {
        ctx: Ctx,
        /// The changes its client submits, in order, each on a key.
        script: Vec<(u8, Change)>,
        view: View,
        on: bool,
        operator: Option<Id>,
    },
    Operator {
        ctx: Ctx,
        program: Program,
        view: View,
        proposers: u8,
    },
}

impl Actor for CasActor {
    type Msg = CasMsg;
    type State = CasState;
    /// A client's think time between two changes: the next change starts when it fires.
    type Timer = ();
    type Random = ();
    type Storage = AcceptorState;

    fn name(&self) -> String {
        match self {
            CasActor::Acceptor { .. } => "Acceptor".into(),
            CasActor::Proposer { ctx, .. } => format!("Proposer {}", letter(ctx.index)),
            CasActor::Operator { ctx, .. } => format!("Operator {}", letter(ctx.index)),
        }
    }

    fn on_start(&self, _id: Id, storage: &Option<AcceptorState>, o: &mut Out<Self>) -> CasState {
        match self {
            // A restarted acceptor has exactly what it persisted.
            CasActor::Acceptor { .. } => CasState::Acceptor(storage.unwrap_or_default()),
            CasActor::Proposer {
                ctx,
                script,
                view,
                on,
                ..
            } => {
                let mut s = ProposerState::new(*view, *on);
                if *on {
                    first_change(ctx, script, &mut s, o);
                }
                CasState::Proposer(s)
            }
            CasActor::Operator {
                ctx,
                program,
                view,
                proposers,
            } => {
                let mut s = OperatorState {
                    p: ProposerState::new(*view, true),
                    view: *view,
                    step: 0,
                    awaiting: 0,
                    proposers: *proposers,
                    scheduled: 0,
                    ages: [0; MAX_PROPOSERS],
                    tombstone: Ballot::ZERO,
                    retries_left: 0,
                    halted: false,
                };
                program.advance(ctx, &mut s, o);
                CasState::Operator(s)
            }
        }
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<CasState>, src: Id, msg: CasMsg, o: &mut Out<Self>) {
        match (self, &**state) {
            (CasActor::Acceptor { acceptors, bug }, CasState::Acceptor(a)) => {
                let from = usize::from(src).checked_sub(*acceptors);
                if let Some(next) = acceptor::step(*bug, a, src, from, msg, o) {
                    *state.to_mut() = CasState::Acceptor(next);
                }
            }
            (
                CasActor::Proposer {
                    ctx,
                    script,
                    operator,
                    ..
                },
                CasState::Proposer(p),
            ) => {
                let mut next = *p;
                proposer_step(ctx, script, *operator, &mut next, src, msg, o);
                if next != *p {
                    *state.to_mut() = CasState::Proposer(next);
                }
            }
            (CasActor::Operator { ctx, program, .. }, CasState::Operator(s)) => {
                let mut next = *s;
                program.on_msg(ctx, &mut next, src, msg, o);
                if next != *s {
                    *state.to_mut() = CasState::Operator(next);
                }
            }
            _ => unreachable!("actor and state kinds always match"),
        }
    }

    fn on_timeout(&self, _id: Id, state: &mut Cow<CasState>, _timer: &(), o: &mut Out<Self>) {
        self.on_think(state, o);
    }
}

impl CasActor {
    fn on_think(&self, state: &mut Cow<CasState>, o: &mut Out<Self>) {
        if let (CasActor::Proposer { ctx, script, .. }, CasState::Proposer(p)) = (self, &**state) {
            if p.on && p.phase == Phase::Idle {
                let mut next = *p;
                if let Some(&(key, change)) = script.get(next.done as usize) {
                    next.begin(ctx, key, change, o);
                    *state.to_mut() = CasState::Proposer(next);
                }
            }
        }
    }
}

/// Proposer `i`'s letter, as in its ballots.
pub fn letter(i: u8) -> char {
    (b'A' + i) as char
}

/// Starts the client's first change.
fn first_change(ctx: &Ctx, script: &[(u8, Change)], s: &mut ProposerState, o: &mut Out<CasActor>) {
    if let Some(&(key, change)) = script.first() {
        s.begin(ctx, key, change, o);
    }
}

/// A change ended: a configuration that arrived meanwhile takes effect and is confirmed; the
/// client submits its next change after some time (a timer), and once it has none left, what
/// no longer matters is cleared (which merges states that differ only in it).
fn between_changes(
    script: &[(u8, Change)],
    operator: Option<Id>,
    s: &mut ProposerState,
    o: &mut Out<CasActor>,
) {
    if let (Some(view), Some(op)) = (s.pending.take(), operator) {
        s.reconfigure(view);
        o.send(op, CasMsg::Configured);
    }
    if (s.done as usize) < script.len() {
        o.set_timer((), Duration::ZERO..Duration::ZERO);
    } else {
        s.counter = 0;
        s.caches = [None; MAX_KEYS];
        s.attempts_left = 0;
    }
}

/// Would delivering `msg` from `src` change a client's proposer?
pub fn proposer_awaits(p: &ProposerState, acceptors: usize, src: Id, msg: &CasMsg) -> bool {
    match msg {
        CasMsg::Start(_) => !p.on && p.done == 0,
        CasMsg::Configure(_) | CasMsg::Invalidate { .. } | CasMsg::Stop => p.on,
        _ => p.on && usize::from(src) < acceptors && p.awaits(usize::from(src), msg),
    }
}

fn proposer_step(
    ctx: &Ctx,
    script: &[(u8, Change)],
    operator: Option<Id>,
    s: &mut ProposerState,
    src: Id,
    msg: CasMsg,
    o: &mut Out<CasActor>,
) {
    match msg {
        CasMsg::Start(view) if !s.on => {
            s.on = true;
            s.view = view;
            o.send(src, CasMsg::Started);
            first_change(ctx, script, s, o);
        }
        _ if !s.on => {}
        CasMsg::Configure(view) if s.phase == Phase::Idle => {
            s.reconfigure(view);
            o.send(src, CasMsg::Configured);
        }
        CasMsg::Configure(view) => s.pending = Some(view),
        CasMsg::Invalidate { key, tombstone } => {
            s.invalidate(key, tombstone, ctx.bug);
            o.send(src, CasMsg::Invalidated { age: s.age });
        }
        CasMsg::Stop => {
            // A change in flight is left with an unknown outcome.
            s.on = false;
            s.phase = Phase::Idle;
            s.pending = None;
        }
        _ => {
            let Some(&(_, change)) = script.get(s.done as usize) else {
                return;
            };
            let Some(outcome) = s.on_reply(ctx, change, usize::from(src), msg, o) else {
                return;
            };
            if let (Outcome::Acked { key, ballot, .. }, Change::Delete, Some(op), true) =
                (outcome, change, operator, ctx.gc)
            {
                // §3.1 step 1: the delete schedules the garbage collection.
                o.send(op, CasMsg::ScheduleGc(key, ballot));
            }
            s.done += 1;
            s.last = Some(outcome);
            between_changes(script, operator, s, o);
        }
    }
}
