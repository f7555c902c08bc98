//! The client side of the protocol, sans-IO: one [`Op`] per API call, a state machine fed with
//! replies and timer expiries that answers with messages to send, a timer to arm, and at the
//! end the call's result. The async client library and the simulator are two drivers of it.
//!
//! The phases are the model's (`models/src/wor.rs`): `Prepare` (capture, phase 1), `Accept`
//! (write, phase 2) and `Read`, plus WormSpace's segment-level `BatchPrepare` and `BatchAccept`
//! and the `TrimAll` broadcast. Each waits for a quorum of the replica set and proceeds with
//! the fastest replies; replies for another ballot or phase are stale and ignored.
//!
//! - A capture that is nacked backs off for a random time, then retries with a ballot above
//!   every round it was shown (fast-forward), while it has attempts left; then `Preempted`.
//! - A write needs the caller's capture, and must write the highest accepted proposal its
//!   capture found; the caller learns which value won (`AlreadyWritten(v)` if not its own). A
//!   write that is nacked has an unknown outcome (`Preempted`): the caller's capture was stolen.
//! - A read asks a quorum; if they agree (on a proposal or on nothing) that is the answer, else
//!   it completes the highest proposal it saw with a capture and write of its own before
//!   returning it. `Decide` (used by alloc, trim and a read's completion) is capture-and-write
//!   retried until some value is chosen: safe to retry, because a new capture finds any value
//!   an earlier attempt left half-written.
//! - A timer with no quorum resends to the servers that have not answered; after
//!   `max_timeouts` in one phase the call gives up with `Unavailable`.

use crate::types::{Addr, Ballot, Proposal, SegId, Slot, Value};
use crate::wire::Msg;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Why a call failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Error {
    /// Another client captured the WOR: a capture gave up, or a write's outcome is unknown.
    Preempted,
    /// The WOR holds (or had to be completed with) this value, not the caller's.
    AlreadyWritten(Value),
    /// The segment was trimmed.
    Trimmed,
    /// The segment was never allocated.
    NotAllocated,
    /// A write with no capture of the WOR to write with.
    NotCaptured,
    /// No quorum answered in time; a write's outcome is unknown.
    Unavailable,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Preempted => write!(f, "preempted: another client captured the register"),
            Error::AlreadyWritten(v) => {
                write!(f, "already written: {}", String::from_utf8_lossy(v))
            }
            Error::Trimmed => write!(f, "the segment was trimmed"),
            Error::NotAllocated => write!(f, "the segment is not allocated"),
            Error::NotCaptured => write!(f, "write without a capture of the register"),
            Error::Unavailable => write!(f, "unavailable: no quorum of servers answered"),
        }
    }
}

impl std::error::Error for Error {}

/// What a call returns when it succeeds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Done {
    /// A capture, and the value a write with it must complete, if it found one.
    Captured {
        ballot: Ballot,
        pending: Option<Value>,
    },
    Written,
    /// A read: the register's value, or nothing.
    Value(Option<Value>),
    /// `Decide`: the value that was chosen.
    Decided(Value),
    /// A batch capture, and per data WOR the value a write must complete.
    BatchCaptured {
        ballot: Ballot,
        pending: BTreeMap<u32, Value>,
    },
    /// A batch write: per data WOR, as a single write would answer.
    BatchWritten(Vec<(u32, Result<(), Error>)>),
    TrimDone,
}

/// Hands out this client's ballots: every one is new, and above every round seen.
#[derive(Clone, Debug)]
pub struct Rounds {
    client: u64,
    last: u64,
}

impl Rounds {
    pub fn new(client: u64) -> Self {
        Rounds { client, last: 0 }
    }

    pub fn client(&self) -> u64 {
        self.client
    }

