//! `Hash` for the protocol state by packed words.
//!
//! stateright fingerprints every generated state, and a derived `Hash` feeds the hasher one
//! write per field and per enum discriminant: some 150 small writes for a WOR state, which
//! made fingerprinting the largest cost of a check after the steps themselves. Here each
//! message and acceptor state is one 64-bit word and each client three, packed losslessly
//! (every field at a fixed width, so distinct values give distinct words): equal values hash
//! equal, as `Hash` requires, and no collisions are added.

use super::spec::{Ballot, Value, WorRet};
use super::{AcceptorState, ClientState, Phase, Proposal, WorMsg, WorState};
use std::hash::{Hash, Hasher};

/// 16 bits.
fn ballot(b: Ballot) -> u64 {
    u64::from(b.round) << 8 | u64::from(b.client)
}

/// 21 bits: a `char`'s range.
fn value(v: Value) -> u64 {
    u64::from(u32::from(v))
}

/// 22 bits.
fn opt_value(v: Option<Value>) -> u64 {
    v.map_or(0, |v| 1 << 21 | value(v))
}

/// 38 bits.
fn proposal(p: Option<Proposal>) -> u64 {
    p.map_or(0, |(b, v)| 1 << 37 | ballot(b) << 21 | value(v))
}

/// 26 bits.
fn ret(r: Option<WorRet>) -> u64 {
    let Some(r) = r else { return 0 };
    let (tag, payload) = match r {
        WorRet::Captured(b) => (0, ballot(b)),
        WorRet::CaptureFailed => (1, 0),
        WorRet::Written(v) => (2, value(v)),
        WorRet::Unknown(v) => (3, value(v)),
        WorRet::ReadValue(v) => (4, opt_value(v)),
        WorRet::ReadFailed => (5, 0),
    };
    1 << 25 | tag << 22 | payload
}

impl WorMsg {
    /// A tag in the top three bits, the fields below (at most 54 bits).
    fn word(self) -> u64 {
        let (tag, fields) = match self {
            WorMsg::Prepare(b) => (0, ballot(b)),
            WorMsg::Promise(b, p) => (1, ballot(b) << 38 | proposal(p)),
            WorMsg::Accept(b, v) => (2, ballot(b) << 21 | value(v)),
            WorMsg::Accepted(b) => (3, ballot(b)),
            WorMsg::Nack(b, c) => (4, ballot(b) << 16 | ballot(c)),
            WorMsg::Read(b) => (5, ballot(b)),
            WorMsg::ReadReply(b, p) => (6, ballot(b) << 38 | proposal(p)),
        };
        tag << 61 | fields
    }
}

impl AcceptorState {
    /// 54 bits; also what the symmetry reduction compares acceptors by.
    pub(super) fn word(self) -> u64 {
        ballot(self.promised) << 38 | proposal(self.accepted)
    }
}

impl ClientState {
    /// The phase's tag, ballot and set, with round and attempts left; the rest of the phase;
    /// the results.
    fn words(&self) -> [u64; 3] {
        let (tag, b, set, rest) = match self.phase {
            Phase::Prepare {
                ballot: b,
                promises,
                highest,
                completing,
            } => (
                0,
                b,
                promises.0,
                proposal(highest) << 22 | opt_value(completing),
            ),
            Phase::Accept {
                ballot: b,
                value: v,
                accepts,
                completing,
            } => (1, b, accepts.0, value(v) << 1 | u64::from(completing)),
            Phase::Read {
                ballot: b,
                replies,
                highest,
                unanimous,
            } => (
                2,
                b,
                replies.0,
                proposal(highest) << 1 | u64::from(unanimous),
            ),
            Phase::Done => (3, Ballot::ZERO, 0, 0),
        };
        let head = tag << 62
            | u64::from(self.round) << 40
            | u64::from(self.captures_left) << 32
            | ballot(b) << 8
            | u64::from(set);
        let [r0, r1] = self.results.slots();
        [head, rest, ret(r0) << 26 | ret(r1)]
    }
}

