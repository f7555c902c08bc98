//! # Write-once segments (WOS): WormSpace's address space over WORs
//!
//! WormSpace groups its write-once registers into *segments*. Segment `s` has one metadata
//! WOR, one trim WOR and `N` data WORs; an address is a segment and an offset in it
//! (`s0.meta`, `s0.trim`, `s0.d0`, ...). Segment `s` lives on partition `s mod P`, and each
//! partition is its own replica set of acceptors, each keeping a map from address to the
//! single-shot Paxos state of that WOR. Every WOR is the WOR of [`crate::wor`], run per address:
//! an acceptor applies [`crate::wor::acceptor_step`] to each address a message names, a client
//! applies [`crate::wor::phase_step`] to each address a reply names. What this module adds is
//! the segment:
//!
//! - **alloc(s)** captures the metadata WOR and writes the client's letter into it. Paxos
//!   lets exactly one value be chosen, so exactly one allocator wins; a client whose capture
//!   finds another letter half-written finishes it and learns that the segment is taken.
//! - **batch capture and batch write.** A batch capture sends each replica *one* `Prepare`
//!   naming every data WOR of the segment with one ballot (one round trip per replica); the
//!   reply carries a promise, with the accepted proposal, or a nack per WOR. A nack on any
//!   WOR is a stolen capture for the whole batch, which retries with a higher round or gives
//!   up. Once a quorum promised every WOR, the batch write sends one `Accept` per replica,
//!   again naming every WOR with that one ballot, each with the value the Paxos rule dictates
//!   (the highest accepted proposal of that WOR, or the client's letter). Single `capture`,
//!   `write` and `read` name one WOR; a read completes a half-written value as in the WOR.
//! - **trim(s)** captures the trim WOR and writes into it, which decides, durably, that the
//!   segment goes. Then the client sends `Trim(s)` to the replicas. A replica drops the
//!   segment's state and keeps a *tombstone*, a bit per segment, and from then on answers
//!   every message about the segment with `Trimmed`. The trim returns once a quorum holds the
//!   tombstone, so every later quorum meets one. An operation that meets a tombstone first
//!   finishes the trim the same way (a trim half done, like a WOR half written, is
//!   completed by whoever sees it) and then answers `Trimmed`.
//! - **write notifications.** A subscriber (subscribed, statically, to every segment) is sent
//!   `Learn` by an acceptor each time the acceptor accepts proposals for data WORs, one message
//!   per accepting step. Like a Paxos learner it counts acceptors per proposal, and tells its
//!   application of a WOR's value once a majority of one partition accepted one proposal,
//!   i.e. once the value is chosen, and then never again for that WOR. By default only data
//!   WORs are notified: the metadata and trim WORs are the library's bookkeeping, not the
//!   segment's contents, and notifying them too (`notify_all`) costs about eight times the
//!   states.
//!
//! Clients run fixed scripts. A *writer* allocates its segment (`c mod S` for client `c`);
//! if it won, it batch-captures and batch-writes every data WOR with its letter (WormPaxos'
//! leader); if the segment was taken, it captures and writes data WOR 0 alone (a rival
//! proposing into the leader's segment); with `trim`, the winner then trims the segment. A
//! *reader* reads data WOR 0 once; a *trimmer* trims. All start at once, so every
//! interleaving of their messages is explored.
//!
//! ## Invariants
//!
//! - Each WOR keeps the WOR's invariants (agreement, stability, linearizability of its
//!   capture / write / read history), checked per address with the WOR model's own history.
//! - At most one alloc of a segment wins.
//! - An operation that begins after a trim of its segment returned answers `Trimmed`.
//! - A notification names the WOR's chosen value, which every later read returns.
//! - A batch write carries one capture id for all its WORs.
//! - The whole system refines the abstract address space of [`spec`] (see [`model`]).

pub mod mirror;
pub mod model;
pub mod spec;
mod symmetry;

use crate::wor::spec::{WorOp, WorRet};
use crate::wor::{
    acceptor_step, phase_step, AcceptorSet, AcceptorState, Ballot, Phase, PhaseEvent, Proposal,
    Value, WorMsg,
};
use serde::Serialize;
use stateright::actor::{Actor, Id, Out};
use std::borrow::Cow;
use std::fmt;

pub use model::{WosBug, WosConfig};

