//! # ADO: the atomic distributed object
//!
//! The ADO (Honoré, Kim, Shin, Shao, *Much ADO about Failures*, OOPSLA'21) is an abstraction of
//! every leader-based replication protocol that still shows partial failures at its interface.
//! An object with sequential semantics ([`AdoObject`]) is replicated; its state is
//!
//! - a **log** of committed method calls, and
//! - a **cache tree** of uncommitted ones hanging off the log's tip. Each entry names its parent,
//!   the node that added it, the method, and the **timestamp** (ballot) of that node's pull.
//!
//! Each node has a current timestamp (0: it holds no pull) and a current **point** in the tree
//! (the entry it builds on), with its *view*, the object's state at that point. Three operations,
//! named as in the talk:
//!
//! - **`pull(node)`** gets permission to update: on success the node draws a fresh timestamp,
//!   larger than every one drawn before, and picks a starting point: the log tip or any entry of
//!   the cache tree ([`Pulled::Ok`]). It may fail ([`Pulled::Fail`]), and a failed pull may still
//!   have drawn its timestamp ([`Pulled::Preempted`]): the caller is told FAIL, yet every earlier
//!   pull is invalidated (a Paxos prepare that reached a quorum whose answers were lost).
//! - **`invoke(node, m)`** adds an entry for `m` under the node's point, tagged with its
//!   timestamp, moves the point to it, and returns `m`'s result on the node's view.
//! - **`push(node)`** commits the path from the log tip to the node's point into the log if no
//!   pull happened after the node's own (its timestamp is still the largest drawn), and prunes
//!   every cache branch that does not extend the new tip; otherwise it fails ([`Pushed::Fail`]).
//!   It may also fail spuriously (lost messages). A failed push changes nothing: its entries stay
//!   in the cache, so a later pull may pick them up and a later push commit them. That is the
//!   partial failure the paper insists must be visible: FAIL means "unknown outcome", not "no
//!   effect".
//!
//! A node may push again after a successful push without pulling again (a stable leader); its
//! point is then the tip, and its later entries extend it. `obj.m()!` retries pull and push until
//! they succeed (in the apps, the retries are bounded to keep the state space finite).
//! [`apps`] has the apps of the talk checked against their atomic specs ([`spec`]), and
//! [`objects`] the sequential objects of the talk: KV, DVec, DLock, and the 2PC resource
//! manager.
//!
//! ## Why pull may pick any entry
//!
//! In a protocol, a pull is a quorum's answers (a Paxos prepare), and the starting point is the
//! newest entry (highest timestamp) among those the quorum reports. Which entries a quorum
//! reveals depends on which acceptors answered and what messages were lost, so for a given
//! cache tree any entry may be the newest one a quorum reports. Two things are certain: a
//! committed entry sits on an accept quorum, and every pull quorum intersects it, so the pull
//! sees it or something newer built on it; and pruned branches were superseded by a commit at
//! a higher timestamp, so a quorum never reports them as newest. The ADO therefore lets pull
//! pick the tip or any cache entry (all of which extend the log), and nothing else. This
//! over-approximates every protocol (it has at least their behaviours, which is what a
//! refinement needs) while keeping what the apps rely on: committed entries are never lost.
//!
//! ## Identities
//!
//! The entries one timestamp's holder adds form one chain (it only builds under its own point),
//! so an entry is named by its timestamp and its depth (distance from the root): [`Id`]. The
//! log entry at index `i` is `(its ts, i + 1)`; the root (the initial state) is `(0, 0)`.
//!
//! ## Invariants (checked in [`model`])
//!
//! - The log is a chain from the root: timestamps along it never decrease, and every cache
//!   entry's parent is the log tip or another cache entry (the cache is a tree on the tip).
//! - A committed entry is never pruned: every push extends the log.
//! - The holder of the latest pull has a point in the tree, so its push commits every call it
//!   invoked since its pull; a successful push never loses a call.
//! - Replaying the log gives every entry the result its invoke returned (what a caller may
//!   observe agrees with one sequential history).

pub mod apps;
pub mod model;
pub mod objects;
pub mod spec;

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::{self, Debug};
use std::hash::Hash;

pub use model::{AdoBug, AdoConfig, AdoModel};

