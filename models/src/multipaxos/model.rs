//! The Multi-Paxos model: configuration, named bugs, the proposers' steps, and the
//! properties.
//!
//! The state is the acceptors, the proposers, the messages in flight (a multiset), and a ghost
//! record of what is chosen: after every accept, each slot whose entry a quorum accepted at one
//! ballot is recorded, and a second, different entry chosen in a slot is a disagreement.
//!
//! Besides delivering a message, a proposer that leads can *invoke*: propose its next command
//! in its next slot (sending the accepts). That is its own step, so that the ADO sees phase 1
//! (pull), the proposal (invoke) and the quorum of accepts (push) as three steps.

use super::{
    AcceptorState, Cmd, Entry, MpMsg, Outcome, Phase, Proposal, ProposerState, Slots, MAX_SLOTS,
};
use crate::caspaxos::Ballot;
use crate::wor::AcceptorSet;
use serde::Serialize;
use stateright::{Model, Property};
use std::fmt;

/// Classic Multi-Paxos mistakes, each switched on by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MpBug {
    /// A new leader proposes its own command without finishing the entries the promises
    /// reported.
    IgnorePromisedValues,
    /// Phase 1 covers only the first slot the leader does not know, though the leader goes on
    /// to propose in later slots under the same ballot.
    PrepareOneSlot,
}

impl MpBug {
    pub const ALL: [MpBug; 2] = [Self::IgnorePromisedValues, Self::PrepareOneSlot];

    pub fn name(self) -> &'static str {
        match self {
            Self::IgnorePromisedValues => "ignore-promised-values",
            Self::PrepareOneSlot => "prepare-one-slot",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::IgnorePromisedValues => {
                "a new leader ignores the values in the promises: a chosen entry is overwritten"
            }
            Self::PrepareOneSlot => {
                "phase 1 reports one slot only: an entry chosen in a later slot is overwritten"
            }
        }
    }

    /// The smallest configuration that shows the bug.
    pub fn config(self) -> MpConfig {
        let base = MpConfig {
            bug: Some(self),
            ..MpConfig::default()
        };
        match self {
            Self::IgnorePromisedValues => base,
            // The first leader must choose two slots, one after the other.
            Self::PrepareOneSlot => MpConfig {
                commands: vec![2, 1],
                ..base
            },
        }
    }
}

crate::bug_names!(MpBug, "Multi-Paxos");

/// The size of a Multi-Paxos model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MpConfig {
    pub acceptors: usize,
    /// Per proposer, how many commands its client submits.
    pub commands: Vec<usize>,
    /// Slots in the log.
    pub slots: usize,
    /// Phase 1 attempts per command.
    pub attempts: u8,
    pub bug: Option<MpBug>,
}

impl Default for MpConfig {
    fn default() -> Self {
        MpConfig {
            acceptors: 3,
            commands: vec![1, 1],
            slots: 2,
            attempts: 1,
            bug: None,
        }
    }
}

impl MpConfig {
    pub fn proposers(&self) -> usize {
        self.commands.len()
    }

    pub fn quorum(&self) -> usize {
        self.acceptors / 2 + 1
    }

    /// Rejects configurations the model cannot represent, naming the bad value.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=5).contains(&self.acceptors) {
            return Err(format!("acceptors must be 1 to 5, not {}", self.acceptors));
        }
        if !(1..=3).contains(&self.proposers()) {
            return Err(format!(
                "proposers must be 1 to 3, not {}",
                self.proposers()
            ));
        }
        if let Some(&c) = self.commands.iter().find(|&&c| c > 3) {
            return Err(format!("a proposer may submit at most 3 commands, not {c}"));
        }
        if !(1..=MAX_SLOTS).contains(&self.slots) {
            return Err(format!(
                "slots must be 1 to {MAX_SLOTS}, not {}",
                self.slots
            ));
        }
        if !(1..=3).contains(&self.attempts) {
            return Err(format!("attempts must be 1 to 3, not {}", self.attempts));
        }
        Ok(())
    }

    pub fn into_model(self) -> MpModel {
        MpModel { cfg: self }
    }
}

/// A message in flight: from actor `src` to actor `dst` (acceptors first, then proposers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Env {
    pub src: u8,
    pub dst: u8,
    pub msg: MpMsg,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct MpState {
    pub acceptors: Vec<AcceptorState>,
    pub proposers: Vec<ProposerState>,
    /// The messages in flight, sorted: a multiset.
    pub network: Vec<Env>,
    /// Ghost: every vote cast, (slot, ballot, entry) with the acceptors that cast it, sorted.
    pub votes: Vec<Vote>,
    /// Ghost: the entry chosen in each slot, once a quorum voted for it at one ballot.
    pub chosen: Slots<Entry>,
    /// Ghost: a slot had two different entries chosen.
    pub disagreement: bool,
}

