//! The bridge to the WOR model: the implementation's per-WOR states and messages, renamed
//! into the model's small domain, stepped with the model's own functions
//! ([`wor::acceptor_step`], [`wor::phase_step`]), and renamed back.
//!
//! The model's ballots are pairs of bytes and its values letters; the implementation's are
//! pairs of u64 and byte strings. The model's step functions only compare ballots and values
//! and copy them, so a step is preserved by any renaming that keeps the order of the few
//! ballots and values it sees: each step renames its own inputs (ranked by order) and maps
//! the outputs back. That makes the bridge exact, with no limit on how many ballots or values
//! a trace holds.

use worm_models::wor::{self, spec, AcceptorSet, AcceptorState, PhaseEvent, WorMsg};
use worm_wormspace::proposer::{Phase, Servers};
use worm_wormspace::types::{Ballot, Proposal, Value};

/// A value, interned: an index into [`Values`].
pub type Val = u32;

/// Every value a trace mentions, interned so that states and messages are small and `Copy`.
#[derive(Default)]
pub struct Values {
    ids: ahash::AHashMap<Value, Val>,
    bytes: Vec<Value>,
}

impl Values {
    pub fn id(&mut self, v: &[u8]) -> Val {
        if let Some(&id) = self.ids.get(v) {
            return id;
        }
        let id = self.bytes.len() as Val;
        self.bytes.push(v.to_vec());
        self.ids.insert(v.to_vec(), id);
        id
    }

    pub fn bytes(&self, v: Val) -> &[u8] {
        &self.bytes[v as usize]
    }

    pub fn proposal(&mut self, p: &Option<Proposal>) -> Option<(Ballot, Val)> {
        p.as_ref().map(|(b, v)| (*b, self.id(v)))
    }
}

/// One acceptor's state for one WOR: the model's [`AcceptorState`], plus the segment's
/// tombstone (WOS: a trimmed segment's WORs are dropped and answer `Trimmed`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Acc {
    pub promised: Ballot,
    pub accepted: Option<(Ballot, Val)>,
    pub trimmed: bool,
}

/// The model's WOR messages over the implementation's ballots and interned values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WMsg {
    Prepare(Ballot),
    Promise(Ballot, Option<(Ballot, Val)>),
    Accept(Ballot, Val),
    Accepted(Ballot),
    Nack(Ballot, Ballot),
    Read(Ballot),
    ReadReply(Ballot, Option<(Ballot, Val)>),
}

/// An order-preserving renaming of a step's ballots and values into the model's. Fixed
/// arrays: a step sees at most four ballots and three values, and this runs once per event.
#[derive(Default)]
struct Rename {
    ballots: [Ballot; 8],
    nb: usize,
    vals: [Val; 8],
    nv: usize,
}

impl Rename {
    fn ballot(&mut self, b: Ballot) {
        if !self.ballots[..self.nb].contains(&b) {
            self.ballots[self.nb] = b;
            self.nb += 1;
        }
    }

    fn val(&mut self, v: Val) {
        if !self.vals[..self.nv].contains(&v) {
            self.vals[self.nv] = v;
            self.nv += 1;
        }
    }

    fn proposal(&mut self, p: Option<(Ballot, Val)>) {
        if let Some((b, v)) = p {
            self.ballot(b);
            self.val(v);
        }
    }

    fn msg(&mut self, m: WMsg) {
        match m {
            WMsg::Prepare(b) | WMsg::Accepted(b) | WMsg::Read(b) => self.ballot(b),
            WMsg::Accept(b, v) => {
                self.ballot(b);
                self.val(v);
            }
            WMsg::Nack(b, p) => {
                self.ballot(b);
                self.ballot(p);
            }
            WMsg::Promise(b, p) | WMsg::ReadReply(b, p) => {
                self.ballot(b);
                self.proposal(p);
            }
        }
    }

    /// Fixes the renaming once every input was added.
    fn seal(&mut self, values: &Values) {
        self.ballots[..self.nb].sort_unstable();
        self.vals[..self.nv].sort_unstable_by(|a, b| values.bytes(*a).cmp(values.bytes(*b)));
    }

    fn to_b(&self, b: Ballot) -> spec::Ballot {
        let rank = self.ballots[..self.nb]
            .binary_search(&b)
            .expect("every ballot was added");
        spec::Ballot::new(rank as u8, 0)
    }

    fn back_b(&self, b: spec::Ballot) -> Ballot {
        self.ballots[usize::from(b.round)]
    }

    fn to_v(&self, v: Val) -> spec::Value {
        let rank = self
            .vals
            .iter()
            .position(|x| *x == v)
            .expect("every value was added");
        (b'a' + rank as u8) as char
    }