impl Hash for WorMsg {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.word());
    }
}

impl Hash for AcceptorState {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.word());
    }
}

impl Hash for ClientState {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for w in self.words() {
            state.write_u64(w);
        }
    }
}

impl Hash for WorState {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            WorState::Acceptor(a) => a.hash(state),
            WorState::Client(c) => c.hash(state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::AcceptorSet;
    use super::*;
    use std::collections::HashSet;

    fn ballots() -> Vec<Ballot> {
        let mut v = vec![Ballot::ZERO];
        v.extend((1..4).flat_map(|r| (0..4).map(move |c| Ballot::new(r, c))));
        v
    }

    fn proposals() -> Vec<Option<Proposal>> {
        let mut v = vec![None];
        v.extend(
            ballots()
                .into_iter()
                .flat_map(|b| ['A', 'B'].map(|x| Some((b, x)))),
        );
        v
    }

    /// Distinct values, distinct words: the packing loses nothing.
    #[test]
    fn words_are_injective() {
        let mut msgs = Vec::new();
        for b in ballots() {
            msgs.extend([WorMsg::Prepare(b), WorMsg::Accepted(b), WorMsg::Read(b)]);
            msgs.extend(['A', 'B'].map(|v| WorMsg::Accept(b, v)));
            msgs.extend(ballots().into_iter().map(|c| WorMsg::Nack(b, c)));
            for p in proposals() {
                msgs.extend([WorMsg::Promise(b, p), WorMsg::ReadReply(b, p)]);
            }
        }
        let words: HashSet<u64> = msgs.iter().map(|m| m.word()).collect();
        assert_eq!(words.len(), msgs.len());

        let mut clients = Vec::new();
        let rets = [
            None,
            Some(WorRet::Captured(Ballot::new(1, 0))),
            Some(WorRet::CaptureFailed),
            Some(WorRet::Written('A')),
            Some(WorRet::Unknown('A')),
            Some(WorRet::ReadValue(None)),
            Some(WorRet::ReadValue(Some('A'))),
            Some(WorRet::ReadFailed),
        ];
        for (round, b) in [(1, Ballot::new(1, 0)), (2, Ballot::new(2, 1))] {
            for set in [AcceptorSet(0), AcceptorSet(5)] {
                for p in proposals() {
                    let phases = [
                        Phase::Prepare {
                            ballot: b,
                            promises: set,
                            highest: p,
                            completing: None,
                        },
                        Phase::Prepare {
                            ballot: b,
                            promises: set,
                            highest: p,
                            completing: Some('B'),
                        },
                        Phase::Read {
                            ballot: b,
                            replies: set,
                            highest: p,
                            unanimous: true,
                        },
                        Phase::Accept {
                            ballot: b,
                            value: 'A',
                            accepts: set,
                            completing: p.is_some(),
                        },
                        Phase::Done,
                    ];
                    for phase in phases {
                        for r in rets {
                            let mut c = ClientState {
                                round,
                                captures_left: round,
                                phase,
                                results: Default::default(),
                            };
                            if let Some(r) = r {
                                c.results.push(r);
                            }
                            clients.push(c);
                        }
                    }
                }
            }
        }
        clients.sort();
        clients.dedup();
        let words: HashSet<[u64; 3]> = clients.iter().map(|c| c.words()).collect();
        assert_eq!(words.len(), clients.len());

        let acceptors: Vec<AcceptorState> = ballots()
            .into_iter()
            .flat_map(|promised| {
                proposals()
                    .into_iter()
                    .map(move |accepted| AcceptorState { promised, accepted })
            })
            .collect();
        let words: HashSet<u64> = acceptors.iter().map(|a| a.word()).collect();
        assert_eq!(words.len(), acceptors.len());
    }
}
