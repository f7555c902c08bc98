//! Seeded implementation bugs, compiled only with the `seeded-bugs` feature (never in a
//! default build), to show that trace validation and the history check catch what they claim.
//!
//! A bug is chosen at run time: `SimConfig::bug` in the simulator, which hands it to the parts
//! it breaks (the acceptor, the client's calls, the subscription), each of which has a `bug`
//! field only when the feature is compiled.

/// A deliberately broken piece of the implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// The server releases replies before their records are synced: a crash then loses an
    /// acknowledged promise or acceptance.
    ReplyBeforeSync,
    /// The acceptor accepts a ballot below its promise.
    AcceptLowerBallot,
    /// Promises are not persisted, so a restarted acceptor has forgotten them.
    ForgetPromiseOnRestart,
    /// A read returns a value seen on fewer than a quorum without completing it.
    ReadNoComplete,
    /// A subscription reports a WOR's value on its first notification, before a quorum
    /// accepted it.
    NotifyBeforeChosen,
}

impl Bug {
    pub const ALL: [Bug; 5] = [
        Bug::ReplyBeforeSync,
        Bug::AcceptLowerBallot,
        Bug::ForgetPromiseOnRestart,
        Bug::ReadNoComplete,
        Bug::NotifyBeforeChosen,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Bug::ReplyBeforeSync => "reply-before-sync",
            Bug::AcceptLowerBallot => "accept-lower-ballot",
            Bug::ForgetPromiseOnRestart => "forget-promise-on-restart",
            Bug::ReadNoComplete => "read-no-complete",
            Bug::NotifyBeforeChosen => "notify-before-chosen",
        }
    }
}

impl std::fmt::Display for Bug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Bug {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Bug::ALL.into_iter().find(|b| b.name() == s).ok_or_else(|| {
            let names: Vec<_> = Bug::ALL.iter().map(|b| b.name()).collect();
            format!(
                "unknown seeded bug {s:?} (expected one of: {})",
                names.join(", ")
            )
        })
    }
}
