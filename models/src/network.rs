//! Network options and network plumbing shared by the actor models.

use stateright::actor::{ActorModelAction, Id, Network};
use std::fmt;
use std::str::FromStr;

/// How the modelled network delivers messages. Loss is a separate option (`lossy`), because
/// each kind can also drop messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NetworkKind {
    /// Per-channel FIFO (what TCP gives between two live processes).
    Ordered,
    /// Any order, each message delivered at most once.
    Unordered,
    /// Any order, any message delivered any number of times.
    Duplicating,
}

impl NetworkKind {
    pub const ALL: [NetworkKind; 3] = [Self::Ordered, Self::Unordered, Self::Duplicating];

    pub fn name(self) -> &'static str {
        match self {
            Self::Ordered => "ordered",
            Self::Unordered => "unordered",
            Self::Duplicating => "duplicating",
        }
    }

    /// An empty stateright network of this kind.
    pub fn network<M>(self) -> stateright::actor::Network<M>
    where
        M: Clone + Eq + std::hash::Hash + Ord,
    {
        use stateright::actor::Network;
        match self {
            Self::Ordered => Network::new_ordered([]),
            Self::Unordered => Network::new_unordered_nonduplicating([]),
            Self::Duplicating => Network::new_unordered_duplicating([]),
        }
    }
}

impl fmt::Display for NetworkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NetworkKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                format!("unknown network kind {s:?} (expected ordered, unordered or duplicating)")
            })
    }
}

/// Keeps the messages for which `live(src, dst, msg)` holds: the models remove messages
/// whose delivery can never change anything. The duplicating network's record of the last
/// delivery goes too: it only tells apart states with identical futures.
pub fn retain_live<M>(network: &mut Network<M>, live: impl Fn(Id, Id, &M) -> bool)
where
    M: Clone + Eq + std::hash::Hash + Ord,
{
    match network {
        Network::UnorderedDuplicating(set, last) => {
            set.retain(|e| live(e.src, e.dst, &e.msg));
            *last = None;
        }
        Network::UnorderedNonDuplicating(multiset) => {
            multiset.retain(|e, _| live(e.src, e.dst, &e.msg));
        }
        Network::Ordered(flows) => {
            for (&(src, dst), flow) in flows.iter_mut() {
                flow.retain(|m| live(src, dst, m));
            }
            flows.retain(|_, flow| !flow.is_empty());
        }
    }
}

/// A step of an actor model as one readable line, naming actors with `name`.
pub fn format_action<M: fmt::Debug, T: fmt::Debug, R: fmt::Debug>(
    action: &ActorModelAction<M, T, R>,
    name: impl Fn(Id) -> String,
) -> String {
    match action {
        ActorModelAction::Deliver { src, dst, msg } => {
            format!("{} -> {}: {msg:?}", name(*src), name(*dst))
        }
        ActorModelAction::Drop(env) => {
            format!("lose {} -> {}: {:?}", name(env.src), name(env.dst), env.msg)
        }
        ActorModelAction::Crash(id) => format!("crash {}", name(*id)),
        ActorModelAction::Recover(id) => format!("restart {}", name(*id)),
        other => format!("{other:?}"),
    }
}
