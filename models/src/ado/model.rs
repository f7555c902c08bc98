//! The ADO as a stateright model: nodes that call `pull`, `invoke` and `push` in any order
//! (the most general caller), the ADO's invariants as properties, and the named bugs.
//!
//! This is also the high-level model a protocol refines: its actions are the ADO's steps with
//! their outcomes ([`AdoAction`]), and its states are [`Ado`] values.

use super::apps::App;
use super::objects::{Kv, KvMethod};
use super::{node_name, Ado, AdoObject, Id, NodeId, Pulled, Pushed};
use stateright::{Model, Property};
use std::fmt::Debug;

/// The named buggy variants: three in the ADO itself, two in the apps built on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AdoBug {
    /// `push` does not check that its node pulled: a node that never pulled (or whose pull
    /// failed) pushes successfully, and the calls it computed on its stale view are lost.
    PushWithoutPull,
    /// `push` does not check that no later pull happened: an older puller commits its branch
    /// after a newer one started, and the newer one's branch is pruned under it.
    CommitStaleBranch,
    /// `pull` may start from a committed entry below the tip, and `push` makes that branch the
    /// log, pruning the committed entries after it.
    PruneCommitted,
    /// KVLock releases the lock before its meta write.
    KvlockReleaseEarly,
    /// The 2PC transaction manager treats a FAIL from an RM's push as a yes vote.
    TmIgnoreFail,
}

impl AdoBug {
    pub const ALL: [AdoBug; 5] = [
        Self::PushWithoutPull,
        Self::CommitStaleBranch,
        Self::PruneCommitted,
        Self::KvlockReleaseEarly,
        Self::TmIgnoreFail,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::PushWithoutPull => "push-without-pull",
            Self::CommitStaleBranch => "commit-stale-branch",
            Self::PruneCommitted => "prune-committed",
            Self::KvlockReleaseEarly => "kvlock-release-early",
            Self::TmIgnoreFail => "tm-ignore-fail",
        }
    }

    /// The app in which the checker looks for the bug: none for the ADO's own bugs, which
    /// free callers show.
    pub fn app(self) -> Option<App> {
        match self {
            Self::KvlockReleaseEarly => Some(App::KvLock),
            Self::TmIgnoreFail => Some(App::TwoPc),
            _ => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::PushWithoutPull => "push succeeds for a node that holds no pull",
            Self::CommitStaleBranch => "push succeeds after a later pull",
            Self::PruneCommitted => "pull starts below the tip and push prunes committed entries",
            Self::KvlockReleaseEarly => "KVLock releases the lock before its meta write",
            Self::TmIgnoreFail => "the 2PC TM treats a FAIL from an RM as a yes vote",
        }
    }
}

crate::bug_names!(AdoBug, "ADO");

/// The bounds of an ADO model with free callers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AdoConfig {
    pub nodes: usize,
    /// Timestamps pulls may draw in all (successful and preempting pulls each draw one).
    pub max_ts: u8,
    /// Calls the log and cache may hold together.
    pub max_entries: usize,
    pub bug: Option<AdoBug>,
}

impl Default for AdoConfig {
    fn default() -> Self {
        AdoConfig {
            nodes: 2,
            max_ts: 3,
            max_entries: 2,
            bug: None,
        }
    }
}

impl AdoConfig {
    /// Rejects bounds the model cannot represent, naming the bad value.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=4).contains(&self.nodes) {
            return Err(format!("nodes must be 1 to 4, not {}", self.nodes));
        }
        if !(1..=8).contains(&self.max_ts) {
            return Err(format!("max-ts must be 1 to 8, not {}", self.max_ts));
        }
        if !(1..=6).contains(&self.max_entries) {
            return Err(format!(
                "max-entries must be 1 to 6, not {}",
                self.max_entries
            ));
        }
        Ok(())
    }
}

/// One step of the ADO: an operation by a node with its outcome.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AdoAction<M> {
    Pull(NodeId, Pulled),
    Invoke(NodeId, M),
    Push(NodeId, Pushed),
}

impl<M: Debug> Debug for AdoAction<M> {
    /// `A: pull() = Ok(0@0)`, `A: Set(0, 1)`, `A: push() = Ok`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdoAction::Pull(n, p) => write!(f, "{}: pull() = {p:?}", node_name(*n)),
            AdoAction::Invoke(n, m) => write!(f, "{}: {m:?}", node_name(*n)),
            AdoAction::Push(n, p) => write!(f, "{}: push() = {p:?}", node_name(*n)),
        }
    }
}

/// The ADO of `obj`, called by `cfg.nodes` nodes that may invoke any of `methods`.
#[derive(Clone, Debug)]
pub struct AdoModel<O: AdoObject> {
    pub cfg: AdoConfig,
    pub obj: O,
    pub methods: Vec<O::Method>,
}

