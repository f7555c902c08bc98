//! The wormserver's protocol core: a map from WOR address to single-shot Paxos acceptor state.
//!
//! Sans-IO: [`Acceptor::step`] takes one message and returns the replies, the record to persist
//! and the notification for subscribers. Its only state change is [`Acceptor::apply`] of that
//! record, which is also how recovery rebuilds the state from the log: what the server persists
//! is exactly what it knows. The driver must make the record durable before any reply of the
//! same step leaves (and, because later steps may depend on it, before any later reply).
//!
//! Per WOR the rules are the model's: promise a ballot not below the promise, answering with the
//! last accepted proposal, else nack; accept a ballot not below the promise, else nack. A batch
//! capture promises its ballot on every data WOR of a segment at once; it is granted only if no
//! data WOR of the segment promised higher, and afterwards a data WOR's promise is the higher of
//! its own and the segment's. A trimmed segment's state is dropped and every request on it
//! answers `Trimmed`.
//!
//! Invariants: a promise never goes down, and nothing is accepted below it, across restarts too
//! (they are rebuilt from the same records).

use crate::types::{Addr, Ballot, Proposal, SegId, Slot, Value};
use crate::wire::Msg;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One WOR's acceptor state: the model's `AcceptorState`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorState {
    pub promised: Ballot,
    pub accepted: Option<Proposal>,
}

/// A segment's batch promise, and the highest promise of any of its data WORs (so that a batch
/// capture is checked in one comparison).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct SegState {
    promised: Ballot,
    max_promised: Ballot,
}

/// What the log holds: each record is one durable state change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    Promise {
        addr: Addr,
        ballot: Ballot,
    },
    Accept {
        addr: Addr,
        ballot: Ballot,
        value: Value,
    },
    BatchPromise {
        seg: SegId,
        ballot: Ballot,
    },
    Trim {
        seg: SegId,
    },
}

impl Record {
    pub fn seg(&self) -> SegId {
        match self {
            Record::Promise { addr, .. } | Record::Accept { addr, .. } => addr.seg,
            Record::BatchPromise { seg, .. } | Record::Trim { seg } => *seg,
        }
    }
}

/// The state fields a step changed, with their new values (for trace events).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Changed {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promised: Option<Ballot>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Proposal>,
    /// A batch capture's promise on the whole segment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seg_promised: Option<Ballot>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub trimmed: bool,
}

/// What one step produces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Step {
    pub replies: Vec<Msg>,
    /// To make durable before the replies leave.
    pub persist: Option<Record>,
    /// To send to the segment's subscribers (also only once `persist` is durable).
    pub notify: Option<Msg>,
    pub changed: Changed,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acceptor {
    wors: BTreeMap<Addr, WorState>,
    segs: BTreeMap<SegId, SegState>,
    trimmed: BTreeSet<SegId>,
    /// A seeded bug this acceptor has (`accept-lower-ballot`, `forget-promise-on-restart`).
    #[cfg(feature = "seeded-bugs")]
    pub bug: Option<crate::bugs::Bug>,
}

impl Acceptor {
    /// Whether this acceptor was built with the seeded bug `bug`.
    #[cfg(feature = "seeded-bugs")]
    fn has(&self, bug: crate::bugs::Bug) -> bool {
        self.bug == Some(bug)
    }

