//! The sequential objects of the talk, each an [`AdoObject`]: the key-value store `KV`, the
//! vector `DVec`, the lock `DLock`, and the 2PC resource manager `RM`.
//!
//! Values are small numbers standing for strings: value `v` is a string of length `v`, so
//! KV's `set(k, v)` stores `(v, len(v)) = (v, v)`, and KVLock's meta vector holds `v` too.

use super::{AdoObject, NodeId};
use serde::Serialize;
use std::fmt;

/// What a method returns, shared by all the objects.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Ret {
    /// A method with no result.
    Unit,
    /// A read: the value, or none if never written.
    Val(Option<u8>),
    /// `tryAcquire`'s success, an RM's vote.
    Bool(bool),
}

impl fmt::Debug for Ret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ret::Unit => f.write_str("()"),
            Ret::Val(None) => f.write_str("None"),
            Ret::Val(Some(v)) => write!(f, "{v}"),
            Ret::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// `ADO KV { shared kv : [string * int]; set(k, v); get(k); getmeta(k) }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Kv {
    pub keys: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum KvMethod {
    Set(u8, u8),
    Get(u8),
    GetMeta(u8),
}

impl AdoObject for Kv {
    /// Per key, the value and its length, if set.
    type State = Vec<Option<(u8, u8)>>;
    type Method = KvMethod;
    type Ret = Ret;

    fn init(&self) -> Self::State {
        vec![None; self.keys as usize]
    }

    fn apply(&self, s: &Self::State, m: &KvMethod) -> (Self::State, Ret) {
        let mut s = s.clone();
        let ret = match *m {
            KvMethod::Set(k, v) => {
                s[k as usize] = Some((v, v));
                Ret::Unit
            }
            KvMethod::Get(k) => Ret::Val(s[k as usize].map(|(v, _)| v)),
            KvMethod::GetMeta(k) => Ret::Val(s[k as usize].map(|(_, len)| len)),
        };
        (s, ret)
    }
}

/// `ADO DVec[T] { shared data : [T]; insert(idx, x); get(idx) }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DVec {
    pub len: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DVecMethod {
    Insert(u8, u8),
    Get(u8),
}

impl AdoObject for DVec {
    type State = Vec<Option<u8>>;
    type Method = DVecMethod;
    type Ret = Ret;

    fn init(&self) -> Self::State {
        vec![None; self.len as usize]
    }

    fn apply(&self, s: &Self::State, m: &DVecMethod) -> (Self::State, Ret) {
        let mut s = s.clone();
        let ret = match *m {
            DVecMethod::Insert(i, x) => {
                s[i as usize] = Some(x);
                Ret::Unit
            }
            DVecMethod::Get(i) => Ret::Val(s[i as usize]),
        };
        (s, ret)
    }
}

/// `ADO DLock { shared owner : option N; tryAcquire(); release() }`. The caller is an argument
/// of each method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DLockMethod {
    /// Take the lock if it is free (or already ours): true on success.
    TryAcquire(NodeId),
    /// Free the lock if we hold it.
    Release(NodeId),
}

impl AdoObject for DLock {
    type State = Option<NodeId>;
    type Method = DLockMethod;
    type Ret = Ret;

    fn init(&self) -> Option<NodeId> {
        None
    }

    fn apply(&self, owner: &Option<NodeId>, m: &DLockMethod) -> (Option<NodeId>, Ret) {
        match *m {
            DLockMethod::TryAcquire(c) => match owner {
                None => (Some(c), Ret::Bool(true)),
                Some(o) => (*owner, Ret::Bool(*o == c)),
            },
            DLockMethod::Release(c) if *owner == Some(c) => (None, Ret::Unit),
            DLockMethod::Release(_) => (*owner, Ret::Unit),
        }
    }
}

/// A 2PC resource manager for one transaction, replicated as an ADO. `vote` is what it votes
/// when asked to prepare (whether it can commit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rm {
    pub vote: bool,
}