/// The most data WORs a segment may have (and so a batch may name).
pub const MAX_DATA: usize = 3;
/// The most addresses (segments × WORs per segment) a model may have.
pub const MAX_ADDRS: usize = 8;
/// Offset of a segment's metadata WOR.
pub const META: u8 = 0;
/// Offset of a segment's trim WOR.
pub const TRIM: u8 = 1;
/// Offset of a segment's first data WOR.
pub const DATA: u8 = 2;

/// The shape of the address space and of the replica sets, shared by every actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    pub segments: u8,
    /// Data WORs per segment.
    pub data: u8,
    pub partitions: u8,
    /// Acceptors per partition.
    pub acceptors: u8,
    /// Whether the metadata and trim WORs are notified too, not only the data WORs.
    pub notify_all: bool,
}

impl Layout {
    pub fn wors_per_segment(self) -> u8 {
        DATA + self.data
    }

    /// The flat index of an address.
    pub fn addr(self, seg: u8, off: u8) -> usize {
        usize::from(seg * self.wors_per_segment() + off)
    }

    /// The segment and offset of a flat index.
    pub fn split(self, addr: usize) -> (u8, u8) {
        let w = usize::from(self.wors_per_segment());
        ((addr / w) as u8, (addr % w) as u8)
    }

    pub fn addresses(self) -> usize {
        usize::from(self.segments * self.wors_per_segment())
    }

    /// The partition that holds segment `seg`.
    pub fn home(self, seg: u8) -> u8 {
        seg % self.partitions
    }

    /// The ids of partition `p`'s acceptors (acceptors are numbered partition by partition).
    pub fn replicas(self, p: u8) -> std::ops::Range<usize> {
        let a = usize::from(self.acceptors);
        usize::from(p) * a..usize::from(p + 1) * a
    }

    pub fn total_acceptors(self) -> usize {
        usize::from(self.partitions * self.acceptors)
    }

    /// A majority of one partition.
    pub fn majority(self) -> usize {
        usize::from(self.acceptors) / 2 + 1
    }

    /// The offsets of a segment's data WORs.
    pub fn data_offsets(self) -> impl Iterator<Item = u8> {
        DATA..DATA + self.data
    }
}

/// The name of an offset in a segment.
pub struct OffName(pub u8);

impl fmt::Display for OffName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            META => f.write_str("meta"),
            TRIM => f.write_str("trim"),
            d => write!(f, "d{}", d - DATA),
        }
    }
}

/// Up to [`MAX_DATA`] entries keyed by offset: the WORs of one segment that a message or an
/// operation names. Fixed-size and `Copy`, because messages and client states are cloned
/// with every state.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Entries<T> {
    items: [Option<(u8, T)>; MAX_DATA],
}

impl<T: Copy> Default for Entries<T> {
    fn default() -> Self {
        Entries {
            items: [None; MAX_DATA],
        }
    }
}

impl<T: Copy> Entries<T> {
    pub fn one(off: u8, item: T) -> Self {
        let mut e = Entries::default();
        e.push(off, item);
        e
    }

    pub fn push(&mut self, off: u8, item: T) {
        let slot = self
            .items
            .iter_mut()
            .find(|e| e.is_none())
            .expect("at most MAX_DATA entries");
        *slot = Some((off, item));
    }

    pub fn iter(&self) -> impl Iterator<Item = (u8, T)> + '_ {
        self.items.iter().map_while(|e| *e)
    }

    pub fn get(&self, off: u8) -> Option<T> {
        self.iter().find(|(o, _)| *o == off).map(|(_, t)| t)
    }

    pub fn get_mut(&mut self, off: u8) -> Option<&mut T> {
        self.items
            .iter_mut()
            .map_while(|e| e.as_mut())
            .find(|(o, _)| *o == off)
            .map(|(_, t)| t)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.items
            .iter_mut()
            .map_while(|e| e.as_mut())
            .map(|(_, t)| t)
    }

    pub fn is_empty(&self) -> bool {
        self.items[0].is_none()
    }

    /// The entries `f` maps to something.
    pub fn filter_map<U: Copy>(&self, mut f: impl FnMut(u8, T) -> Option<U>) -> Entries<U> {
        let mut out = Entries::default();
        for (off, t) in self.iter() {
            if let Some(u) = f(off, t) {
                out.push(off, u);
            }
        }
        out
    }
}

