//! The abstract write-once register: a sequential object, tiny and obviously right.
//!
//! - `capture()` returns a capture id larger than every earlier one; it becomes the latest
//!   capture. A capture may also fail (it was preempted), which changes nothing.
//! - `write(id, v)` succeeds only while `id` is the latest capture. The register then holds a
//!   value forever: `v`, or a value of an earlier write whose outcome was unknown (the protocol
//!   must finish a partly written value, and the caller learns which value won). If the
//!   register already holds `w`, a write returns `w`.
//! - A write can end with an unknown outcome (its capture was stolen): its value joins
//!   `pending` and may take effect at any later time, or never.
//! - `read()` returns the value or nothing; a read may be the moment a pending value takes
//!   effect (the protocol's read completes a half-written value).

use serde::Serialize;
use stateright::semantics::SequentialSpec;
use std::fmt;
use worm_refinement::{Returns, StepSpec};

/// A value held by a register. The models give each client its own letter.
pub type Value = char;

/// A capture id: a Paxos ballot, ordered by round, then by the client that owns it.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Ballot {
    pub round: u8,
    pub client: u8,
}

impl Ballot {
    /// Lower than every ballot a client uses (rounds start at 1).
    pub const ZERO: Ballot = Ballot {
        round: 0,
        client: 0,
    };

    pub fn new(round: u8, client: u8) -> Self {
        Ballot { round, client }
    }
}

impl fmt::Debug for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Shown as round and the owning client's letter: `2.A` is client A's second round.
        write!(f, "{}.{}", self.round, (b'A' + self.client) as char)
    }
}

/// A set of values (client letters 'A'..='H'), small and `Copy` because the linearizability
/// monitor clones spec states often.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ValueSet(u8);

impl ValueSet {
    fn bit(v: Value) -> u8 {
        1 << (v as u8 - b'A')
    }

    pub fn insert(&mut self, v: Value) {
        self.0 |= Self::bit(v);
    }

    pub fn contains(self, v: Value) -> bool {
        self.0 & Self::bit(v) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Value> {
        (0..8u8)
            .filter(move |i| self.0 & (1 << i) != 0)
            .map(|i| (b'A' + i) as char)
    }
}

impl FromIterator<Value> for ValueSet {
    fn from_iter<I: IntoIterator<Item = Value>>(values: I) -> Self {
        let mut set = ValueSet::default();
        for v in values {
            set.insert(v);
        }
        set
    }
}

impl fmt::Debug for ValueSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// An operation on the register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum WorOp {
    /// A capture by the client with this index; its ids are the ballots that client owns.
    Capture(u8),
    /// Write with the capture `Ballot`: the value given is the one the writer proposes.
    Write(Ballot, Value),
    Read,
}

/// What an operation returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum WorRet {
    Captured(Ballot),
    CaptureFailed,
    /// The write succeeded; the register holds this value (maybe not the one proposed).
    Written(Value),
    /// The capture was stolen mid-write: this value may or may not take effect.
    Unknown(Value),
    ReadValue(Option<Value>),
    /// A read that had to complete a half-written value and was preempted while doing so.
    ReadFailed,
}

/// The register's abstract state. Its `domain` is configuration shared by every state, a
/// `&'static` (see [`Domain::shared`]) so that copying an abstract state, which the
/// refinement check does for every transition, touches no reference count. Equality, order and
/// hash take the domain by address (equal domains are one copy): a word, not two vectors, and
/// still exact, so that the interned histories of two configurations with different domains,
/// whose linearizability monitors hold these states, are never taken for one another.
#[derive(Clone, Default, Serialize)]
pub struct WorObject {
    /// The latest capture, if any.
    pub latest: Option<Ballot>,
    /// The value, once written; it never changes after that.
    pub value: Option<Value>,
    /// Values of writes with unknown outcome, which may still take effect.
    pub pending: ValueSet,
    /// The domain the spec model enumerates: every ballot and value the protocol can use.
    #[serde(skip)]
    pub domain: &'static Domain,
}

impl WorObject {
    fn key(&self) -> (Option<Ballot>, Option<Value>, ValueSet, usize) {
        let domain = std::ptr::from_ref(self.domain) as usize;
        (self.latest, self.value, self.pending, domain)
    }
}