    fn back_v(&self, v: spec::Value) -> Val {
        self.vals[usize::from(v as u8 - b'a')]
    }

    fn to_p(&self, p: Option<(Ballot, Val)>) -> Option<wor::Proposal> {
        p.map(|(b, v)| (self.to_b(b), self.to_v(v)))
    }

    fn back_p(&self, p: Option<wor::Proposal>) -> Option<(Ballot, Val)> {
        p.map(|(b, v)| (self.back_b(b), self.back_v(v)))
    }

    fn to_msg(&self, m: WMsg) -> WorMsg {
        match m {
            WMsg::Prepare(b) => WorMsg::Prepare(self.to_b(b)),
            WMsg::Promise(b, p) => WorMsg::Promise(self.to_b(b), self.to_p(p)),
            WMsg::Accept(b, v) => WorMsg::Accept(self.to_b(b), self.to_v(v)),
            WMsg::Accepted(b) => WorMsg::Accepted(self.to_b(b)),
            WMsg::Nack(b, p) => WorMsg::Nack(self.to_b(b), self.to_b(p)),
            WMsg::Read(b) => WorMsg::Read(self.to_b(b)),
            WMsg::ReadReply(b, p) => WorMsg::ReadReply(self.to_b(b), self.to_p(p)),
        }
    }

    fn back_msg(&self, m: WorMsg) -> WMsg {
        match m {
            WorMsg::Prepare(b) => WMsg::Prepare(self.back_b(b)),
            WorMsg::Promise(b, p) => WMsg::Promise(self.back_b(b), self.back_p(p)),
            WorMsg::Accept(b, v) => WMsg::Accept(self.back_b(b), self.back_v(v)),
            WorMsg::Accepted(b) => WMsg::Accepted(self.back_b(b)),
            WorMsg::Nack(b, p) => WMsg::Nack(self.back_b(b), self.back_b(p)),
            WorMsg::Read(b) => WMsg::Read(self.back_b(b)),
            WorMsg::ReadReply(b, p) => WMsg::ReadReply(self.back_b(b), self.back_p(p)),
        }
    }
}

/// The model acceptor's step on `msg` in state `s`: the next state and the reply. A trimmed
/// WOR is not stepped (the caller answers `Trimmed`).
pub fn acceptor_step(s: &Acc, msg: WMsg, values: &Values) -> (Acc, Option<WMsg>) {
    let mut r = Rename::default();
    r.ballot(s.promised);
    r.proposal(s.accepted);
    r.msg(msg);
    r.seal(values);
    let state = AcceptorState {
        promised: r.to_b(s.promised),
        accepted: r.to_p(s.accepted),
    };
    let step = wor::acceptor_step(None, &state, r.to_msg(msg));
    let next = step.next.map_or(*s, |n| Acc {
        promised: r.back_b(n.promised),
        accepted: r.back_p(n.accepted),
        trimmed: false,
    });
    (next, step.reply.map(|m| r.back_msg(m)))
}

/// A client phase of one WOR, as the model has it (`None`: a phase the model has no
/// counterpart of, such as a back-off or the segment-wide phases).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WPhase {
    Prepare {
        ballot: Ballot,
        promises: u8,
        highest: Option<(Ballot, Val)>,
        completing: Option<Val>,
    },
    Accept {
        ballot: Ballot,
        value: Val,
        accepts: u8,
    },
    Read {
        ballot: Ballot,
        replies: u8,
        highest: Option<(Ballot, Val)>,
        unanimous: bool,
    },
}

fn set(s: Servers) -> Option<u8> {
    (0..64)
        .filter(|&i| s.contains(i))
        .try_fold(0u8, |acc, i| (i < 8).then(|| acc | 1 << i))
}

impl WPhase {
    /// The single-WOR phases (server positions below 8, as the model's acceptor sets).
    pub fn of(p: &Phase, values: &mut Values) -> Option<WPhase> {
        Some(match p {
            Phase::Prepare {
                ballot,
                promises,
                highest,
                fallback,
                ..
            } => WPhase::Prepare {
                ballot: *ballot,
                promises: set(*promises)?,
                highest: values.proposal(highest),
                completing: fallback.as_ref().map(|v| values.id(v)),
            },
            Phase::Accept {
                ballot,
                value,
                accepts,
                ..
            } => WPhase::Accept {
                ballot: *ballot,
                value: values.id(value),
                accepts: set(*accepts)?,
            },
            Phase::Read {
                ballot,
                replies,
                highest,
                unanimous,
                ..
            } => WPhase::Read {
                ballot: *ballot,
                replies: set(*replies)?,
                highest: values.proposal(highest),
                unanimous: *unanimous,
            },
            _ => return None,
        })
    }