impl<T: Copy> FromIterator<(u8, T)> for Entries<T> {
    fn from_iter<I: IntoIterator<Item = (u8, T)>>(iter: I) -> Self {
        let mut out = Entries::default();
        for (off, t) in iter {
            out.push(off, t);
        }
        out
    }
}

impl<T: Copy + fmt::Debug> fmt::Debug for Entries<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(o, t)| (OffName(o).to_string(), t)))
            .finish()
    }
}

/// The messages of the address space.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum WosMsg {
    /// WOR messages about WORs of one segment: one entry for a single operation, one per data
    /// WOR for a batch. The reply names the same WORs.
    Wor(u8, Entries<WorMsg>),
    /// "The segment's trim WOR is written: drop the segment."
    Trim(u8),
    /// "I hold the segment's tombstone": the answer to any message about a dropped segment,
    /// and to `Trim`.
    Trimmed(u8),
    /// Write notification to the subscriber: the acceptor accepted these proposals for these
    /// WORs of the segment (one message per accepting step, like the reply).
    Learn(u8, Entries<Proposal>),
}

impl fmt::Debug for WosMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WosMsg::Wor(seg, entries) => {
                let mut first = true;
                for (off, m) in entries.iter() {
                    if !first {
                        f.write_str(" + ")?;
                    }
                    first = false;
                    write!(f, "s{seg}.{} {m:?}", OffName(off))?;
                }
                Ok(())
            }
            WosMsg::Trim(seg) => write!(f, "Trim(s{seg})"),
            WosMsg::Trimmed(seg) => write!(f, "Trimmed(s{seg})"),
            WosMsg::Learn(seg, entries) => {
                f.write_str("Learn(")?;
                for (i, (off, (b, v))) in entries.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}s{seg}.{} {b:?} {v:?}", OffName(off))?;
                }
                f.write_str(")")
            }
        }
    }
}

/// An acceptor's state: per address the WOR acceptor state, and the tombstones. All of it is
/// durable: it is saved before every reply.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct WosAcceptorState {
    /// The partition the acceptor serves (fixed; first, so that sorting acceptors by state
    /// keeps partitions apart).
    pub partition: u8,
    /// Indexed by flat address; a default entry is a WOR never touched, or dropped.
    pub wors: [AcceptorState; MAX_ADDRS],
    /// Bit `s`: segment `s` is trimmed here.
    pub tombstones: u8,
}

impl WosAcceptorState {
    pub fn trimmed(&self, seg: u8) -> bool {
        self.tombstones & (1 << seg) != 0
    }
}

impl fmt::Debug for WosAcceptorState {
    /// Only the WORs touched, by flat index, and the tombstones.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_map();
        d.entry(&"partition", &self.partition);
        for (i, w) in self.wors.iter().enumerate() {
            if *w != AcceptorState::default() {
                d.entry(&i, w);
            }
        }
        if self.tombstones != 0 {
            d.entry(&"tombstones", &format_args!("{:#b}", self.tombstones));
        }
        d.finish()
    }
}

/// The operations of the client scripts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum OpKind {
    /// Capture and write the metadata WOR.
    Alloc,
    /// Batch-capture and batch-write every data WOR.
    Batch,
    /// Capture and write data WOR 0.
    Write,
    /// Read data WOR 0.
    Read,
    /// Capture and write the trim WOR, then drop the segment.
    Trim,
}

/// Where an operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum OpPhase {
    /// The WOR phases, one per WOR the operation names.
    Wor(Entries<Phase>),
    /// Finishing a trim: `Trim` is out; these acceptors answered `Trimmed`.
    Dropping(AcceptorSet),
}

/// The operation a client is running, on one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Op {
    pub kind: OpKind,
    pub seg: u8,
    pub phase: OpPhase,
}

/// How a WOS operation ended, as far as the checks need to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Outcome {
    /// The alloc won.
    Allocated,
    /// The alloc found another allocator's letter and finished it.
    Taken,
    /// Whatever its WORs returned (they are recorded per address).
    Done,
    Trimmed,
}

