//! Network options shared by the actor models.

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