/// The sequential object an ADO replicates: its initial state and its methods' semantics.
/// `Self` carries the object's parameters (number of keys and the like).
pub trait AdoObject: Clone + Debug + Hash + Eq + Send + Sync + 'static {
    /// The object's state.
    type State: Clone + Debug + Hash + Eq + Ord + Send + Sync + 'static;
    /// A method call with its arguments.
    type Method: Clone + Debug + Hash + Eq + Ord + Send + Sync + 'static;
    /// What a method call returns.
    type Ret: Clone + Debug + Hash + Eq + Ord + Send + Sync + 'static;

    /// The state before any call.
    fn init(&self) -> Self::State;
    /// Runs `m` on `state`: the new state and `m`'s result.
    fn apply(&self, state: &Self::State, m: &Self::Method) -> (Self::State, Self::Ret);
}

/// A node (a caller of the ADO: a client, a proposer).
pub type NodeId = u8;
/// A pull's timestamp (ballot). 0 means "no pull".
pub type Ts = u8;

/// An entry of the log or cache tree: the timestamp of the pull under which it was added, and
/// its depth (the root, the initial state, is depth 0).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Id {
    pub ts: Ts,
    pub depth: u8,
}

impl Id {
    /// The initial state, parent of the first entry.
    pub const ROOT: Id = Id { ts: 0, depth: 0 };
}

impl Debug for Id {
    /// `2@3`: the entry at depth 3, added under timestamp 2.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.ts, self.depth)
    }
}

/// A method call in the log or cache: who added it, what it was, and (a ghost, for the
/// checks) what its invoke returned.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry<O: AdoObject> {
    /// The entry it was added under.
    pub parent: Id,
    pub node: NodeId,
    pub method: O::Method,
    pub ret: O::Ret,
}

impl<O: AdoObject> Debug for Entry<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{:?}->{:?} under {:?}",
            node_name(self.node),
            self.method,
            self.ret,
            self.parent
        )
    }
}

/// A node's side of the ADO.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeState<O: AdoObject> {
    /// The timestamp of its pull, 0 if it holds none (never pulled, or its last pull failed).
    pub ts: Ts,
    /// The entry it builds on. It may have been pruned (a later pull's push won), or be
    /// [`Id::ROOT`] after calls invoked without a pull; either way it is then not *live*.
    pub point: Id,
    /// The object's state at `point` followed by the calls it invoked since (its local view).
    pub view: O::State,
    /// It invoked calls that did not enter the cache (no pull), so its point is stale.
    pub detached: bool,
}

impl<O: AdoObject> Debug for NodeState<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ts {} at {:?}", self.ts, self.point)?;
        if self.detached {
            f.write_str(" detached")?;
        }
        write!(f, " view {:?}", self.view)
    }
}

/// What a pull does: succeed starting from the given entry, or fail, with or without drawing
/// a timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Pulled {
    /// Success: a fresh timestamp, starting from this entry (the tip or a cache entry).
    Ok(Id),
    /// FAIL, no effect on anyone else.
    Fail,
    /// FAIL, but a fresh timestamp was drawn: every earlier pull is invalidated.
    Preempted,
}

/// What a push returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Pushed {
    Ok,
    Fail,
}

/// The ADO's state: log, cache tree, nodes, and the largest timestamp drawn so far.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ado<O: AdoObject> {
    /// Committed calls, oldest first; entry `i` is [`Id`] `(its ts, i + 1)`.
    pub log: Vec<(Ts, Entry<O>)>,
    /// Uncommitted calls: a tree whose root is the log tip.
    pub cache: BTreeMap<Id, Entry<O>>,
    pub nodes: Vec<NodeState<O>>,
    /// The largest timestamp any pull drew.
    pub max_ts: Ts,
    /// Ghost: a push replaced committed entries (only the `prune-committed` bug does).
    pub pruned_committed: bool,
    /// Ghost: a push reported success although calls its node invoked are not in the log.
    pub lost_ack: bool,
}

impl<O: AdoObject> Debug for Ado<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ado")
            .field("log", &self.log.iter().map(|(_, e)| e).collect::<Vec<_>>())
            .field("cache", &self.cache)
            .field("nodes", &self.nodes)
            .field("max_ts", &self.max_ts)
            .finish()
    }
}