/// What a client tells the history: its API calls and their results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Event {
    /// A WOR operation began on this address (flat index).
    Invoke(u8, WorOp),
    Return(u8, WorRet),
    /// A WOS operation began on this segment.
    Began(u8),
    Ended(u8, Outcome),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct WosClientState {
    /// The highest round the current operation has used, or seen in a nack.
    pub round: u8,
    pub captures_left: u8,
    /// `None` once the script is over.
    pub op: Option<Op>,
    /// The events of the client's last step. The model moves them into the history right
    /// after the step, so in every stored state this is empty.
    pub events: Vec<Event>,
}

impl WosClientState {
    /// Would delivering `msg` from acceptor `from` change this client, now or ever? WOR
    /// replies are live while the WOR's phase awaits them ([`Phase::awaits`]); a tombstone is
    /// news while an operation on its segment is under way and has not counted this
    /// acceptor. A client's operations are all on one segment and each names other WORs, so
    /// what it ignores now it ignores for ever.
    pub fn awaits(&self, from: usize, msg: &WosMsg) -> bool {
        let Some(op) = &self.op else {
            return false;
        };
        match (op.phase, msg) {
            (OpPhase::Wor(phases), WosMsg::Wor(seg, entries)) if *seg == op.seg => entries
                .iter()
                .any(|(off, m)| phases.get(off).is_some_and(|p| p.awaits(from, &m))),
            (OpPhase::Wor(_), WosMsg::Trimmed(seg)) => *seg == op.seg,
            (OpPhase::Dropping(acks), WosMsg::Trimmed(seg)) => {
                *seg == op.seg && !acks.contains(from)
            }
            _ => false,
        }
    }
}

/// The subscriber: the acceptors that reported each proposal, per WOR not yet notified.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SubscriberState {
    /// `(address, proposal, acceptors)`, sorted; an address's entries go once it is notified.
    pub heard: Vec<(u8, Proposal, AcceptorSet)>,
    /// Bit `a`: address `a` was notified.
    pub notified: u8,
    /// The notifications of the last step, `(address, value)`; emptied by the model as
    /// [`WosClientState::events`] is.
    pub events: Vec<(u8, Value)>,
}

impl SubscriberState {
    /// Would `msg` from acceptor `from` change the subscriber? Only news of a proposal for a
    /// WOR not yet notified, from an acceptor not yet counted for it, does.
    pub fn awaits(&self, layout: Layout, from: usize, msg: &WosMsg) -> bool {
        let WosMsg::Learn(seg, entries) = *msg else {
            return false;
        };
        let news = entries.iter().any(|(off, p)| {
            let addr = layout.addr(seg, off) as u8;
            self.notified & (1 << addr) == 0
                && !self
                    .heard
                    .iter()
                    .any(|&(a, q, set)| a == addr && q == p && set.contains(from))
        });
        news
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum WosState {
    Acceptor(WosAcceptorState),
    Client(WosClientState),
    Subscriber(SubscriberState),
}

/// What a client does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Allocates, then batch-writes (if it won) or writes data WOR 0 (if it lost).
    Writer,
    Reader,
    Trimmer,
}

/// The actors: acceptors (partition by partition), clients, and the subscriber, if any.
#[derive(Clone, Debug)]
pub enum WosActor {
    Acceptor {
        partition: u8,
        layout: Layout,
        /// The subscriber's id, if there is one.
        subscriber: Option<Id>,
        bug: Option<WosBug>,
    },
    Client {
        index: u8,
        role: Role,
        seg: u8,
        layout: Layout,
        /// The partition this client sends its segment to (`wrong-partition` shifts it).
        partition: u8,
        captures: u8,
        /// A writer that won its segment trims it after the batch write.
        trim: bool,
        bug: Option<WosBug>,
    },
    Subscriber {
        layout: Layout,
        quorum: usize,
    },
}

/// The letter of client `index`: its name, and the value it writes.
pub fn client_value(index: u8) -> Value {
    crate::wor::client_value(index)
}

impl Actor for WosActor {
    type Msg = WosMsg;
    type State = WosState;
    type Timer = ();
    type Random = ();
    type Storage = WosAcceptorState;

    fn name(&self) -> String {
        match self {
            WosActor::Acceptor { .. } => "Acceptor".into(),
            WosActor::Client { index, role, .. } => format!("{role:?} {}", client_value(*index)),
            WosActor::Subscriber { .. } => "Subscriber".into(),
        }
    }