impl PartialEq for WorObject {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for WorObject {}

impl PartialOrd for WorObject {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for WorObject {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl std::hash::Hash for WorObject {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl fmt::Debug for WorObject {
    /// The domain is configuration, not state, so it is left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorObject")
            .field("latest", &self.latest)
            .field("value", &self.value)
            .field("pending", &self.pending)
            .finish()
    }
}

/// The finite domain of ballots and values that the spec's steps range over.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Domain {
    pub ballots: Vec<Ballot>,
    pub values: Vec<Value>,
}

impl Domain {
    /// The process-wide copy of `domain`. Domains are configuration: a handful per process,
    /// each kept for its life (equal ones once), so states can hold a plain reference.
    pub fn shared(domain: Domain) -> &'static Domain {
        static DOMAINS: std::sync::Mutex<Vec<&'static Domain>> = std::sync::Mutex::new(Vec::new());
        // A poisoned lock only means another thread panicked; the list is still whole.
        let mut domains = DOMAINS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&known) = domains.iter().find(|&&d| *d == domain) {
            return known;
        }
        let domain: &'static Domain = Box::leak(Box::new(domain));
        domains.push(domain);
        domain
    }
}

/// The empty domain, for a default [`WorObject`]: the shared copy, like every other.
impl Default for &'static Domain {
    fn default() -> Self {
        static EMPTY: std::sync::LazyLock<&'static Domain> =
            std::sync::LazyLock::new(|| Domain::shared(Domain::default()));
        *EMPTY
    }
}

impl WorObject {
    pub fn new(domain: Domain) -> Self {
        WorObject {
            domain: Domain::shared(domain),
            ..Default::default()
        }
    }

    /// Can `w` be the register's value after a write or read that returns it?
    fn may_hold(&self, w: Value, proposed: Option<Value>) -> bool {
        match self.value {
            Some(v) => v == w,
            None => proposed == Some(w) || self.pending.contains(w),
        }
    }
}

impl SequentialSpec for WorObject {
    type Op = WorOp;
    type Ret = WorRet;

    /// The deterministic choice used for operations still in flight when a history is checked:
    /// a capture that has not returned is treated as failed, a write as unknown.
    fn invoke(&mut self, op: &WorOp) -> WorRet {
        match *op {
            WorOp::Capture(_) => WorRet::CaptureFailed,
            WorOp::Write(_, v) => {
                self.pending.insert(v);
                WorRet::Unknown(v)
            }
            WorOp::Read => WorRet::ReadValue(self.value),
        }
    }

    fn is_valid_step(&mut self, op: &WorOp, ret: &WorRet) -> bool {
        match (*op, *ret) {
            (WorOp::Capture(c), WorRet::Captured(b)) if self.latest < Some(b) && b.client == c => {
                self.latest = Some(b);
                true
            }
            (WorOp::Capture(_), WorRet::CaptureFailed) => true,
            (WorOp::Write(b, v), WorRet::Written(w))
                if self.latest == Some(b) && self.may_hold(w, Some(v)) =>
            {
                self.value = Some(w);
                true
            }
            (WorOp::Write(..), WorRet::Unknown(w)) => {
                self.pending.insert(w);
                true
            }
            (WorOp::Read, WorRet::ReadValue(None)) => self.value.is_none(),
            (WorOp::Read, WorRet::ReadValue(Some(w))) if self.may_hold(w, None) => {
                self.value = Some(w);
                true
            }
            (WorOp::Read, WorRet::ReadFailed) => true,
            _ => false,
        }
    }
}

impl StepSpec for WorObject {
    /// Every operation of the domain with each result it may return. The results are those the
    /// linearizability monitor tries ([`Returns::early_returns`]), plus one failure: failures
    /// change nothing, so one self-loop stands for all of them.
    fn steps(&self) -> Vec<(WorOp, WorRet)> {
        let mut clients: Vec<u8> = self.domain.ballots.iter().map(|b| b.client).collect();
        clients.sort_unstable();
        clients.dedup();
        let write_ballot = self.latest.unwrap_or(Ballot::ZERO);
        let ops = std::iter::once(WorOp::Read)
            .chain(clients.into_iter().map(WorOp::Capture))
            .chain(
                self.domain
                    .values
                    .iter()
                    .map(|&v| WorOp::Write(write_ballot, v)),
            );
        let mut steps: Vec<_> = ops
            .flat_map(|op| self.early_returns(&op).into_iter().map(move |r| (op, r)))
            .collect();
        steps.push((WorOp::Read, WorRet::ReadFailed));
        steps
    }
}

impl Returns for WorObject {
    /// A write whose capture a later one has superseded can only end unknown: `latest` never
    /// goes down, and a successful write needs its capture to be the latest. `Unknown` is
    /// valid anywhere and only adds to `pending`, which only widens what may be held.
    fn forced(&self, op: &WorOp) -> Option<WorRet> {
        match *op {
            WorOp::Write(b, v) if self.latest > Some(b) => Some(WorRet::Unknown(v)),
            _ => None,
        }
    }