impl<O: AdoObject> AdoModel<O> {
    pub fn new(cfg: AdoConfig, obj: O, methods: Vec<O::Method>) -> Self {
        AdoModel { cfg, obj, methods }
    }
}

impl AdoModel<Kv> {
    /// Free callers of a one-key KV that set it to 1 or 2 and read it: the ADO's own check.
    pub fn kv(cfg: AdoConfig) -> Self {
        AdoModel::new(
            cfg,
            Kv { keys: 1 },
            vec![KvMethod::Set(0, 1), KvMethod::Set(0, 2), KvMethod::Get(0)],
        )
    }
}

impl<O: AdoObject> Model for AdoModel<O> {
    type State = Ado<O>;
    type Action = AdoAction<O::Method>;

    fn init_states(&self) -> Vec<Ado<O>> {
        vec![Ado::new(&self.obj, self.cfg.nodes)]
    }

    fn actions(&self, s: &Ado<O>, actions: &mut Vec<Self::Action>) {
        let fresh = s.max_ts < self.cfg.max_ts;
        let room = s.log.len() + s.cache.len() < self.cfg.max_entries;
        for n in 0..s.nodes.len() as NodeId {
            for p in s.pull_outcomes(fresh, self.cfg.bug) {
                actions.push(AdoAction::Pull(n, p));
            }
            // Calls that cannot enter the cache change only the node's view; bounding them
            // too keeps a node from cycling through views forever.
            if room {
                for m in &self.methods {
                    actions.push(AdoAction::Invoke(n, m.clone()));
                }
            }
            for p in s.push_outcomes(n, self.cfg.bug) {
                actions.push(AdoAction::Push(n, p));
            }
        }
    }

    fn next_state(&self, s: &Ado<O>, action: Self::Action) -> Option<Ado<O>> {
        let next = match action {
            AdoAction::Pull(n, p) => s.pull(&self.obj, n, p),
            AdoAction::Invoke(n, m) => s.invoke(&self.obj, n, &m).0,
            AdoAction::Push(n, p) => s.push(n, p),
        };
        // A step that changes nothing (a failed push) is left out of the state graph.
        (next != *s).then_some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("the log is a chain", |_, s: &Ado<O>| is_chain(s)),
            Property::always("a committed entry is never pruned", |_, s: &Ado<O>| {
                !s.pruned_committed
            }),
            Property::always("a successful push loses no call", |_, s: &Ado<O>| {
                !s.lost_ack
            }),
            Property::always("the latest puller's point is live", |_, s: &Ado<O>| {
                latest_puller_is_live(s)
            }),
            Property::always("results agree with the log", |m: &Self, s: &Ado<O>| {
                results_agree(&m.obj, s)
            }),
            Property::sometimes("a call committed", |_, s: &Ado<O>| !s.log.is_empty()),
        ]
    }
}

/// The log's timestamps never decrease, and the cache is a tree on the tip whose timestamps
/// never decrease from parent to child.
pub fn is_chain<O: AdoObject>(s: &Ado<O>) -> bool {
    let tip = s.tip();
    s.log.windows(2).all(|w| w[0].0 <= w[1].0)
        && s.log
            .iter()
            .enumerate()
            .all(|(i, (_, e))| e.parent == if i == 0 { Id::ROOT } else { s.log_id(i - 1) })
        && s.cache.iter().all(|(&id, e)| {
            (e.parent == tip || s.cache.contains_key(&e.parent))
                && e.parent.ts <= id.ts
                && e.parent.depth + 1 == id.depth
        })
}

/// Whoever holds the latest pull (if anyone) builds on a live point.
pub fn latest_puller_is_live<O: AdoObject>(s: &Ado<O>) -> bool {
    s.nodes
        .iter()
        .filter(|n| n.ts != 0 && n.ts == s.max_ts)
        .all(|n| !n.detached && s.is_live(n.point))
}

/// Every entry of the log and cache returned what its method returns on the state its path
/// leads to: the calls callers saw answered form sequential histories.
pub fn results_agree<O: AdoObject>(obj: &O, s: &Ado<O>) -> bool {
    let ids = (0..s.log.len())
        .map(|i| s.log_id(i))
        .chain(s.cache.keys().copied());
    ids.into_iter().all(|id| {
        let path = s.path(id);
        let (_, last) = path[path.len() - 1];
        let before = path[..path.len() - 1]
            .iter()
            .fold(obj.init(), |st, (_, e)| obj.apply(&st, &e.method).0);
        obj.apply(&before, &last.method).1 == last.ret
    })
}