    fn on_start(&self, _id: Id, storage: &Option<WosAcceptorState>, o: &mut Out<Self>) -> WosState {
        match self {
            // A restarted acceptor has exactly what it persisted.
            WosActor::Acceptor { partition, .. } => {
                WosState::Acceptor(storage.unwrap_or(WosAcceptorState {
                    partition: *partition,
                    ..WosAcceptorState::default()
                }))
            }
            WosActor::Client { role, seg, .. } => {
                let mut s = WosClientState {
                    round: 0,
                    captures_left: 0,
                    op: None,
                    events: Vec::new(),
                };
                let first = match role {
                    Role::Writer => OpKind::Alloc,
                    Role::Reader => OpKind::Read,
                    Role::Trimmer => OpKind::Trim,
                };
                self.start(&mut s, first, *seg, o);
                WosState::Client(s)
            }
            WosActor::Subscriber { .. } => WosState::Subscriber(SubscriberState::default()),
        }
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<WosState>, src: Id, msg: WosMsg, o: &mut Out<Self>) {
        match (self, &**state) {
            (
                WosActor::Acceptor {
                    layout,
                    subscriber,
                    bug,
                    ..
                },
                WosState::Acceptor(a),
            ) => {
                if let Some(next) = acceptor_on_msg(*layout, *subscriber, *bug, a, src, msg, o) {
                    *state.to_mut() = WosState::Acceptor(next);
                }
            }
            (WosActor::Client { .. }, WosState::Client(c)) => {
                let mut next = c.clone();
                self.client_on_msg(&mut next, usize::from(src), msg, o);
                if next != *c {
                    *state.to_mut() = WosState::Client(next);
                }
            }
            (WosActor::Subscriber { layout, quorum }, WosState::Subscriber(sub)) => {
                if let WosMsg::Learn(seg, entries) = msg {
                    if sub.awaits(*layout, usize::from(src), &msg) {
                        let mut next = sub.clone();
                        for (off, p) in entries.iter() {
                            let addr = layout.addr(seg, off) as u8;
                            learn(&mut next, addr, p, usize::from(src), *quorum);
                        }
                        *state.to_mut() = WosState::Subscriber(next);
                    }
                }
            }
            _ => unreachable!("actor and state kinds always match"),
        }
    }
}

/// One acceptor step: the new state if it changed. Every change is saved in the same step as
/// the reply, i.e. before it leaves.
fn acceptor_on_msg(
    layout: Layout,
    subscriber: Option<Id>,
    bug: Option<WosBug>,
    s: &WosAcceptorState,
    src: Id,
    msg: WosMsg,
    o: &mut Out<WosActor>,
) -> Option<WosAcceptorState> {
    let mut next = *s;
    match msg {
        WosMsg::Wor(seg, _) | WosMsg::Trim(seg) if s.trimmed(seg) => {
            o.send(src, WosMsg::Trimmed(seg));
            return None;
        }
        WosMsg::Wor(seg, entries) => {
            // Each WOR named is a WOR: its own acceptor step, on its own state.
            let mut learned = Entries::<Proposal>::default();
            let replies = entries.filter_map(|off, m| {
                let wor = &mut next.wors[layout.addr(seg, off)];
                let step = acceptor_step(None, wor, m);
                if let Some(n) = step.next {
                    if n.accepted != wor.accepted && (off >= DATA || layout.notify_all) {
                        learned.push(off, n.accepted.expect("an accept leaves a proposal"));
                    }
                    *wor = n;
                }
                step.reply
            });
            if next != *s {
                o.save(next);
            }
            if !replies.is_empty() {
                o.send(src, WosMsg::Wor(seg, replies));
            }
            if let (Some(sub), false) = (subscriber, learned.is_empty()) {
                o.send(sub, WosMsg::Learn(seg, learned));
            }
        }
        WosMsg::Trim(seg) => {
            for off in 0..layout.wors_per_segment() {
                next.wors[layout.addr(seg, off)] = AcceptorState::default();
            }
            if bug != Some(WosBug::WriteAfterTrim) {
                next.tombstones |= 1 << seg;
            }
            if next != *s {
                o.save(next);
            }
            o.send(src, WosMsg::Trimmed(seg));
        }
        WosMsg::Trimmed(_) | WosMsg::Learn(..) => return None,
    }
    (next != *s).then_some(next)
}

/// The subscriber counts `from`'s report of proposal `p` for `addr`, and notifies once a
/// quorum reported one proposal.
fn learn(s: &mut SubscriberState, addr: u8, p: Proposal, from: usize, quorum: usize) {
    if s.notified & (1 << addr) != 0 {
        return;
    }
    let at = match s
        .heard
        .binary_search_by(|(a, q, _)| (*a, *q).cmp(&(addr, p)))
    {
        Ok(at) => at,
        Err(at) => {
            s.heard.insert(at, (addr, p, AcceptorSet::default()));
            at
        }
    };
    s.heard[at].2.insert(from);
    if s.heard[at].2.len() >= quorum {
        s.notified |= 1 << addr;
        s.heard.retain(|(a, ..)| *a != addr);
        s.events.push((addr, p.1));
    }
}

/// The WOR phases of the operation under way.
fn phases_mut(s: &mut WosClientState) -> &mut Entries<Phase> {
    match &mut s.op {
        Some(Op {
            phase: OpPhase::Wor(phases),
            ..
        }) => phases,
        _ => unreachable!("the operation is in its WOR phases"),
    }
}

/// The WOR result an operation in `phase` reports when it meets a tombstone: a capture or a
/// read fails, a write's outcome is unknown (it may sit on acceptors not yet trimmed).
fn trimmed_result(phase: Phase) -> Option<WorRet> {
    match phase {
        Phase::Prepare {
            completing: None, ..
        } => Some(WorRet::CaptureFailed),
        Phase::Accept {
            value,
            completing: false,
            ..
        } => Some(WorRet::Unknown(value)),
        Phase::Prepare { .. } | Phase::Accept { .. } | Phase::Read { .. } => {
            Some(WorRet::ReadFailed)
        }
        Phase::Done => None,
    }
}

impl WosActor {
    fn client(&self) -> (u8, Layout, u8, u8, Option<WosBug>) {
        match self {
            WosActor::Client {
                index,
                layout,
                partition,
                captures,
                bug,
                ..
            } => (*index, *layout, *partition, *captures, *bug),
            _ => unreachable!("only clients run operations"),
        }
    }