/// `A`, `B`, ... for node 0, 1, ...
pub fn node_name(n: NodeId) -> char {
    (b'A' + n) as char
}

impl<O: AdoObject> Ado<O> {
    /// The initial ADO of `obj` with `nodes` nodes: empty log and cache, nobody has pulled.
    pub fn new(obj: &O, nodes: usize) -> Self {
        let node = NodeState {
            ts: 0,
            point: Id::ROOT,
            view: obj.init(),
            detached: false,
        };
        Ado {
            log: Vec::new(),
            cache: BTreeMap::new(),
            nodes: vec![node; nodes],
            max_ts: 0,
            pruned_committed: false,
            lost_ack: false,
        }
    }

    /// The last committed entry, or the root.
    pub fn tip(&self) -> Id {
        self.log.last().map_or(Id::ROOT, |&(ts, _)| Id {
            ts,
            depth: self.log.len() as u8,
        })
    }

    /// The id of log entry `i`.
    pub fn log_id(&self, i: usize) -> Id {
        Id {
            ts: self.log[i].0,
            depth: i as u8 + 1,
        }
    }

    /// Is `id` the tip or in the cache (an entry the next commit may extend)?
    pub fn is_live(&self, id: Id) -> bool {
        id == self.tip() || self.cache.contains_key(&id)
    }

    /// Is `id` the root or a committed entry?
    pub fn is_committed(&self, id: Id) -> bool {
        id.depth as usize <= self.log.len()
            && (id == Id::ROOT || self.log_id(id.depth as usize - 1) == id)
    }

    /// The entries from the root to `id` (a committed or cached entry), oldest first, with
    /// their ids.
    pub fn path(&self, id: Id) -> Vec<(Id, &Entry<O>)> {
        let mut cached = Vec::new();
        let mut at = id;
        while let Some(e) = self.cache.get(&at) {
            cached.push((at, e));
            at = e.parent;
        }
        let mut path: Vec<_> = (0..at.depth as usize)
            .map(|i| (self.log_id(i), &self.log[i].1))
            .collect();
        path.extend(cached.into_iter().rev());
        path
    }

    /// The object's state after the calls on the path to `id`.
    pub fn state_at(&self, obj: &O, id: Id) -> O::State {
        self.path(id)
            .into_iter()
            .fold(obj.init(), |s, (_, e)| obj.apply(&s, &e.method).0)
    }

    /// The object's state after the committed calls.
    pub fn committed_state(&self, obj: &O) -> O::State {
        self.state_at(obj, self.tip())
    }

    /// Where a successful pull may start: the tip, then the cache entries in id order. With the
    /// `prune-committed` bug, also any committed entry below the tip.
    pub fn starting_points(&self, bug: Option<AdoBug>) -> Vec<Id> {
        let tip = self.tip();
        let mut points = vec![tip];
        if bug == Some(AdoBug::PruneCommitted) {
            let committed = (0..self.log.len()).map(|i| self.log_id(i));
            points.extend(
                std::iter::once(Id::ROOT)
                    .chain(committed)
                    .filter(|&p| p != tip),
            );
        }
        points.extend(self.cache.keys().copied());
        points
    }

    /// Every outcome a pull may have now: success from each starting point, FAIL with a drawn
    /// timestamp, or FAIL. `fresh` says whether a fresh timestamp may still be drawn (models
    /// bound them); without one only FAIL is possible.
    pub fn pull_outcomes(&self, fresh: bool, bug: Option<AdoBug>) -> Vec<Pulled> {
        let mut outs = Vec::new();
        if fresh {
            outs.extend(self.starting_points(bug).into_iter().map(Pulled::Ok));
            outs.push(Pulled::Preempted);
        }
        outs.push(Pulled::Fail);
        outs
    }