    fn rename(&self, r: &mut Rename) {
        match *self {
            WPhase::Prepare {
                ballot,
                highest,
                completing,
                ..
            } => {
                r.ballot(ballot);
                r.proposal(highest);
                if let Some(v) = completing {
                    r.val(v);
                }
            }
            WPhase::Accept { ballot, value, .. } => {
                r.ballot(ballot);
                r.val(value);
            }
            WPhase::Read {
                ballot, highest, ..
            } => {
                r.ballot(ballot);
                r.proposal(highest);
            }
        }
    }

    fn to_model(self, r: &Rename) -> wor::Phase {
        match self {
            WPhase::Prepare {
                ballot,
                promises,
                highest,
                completing,
            } => wor::Phase::Prepare {
                ballot: r.to_b(ballot),
                promises: AcceptorSet(promises),
                highest: r.to_p(highest),
                completing: completing.map(|v| r.to_v(v)),
            },
            WPhase::Accept {
                ballot,
                value,
                accepts,
            } => wor::Phase::Accept {
                ballot: r.to_b(ballot),
                value: r.to_v(value),
                accepts: AcceptorSet(accepts),
                completing: false,
            },
            WPhase::Read {
                ballot,
                replies,
                highest,
                unanimous,
            } => wor::Phase::Read {
                ballot: r.to_b(ballot),
                replies: AcceptorSet(replies),
                highest: r.to_p(highest),
                unanimous,
            },
        }
    }

    fn from_model(p: wor::Phase, r: &Rename) -> Option<WPhase> {
        Some(match p {
            wor::Phase::Prepare {
                ballot,
                promises,
                highest,
                completing,
            } => WPhase::Prepare {
                ballot: r.back_b(ballot),
                promises: promises.0,
                highest: r.back_p(highest),
                completing: completing.map(|v| r.back_v(v)),
            },
            wor::Phase::Accept {
                ballot,
                value,
                accepts,
                ..
            } => WPhase::Accept {
                ballot: r.back_b(ballot),
                value: r.back_v(value),
                accepts: accepts.0,
            },
            wor::Phase::Read {
                ballot,
                replies,
                highest,
                unanimous,
            } => WPhase::Read {
                ballot: r.back_b(ballot),
                replies: replies.0,
                highest: r.back_p(highest),
                unanimous,
            },
            wor::Phase::Done => return None,
        })
    }
}

/// What the model's client does with one reply, in the implementation's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The phase goes on (`Ignored` or `Counted`): the new phase.
    Phase(WPhase),
    /// A plain capture reached a quorum: its ballot, and the accepted value it found (which a
    /// write must complete).
    Captured(Ballot, Option<Val>),
    /// Phase 1 reached a quorum with a value to write, or a read moves on to completing what
    /// it saw: the new phase.
    Next(WPhase),
    /// The operation decided this value (a write or a completion reached a quorum), or a read
    /// found a quorum agreeing on it.
    Decided(Option<Val>),
    /// A nack: the implementation's retry policy differs from the model's, so the step is not
    /// compared.
    Nacked,
}

/// The model client's step in `phase` on `msg` from the server at position `from` of a
/// replica set with this quorum.
pub fn phase_step(
    phase: WPhase,
    from: usize,
    msg: WMsg,
    quorum: usize,
    values: &Values,
) -> Outcome {
    let mut r = Rename::default();
    phase.rename(&mut r);
    r.msg(msg);
    r.seal(values);
    // The value a plain capture would write when it finds none: one the trace cannot hold.
    let own = (b'a' + r.nv as u8) as char;
    let mut p = phase.to_model(&r);
    let ev = wor::phase_step(&mut p, from, r.to_msg(msg), quorum, own, None);
    let back = |p| WPhase::from_model(p, &r);
    match ev {
        PhaseEvent::Ignored | PhaseEvent::Counted => {
            Outcome::Phase(back(p).expect("a phase that goes on is not done"))
        }
        PhaseEvent::Captured(b, v) => {
            Outcome::Captured(r.back_b(b), (v != own).then(|| r.back_v(v)))
        }
        PhaseEvent::Send(_) => Outcome::Next(back(p).expect("a next phase")),
        PhaseEvent::Nacked(_) => Outcome::Nacked,
        PhaseEvent::Finished(ret) => match ret {
            spec::WorRet::Written(v) => Outcome::Decided(Some(r.back_v(v))),
            spec::WorRet::ReadValue(v) => Outcome::Decided(v.map(|v| r.back_v(v))),
            _ => Outcome::Nacked,
        },
    }
}