    fn trims(&self) -> bool {
        matches!(self, WosActor::Client { trim: true, .. })
    }

    fn replica_ids(&self) -> Vec<Id> {
        let (_, layout, partition, ..) = self.client();
        layout.replicas(partition).map(Id::from).collect()
    }

    fn broadcast(&self, msg: WosMsg, o: &mut Out<Self>) {
        o.broadcast(&self.replica_ids(), &msg);
    }

    /// Starts operation `kind` on segment `seg`.
    fn start(&self, s: &mut WosClientState, kind: OpKind, seg: u8, o: &mut Out<Self>) {
        let (index, layout, _, captures, bug) = self.client();
        let offsets: Entries<Phase> = match kind {
            OpKind::Alloc => Entries::one(META, Phase::Done),
            OpKind::Trim => Entries::one(TRIM, Phase::Done),
            OpKind::Write | OpKind::Read => Entries::one(DATA, Phase::Done),
            OpKind::Batch => layout
                .data_offsets()
                .map(|off| (off, Phase::Done))
                .collect(),
        };
        s.round = 0;
        s.captures_left = captures;
        s.op = Some(Op {
            kind,
            seg,
            phase: OpPhase::Wor(offsets),
        });
        s.events.push(Event::Began(seg));
        let invoked = match kind {
            OpKind::Read => WorOp::Read,
            _ => WorOp::Capture(index),
        };
        for (off, _) in offsets.iter() {
            s.events
                .push(Event::Invoke(layout.addr(seg, off) as u8, invoked));
        }
        match kind {
            OpKind::Read => {
                s.round = 1;
                let ballot = Ballot::new(s.round, index);
                *phases_mut(s) = Entries::one(
                    DATA,
                    Phase::Read {
                        ballot,
                        replies: AcceptorSet::default(),
                        highest: None,
                        unanimous: true,
                    },
                );
                self.broadcast(
                    WosMsg::Wor(seg, Entries::one(DATA, WorMsg::Read(ballot))),
                    o,
                );
            }
            OpKind::Alloc if bug == Some(WosBug::AllocWithoutCapture) => {
                // The bug: write the metadata WOR straight away, as if it were captured.
                let ballot = Ballot::new(1, index);
                let value = client_value(index);
                let addr = layout.addr(seg, META) as u8;
                s.events.push(Event::Return(addr, WorRet::Captured(ballot)));
                s.events
                    .push(Event::Invoke(addr, WorOp::Write(ballot, value)));
                *phases_mut(s) = Entries::one(
                    META,
                    Phase::Accept {
                        ballot,
                        value,
                        accepts: AcceptorSet::default(),
                        completing: false,
                    },
                );
                let accept = WorMsg::Accept(ballot, value);
                self.broadcast(WosMsg::Wor(seg, Entries::one(META, accept)), o);
            }
            _ => self.capture(s, offsets, o),
        }
    }