    /// A fresh ballot above `seen` (fast-forward past a ballot a nack showed).
    pub fn next(&mut self, seen: u64) -> Ballot {
        self.last = self.last.max(seen) + 1;
        Ballot::new(self.last, self.client)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct OpConfig {
    /// How long to wait for a quorum before resending.
    pub timeout: Duration,
    /// Resends in one phase before giving up.
    pub max_timeouts: u32,
    /// Captures (phase-1 attempts) before giving up on a preempted call.
    pub attempts: u32,
    /// The mean random pause before retrying a preempted capture.
    pub backoff: Duration,
    /// A seeded bug of the client's calls (`read-no-complete`).
    #[cfg(feature = "seeded-bugs")]
    pub bug: Option<crate::bugs::Bug>,
}

impl Default for OpConfig {
    fn default() -> Self {
        OpConfig {
            timeout: Duration::from_millis(500),
            max_timeouts: 8,
            attempts: 8,
            backoff: Duration::from_millis(2),
            #[cfg(feature = "seeded-bugs")]
            bug: None,
        }
    }
}

/// A set of servers of the replica set, by index.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Servers(u64);

impl Servers {
    fn insert(&mut self, i: usize) -> bool {
        let new = !self.contains(i);
        self.0 |= 1 << i;
        new
    }

    pub fn contains(self, i: usize) -> bool {
        self.0 & (1 << i) != 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Debug for Servers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries((0..64).filter(|&i| self.contains(i)))
            .finish()
    }
}

impl Serialize for Servers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((0..64).filter(|&i| self.contains(i)))
    }
}

impl<'de> Deserialize<'de> for Servers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut set = Servers::default();
        for i in Vec::<usize>::deserialize(d)? {
            if i >= 64 {
                return Err(serde::de::Error::custom("a server position is below 64"));
            }
            set.insert(i);
        }
        Ok(set)
    }
}

/// What the caller asked for.
#[derive(Clone, Debug, Serialize)]
pub enum Kind {
    Capture(Addr),
    /// Phase 2 with the caller's capture; `pending` is what the capture found.
    Write {
        addr: Addr,
        value: Value,
        pending: Option<Value>,
    },
    Read(Addr),
    /// Capture and write `value` (or the value found), retried until a value is chosen.
    Decide {
        addr: Addr,
        value: Value,
    },
    BatchCapture(SegId),
    BatchWrite {
        seg: SegId,
        writes: Vec<(u32, Value)>,
    },
    /// Decide the segment's trim WOR, then tell every server to drop the segment.
    Trim(SegId),
}

/// One data WOR of a batch write.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SlotWrite {
    pub value: Value,
    pub accepts: Servers,
    pub nacked: bool,
}

/// Where a call is (trace events carry it, and the trace validator reads it back).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Phase {
    /// Phase 1 on one WOR. `fallback` is the value to write if nothing accepted is found (none
    /// for a plain capture, which ends here).
    Prepare {
        addr: Addr,
        ballot: Ballot,
        promises: Servers,
        highest: Option<Proposal>,
        fallback: Option<Value>,
    },
    BatchPrepare {
        seg: SegId,
        ballot: Ballot,
        promises: Servers,
        highest: BTreeMap<u32, Proposal>,
    },
    Accept {
        addr: Addr,
        ballot: Ballot,
        value: Value,
        accepts: Servers,
    },
    BatchAccept {
        seg: SegId,
        ballot: Ballot,
        slots: BTreeMap<u32, SlotWrite>,
    },
    Read {
        addr: Addr,
        ballot: Ballot,
        replies: Servers,
        highest: Option<Proposal>,
        /// Every reply so far equals `highest`.
        unanimous: bool,
    },
    TrimAll {
        seg: SegId,
        acks: Servers,
    },
    /// Preempted; waiting for the timer before capturing again.
    Backoff,
    Done,
}

/// What one step of an op asks its driver to do.
#[derive(Debug, Default)]
pub struct Out {
    /// Messages, by server index in the replica set.
    pub send: Vec<(usize, Msg)>,
    /// Arm (or re-arm) the op's one timer to fire after this long.
    pub timer: Option<Duration>,
    /// The call's result, once it has one; the op then does nothing more.
    pub done: Option<Result<Done, Error>>,
}