/// Acceptors that accepted an entry in a slot at a ballot.
pub type Vote = ((u8, Ballot, Entry), AcceptorSet);

#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MpAction {
    Deliver(Env),
    /// The leader proposes its next command.
    Invoke(u8),
}

/// The Multi-Paxos protocol as a state machine.
#[derive(Clone, Debug)]
pub struct MpModel {
    pub cfg: MpConfig,
}

/// What one proposer step sends: (destination, message).
type Sends = Vec<(usize, MpMsg)>;

impl MpModel {
    fn n(&self) -> usize {
        self.cfg.acceptors
    }

    /// A readable name for an actor: `a0`.. for acceptors, `pA`.. for proposers.
    pub fn actor_name(&self, id: usize) -> String {
        if id < self.n() {
            format!("a{id}")
        } else {
            format!("p{}", (b'A' + (id - self.n()) as u8) as char)
        }
    }

    fn to_all(&self, msg: MpMsg, out: &mut Sends) {
        out.extend((0..self.n()).map(|a| (a, msg)));
    }

    /// Phase 1 with a fresh ballot, for every slot from the first it does not know.
    fn prepare(&self, i: usize, p: &mut ProposerState, out: &mut Sends) {
        p.counter += 1;
        p.attempts_left -= 1;
        let ballot = Ballot {
            counter: p.counter,
            proposer: i as u8,
        };
        p.phase = Phase::Prepare {
            ballot,
            from: p.known,
            promises: AcceptorSet::default(),
            picked: [None; MAX_SLOTS],
        };
        self.to_all(
            MpMsg::Prepare {
                ballot,
                from: p.known,
            },
            out,
        );
    }

    /// The proposer's next command, if any: a leader keeps leading (it invokes next); otherwise
    /// phase 1. With no command left, what no longer matters is cleared (merging states).
    fn next_command(&self, i: usize, p: &mut ProposerState, out: &mut Sends) {
        if usize::from(p.done) >= self.cfg.commands[i] {
            p.phase = Phase::Idle;
            p.counter = 0;
            p.attempts_left = 0;
            return;
        }
        p.attempts_left = self.cfg.attempts;
        if !matches!(p.phase, Phase::Lead { .. }) {
            self.prepare(i, p, out);
        }
    }

    /// Ends the current command.
    fn finish(&self, i: usize, p: &mut ProposerState, outcome: Outcome, out: &mut Sends) {
        p.last = Some(outcome);
        p.done += 1;
        self.next_command(i, p, out);
    }

    /// A leader whose log is full cannot propose: its remaining commands fail.
    fn check_room(&self, i: usize, p: &mut ProposerState, out: &mut Sends) {
        if let Phase::Lead { next, .. } = p.phase {
            if usize::from(next) >= self.cfg.slots && usize::from(p.done) < self.cfg.commands[i] {
                p.phase = Phase::Idle;
                p.done = self.cfg.commands[i] as u8 - 1;
                self.finish(i, p, Outcome::Failed, out);
            }
        }
    }

    fn proposer_step(&self, i: usize, p: &mut ProposerState, src: usize, msg: MpMsg) -> Sends {
        let mut out = Vec::new();
        let in_accept = matches!(p.phase, Phase::Accept { .. });
        match (msg, &mut p.phase) {
            (
                MpMsg::Promise { ballot, accepted },
                Phase::Prepare {
                    ballot: b,
                    from,
                    promises,
                    picked,
                },
            ) if ballot == *b => {
                promises.insert(src);
                if self.cfg.bug != Some(MpBug::IgnorePromisedValues) {
                    for (mine, theirs) in picked.iter_mut().zip(accepted) {
                        if theirs.is_some() && theirs.map(|t| t.0) > mine.map(|m| m.0) {
                            *mine = theirs;
                        }
                    }
                }
                if promises.len() >= self.cfg.quorum() {
                    let (from, picked) = (*from, *picked);
                    p.phase = lead(ballot, from, &picked, p.tip);
                    self.check_room(i, p, &mut out);
                }
            }
            (
                MpMsg::Accepted { ballot, upto },
                Phase::Accept {
                    ballot: b,
                    entries,
                    upto: u,
                    accepts,
                },
            ) if (ballot, upto) == (*b, *u) => {
                accepts.insert(src);
                if accepts.len() >= self.cfg.quorum() {
                    let tip = entries[usize::from(upto)];
                    p.known = upto + 1;
                    p.tip = tip;
                    p.phase = Phase::Lead {
                        ballot,
                        entries: [None; MAX_SLOTS],
                        next: upto + 1,
                        tip,
                    };
                    self.finish(i, p, Outcome::Committed(upto), &mut out);
                    self.check_room(i, p, &mut out);
                }
            }
            (
                MpMsg::Nack {
                    ballot,
                    promised,
                    phase2,
                },
                Phase::Prepare { ballot: b, .. } | Phase::Accept { ballot: b, .. },
            ) if ballot == *b && phase2 == in_accept => {
                p.counter = p.counter.max(promised.counter);
                if phase2 {
                    p.phase = Phase::Idle;
                    self.finish(i, p, Outcome::Unknown, &mut out);
                } else if p.attempts_left > 0 {
                    self.prepare(i, p, &mut out);
                } else {
                    p.phase = Phase::Idle;
                    self.finish(i, p, Outcome::Failed, &mut out);
                }
            }
            _ => {}
        }
        out
    }