    /// (Re)starts phase 1 with a fresh ballot for the WORs of the current operation that
    /// `which` names.
    fn capture(&self, s: &mut WosClientState, which: Entries<Phase>, o: &mut Out<Self>) {
        let (index, ..) = self.client();
        s.round += 1;
        s.captures_left -= 1;
        let ballot = Ballot::new(s.round, index);
        let phases = phases_mut(s);
        for (off, _) in which.iter() {
            *phases.get_mut(off).expect("the operation's own WOR") = Phase::Prepare {
                ballot,
                promises: AcceptorSet::default(),
                highest: None,
                completing: None,
            };
        }
        let seg = s.op.expect("an operation is under way").seg;
        let msg = WosMsg::Wor(seg, which.filter_map(|_, _| Some(WorMsg::Prepare(ballot))));
        self.broadcast(msg, o);
    }

    fn client_on_msg(&self, s: &mut WosClientState, from: usize, msg: WosMsg, o: &mut Out<Self>) {
        if !s.awaits(from, &msg) {
            return;
        }
        match msg {
            WosMsg::Wor(_, entries) => self.on_wor_reply(s, from, entries, o),
            WosMsg::Trimmed(_) => self.on_trimmed(s, from, o),
            WosMsg::Trim(_) | WosMsg::Learn(..) => {}
        }
    }

    /// A reply naming some of the operation's WORs: each entry is one WOR client step.
    fn on_wor_reply(
        &self,
        s: &mut WosClientState,
        from: usize,
        entries: Entries<WorMsg>,
        o: &mut Out<Self>,
    ) {
        let (index, layout, _, _, bug) = self.client();
        let Some(Op {
            seg,
            phase: OpPhase::Wor(before),
            ..
        }) = s.op
        else {
            return;
        };
        let mut phases = before;
        let events: Entries<PhaseEvent> = entries.filter_map(|off, m| {
            let phase = phases.get_mut(off)?;
            let own = client_value(index);
            Some(phase_step(phase, from, m, layout.majority(), own, None))
        });
        let nacked = events.filter_map(|_, e| match e {
            PhaseEvent::Nacked(promised) => Some(promised),
            _ => None,
        });
        if !nacked.is_empty() {
            for (_, promised) in nacked.iter() {
                s.round = s.round.max(promised.round);
            }
            if bug != Some(WosBug::BatchWriteStaleCapture) {
                // A batch capture is one capture: a nack on any of its WORs steals all of
                // them, and undoes what the other entries of this reply did.
                *phases_mut(s) = before;
                self.retry_or_fail(s, before, o);
                return self.maybe_end(s, None, o);
            }
            // The bug: keep the other WORs' capture and retry only the WORs nacked.
            *phases_mut(s) = phases;
            self.retry_or_fail(s, phases.filter_map(|off, p| nacked.get(off).map(|_| p)), o);
            phases = *phases_mut(s);
        }
        let mut captured = false;
        let mut last = None;
        for (off, event) in events.iter() {
            let addr = layout.addr(seg, off) as u8;
            match event {
                PhaseEvent::Ignored | PhaseEvent::Counted | PhaseEvent::Nacked(_) => {}
                PhaseEvent::Captured(ballot, value) => {
                    captured = true;
                    s.events.push(Event::Return(addr, WorRet::Captured(ballot)));
                    s.events
                        .push(Event::Invoke(addr, WorOp::Write(ballot, value)));
                }
                PhaseEvent::Send(m) => {
                    self.broadcast(WosMsg::Wor(seg, Entries::one(off, m)), o);
                }
                PhaseEvent::Finished(ret) => {
                    s.events.push(Event::Return(addr, ret));
                    last = Some(ret);
                }
            }
        }
        *phases_mut(s) = phases;
        // The write of a batch goes out once every WOR in it is captured, as one message per
        // replica.
        let ready = phases
            .iter()
            .all(|(_, p)| matches!(p, Phase::Accept { .. } | Phase::Done));
        if captured && ready {
            let accepts = phases.filter_map(|_, p| match p {
                Phase::Accept { ballot, value, .. } => Some(WorMsg::Accept(ballot, value)),
                _ => None,
            });
            self.broadcast(WosMsg::Wor(seg, accepts), o);
        }
        self.maybe_end(s, last, o);
    }