    /// The state a log of records leaves (recovery).
    pub fn recover<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut a = Acceptor::default();
        for r in records {
            a.apply(r);
        }
        a
    }

    /// The acceptor state of one WOR, with the segment's batch promise folded in.
    pub fn wor(&self, addr: Addr) -> WorState {
        let mut w = self.wors.get(&addr).cloned().unwrap_or_default();
        if let (Slot::Data(_), Some(s)) = (addr.slot, self.segs.get(&addr.seg)) {
            w.promised = w.promised.max(s.promised);
        }
        w
    }

    pub fn is_trimmed(&self, seg: SegId) -> bool {
        self.trimmed.contains(&seg)
    }

    /// One protocol step on a message from a client.
    pub fn step(&mut self, msg: &Msg) -> Step {
        let mut step = Step::default();
        if let Some(seg) = msg.seg().filter(|s| self.is_trimmed(*s)) {
            step.replies.push(match msg {
                Msg::Trim { .. } => Msg::TrimDone { seg },
                _ => Msg::Trimmed { seg },
            });
            return step;
        }
        match msg {
            &Msg::Prepare { addr, ballot } => {
                let w = self.wor(addr);
                if ballot >= w.promised {
                    if ballot > w.promised {
                        self.persist(&mut step, Record::Promise { addr, ballot });
                    }
                    step.replies.push(Msg::Promise {
                        addr,
                        ballot,
                        accepted: w.accepted,
                    });
                } else {
                    step.replies.push(Msg::Nack {
                        addr,
                        ballot,
                        promised: w.promised,
                    });
                }
            }
            Msg::Accept {
                addr,
                ballot,
                value,
            } => {
                let (addr, ballot) = (*addr, *ballot);
                let w = self.wor(addr);
                #[cfg(feature = "seeded-bugs")]
                let w = match self.has(crate::bugs::Bug::AcceptLowerBallot) {
                    true => WorState {
                        promised: Ballot::ZERO,
                        ..w
                    },
                    false => w,
                };
                if ballot >= w.promised {
                    let proposal = (ballot, value.clone());
                    if w.accepted.as_ref() != Some(&proposal) {
                        let record = Record::Accept {
                            addr,
                            ballot,
                            value: value.clone(),
                        };
                        self.persist(&mut step, record);
                        // Subscribers follow a segment's data WORs.
                        if let Slot::Data(_) = addr.slot {
                            step.notify = Some(Msg::Notify { addr, proposal });
                        }
                    }
                    step.replies.push(Msg::Accepted { addr, ballot });
                } else {
                    step.replies.push(Msg::Nack {
                        addr,
                        ballot,
                        promised: w.promised,
                    });
                }
            }
            &Msg::Read { addr, ballot } => step.replies.push(Msg::ReadReply {
                addr,
                ballot,
                accepted: self.wor(addr).accepted,
            }),
            &Msg::BatchPrepare { seg, ballot } => {
                let s = self.segs.get(&seg).copied().unwrap_or_default();
                if ballot >= s.max_promised {
                    if ballot > s.promised {
                        self.persist(&mut step, Record::BatchPromise { seg, ballot });
                    }
                    step.replies.push(Msg::BatchPromise {
                        seg,
                        ballot,
                        accepted: self.accepted_in(seg).collect(),
                    });
                } else {
                    step.replies.push(Msg::BatchNack {
                        seg,
                        ballot,
                        promised: s.max_promised,
                    });
                }
            }
            &Msg::Trim { seg } => {
                self.persist(&mut step, Record::Trim { seg });
                step.replies.push(Msg::TrimDone { seg });
            }
            &Msg::Subscribe { seg } => {
                let accepted: Vec<_> = self.accepted_in(seg).collect();
                step.replies
                    .extend(accepted.into_iter().map(|(o, proposal)| Msg::Notify {
                        addr: Addr::data(seg, o),
                        proposal,
                    }));
            }
            // Replies and errors are not requests: a server ignores them.
            _ => {}
        }
        step
    }

    /// Applies `record` now and asks the driver to persist it.
    fn persist(&mut self, step: &mut Step, record: Record) {
        step.changed = self.apply(&record);
        #[cfg(feature = "seeded-bugs")]
        if self.has(crate::bugs::Bug::ForgetPromiseOnRestart)
            && matches!(record, Record::Promise { .. } | Record::BatchPromise { .. })
        {
            return;
        }
        step.persist = Some(record);
    }

    /// The one place the state changes: in a step, and when replaying the log.
    pub fn apply(&mut self, record: &Record) -> Changed {
        let mut changed = Changed::default();
        match record {
            &Record::Promise { addr, ballot } => {
                let w = self.wors.entry(addr).or_default();
                w.promised = w.promised.max(ballot);
                changed.promised = Some(w.promised);
                self.raise_seg(addr, ballot);
            }
            Record::Accept {
                addr,
                ballot,
                value,
            } => {
                let w = self.wors.entry(*addr).or_default();
                w.promised = w.promised.max(*ballot);
                w.accepted = Some((*ballot, value.clone()));
                changed.promised = Some(w.promised);
                changed.accepted = w.accepted.clone();
                self.raise_seg(*addr, *ballot);
            }
            &Record::BatchPromise { seg, ballot } => {
                let s = self.segs.entry(seg).or_default();
                s.promised = s.promised.max(ballot);
                s.max_promised = s.max_promised.max(ballot);
                changed.seg_promised = Some(s.promised);
            }
            &Record::Trim { seg } => {
                let doomed: Vec<Addr> = self
                    .wors
                    .range(Addr::meta(seg)..=Addr::data(seg, u32::MAX))
                    .map(|(a, _)| *a)
                    .collect();
                for a in doomed {
                    self.wors.remove(&a);
                }
                self.segs.remove(&seg);
                self.trimmed.insert(seg);
                changed.trimmed = true;
            }
        }
        changed
    }

    /// Keeps a segment's highest data-WOR promise up to date.
    fn raise_seg(&mut self, addr: Addr, ballot: Ballot) {
        if let Slot::Data(_) = addr.slot {
            let s = self.segs.entry(addr.seg).or_default();
            s.max_promised = s.max_promised.max(ballot);
        }
    }

    /// The accepted proposals of a segment's data WORs.
    fn accepted_in(&self, seg: SegId) -> impl Iterator<Item = (u32, Proposal)> + '_ {
        self.wors
            .range(Addr::data(seg, 0)..=Addr::data(seg, u32::MAX))
            .filter_map(|(a, w)| match (a.slot, &w.accepted) {
                (Slot::Data(o), Some(p)) => Some((o, p.clone())),
                _ => None,
            })
    }

    /// Records that rebuild this state exactly (for compacting the log): trimmed segments,
    /// batch promises, then each WOR's accepted proposal and any higher promise.
    pub fn snapshot(&self) -> Vec<Record> {
        let mut out: Vec<Record> = self
            .trimmed
            .iter()
            .map(|&seg| Record::Trim { seg })
            .collect();
        out.extend(
            self.segs
                .iter()
                .filter(|(_, s)| s.promised > Ballot::ZERO)
                .map(|(&seg, s)| Record::BatchPromise {
                    seg,
                    ballot: s.promised,
                }),
        );
        for (&addr, w) in &self.wors {
            if let Some((ballot, value)) = &w.accepted {
                out.push(Record::Accept {
                    addr,
                    ballot: *ballot,
                    value: value.clone(),
                });
            }
            if w.accepted.as_ref().map(|p| p.0) != Some(w.promised) {
                out.push(Record::Promise {
                    addr,
                    ballot: w.promised,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(round: u64, client: u64) -> Ballot {
        Ballot::new(round, client)
    }

    #[test]
    fn single_shot_paxos_rules() {
        let mut a = Acceptor::default();
        let x = Addr::data(1, 0);
        let s = a.step(&Msg::Prepare {
            addr: x,
            ballot: b(2, 1),
        });
        assert_eq!(
            s.persist,
            Some(Record::Promise {
                addr: x,
                ballot: b(2, 1)
            })
        );
        assert_eq!(s.changed.promised, Some(b(2, 1)));
        // Below the promise: nack, nothing persisted.
        let s = a.step(&Msg::Accept {
            addr: x,
            ballot: b(1, 9),
            value: b"v".to_vec(),
        });
        assert_eq!(
            s.replies,
            vec![Msg::Nack {
                addr: x,
                ballot: b(1, 9),
                promised: b(2, 1)
            }]
        );
        assert_eq!(s.persist, None);
        let s = a.step(&Msg::Accept {
            addr: x,
            ballot: b(2, 1),
            value: b"v".to_vec(),
        });
        assert!(s.notify.is_some());
        // A later capture learns the accepted proposal.
        let s = a.step(&Msg::Prepare {
            addr: x,
            ballot: b(3, 2),
        });
        assert_eq!(
            s.replies,
            vec![Msg::Promise {
                addr: x,
                ballot: b(3, 2),
                accepted: Some((b(2, 1), b"v".to_vec()))
            }]
        );
    }

    #[test]
    fn batch_capture_covers_data_wors_and_yields_to_higher_promises() {
        let mut a = Acceptor::default();
        a.step(&Msg::Prepare {
            addr: Addr::data(5, 3),
            ballot: b(4, 1),
        });
        let s = a.step(&Msg::BatchPrepare {
            seg: 5,
            ballot: b(3, 2),
        });
        assert_eq!(
            s.replies,
            vec![Msg::BatchNack {
                seg: 5,
                ballot: b(3, 2),
                promised: b(4, 1)
            }]
        );
        a.step(&Msg::BatchPrepare {
            seg: 5,
            ballot: b(5, 2),
        });
        assert_eq!(a.wor(Addr::data(5, 9)).promised, b(5, 2));
        // The metadata WOR is not part of a batch capture.
        assert_eq!(a.wor(Addr::meta(5)).promised, Ballot::ZERO);
        let s = a.step(&Msg::Accept {
            addr: Addr::data(5, 9),
            ballot: b(4, 7),
            value: vec![1],
        });
        assert!(matches!(s.replies[0], Msg::Nack { .. }));
    }

    #[test]
    fn trim_drops_the_segment_and_replay_rebuilds_the_same_state() {
        let mut a = Acceptor::default();
        let mut log = Vec::new();
        for m in [
            Msg::Accept {
                addr: Addr::data(1, 0),
                ballot: b(1, 1),
                value: vec![7],
            },
            Msg::Prepare {
                addr: Addr::data(2, 0),
                ballot: b(3, 1),
            },
            Msg::Accept {
                addr: Addr::data(2, 0),
                ballot: b(3, 1),
                value: vec![8],
            },
            Msg::Prepare {
                addr: Addr::data(2, 0),
                ballot: b(4, 1),
            },
            Msg::BatchPrepare {
                seg: 3,
                ballot: b(2, 2),
            },
            Msg::Trim { seg: 1 },
        ] {
            log.extend(a.step(&m).persist);
        }
        assert_eq!(
            a.step(&Msg::Read {
                addr: Addr::data(1, 0),
                ballot: b(9, 9)
            })
            .replies,
            vec![Msg::Trimmed { seg: 1 }]
        );
        assert_eq!(Acceptor::recover(&log), a);
        assert_eq!(Acceptor::recover(&a.snapshot()), a);
    }
}