    /// Would delivering `msg` from acceptor `src` change proposer `p`?
    fn awaits(p: &ProposerState, src: usize, msg: &MpMsg) -> bool {
        match (msg, &p.phase) {
            (
                MpMsg::Promise { ballot, .. },
                Phase::Prepare {
                    ballot: b,
                    promises,
                    ..
                },
            ) => ballot == b && !promises.contains(src),
            (
                MpMsg::Accepted { ballot, upto },
                Phase::Accept {
                    ballot: b,
                    upto: u,
                    accepts,
                    ..
                },
            ) => (ballot, upto) == (b, u) && !accepts.contains(src),
            (MpMsg::Nack { ballot, phase2, .. }, Phase::Prepare { ballot: b, .. }) => {
                ballot == b && !phase2
            }
            (MpMsg::Nack { ballot, phase2, .. }, Phase::Accept { ballot: b, .. }) => {
                ballot == b && *phase2
            }
            _ => false,
        }
    }

    /// Drops messages whose delivery can never change anything: replies nobody awaits, and
    /// requests an acceptor can only reject (its promise never goes down) whose rejection
    /// nobody awaits.
    fn collect_dead_messages(&self, s: &mut MpState) {
        let n = self.n();
        let (acceptors, proposers) = (&s.acceptors, &s.proposers);
        s.network.retain(|e| {
            let (src, dst) = (usize::from(e.src), usize::from(e.dst));
            if dst >= n {
                return Self::awaits(&proposers[dst - n], src, &e.msg);
            }
            let (ballot, phase2) = match e.msg {
                MpMsg::Prepare { ballot, .. } => (ballot, false),
                MpMsg::Accept { ballot, .. } => (ballot, true),
                _ => return true,
            };
            if ballot >= acceptors[dst].promised {
                return true;
            }
            let nack = MpMsg::Nack {
                ballot,
                promised: Ballot::ZERO,
                phase2,
            };
            Self::awaits(&proposers[src - n], dst, &nack)
        });
    }

    /// Records acceptor `a`'s votes for `entries` at `ballot`, and what they make chosen.
    fn record_votes(&self, s: &mut MpState, a: usize, ballot: Ballot, entries: &Slots<Entry>) {
        for (k, e) in entries.iter().enumerate() {
            let Some(e) = e else { continue };
            let key = (k as u8, ballot, *e);
            let at = match s.votes.binary_search_by(|(v, _)| v.cmp(&key)) {
                Ok(at) => at,
                Err(at) => {
                    s.votes.insert(at, (key, AcceptorSet::default()));
                    at
                }
            };
            s.votes[at].1.insert(a);
            if s.votes[at].1.len() >= self.cfg.quorum() {
                match s.chosen[k] {
                    None => s.chosen[k] = Some(*e),
                    Some(c) => s.disagreement |= c != *e,
                }
            }
        }
    }

    fn send(&self, s: &mut MpState, src: usize, out: Sends) {
        for (dst, msg) in out {
            let env = Env {
                src: src as u8,
                dst: dst as u8,
                msg,
            };
            let at = s.network.partition_point(|e| *e <= env);
            s.network.insert(at, env);
        }
    }
}

/// The proposer leads once phase 1 is through: it recovers the contiguous run of slots from
/// `from` on that hold proposals (the highest ballot's in each), and builds on the last.
fn lead(ballot: Ballot, from: u8, picked: &Slots<Proposal>, known_tip: Option<Entry>) -> Phase {
    let mut entries = [None; MAX_SLOTS];
    let mut next = from;
    let mut tip = known_tip;
    while let Some(Some((_, e))) = picked.get(usize::from(next)) {
        entries[usize::from(next)] = Some(*e);
        tip = Some(*e);
        next += 1;
    }
    Phase::Lead {
        ballot,
        entries,
        next,
        tip,
    }
}

impl Model for MpModel {
    type State = MpState;
    type Action = MpAction;