/// One API call in progress.
#[derive(Clone, Debug)]
pub struct Op {
    kind: Kind,
    servers: usize,
    cfg: OpConfig,
    rng: u64,
    attempts_left: u32,
    timeouts: u32,
    /// The highest round a nack showed: the next ballot goes above it.
    seen_round: u64,
    /// For a read completing a half-written value: that value.
    completing: Option<Value>,
    phase: Phase,
}

impl Op {
    /// Starts a call on a replica set of `servers` acceptors. `seed` feeds the backoff's
    /// randomness, so that a simulated run is reproducible.
    pub fn start(
        kind: Kind,
        servers: usize,
        cfg: OpConfig,
        seed: u64,
        rounds: &mut Rounds,
        ballot: Option<Ballot>,
    ) -> (Op, Out) {
        let mut op = Op {
            kind,
            servers,
            cfg,
            rng: seed | 1,
            attempts_left: cfg.attempts,
            timeouts: 0,
            seen_round: 0,
            completing: None,
            phase: Phase::Done,
        };
        let mut out = Out::default();
        match (op.kind.clone(), ballot) {
            (
                Kind::Write {
                    addr,
                    value,
                    pending,
                },
                Some(ballot),
            ) => {
                let value = pending.unwrap_or(value);
                op.enter(
                    Phase::Accept {
                        addr,
                        ballot,
                        value,
                        accepts: Servers::default(),
                    },
                    &mut out,
                );
            }
            (Kind::BatchWrite { seg, writes }, Some(ballot)) => {
                let slots = writes
                    .into_iter()
                    .map(|(o, value)| {
                        let w = SlotWrite {
                            value,
                            accepts: Servers::default(),
                            nacked: false,
                        };
                        (o, w)
                    })
                    .collect();
                op.enter(Phase::BatchAccept { seg, ballot, slots }, &mut out);
            }
            (Kind::Read(addr), _) => {
                let ballot = rounds.next(0);
                op.enter(
                    Phase::Read {
                        addr,
                        ballot,
                        replies: Servers::default(),
                        highest: None,
                        unanimous: true,
                    },
                    &mut out,
                );
            }
            (Kind::Write { .. } | Kind::BatchWrite { .. }, None) => {
                out.done = Some(Err(Error::NotCaptured));
            }
            _ => op.capture(ballot.unwrap_or_else(|| rounds.next(0)), &mut out),
        }
        (op, out)
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    pub fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    fn quorum(&self) -> usize {
        self.servers / 2 + 1
    }

    /// The WOR the call is about (none for the segment-wide batch calls).
    pub fn addr(&self) -> Option<Addr> {
        match &self.kind {
            Kind::Capture(a) | Kind::Read(a) | Kind::Decide { addr: a, .. } => Some(*a),
            Kind::Write { addr, .. } => Some(*addr),
            Kind::Trim(seg) => Some(Addr::trim(*seg)),
            Kind::BatchCapture(_) | Kind::BatchWrite { .. } => None,
        }
    }

    /// Starts phase 1 at `ballot`.
    fn capture(&mut self, ballot: Ballot, out: &mut Out) {
        let phase = match (&self.kind, self.addr()) {
            (Kind::BatchCapture(seg), _) => Phase::BatchPrepare {
                seg: *seg,
                ballot,
                promises: Servers::default(),
                highest: BTreeMap::new(),
            },
            (kind, Some(addr)) => Phase::Prepare {
                addr,
                ballot,
                promises: Servers::default(),
                highest: None,
                fallback: match kind {
                    Kind::Decide { value, .. } => Some(value.clone()),
                    Kind::Trim(_) => Some(b"trimmed".to_vec()),
                    _ => self.completing.clone(),
                },
            },
            (_, None) => unreachable!("batch writes never capture"),
        };
        self.enter(phase, out);
    }

    /// Enters a waiting phase: sends its messages to every server and arms the timer.
    fn enter(&mut self, phase: Phase, out: &mut Out) {
        self.phase = phase;
        self.timeouts = 0;
        for i in 0..self.servers {
            self.messages_for(i, &mut out.send);
        }
        out.timer = Some(self.cfg.timeout);
    }

    /// What server `i` still has to answer in this phase.
    fn messages_for(&self, i: usize, send: &mut Vec<(usize, Msg)>) {
        match &self.phase {
            Phase::Prepare {
                addr,
                ballot,
                promises,
                ..
            } if !promises.contains(i) => send.push((
                i,
                Msg::Prepare {
                    addr: *addr,
                    ballot: *ballot,
                },
            )),
            Phase::BatchPrepare {
                seg,
                ballot,
                promises,
                ..
            } if !promises.contains(i) => send.push((
                i,
                Msg::BatchPrepare {
                    seg: *seg,
                    ballot: *ballot,
                },
            )),
            Phase::Accept {
                addr,
                ballot,
                value,
                accepts,
            } if !accepts.contains(i) => send.push((
                i,
                Msg::Accept {
                    addr: *addr,
                    ballot: *ballot,
                    value: value.clone(),
                },
            )),
            Phase::BatchAccept { seg, ballot, slots } => {
                for (&o, w) in slots {
                    if !w.accepts.contains(i) && !w.nacked {
                        let msg = Msg::Accept {
                            addr: Addr::data(*seg, o),
                            ballot: *ballot,
                            value: w.value.clone(),
                        };
                        send.push((i, msg));
                    }
                }
            }
            Phase::Read {
                addr,
                ballot,
                replies,
                ..
            } if !replies.contains(i) => send.push((
                i,
                Msg::Read {
                    addr: *addr,
                    ballot: *ballot,
                },
            )),
            Phase::TrimAll { seg, acks } if !acks.contains(i) => {
                send.push((i, Msg::Trim { seg: *seg }))
            }
            _ => {}
        }
    }

    fn finish(&mut self, result: Result<Done, Error>, out: &mut Out) {
        self.phase = Phase::Done;
        out.done = Some(result);
    }

    /// A random pause around the configured backoff (xorshift: reproducible from the seed).
    fn backoff(&mut self) -> Duration {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let spread = (self.rng % 1000) as f64 / 1000.0 + 0.5;
        self.cfg.backoff.mul_f64(spread)
    }

    /// The capture was stolen: retry later if attempts are left, else fail.
    fn preempted(&mut self, promised: Ballot, out: &mut Out) {
        self.seen_round = self.seen_round.max(promised.round);
        self.attempts_left = self.attempts_left.saturating_sub(1);
        if self.attempts_left == 0 {
            self.finish(Err(Error::Preempted), out);
        } else {
            self.phase = Phase::Backoff;
            out.timer = Some(self.backoff());
        }
    }

    /// The timer fired: retry after a backoff, or resend what is unanswered.
    pub fn on_timer(&mut self, rounds: &mut Rounds) -> Out {
        let mut out = Out::default();
        match &self.phase {
            Phase::Done => {}
            Phase::Backoff => {
                let ballot = rounds.next(self.seen_round);
                self.capture(ballot, &mut out)
            }
            _ if self.timeouts >= self.cfg.max_timeouts => {
                self.finish(Err(Error::Unavailable), &mut out)
            }
            _ => {
                self.timeouts += 1;
                for i in 0..self.servers {
                    self.messages_for(i, &mut out.send);
                }
                out.timer = Some(self.cfg.timeout);
            }
        }
        out
    }

    /// A reply from server `from` of the replica set.
    pub fn on_reply(&mut self, from: usize, msg: &Msg) -> Out {
        let mut out = Out::default();
        if from >= self.servers || self.is_done() {
            return out;
        }
        if let Msg::Trimmed { seg } = msg {
            match (&self.kind, &self.phase) {
                (_, _) if self.seg() != *seg => {}
                (_, Phase::TrimAll { .. }) => {}
                // Someone decided the trim WOR: finish their trim, so that a quorum drops the
                // segment before this call returns.
                (Kind::Trim(seg), _) => {
                    let phase = Phase::TrimAll {
                        seg: *seg,
                        acks: Servers::default(),
                    };
                    self.enter(phase, &mut out)
                }
                _ => self.finish(Err(Error::Trimmed), &mut out),
            }
            return out;
        }
        let quorum = self.quorum();
        let next = match (&mut self.phase, msg) {
            (
                Phase::Prepare {
                    addr,
                    ballot,
                    promises,
                    highest,
                    fallback,
                },
                Msg::Promise {
                    addr: a,
                    ballot: b,
                    accepted,
                },
            ) if a == addr && b == ballot && !promises.contains(from) => {
                promises.insert(from);
                if *accepted > *highest {
                    highest.clone_from(accepted);
                }
                if promises.len() < quorum {
                    return out;
                }
                let pending = highest.as_ref().map(|p| p.1.clone());
                match (&self.kind, pending.or(fallback.clone())) {
                    (Kind::Capture(_), pending) => Next::Finish(Ok(Done::Captured {
                        ballot: *ballot,
                        pending,
                    })),
                    (_, Some(value)) => Next::Enter(Phase::Accept {
                        addr: *addr,
                        ballot: *ballot,
                        value,
                        accepts: Servers::default(),
                    }),
                    (_, None) => unreachable!("every call that writes has a value to write"),
                }
            }
            (
                Phase::BatchPrepare {
                    seg,
                    ballot,
                    promises,
                    highest,
                },
                Msg::BatchPromise {
                    seg: s,
                    ballot: b,
                    accepted,
                },
            ) if s == seg && b == ballot && !promises.contains(from) => {
                promises.insert(from);
                for (o, p) in accepted {
                    let h = highest.entry(*o).or_insert_with(|| p.clone());
                    if *p > *h {
                        h.clone_from(p);
                    }
                }
                if promises.len() < quorum {
                    return out;
                }
                let pending = highest.iter().map(|(o, p)| (*o, p.1.clone())).collect();
                Next::Finish(Ok(Done::BatchCaptured {
                    ballot: *ballot,
                    pending,
                }))
            }
            (
                Phase::Prepare { addr, ballot, .. } | Phase::Accept { addr, ballot, .. },
                Msg::Nack {
                    addr: a,
                    ballot: b,
                    promised,
                },
            ) if a == addr && b == ballot => match (&self.kind, &self.phase) {
                (Kind::Write { .. }, _) => Next::Finish(Err(Error::Preempted)),
                _ => Next::Preempted(*promised),
            },
            (
                Phase::BatchPrepare { seg, ballot, .. },
                Msg::BatchNack {
                    seg: s,
                    ballot: b,
                    promised,
                },
            ) if s == seg && b == ballot => Next::Preempted(*promised),
            (
                Phase::Accept {
                    addr,
                    ballot,
                    value,
                    accepts,
                },
                Msg::Accepted { addr: a, ballot: b },
            ) if a == addr && b == ballot && !accepts.contains(from) => {
                accepts.insert(from);
                if accepts.len() < quorum {
                    return out;
                }
                let value = value.clone();
                match &self.kind {
                    Kind::Write { value: own, .. } if *own == value => {
                        Next::Finish(Ok(Done::Written))
                    }
                    Kind::Write { .. } => Next::Finish(Err(Error::AlreadyWritten(value))),
                    Kind::Read(_) => Next::Finish(Ok(Done::Value(Some(value)))),
                    Kind::Trim(seg) => Next::Enter(Phase::TrimAll {
                        seg: *seg,
                        acks: Servers::default(),
                    }),
                    _ => Next::Finish(Ok(Done::Decided(value))),
                }
            }
            (
                Phase::BatchAccept { seg, ballot, slots },
                Msg::Accepted { addr, ballot: b }
                | Msg::Nack {
                    addr, ballot: b, ..
                },
            ) if addr.seg == *seg && b == ballot => {
                let Slot::Data(o) = addr.slot else {
                    return out;
                };
                let Some(w) = slots.get_mut(&o) else {
                    return out;
                };
                match msg {
                    Msg::Accepted { .. } => {
                        w.accepts.insert(from);
                    }
                    _ => w.nacked = true,
                }
                if slots
                    .values()
                    .any(|w| !w.nacked && w.accepts.len() < quorum)
                {
                    return out;
                }
                let Kind::BatchWrite { writes, .. } = &self.kind else {
                    unreachable!("only batch writes batch-accept")
                };
                let results = writes
                    .iter()
                    .map(|(o, own)| {
                        let w = &slots[o];
                        let r = if w.accepts.len() < quorum {
                            Err(Error::Preempted)
                        } else if w.value == *own {
                            Ok(())
                        } else {
                            Err(Error::AlreadyWritten(w.value.clone()))
                        };
                        (*o, r)
                    })
                    .collect();
                Next::Finish(Ok(Done::BatchWritten(results)))
            }
            (
                Phase::Read {
                    addr,
                    ballot,
                    replies,
                    highest,
                    unanimous,
                },
                Msg::ReadReply {
                    addr: a,
                    ballot: b,
                    accepted,
                },
            ) if a == addr && b == ballot && !replies.contains(from) => {
                replies.insert(from);
                *unanimous = replies.len() == 1 || (*unanimous && accepted == highest);
                if *accepted > *highest {
                    highest.clone_from(accepted);
                }
                if replies.len() < quorum {
                    return out;
                }
                let unanimous = *unanimous;
                #[cfg(feature = "seeded-bugs")]
                let unanimous = unanimous || self.cfg.bug == Some(crate::bugs::Bug::ReadNoComplete);
                match highest {
                    // A quorum agrees: this proposal (or nothing) is chosen.
                    _ if unanimous => {
                        Next::Finish(Ok(Done::Value(highest.as_ref().map(|p| p.1.clone()))))
                    }
                    // Seen on fewer than a quorum: complete it at the read's ballot.
                    Some((_, seen)) => {
                        self.completing = Some(seen.clone());
                        Next::Capture(*ballot)
                    }
                    None => unreachable!("replies that are not unanimous include a proposal"),
                }
            }
            (Phase::TrimAll { seg, acks }, Msg::TrimDone { seg: s })
                if s == seg && !acks.contains(from) =>
            {
                acks.insert(from);
                if acks.len() < quorum {
                    return out;
                }
                Next::Finish(Ok(Done::TrimDone))
            }
            _ => return out,
        };
        match next {
            Next::Finish(result) => self.finish(result, &mut out),
            Next::Enter(phase) => self.enter(phase, &mut out),
            Next::Capture(ballot) => self.capture(ballot, &mut out),
            Next::Preempted(promised) => self.preempted(promised, &mut out),
        }
        out
    }

    /// The segment the call is about.
    pub fn seg(&self) -> SegId {
        match &self.kind {
            Kind::BatchCapture(seg) | Kind::BatchWrite { seg, .. } | Kind::Trim(seg) => *seg,
            Kind::Capture(a) | Kind::Read(a) => a.seg,
            Kind::Write { addr, .. } | Kind::Decide { addr, .. } => addr.seg,
        }
    }
}

/// The transition a reply causes, decided while the phase is borrowed.
enum Next {
    Finish(Result<Done, Error>),
    Enter(Phase),
    Capture(Ballot),
    Preempted(Ballot),
}

/// A subscription to a segment's writes, sans-IO: acceptors report each value they accept
/// (`Notify`); a WOR is written once a quorum accepted one ballot, and each written WOR is
/// told once.
#[derive(Clone, Debug)]
pub struct Watch {
    servers: usize,
    seen: BTreeMap<Addr, BTreeMap<Ballot, (Value, Servers)>>,
    told: std::collections::BTreeSet<Addr>,
    /// A seeded bug of the subscription (`notify-before-chosen`).
    #[cfg(feature = "seeded-bugs")]
    pub bug: Option<crate::bugs::Bug>,
}

impl Watch {
    pub fn new(servers: usize) -> Self {
        Watch {
            servers,
            seen: BTreeMap::new(),
            told: Default::default(),
            #[cfg(feature = "seeded-bugs")]
            bug: None,
        }
    }