    /// Every result an operation may return from this state, except the failures
    /// (`CaptureFailed`, `ReadFailed`), which are valid anywhere and change nothing, so placing
    /// them at their return is as good as placing them early.
    fn early_returns(&self, op: &WorOp) -> Vec<WorRet> {
        match *op {
            WorOp::Capture(c) => self
                .domain
                .ballots
                .iter()
                .filter(|&&b| self.latest < Some(b) && b.client == c)
                .map(|&b| WorRet::Captured(b))
                .collect(),
            WorOp::Write(b, v) => {
                let mut rets = vec![WorRet::Unknown(v)];
                if self.latest == Some(b) {
                    let held = self.value.into_iter();
                    let offered = std::iter::once(v).chain(self.pending.iter());
                    rets.extend(
                        held.chain(offered)
                            .filter(|&w| self.may_hold(w, Some(v)))
                            .map(WorRet::Written),
                    );
                }
                rets.sort();
                rets.dedup();
                rets
            }
            WorOp::Read => {
                let mut rets = vec![WorRet::ReadValue(self.value)];
                if self.value.is_none() {
                    rets.extend(self.pending.iter().map(|w| WorRet::ReadValue(Some(w))));
                }
                rets
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj() -> WorObject {
        WorObject::new(Domain {
            ballots: vec![Ballot::new(1, 0), Ballot::new(1, 1)],
            values: vec!['A', 'B'],
        })
    }

    #[test]
    fn states_of_different_domains_differ() {
        // The linearizability monitor holds these states and histories are interned across
        // configurations: equal states of two domains must not be one.
        let other = WorObject::new(Domain {
            ballots: vec![Ballot::new(1, 0)],
            values: vec!['A'],
        });
        assert_ne!(obj(), other);
        assert_eq!(obj(), obj());
        assert!(
            std::ptr::eq(obj().domain, obj().domain),
            "one copy per domain"
        );
    }

    #[test]
    fn write_needs_the_latest_capture() {
        let (b0, b1) = (Ballot::new(1, 0), Ballot::new(1, 1));
        let mut o = obj();
        assert!(
            !o.clone()
                .is_valid_step(&WorOp::Capture(1), &WorRet::Captured(b0)),
            "b0 is c0's"
        );
        assert!(o.is_valid_step(&WorOp::Capture(0), &WorRet::Captured(b0)));
        assert!(o.is_valid_step(&WorOp::Capture(1), &WorRet::Captured(b1)));
        assert!(
            !o.is_valid_step(&WorOp::Capture(0), &WorRet::Captured(b0)),
            "ids only grow"
        );
        assert!(!o
            .clone()
            .is_valid_step(&WorOp::Write(b0, 'A'), &WorRet::Written('A')));
        assert!(o.is_valid_step(&WorOp::Write(b1, 'B'), &WorRet::Written('B')));
        assert!(!o
            .clone()
            .is_valid_step(&WorOp::Read, &WorRet::ReadValue(Some('A'))));
        assert!(!o
            .clone()
            .is_valid_step(&WorOp::Read, &WorRet::ReadValue(None)));
        assert!(o.is_valid_step(&WorOp::Read, &WorRet::ReadValue(Some('B'))));
    }

    #[test]
    fn an_unknown_write_may_take_effect_later() {
        let b0 = Ballot::new(1, 0);
        let mut o = obj();
        assert!(!o
            .clone()
            .is_valid_step(&WorOp::Read, &WorRet::ReadValue(Some('A'))));
        assert!(o.is_valid_step(&WorOp::Write(b0, 'A'), &WorRet::Unknown('A')));
        assert!(
            o.clone()
                .is_valid_step(&WorOp::Read, &WorRet::ReadValue(None)),
            "or never"
        );
        assert!(o.is_valid_step(&WorOp::Read, &WorRet::ReadValue(Some('A'))));
        assert!(
            !o.is_valid_step(&WorOp::Read, &WorRet::ReadValue(None)),
            "once, forever"
        );
    }

    #[test]
    fn steps_are_valid_steps() {
        let mut o = obj();
        o.is_valid_step(&WorOp::Write(Ballot::ZERO, 'B'), &WorRet::Unknown('B'));
        for (op, ret) in o.steps() {
            assert!(o.clone().is_valid_step(&op, &ret), "{op:?} -> {ret:?}");
        }
    }
}