    /// After a nack: captures `which` again with a higher round, or, out of attempts, fails
    /// them.
    fn retry_or_fail(&self, s: &mut WosClientState, which: Entries<Phase>, o: &mut Out<Self>) {
        if s.captures_left > 0 {
            return self.capture(s, which, o);
        }
        let (_, layout, ..) = self.client();
        let seg = s.op.expect("an operation is under way").seg;
        for (off, _) in which.iter() {
            let addr = layout.addr(seg, off) as u8;
            s.events.push(Event::Return(addr, WorRet::CaptureFailed));
            *phases_mut(s).get_mut(off).expect("the operation's own WOR") = Phase::Done;
        }
    }

    /// Ends the operation's WOR part once every WOR in it is done; `last` is what the last
    /// WOR to finish returned (alloc and trim name one WOR, so it is theirs).
    fn maybe_end(&self, s: &mut WosClientState, last: Option<WorRet>, o: &mut Out<Self>) {
        let (index, ..) = self.client();
        let Some(op) = s.op else {
            return;
        };
        let OpPhase::Wor(phases) = op.phase else {
            return;
        };
        if phases.iter().any(|(_, p)| p != Phase::Done) {
            return;
        }
        let won = last == Some(WorRet::Written(client_value(index)));
        match (op.kind, last) {
            (OpKind::Alloc, Some(WorRet::Written(_))) => {
                let outcome = if won {
                    Outcome::Allocated
                } else {
                    Outcome::Taken
                };
                s.events.push(Event::Ended(op.seg, outcome));
                let next = if won { OpKind::Batch } else { OpKind::Write };
                self.start(s, next, op.seg, o);
            }
            (OpKind::Batch, _) if self.trims() => {
                s.events.push(Event::Ended(op.seg, Outcome::Done));
                self.start(s, OpKind::Trim, op.seg, o);
            }
            (OpKind::Trim, Some(WorRet::Written(_))) => {
                // The trim is decided: now drop the segment.
                s.op = Some(Op {
                    phase: OpPhase::Dropping(AcceptorSet::default()),
                    ..op
                });
                self.broadcast(WosMsg::Trim(op.seg), o);
            }
            _ => self.end(s, Outcome::Done),
        }
    }

    /// Ends the operation, and the script.
    fn end(&self, s: &mut WosClientState, outcome: Outcome) {
        if let Some(op) = s.op {
            s.events.push(Event::Ended(op.seg, outcome));
        }
        s.op = None;
        s.round = 0;
        s.captures_left = 0;
    }

    /// `from` holds the segment's tombstone: finish the trim, then answer `Trimmed`.
    fn on_trimmed(&self, s: &mut WosClientState, from: usize, o: &mut Out<Self>) {
        let (_, layout, ..) = self.client();
        let Some(op) = s.op else {
            return;
        };
        let acks = match op.phase {
            OpPhase::Wor(phases) => {
                for (off, phase) in phases.iter() {
                    if let Some(ret) = trimmed_result(phase) {
                        let addr = layout.addr(op.seg, off) as u8;
                        s.events.push(Event::Return(addr, ret));
                    }
                }
                let others: Vec<Id> = self
                    .replica_ids()
                    .into_iter()
                    .filter(|id| usize::from(*id) != from)
                    .collect();
                o.broadcast(&others, &WosMsg::Trim(op.seg));
                AcceptorSet::default().with(from)
            }
            OpPhase::Dropping(acks) => acks.with(from),
        };
        if acks.len() >= layout.majority() {
            self.end(s, Outcome::Trimmed);
        } else {
            s.op = Some(Op {
                phase: OpPhase::Dropping(acks),
                ..op
            });
        }
    }
}