    /// A message from server `from`: the WOR it shows written, if it is the first to.
    pub fn on_notify(&mut self, from: usize, msg: &Msg) -> Option<(Addr, Value)> {
        let Msg::Notify {
            addr,
            proposal: (ballot, value),
        } = msg
        else {
            return None;
        };
        if from >= self.servers || self.told.contains(addr) {
            return None;
        }
        let (v, by) = self
            .seen
            .entry(*addr)
            .or_default()
            .entry(*ballot)
            .or_insert_with(|| (value.clone(), Servers::default()));
        by.insert(from);
        #[cfg(feature = "seeded-bugs")]
        let by = match self.bug {
            Some(crate::bugs::Bug::NotifyBeforeChosen) => Servers(u64::MAX),
            _ => *by,
        };
        if by.len() <= self.servers / 2 {
            return None;
        }
        let value = v.clone();
        self.seen.remove(addr);
        self.told.insert(*addr);
        Some((*addr, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> OpConfig {
        OpConfig {
            attempts: 2,
            ..OpConfig::default()
        }
    }

    /// Answers every message of `out` with `reply(server, msg)` for the first `n` servers.
    fn deliver(op: &mut Op, out: Out, n: usize, reply: impl Fn(&Msg) -> Msg) -> Out {
        let mut last = Out::default();
        for (to, msg) in out.send {
            if to < n {
                last = op.on_reply(to, &reply(&msg));
                if last.done.is_some() {
                    break;
                }
            }
        }
        last
    }

    #[test]
    fn capture_then_write_completes_the_value_found() {
        let mut rounds = Rounds::new(7);
        let a = Addr::data(1, 0);
        let old = (Ballot::new(1, 3), b"old".to_vec());
        let (mut op, out) = Op::start(Kind::Capture(a), 3, cfg(), 1, &mut rounds, None);
        let done = deliver(&mut op, out, 2, |m| match m {
            Msg::Prepare { addr, ballot } => Msg::Promise {
                addr: *addr,
                ballot: *ballot,
                accepted: Some(old.clone()),
            },
            _ => unreachable!(),
        });
        let Some(Ok(Done::Captured { ballot, pending })) = done.done else {
            panic!("{done:?}")
        };
        assert_eq!(pending, Some(b"old".to_vec()));
        let kind = Kind::Write {
            addr: a,
            value: b"new".to_vec(),
            pending,
        };
        let (mut op, out) = Op::start(kind, 3, cfg(), 1, &mut rounds, Some(ballot));
        assert!(matches!(&out.send[0].1, Msg::Accept { value, .. } if value == b"old"));
        let done = deliver(&mut op, out, 2, |m| match m {
            Msg::Accept { addr, ballot, .. } => Msg::Accepted {
                addr: *addr,
                ballot: *ballot,
            },
            _ => unreachable!(),
        });
        assert_eq!(done.done, Some(Err(Error::AlreadyWritten(b"old".to_vec()))));
    }

    #[test]
    fn a_nacked_capture_backs_off_and_fast_forwards_then_gives_up() {
        let mut rounds = Rounds::new(7);
        let a = Addr::data(1, 0);
        let (mut op, out) = Op::start(Kind::Capture(a), 3, cfg(), 1, &mut rounds, None);
        let nack = |m: &Msg| match m {
            Msg::Prepare { addr, ballot } => Msg::Nack {
                addr: *addr,
                ballot: *ballot,
                promised: Ballot::new(40, 9),
            },
            _ => unreachable!(),
        };
        let backoff = deliver(&mut op, out, 1, nack);
        assert!(backoff.timer.is_some() && backoff.done.is_none());
        let retry = op.on_timer(&mut rounds);
        assert!(
            matches!(retry.send[0].1, Msg::Prepare { ballot, .. } if ballot == Ballot::new(41, 7))
        );
        let last = deliver(&mut op, retry, 1, nack);
        assert_eq!(last.done, Some(Err(Error::Preempted)));
    }

    #[test]
    fn a_read_that_sees_a_minority_value_completes_it() {
        let mut rounds = Rounds::new(7);
        let a = Addr::data(1, 0);
        let half = (Ballot::new(2, 3), b"half".to_vec());
        let (mut op, out) = Op::start(Kind::Read(a), 3, cfg(), 1, &mut rounds, None);
        let mut next = Out::default();
        for (to, msg) in out.send.iter().take(2) {
            let Msg::Read { addr, ballot } = msg else {
                unreachable!()
            };
            let accepted = (*to == 0).then(|| half.clone());
            next = op.on_reply(
                *to,
                &Msg::ReadReply {
                    addr: *addr,
                    ballot: *ballot,
                    accepted,
                },
            );
        }
        assert!(matches!(next.send[0].1, Msg::Prepare { .. }));
        let next = deliver(&mut op, next, 2, |m| match m {
            Msg::Prepare { addr, ballot } => Msg::Promise {
                addr: *addr,
                ballot: *ballot,
                accepted: None,
            },
            _ => unreachable!(),
        });
        assert!(matches!(&next.send[0].1, Msg::Accept { value, .. } if value == b"half"));
        let done = deliver(&mut op, next, 2, |m| match m {
            Msg::Accept { addr, ballot, .. } => Msg::Accepted {
                addr: *addr,
                ballot: *ballot,
            },
            _ => unreachable!(),
        });
        assert_eq!(done.done, Some(Ok(Done::Value(Some(b"half".to_vec())))));
    }

    #[test]
    fn writes_need_a_capture_and_timeouts_end_unavailable() {
        let mut rounds = Rounds::new(7);
        let a = Addr::data(1, 0);
        let kind = Kind::Write {
            addr: a,
            value: vec![1],
            pending: None,
        };
        let (_, out) = Op::start(kind, 3, cfg(), 1, &mut rounds, None);
        assert_eq!(out.done, Some(Err(Error::NotCaptured)));
        let (mut op, _) = Op::start(Kind::Read(a), 3, cfg(), 1, &mut rounds, None);
        for _ in 0..cfg().max_timeouts {
            assert_eq!(op.on_timer(&mut rounds).send.len(), 3);
        }
        assert_eq!(op.on_timer(&mut rounds).done, Some(Err(Error::Unavailable)));
    }

    #[test]
    fn a_trim_that_meets_a_trimmed_server_still_trims_a_quorum() {
        let mut rounds = Rounds::new(7);
        let (mut op, _) = Op::start(Kind::Trim(4), 3, cfg(), 1, &mut rounds, None);
        let out = op.on_reply(0, &Msg::Trimmed { seg: 4 });
        assert!(out.done.is_none());
        assert_eq!(out.send.len(), 3);
        assert!(matches!(out.send[0].1, Msg::Trim { seg: 4 }));
        assert!(op.on_reply(0, &Msg::TrimDone { seg: 4 }).done.is_none());
        let done = op.on_reply(2, &Msg::TrimDone { seg: 4 }).done;
        assert_eq!(done, Some(Ok(Done::TrimDone)));
        let (mut read, _) = Op::start(Kind::Read(Addr::data(4, 0)), 3, cfg(), 1, &mut rounds, None);
        let out = read.on_reply(1, &Msg::Trimmed { seg: 4 });
        assert_eq!(out.done, Some(Err(Error::Trimmed)));
    }

    #[test]
    fn a_watch_tells_a_write_once_a_quorum_accepted_it() {
        let mut w = Watch::new(3);
        let n = |b: u64, v: &[u8]| Msg::Notify {
            addr: Addr::data(2, 1),
            proposal: (Ballot::new(b, 1), v.to_vec()),
        };
        assert_eq!(w.on_notify(0, &n(1, b"x")), None);
        assert_eq!(w.on_notify(1, &n(2, b"x")), None);
        assert_eq!(
            w.on_notify(2, &n(2, b"x")),
            Some((Addr::data(2, 1), b"x".to_vec()))
        );
        assert_eq!(w.on_notify(0, &n(2, b"x")), None);
    }
}