    fn init_states(&self) -> Vec<MpState> {
        let mut s = MpState {
            acceptors: vec![AcceptorState::default(); self.n()],
            proposers: vec![],
            network: vec![],
            votes: vec![],
            chosen: [None; MAX_SLOTS],
            disagreement: false,
        };
        for i in 0..self.cfg.proposers() {
            let mut p = ProposerState {
                counter: 0,
                known: 0,
                done: 0,
                tip: None,
                attempts_left: 0,
                phase: Phase::Idle,
                last: None,
            };
            let mut out = Vec::new();
            self.next_command(i, &mut p, &mut out);
            s.proposers.push(p);
            self.send(&mut s, self.n() + i, out);
        }
        vec![s]
    }

    fn actions(&self, s: &MpState, actions: &mut Vec<MpAction>) {
        for (k, e) in s.network.iter().enumerate() {
            if k == 0 || s.network[k - 1] != *e {
                actions.push(MpAction::Deliver(*e));
            }
        }
        for (i, p) in s.proposers.iter().enumerate() {
            if matches!(p.phase, Phase::Lead { .. }) && usize::from(p.done) < self.cfg.commands[i] {
                actions.push(MpAction::Invoke(i as u8));
            }
        }
    }

    fn next_state(&self, last: &MpState, action: MpAction) -> Option<MpState> {
        let mut s = last.clone();
        let n = self.n();
        match action {
            MpAction::Deliver(env) => {
                let at = s.network.binary_search(&env).ok()?;
                s.network.remove(at);
                let (src, dst) = (usize::from(env.src), usize::from(env.dst));
                if dst < n {
                    let reply = s.acceptors[dst].step(env.msg, self.cfg.bug);
                    if let (MpMsg::Accept { ballot, entries }, Some(MpMsg::Accepted { .. })) =
                        (env.msg, reply)
                    {
                        self.record_votes(&mut s, dst, ballot, &entries);
                    }
                    self.send(&mut s, dst, reply.into_iter().map(|m| (src, m)).collect());
                } else {
                    let mut p = s.proposers[dst - n];
                    let out = self.proposer_step(dst - n, &mut p, src, env.msg);
                    s.proposers[dst - n] = p;
                    self.send(&mut s, dst, out);
                }
            }
            MpAction::Invoke(i) => {
                let i = usize::from(i);
                let mut p = s.proposers[i];
                let Phase::Lead {
                    ballot,
                    mut entries,
                    next,
                    tip,
                } = p.phase
                else {
                    return None;
                };
                entries[usize::from(next)] = Some(Entry {
                    cmd: Cmd::new(i, usize::from(p.done)),
                    time: ballot,
                    parent: tip.map(|t| t.cmd),
                });
                p.phase = Phase::Accept {
                    ballot,
                    entries,
                    upto: next,
                    accepts: AcceptorSet::default(),
                };
                s.proposers[i] = p;
                let mut out = Vec::new();
                self.to_all(MpMsg::Accept { ballot, entries }, &mut out);
                self.send(&mut s, n + i, out);
            }
        }
        self.collect_dead_messages(&mut s);
        Some(s)
    }

    fn format_action(&self, action: &MpAction) -> String {
        match action {
            MpAction::Deliver(e) => format!(
                "{} -> {}: {:?}",
                self.actor_name(usize::from(e.src)),
                self.actor_name(usize::from(e.dst)),
                e.msg
            ),
            MpAction::Invoke(i) => format!("{:?}", MpAction::Invoke(*i)),
        }
    }

    fn format_step(&self, last: &MpState, action: MpAction) -> Option<String> {
        let next = self.next_state(last, action)?;
        Some(format!("{action:?}\n{next:#?}"))
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("agreement", |_, s: &MpState| !s.disagreement),
            Property::always("the chosen log is one chain", |_, s: &MpState| {
                chosen_chain(&s.chosen)
            }),
            Property::always("committed entries are chosen", |_, s: &MpState| {
                s.proposers.iter().all(|p| match p.known {
                    0 => true,
                    k => s.chosen[usize::from(k) - 1] == p.tip,
                })
            }),
            Property::sometimes("a command committed", |_, s: &MpState| {
                s.proposers
                    .iter()
                    .any(|p| matches!(p.last, Some(Outcome::Committed(_))))
            }),
        ]
    }
}

/// The chosen slots form a prefix, each entry naming the one before it as its parent.
pub fn chosen_chain(chosen: &Slots<Entry>) -> bool {
    let len = chosen.iter().take_while(|c| c.is_some()).count();
    chosen[len..].iter().all(Option::is_none)
        && chosen[..len].iter().enumerate().all(|(k, e)| {
            e.map(|e| e.parent) == Some(k.checked_sub(1).and_then(|j| chosen[j].map(|c| c.cmd)))
        })
}

impl fmt::Debug for MpAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MpAction::Deliver(e) => write!(f, "{} -> {}: {:?}", e.src, e.dst, e.msg),
            MpAction::Invoke(i) => write!(f, "p{} invokes its next command", (b'A' + i) as char),
        }
    }
}