/// Where an RM is with the transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RmState {
    Working,
    /// Voted yes: it must commit or abort as told.
    Prepared,
    Committed,
    Aborted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RmMethod {
    /// Vote: true (and become prepared) if it can commit; a no vote aborts.
    Prepare,
    /// The TM's decision. Commit applies only when prepared; abort unless committed.
    Commit,
    Abort,
    /// The RM gives up on a transaction it has not voted on (its own, unilateral abort).
    Timeout,
}

impl AdoObject for Rm {
    type State = RmState;
    type Method = RmMethod;
    type Ret = Ret;

    fn init(&self) -> RmState {
        RmState::Working
    }

    fn apply(&self, s: &RmState, m: &RmMethod) -> (RmState, Ret) {
        use RmState::*;
        match (*m, *s) {
            (RmMethod::Prepare, Working) if self.vote => (Prepared, Ret::Bool(true)),
            (RmMethod::Prepare, Working | Aborted) => (Aborted, Ret::Bool(false)),
            (RmMethod::Prepare, Prepared | Committed) => (*s, Ret::Bool(true)),
            (RmMethod::Commit, Prepared) => (Committed, Ret::Unit),
            (RmMethod::Abort, Working | Prepared) => (Aborted, Ret::Unit),
            (RmMethod::Timeout, Working) => (Aborted, Ret::Unit),
            (RmMethod::Commit | RmMethod::Abort | RmMethod::Timeout, _) => (*s, Ret::Unit),
        }
    }
}

/// Any of the objects above, so that an app can keep ADOs of different objects side by side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnyObj {
    Kv(Kv),
    DVec(DVec),
    DLock(DLock),
    Rm(Rm),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnyState {
    Kv(<Kv as AdoObject>::State),
    DVec(<DVec as AdoObject>::State),
    DLock(<DLock as AdoObject>::State),
    Rm(RmState),
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AnyMethod {
    Kv(KvMethod),
    DVec(DVecMethod),
    DLock(DLockMethod),
    Rm(RmMethod),
}

impl fmt::Debug for AnyMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyMethod::Kv(m) => write!(f, "{m:?}"),
            AnyMethod::DVec(m) => write!(f, "{m:?}"),
            AnyMethod::DLock(m) => write!(f, "{m:?}"),
            AnyMethod::Rm(m) => write!(f, "{m:?}"),
        }
    }
}

impl AdoObject for AnyObj {
    type State = AnyState;
    type Method = AnyMethod;
    type Ret = Ret;

    fn init(&self) -> AnyState {
        match self {
            AnyObj::Kv(o) => AnyState::Kv(o.init()),
            AnyObj::DVec(o) => AnyState::DVec(o.init()),
            AnyObj::DLock(o) => AnyState::DLock(o.init()),
            AnyObj::Rm(o) => AnyState::Rm(o.init()),
        }
    }

    /// Panics on a method of another object: apps only call an ADO's own methods.
    fn apply(&self, s: &AnyState, m: &AnyMethod) -> (AnyState, Ret) {
        match (self, s, m) {
            (AnyObj::Kv(o), AnyState::Kv(s), AnyMethod::Kv(m)) => {
                let (s, r) = o.apply(s, m);
                (AnyState::Kv(s), r)
            }
            (AnyObj::DVec(o), AnyState::DVec(s), AnyMethod::DVec(m)) => {
                let (s, r) = o.apply(s, m);
                (AnyState::DVec(s), r)
            }
            (AnyObj::DLock(o), AnyState::DLock(s), AnyMethod::DLock(m)) => {
                let (s, r) = o.apply(s, m);
                (AnyState::DLock(s), r)
            }
            (AnyObj::Rm(o), AnyState::Rm(s), AnyMethod::Rm(m)) => {
                let (s, r) = o.apply(s, m);
                (AnyState::Rm(s), r)
            }
            _ => panic!("{m:?} is not a method of {self:?}"),
        }
    }
}