    /// `pull(node)` with the given outcome (one of [`Ado::pull_outcomes`]). A failed pull
    /// leaves the node holding no pull.
    pub fn pull(&self, obj: &O, node: NodeId, outcome: Pulled) -> Self {
        let mut next = self.clone();
        let n = &mut next.nodes[node as usize];
        match outcome {
            Pulled::Fail => n.ts = 0,
            Pulled::Preempted => {
                next.max_ts += 1;
                next.nodes[node as usize].ts = 0;
            }
            Pulled::Ok(point) => {
                next.max_ts += 1;
                let view = self.state_at(obj, point);
                let n = &mut next.nodes[node as usize];
                n.ts = next.max_ts;
                n.point = point;
                n.view = view;
                n.detached = false;
            }
        }
        next
    }

    /// `invoke(node, m)`: runs `m` on the node's view and returns its result. If the node holds
    /// a pull and its point is live, the call becomes a cache entry under the point, tagged with
    /// the node's timestamp, and the point moves to it. Otherwise the call stays local: a node
    /// without a pull cannot add to the tree, and a pruned point is superseded (such calls can
    /// never commit, and the node's push fails).
    pub fn invoke(&self, obj: &O, node: NodeId, m: &O::Method) -> (Self, O::Ret) {
        let mut next = self.clone();
        let n = &next.nodes[node as usize];
        let (view, ret) = obj.apply(&n.view, m);
        let (ts, point) = (n.ts, n.point);
        if ts != 0 && !n.detached && self.is_live(point) {
            let id = Id {
                ts,
                depth: point.depth + 1,
            };
            let entry = Entry {
                parent: point,
                node,
                method: m.clone(),
                ret: ret.clone(),
            };
            next.cache.insert(id, entry);
            next.nodes[node as usize].point = id;
        } else {
            next.nodes[node as usize].detached = true;
        }
        next.nodes[node as usize].view = view;
        (next, ret)
    }

    /// May `push(node)` succeed now? Only if the node holds the latest pull (no pull happened
    /// after its own), unless a bug relaxes the check.
    pub fn can_push(&self, node: NodeId, bug: Option<AdoBug>) -> bool {
        let ts = self.nodes[node as usize].ts;
        match bug {
            Some(AdoBug::PushWithoutPull) => ts == 0 || ts == self.max_ts,
            Some(AdoBug::CommitStaleBranch) => ts != 0,
            _ => ts != 0 && ts == self.max_ts,
        }
    }

    /// Every outcome `push(node)` may have now: FAIL always (a spurious failure, or a later
    /// pull), success if [`Ado::can_push`].
    pub fn push_outcomes(&self, node: NodeId, bug: Option<AdoBug>) -> Vec<Pushed> {
        if self.can_push(node, bug) {
            vec![Pushed::Ok, Pushed::Fail]
        } else {
            vec![Pushed::Fail]
        }
    }

    /// `push(node)` with the given outcome (one of [`Ado::push_outcomes`]). FAIL changes
    /// nothing. Success commits the path from the tip to the node's point and prunes the cache
    /// branches that do not extend the new tip; the node's point is then the tip.
    pub fn push(&self, node: NodeId, outcome: Pushed) -> Self {
        let mut next = self.clone();
        if outcome == Pushed::Fail {
            return next;
        }
        let n = &self.nodes[node as usize];
        if n.detached || !self.is_live(n.point) && !self.is_committed(n.point) {
            // Only a buggy push gets here: it reports success, but the node's calls are gone.
            next.lost_ack = true;
            return next;
        }
        let path = self.path(n.point);
        let old: Vec<Id> = (0..self.log.len()).map(|i| self.log_id(i)).collect();
        let new: Vec<Id> = path.iter().map(|&(id, _)| id).collect();
        if !new.starts_with(&old) {
            next.pruned_committed = true;
        }
        next.log = path.into_iter().map(|(id, e)| (id.ts, e.clone())).collect();
        let tip = next.tip();
        next.cache.clear();
        for (&id, e) in &self.cache {
            if self.extends(id, tip) {
                next.cache.insert(id, e.clone());
            }
        }
        next
    }

    /// Is cache entry `id` a descendant of `tip` through cache entries?
    fn extends(&self, id: Id, tip: Id) -> bool {
        let mut at = id;
        while at.depth > tip.depth {
            match self.cache.get(&at) {
                Some(e) => at = e.parent,
                None => return false,
            }
        }
        at == tip && id != tip
    }
}

#[cfg(test)]
mod tests;
