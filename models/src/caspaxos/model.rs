//! The CASPaxos model: configuration, named bugs, the operator's programs, the history with
//! its ghost ancestry record, the properties, and the refinement into [`CasObject`].
//!
//! The protocol state is stateright's actor system. On top of it the history keeps, per key,
//! an online linearizability monitor over the changes (each change is its own monitor thread,
//! so that a change with an unknown outcome can stay in flight forever), and a ghost record of
//! ancestry: when a proposer sends an accept, the *lineage* of its proposal is that of the
//! proposal it built on followed by its own change's id. The paper's theorem says acknowledged
//! proposals form one chain: each acknowledged lineage is a prefix of those acknowledged at
//! higher ballots. When the GC removes a key, proposals built on nothing descend from the
//! removed tombstone, whose lineage becomes the key's root.
//!
//! The abstraction into [`CasObject`]: per key, the state and the set of changes of the
//! lineage acknowledged at the highest ballot so far.

use super::operator::{Program, Step};
use super::proposer::{Ctx, Outcome};
use super::spec::{CasObject, CasRegister, CasRet, Change, Domain, KeyState, OpSet, MAX_KEYS};
use super::{
    letter, proposer_awaits, AcceptorSet, Ballot, CasActor, CasMsg, CasState, Phase, ProposerState,
    View, MAX_PROPOSERS,
};
use crate::network::NetworkKind;
use stateright::actor::{ActorModel, ActorModelAction, ActorModelState, Id, LossyNetwork};
use stateright::{Model, Path, Property};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use worm_refinement::{LinMonitor, RefinedOf, Refinement, SpecModel};

/// The paper's pitfalls, and two classic Paxos mistakes, each switched on by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CasBug {
    /// Expansion from 2F+1 to 2F+2 skips step 3, the identity change (§2.3.1).
    ExpandWithoutIdentity,
    /// Back in an even configuration by removing a node, the cluster expands again without a
    /// re-scan (the warning of §2.3.2).
    EvenExpandWithoutRescan,
    /// Acceptors do not check proposers' ages (§3.1 step 2c).
    GcWithoutAgeCheck,
    /// The GC does not fast-forward proposers' counters past the tombstone (§3.1 step 2b).
    GcWithoutFastForward,
    /// A proposer builds on the state of the lowest ballot among the promises.
    PickLowestBallot,
    /// An acceptor accepts a ballot below its promise.
    AcceptLowerBallot,
}

impl CasBug {
    pub const ALL: [CasBug; 6] = [
        Self::ExpandWithoutIdentity,
        Self::EvenExpandWithoutRescan,
        Self::GcWithoutAgeCheck,
        Self::GcWithoutFastForward,
        Self::PickLowestBallot,
        Self::AcceptLowerBallot,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::ExpandWithoutIdentity => "expand-without-identity",
            Self::EvenExpandWithoutRescan => "even-expand-without-rescan",
            Self::GcWithoutAgeCheck => "gc-without-age-check",
            Self::GcWithoutFastForward => "gc-without-fast-forward",
            Self::PickLowestBallot => "pick-lowest-ballot",
            Self::AcceptLowerBallot => "accept-lower-ballot",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::ExpandWithoutIdentity => {
                "expanding 2F+1 -> 2F+2 skips the identity change (then 2F+2 -> 2F+3 loses data)"
            }
            Self::EvenExpandWithoutRescan => {
                "replacing a node (odd -> even -> odd) without a re-scan loses data"
            }
            Self::GcWithoutAgeCheck => {
                "acceptors ignore ages: a delayed accept revives a deleted value"
            }
            Self::GcWithoutFastForward => {
                "the GC does not fast-forward counters: an update below the tombstone is lost"
            }
            Self::PickLowestBallot => "a proposer builds on the lowest-ballot state it was sent",
            Self::AcceptLowerBallot => "an acceptor accepts a ballot below its promise",
        }
    }

    /// The configuration in which the checker looks for the bug: the smallest that shows it
    /// (membership with F = 0 where that suffices, one client for the GC).
    pub fn config(self) -> CasConfig {
        let base = CasConfig {
            bug: Some(self),
            ..CasConfig::default()
        };
        match self {
            Self::ExpandWithoutIdentity => CasConfig {
                acceptors: 1,
                scripts: scripts("init=1,read"),
                membership: Membership::ExpandTwice,
                ..base
            },
            Self::EvenExpandWithoutRescan => CasConfig {
                scripts: scripts("init=1,read"),
                membership: Membership::Replace,
                ..base
            },
            // One client and the ordered network keep the GC's interleavings few; the
            // anomalies need no reordering within a channel.
            Self::GcWithoutAgeCheck => CasConfig {
                scripts: scripts("init=1,del,read"),
                gc: true,
                network: NetworkKind::Ordered,
                ..base
            },
            Self::GcWithoutFastForward => CasConfig {
                scripts: scripts("del,init=2"),
                gc: true,
                network: NetworkKind::Ordered,
                ..base
            },
            Self::PickLowestBallot | Self::AcceptLowerBallot => base,
        }
    }
}

fn scripts(s: &str) -> Vec<Vec<(u8, Change)>> {
    parse_scripts(s).expect("built-in scripts parse")
}

crate::bug_names!(CasBug, "CASPaxos");

/// A membership change the operator performs (§2.3), starting from `acceptors` acceptors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Membership {
    None,
    /// Add one acceptor: from 2F+1 in the four steps of §2.3.1, from 2F+2 as in §2.3.2.
    Expand,
    /// Add two acceptors: 2F+1 -> 2F+2 -> 2F+3.
    ExpandTwice,
    /// Remove the last acceptor: the steps of expansion, reversed.
    Shrink,
    /// Replace the last acceptor by a new one: shrink, re-scan, expand (§2.3, §2.3.2).
    Replace,
}

impl Membership {
    pub const ALL: [Membership; 5] = [
        Self::None,
        Self::Expand,
        Self::ExpandTwice,
        Self::Shrink,
        Self::Replace,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Expand => "expand",
            Self::ExpandTwice => "expand-twice",
            Self::Shrink => "shrink",
            Self::Replace => "replace",
        }
    }

    /// Acceptors the change turns on.
    fn added(self) -> usize {
        match self {
            Self::None | Self::Shrink => 0,
            Self::Expand | Self::Replace => 1,
            Self::ExpandTwice => 2,
        }
    }
}

impl fmt::Display for Membership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Membership {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|m| m.name() == s).ok_or_else(|| {
            format!("unknown membership change {s:?} (expected none, expand, expand-twice, shrink or replace)")
        })
    }
}

/// Parses `--changes`: one script per proposer, separated by `/`; changes separated by `,`,
/// each `[k1:]CHANGE` (key 0 unless given).
pub fn parse_scripts(s: &str) -> Result<Vec<Vec<(u8, Change)>>, String> {
    s.split('/')
        .map(|script| {
            script
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| match c.split_once(':') {
                    Some(("k0", rest)) => Ok((0, rest.parse()?)),
                    Some(("k1", rest)) => Ok((1, rest.parse()?)),
                    _ => Ok((0, c.parse()?)),
                })
                .collect()
        })
        .collect()
}

/// Prints scripts in the syntax of `--changes`.
pub fn show_scripts(scripts: &[Vec<(u8, Change)>]) -> String {
    let show = |(key, c): &(u8, Change)| match key {
        0 => format!("{c:?}"),
        k => format!("k{k}:{c:?}"),
    };
    scripts
        .iter()
        .map(|s| s.iter().map(show).collect::<Vec<_>>().join(","))
        .collect::<Vec<_>>()
        .join("/")
}

/// The size and environment of a CASPaxos model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CasConfig {
    /// Acceptors at the start (a membership change may add some).
    pub acceptors: usize,
    /// Per proposer, the changes its client submits, each on a key.
    pub scripts: Vec<Vec<(u8, Change)>>,
    /// Prepare attempts per change (each prepare-phase conflict uses one).
    pub attempts: u8,
    /// The one-round-trip optimisation (§2.2.1).
    pub one_rtt: bool,
    /// Quorum sizes; a majority unless given.
    pub prepare_quorum: Option<usize>,
    pub accept_quorum: Option<usize>,
    pub membership: Membership,
    /// The last proposer starts turned off and the operator adds it (§2.3.4).
    pub add_proposer: bool,
    /// The operator turns the first proposer off and removes it (§2.3.4).
    pub remove_proposer: bool,
    /// Deleted keys are garbage-collected (§3.1).
    pub gc: bool,
    /// How many acceptors may be down at once.
    pub crashes: usize,
    pub network: NetworkKind,
    pub lossy: bool,
    pub bug: Option<CasBug>,
}

impl Default for CasConfig {
    fn default() -> Self {
        CasConfig {
            acceptors: 3,
            scripts: scripts("init=1/cas=0:2"),
            attempts: 1,
            one_rtt: false,
            prepare_quorum: None,
            accept_quorum: None,
            membership: Membership::None,
            add_proposer: false,
            remove_proposer: false,
            gc: false,
            crashes: 0,
            network: NetworkKind::Unordered,
            lossy: false,
            bug: None,
        }
    }
}

/// How many times the operator retries an identity change.
const OPERATOR_RETRIES: u8 = 1;

/// Change ids: proposer `i`'s `j`-th change is `8 i + j`.
const IDS_PER_PROPOSER: usize = 8;

fn majority(n: usize) -> u8 {
    (n / 2 + 1) as u8
}

fn set(members: &[usize]) -> AcceptorSet {
    members
        .iter()
        .fold(AcceptorSet::default(), |s, &i| s.with(i))
}

impl CasConfig {
    pub fn proposers(&self) -> usize {
        self.scripts.len()
    }

    /// Keys the scripts use.
    pub fn keys(&self) -> usize {
        let max = self.scripts.iter().flatten().map(|(k, _)| *k).max();
        max.map_or(1, |k| k as usize + 1)
    }

    /// Acceptor actors: those at the start and those a membership change adds.
    pub fn acceptor_actors(&self) -> usize {
        self.acceptors + self.membership.added()
    }

    pub fn prepare_quorum(&self) -> usize {
        self.prepare_quorum
            .unwrap_or(majority(self.acceptors) as usize)
    }

    pub fn accept_quorum(&self) -> usize {
        self.accept_quorum
            .unwrap_or(majority(self.acceptors) as usize)
    }

    /// Rejects configurations the model cannot represent or that are not CASPaxos, naming
    /// the bad value.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=5).contains(&self.acceptors) {
            return Err(format!("acceptors must be 1 to 5, not {}", self.acceptors));
        }
        if !(1..MAX_PROPOSERS).contains(&self.proposers()) {
            return Err(format!(
                "proposers must be 1 to {}, not {}",
                MAX_PROPOSERS - 1,
                self.proposers()
            ));
        }
        if let Some(long) = self.scripts.iter().find(|s| s.len() > 6) {
            return Err(format!(
                "a proposer may submit at most 6 changes, not {}",
                long.len()
            ));
        }
        if !(1..=3).contains(&self.attempts) {
            return Err(format!("attempts must be 1 to 3, not {}", self.attempts));
        }
        let (pq, aq) = (self.prepare_quorum(), self.accept_quorum());
        for (name, q) in [("prepare", pq), ("accept", aq)] {
            if !(1..=self.acceptors).contains(&q) {
                return Err(format!(
                    "{name} quorum must be 1 to {} (the acceptors), not {q}",
                    self.acceptors
                ));
            }
        }
        if pq + aq <= self.acceptors {
            return Err(format!(
                "prepare quorum {pq} and accept quorum {aq} of {} acceptors need not intersect \
                 (CASPaxos needs prepare + accept > acceptors)",
                self.acceptors
            ));
        }
        if self.membership != Membership::None
            && (self.prepare_quorum.is_some() || self.accept_quorum.is_some())
        {
            return Err("a membership change sets its own quorums: drop the quorum options".into());
        }
        let odd = self.acceptors % 2 == 1;
        match self.membership {
            Membership::ExpandTwice if !odd => {
                return Err(format!(
                    "expand-twice starts from an odd number of acceptors, not {}",
                    self.acceptors
                ))
            }
            Membership::Shrink if self.acceptors < 2 => {
                return Err("shrink needs at least 2 acceptors".into())
            }
            Membership::Replace if !odd || self.acceptors < 3 => {
                return Err(format!(
                    "replace starts from an odd number of acceptors, 3 or more, not {}",
                    self.acceptors
                ))
            }
            _ => {}
        }
        if self.acceptor_actors() > 6 {
            return Err("at most 6 acceptors, counting those a membership change adds".into());
        }
        if (self.add_proposer || self.remove_proposer) && self.proposers() < 2 {
            return Err("adding or removing a proposer needs at least 2 proposers".into());
        }
        let deletes = self
            .scripts
            .iter()
            .flatten()
            .any(|(_, c)| *c == Change::Delete);
        if self.gc && !deletes {
            return Err("gc needs a del among the changes".into());
        }
        if self.crashes > self.acceptor_actors() {
            return Err(format!(
                "crashes must be at most the number of acceptors ({}), not {}",
                self.acceptor_actors(),
                self.crashes
            ));
        }
        let identities = self
            .program()
            .iter()
            .filter(|s| matches!(s, Step::Identity(_) | Step::GcIdentity(_)))
            .count();
        if identities * (OPERATOR_RETRIES as usize + 1) > IDS_PER_PROPOSER {
            return Err("too many identity changes for the operator".into());
        }
        Ok(())
    }

    /// The configuration every proposer starts with.
    fn initial_view(&self) -> View {
        let all = set(&(0..self.acceptors).collect::<Vec<_>>());
        View {
            prepare: all,
            prepare_quorum: self.prepare_quorum() as u8,
            accept: all,
            accept_quorum: self.accept_quorum() as u8,
        }
    }

    /// The operator's program: add a proposer, change the membership, remove a proposer,
    /// then collect each deleted key.
    pub fn program(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        if self.add_proposer {
            steps.push(Step::AddProposer(self.proposers() as u8 - 1));
        }
        let mut members: Vec<usize> = (0..self.acceptors).collect();
        let rescan = |steps: &mut Vec<Step>| {
            steps.extend((0..self.keys() as u8).map(Step::Identity));
        };
        let mut fresh = self.acceptors;
        match self.membership {
            Membership::None => {}
            Membership::Expand => self.expand(&mut steps, &mut members, &mut fresh),
            Membership::ExpandTwice => {
                self.expand(&mut steps, &mut members, &mut fresh);
                self.expand(&mut steps, &mut members, &mut fresh);
            }
            Membership::Shrink => self.shrink(&mut steps, &mut members),
            Membership::Replace => {
                self.shrink(&mut steps, &mut members);
                // Back in an even configuration from an odd one: re-scan before expanding.
                if self.bug != Some(CasBug::EvenExpandWithoutRescan) {
                    rescan(&mut steps);
                }
                self.expand(&mut steps, &mut members, &mut fresh);
            }
        }
        if self.remove_proposer {
            steps.push(Step::RemoveProposer(0));
        }
        if self.gc {
            let mut keys: Vec<u8> = self
                .scripts
                .iter()
                .flatten()
                .filter(|(_, c)| *c == Change::Delete)
                .map(|(k, _)| *k)
                .collect();
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                steps.extend([
                    Step::AwaitDelete(key),
                    Step::GcIdentity(key),
                    Step::GcProposers(key),
                    Step::GcAcceptors,
                    Step::GcRemove(key),
                ]);
            }
        }
        steps
    }

    /// Adds acceptor `fresh`: the four steps of §2.3.1 from an odd size (turning the acceptor
    /// on is implicit: it is empty and nobody writes to it until step 2), or §2.3.2 from an
    /// even size, where the new acceptor counts as one that was down from the beginning.
    fn expand(&self, steps: &mut Vec<Step>, members: &mut Vec<usize>, fresh: &mut usize) {
        let old = set(members);
        let n = members.len();
        members.push(*fresh);
        *fresh += 1;
        let new = set(members);
        if n % 2 == 1 {
            steps.push(Step::Configure(View {
                prepare: old,
                prepare_quorum: majority(n),
                accept: new,
                accept_quorum: majority(n + 1),
            }));
            if self.bug != Some(CasBug::ExpandWithoutIdentity) {
                steps.extend((0..self.keys() as u8).map(Step::Identity));
            }
        }
        steps.push(Step::Configure(View {
            prepare: new,
            prepare_quorum: majority(n + 1),
            accept: new,
            accept_quorum: majority(n + 1),
        }));
    }

    /// Removes the last acceptor: the steps of expansion in reverse order.
    fn shrink(&self, steps: &mut Vec<Step>, members: &mut Vec<usize>) {
        let old = set(members);
        let n = members.len();
        members.pop();
        let new = set(members);
        if n.is_multiple_of(2) {
            steps.push(Step::Configure(View {
                prepare: new,
                prepare_quorum: majority(n - 1),
                accept: old,
                accept_quorum: majority(n),
            }));
            steps.extend((0..self.keys() as u8).map(Step::Identity));
        }
        steps.push(Step::Configure(View {
            prepare: new,
            prepare_quorum: majority(n - 1),
            accept: new,
            accept_quorum: majority(n - 1),
        }));
    }

    /// Every change that can change a register, by id (see [`IDS_PER_PROPOSER`]). Reads, the
    /// operator's included, are identities: they leave the registers alone, so the spec need
    /// not track them (and its steps stay few).
    fn domain(&self) -> Domain {
        let mut changes = vec![None; IDS_PER_PROPOSER * MAX_PROPOSERS];
        for (i, script) in self.scripts.iter().enumerate() {
            for (j, &(key, change)) in script.iter().enumerate() {
                if change != Change::Read {
                    changes[i * IDS_PER_PROPOSER + j] = Some((key, change));
                }
            }
        }
        Domain { changes }
    }

    /// The protocol model, wrapped in the check that it refines the registers.
    pub fn into_model(self) -> CasCheck {
        let domain = Arc::new(self.domain());
        let spec = SpecModel::new(CasObject {
            keys: Default::default(),
            domain: Arc::clone(&domain),
        });
        let low = CasModel::new(self, domain);
        Refinement::new(low, spec, abstraction, "refines the CAS registers")
    }
}

/// What `worm check caspaxos` explores: the protocol, its properties, the refinement check.
pub type CasCheck = Refinement<CasModel, SpecModel<CasObject>>;

/// A state of the protocol model.
pub type CasSysState = ActorModelState<CasActor, CasHistory>;

/// A step of the protocol model.
pub type CasAction = ActorModelAction<CasMsg, (), ()>;

/// A proposal's ancestry: the ids of the changes that produced its state, oldest first.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lineage {
    len: u8,
    ids: [u8; 15],
}

impl Lineage {
    fn ids(&self) -> &[u8] {
        &self.ids[..self.len as usize]
    }

    fn then(mut self, id: u8) -> Self {
        // Lineages longer than the array share their tail; validation keeps them shorter.
        let at = (self.len as usize).min(self.ids.len() - 1);
        self.ids[at] = id;
        self.len = at as u8 + 1;
        self
    }

    fn is_prefix_of(&self, other: &Lineage) -> bool {
        other.ids().starts_with(self.ids())
    }

    fn set(&self) -> OpSet {
        self.ids().iter().fold(0, |s, id| s | 1 << id)
    }
}

impl fmt::Debug for Lineage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.ids()).finish()
    }
}

/// The auxiliary history: the linearizability monitors and the ghost ancestry record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CasHistory {
    /// Per key, the history of changes (threads are change ids).
    pub lin: [LinMonitor<u8, CasRegister>; MAX_KEYS],
    /// Ghost: the lineage of every proposal sent, by key and ballot (sorted).
    pub lineages: Vec<((u8, Ballot), Lineage)>,
    /// Ghost: per key, the lineage of the tombstone the GC removed, if it did.
    pub roots: [Lineage; MAX_KEYS],
    /// Ghost: per key, the acknowledged proposal with the highest ballot and its lineage.
    pub acked: [Option<(Ballot, Lineage)>; MAX_KEYS],
    /// An acknowledged proposal was not on the chain of the others.
    pub broken_chain: bool,
}

impl CasHistory {
    fn new() -> Self {
        CasHistory {
            lin: std::array::from_fn(|_| LinMonitor::new(CasRegister::default())),
            lineages: Vec::new(),
            roots: Default::default(),
            acked: [None; MAX_KEYS],
            broken_chain: false,
        }
    }

    fn lineage(&self, key: u8, ballot: Option<Ballot>) -> Lineage {
        match ballot {
            None => self.roots[key as usize],
            Some(b) => self
                .lineages
                .binary_search_by(|(kb, _)| kb.cmp(&(key, b)))
                .map(|i| self.lineages[i].1)
                .unwrap_or_else(|_| unreachable!("every accepted proposal was sent")),
        }
    }

    fn record(&mut self, key: u8, ballot: Ballot, lineage: Lineage) {
        if let Err(at) = self
            .lineages
            .binary_search_by(|(kb, _)| kb.cmp(&(key, ballot)))
        {
            self.lineages.insert(at, ((key, ballot), lineage));
        }
    }

    /// The chain check of the paper's theorem, then the new highest acknowledgement.
    fn ack(&mut self, key: u8, ballot: Ballot) {
        let lineage = self.lineage(key, Some(ballot));
        let slot = &mut self.acked[key as usize];
        match *slot {
            Some((high, high_lineage)) if ballot <= high => {
                self.broken_chain |= !lineage.is_prefix_of(&high_lineage);
            }
            Some((_, high_lineage)) => {
                self.broken_chain |= !high_lineage.is_prefix_of(&lineage);
                *slot = Some((ballot, lineage));
            }
            None => *slot = Some((ballot, lineage)),
        }
    }
}

/// The actors of a configuration on stateright's actor system, with `history` on top, and the
/// operator's program.
pub(super) fn system<H: Clone + fmt::Debug + std::hash::Hash>(
    cfg: &CasConfig,
    history: H,
) -> (ActorModel<CasActor, CasConfig, H>, Program) {
    let n = cfg.acceptor_actors();
    let p = cfg.proposers();
    let steps = cfg.program();
    let operator = (!steps.is_empty()).then(|| Id::from(n + p));
    let ctx = |index: usize| Ctx {
        index: index as u8,
        attempts: cfg.attempts,
        one_rtt: cfg.one_rtt,
        gc: cfg.gc,
        bug: cfg.bug,
    };
    let view = cfg.initial_view();
    let acceptors = (0..n).map(|_| CasActor::Acceptor {
        acceptors: n,
        bug: cfg.bug,
    });
    let proposers = cfg
        .scripts
        .iter()
        .enumerate()
        .map(|(i, script)| CasActor::Proposer {
            ctx: ctx(i),
            script: script.clone(),
            view,
            on: !(cfg.add_proposer && i == p - 1),
            operator,
        });
    let program = Program {
        steps,
        acceptors: n,
        retries: OPERATOR_RETRIES,
    };
    let on_at_start = (0..p).filter(|&i| !(cfg.add_proposer && i == p - 1));
    let operators = operator.map(|_| CasActor::Operator {
        ctx: ctx(p),
        program: program.clone(),
        view,
        proposers: on_at_start.fold(0, |m, i| m | 1 << i),
    });
    let actors = ActorModel::new(cfg.clone(), history)
        .actors(acceptors)
        .actors(proposers)
        .actors(operators)
        .init_network(cfg.network.network())
        .lossy_network(if cfg.lossy {
            LossyNetwork::Yes
        } else {
            LossyNetwork::No
        })
        .max_crashes(cfg.crashes);
    (actors, program)
}

/// [`CasModel::collect_dead_messages`], for any history on top.
pub(super) fn collect_dead_messages<H>(
    cfg: &CasConfig,
    program: &Program,
    s: &mut ActorModelState<CasActor, H>,
) {
    let n = cfg.acceptor_actors();
    let states = &s.actor_states;
    let ages_checked = cfg.bug != Some(CasBug::GcWithoutAgeCheck);
    let lower_accepted = cfg.bug == Some(CasBug::AcceptLowerBallot);
    let operator = states.last().and_then(|a| match &**a {
        CasState::Operator(o) => Some(o),
        _ => None,
    });
    // May the GC still remove `key` at acceptor `a`?
    let may_remove = |key: u8, a: usize| {
        let Some(o) = operator else { return false };
        let at = program.steps.iter().position(|s| *s == Step::GcRemove(key));
        at.is_some_and(|at| !o.halted && (o.step as usize <= at || o.awaiting & (1 << a) != 0))
    };
    let live = |src: Id, dst: Id, msg: &CasMsg| {
        let (si, di) = (usize::from(src), usize::from(dst));
        if di < n {
            let CasState::Acceptor(a) = &*states[di] else {
                unreachable!("acceptors come first")
            };
            let (key, ballot, age, accept) = match *msg {
                CasMsg::Prepare { key, ballot, age } => (key, ballot, age, false),
                CasMsg::Accept {
                    key, ballot, age, ..
                } => (key, ballot, age, true),
                _ => return true,
            };
            let Some(sender) = CasModel::proposer(&states[si]) else {
                return true;
            };
            let stale = ages_checked && age < sender.age;
            let below = !(accept && lower_accepted)
                && ballot < a.slots[key as usize].promised
                && (stale || !may_remove(key, di));
            let too_old = ages_checked && age < a.ages[si - n];
            if !(below || too_old) {
                return true;
            }
            let nack = CasMsg::Nack {
                key,
                ballot,
                promised: Ballot::ZERO,
            };
            return sender.on && sender.awaits(di, &nack);
        }
        match &*states[di] {
            CasState::Proposer(p) => proposer_awaits(p, n, src, msg),
            CasState::Operator(o) => program.awaits(o, src, msg),
            CasState::Acceptor(_) => unreachable!("acceptors come first"),
        }
    };
    crate::network::retain_live(&mut s.network, live);
}

/// The CASPaxos protocol as a stateright actor system, with the history kept up to date.
pub struct CasModel {
    pub cfg: CasConfig,
    actors: ActorModel<CasActor, CasConfig, CasHistory>,
    program: Program,
    domain: Arc<Domain>,
}

impl CasModel {
    fn new(cfg: CasConfig, domain: Arc<Domain>) -> Self {
        let (actors, program) = system(&cfg, CasHistory::new());
        CasModel {
            cfg,
            actors,
            program,
            domain,
        }
    }

    /// A readable name for an actor: `a0`.. for acceptors, `pA`.. for proposers, `op` for the
    /// operator.
    pub fn actor_name(&self, id: Id) -> String {
        let i = usize::from(id);
        let n = self.cfg.acceptor_actors();
        if i < n {
            format!("a{i}")
        } else if i - n < self.cfg.proposers() {
            format!("p{}", letter((i - n) as u8))
        } else {
            "op".into()
        }
    }

    /// The proposer part of a proposer's or the operator's state.
    fn proposer(s: &CasState) -> Option<&ProposerState> {
        match s {
            CasState::Proposer(p) => Some(p),
            CasState::Operator(o) => Some(&o.p),
            CasState::Acceptor(_) => None,
        }
    }

    /// The change a proposer runs as its `done`-th.
    fn change(&self, proposer: usize, done: u8) -> Change {
        match self.cfg.scripts.get(proposer) {
            Some(script) => script[done as usize].1,
            None => Change::Read,
        }
    }

    /// Removes messages whose delivery can never change anything (see the WOR model, which
    /// does the same): replies and acknowledgements nobody awaits, and requests an acceptor can
    /// only reject whose rejection nobody awaits. A request below the acceptor's promise is
    /// such a one while the promise cannot go down, i.e. unless the GC may still remove the key
    /// there; even then it is one if it is older than its proposer (the removal comes after the
    /// acceptor learns the proposer's new age). Not under `accept-lower-ballot`, which accepts
    /// below the promise, nor the age rules under `gc-without-age-check`.
    fn collect_dead_messages(&self, s: &mut CasSysState) {
        collect_dead_messages(&self.cfg, &self.program, s);
    }

    /// Brings the history up to date after actor `index` stepped from `old` to its state in `s`.
    fn observe(&self, old: &CasState, index: usize, s: &mut CasSysState) {
        let n = self.cfg.acceptor_actors();
        let new = Arc::clone(&s.actor_states[index]);
        let h = &mut s.history;
        if let (CasState::Acceptor(before), CasState::Acceptor(after)) = (old, &*new) {
            for key in 0..MAX_KEYS {
                if let (Some((tombstone, None)), None) =
                    (before.slots[key].accepted, after.slots[key].accepted)
                {
                    h.roots[key] = h.lineage(key as u8, Some(tombstone));
                }
            }
            return;
        }
        let (Some(b), Some(a)) = (Self::proposer(old), Self::proposer(&new)) else {
            return;
        };
        let proposer = index - n;
        let id = |done: u8| (proposer * IDS_PER_PROPOSER) as u8 + done;
        if a.done > b.done {
            let key = match b.phase {
                Phase::Prepare { key, .. } | Phase::Accept { key, .. } => key,
                Phase::Idle => unreachable!("a change ends in a phase"),
            };
            let lin = &mut h.lin[key as usize];
            match a.last {
                Some(Outcome::Acked { ballot, state, .. }) => {
                    lin.ret(id(b.done), CasRet::Ok(state));
                    h.ack(key, ballot);
                }
                Some(Outcome::Failed) => lin.ret(id(b.done), CasRet::Failed),
                Some(Outcome::Unknown) | None => {}
            }
        }
        if let Phase::Accept {
            key,
            ballot,
            parent,
            ..
        } = a.phase
        {
            let entered = !matches!(b.phase, Phase::Accept { key: k, ballot: bb, .. } if (k, bb) == (key, ballot));
            if entered {
                let lineage = h.lineage(key, parent).then(id(a.done));
                h.record(key, ballot, lineage);
            }
        }
        let key = match a.phase {
            Phase::Prepare { key, .. } | Phase::Accept { key, .. } => Some(key),
            Phase::Idle => None,
        };
        if let Some(key) = key {
            if b.phase == Phase::Idle || a.done != b.done {
                h.lin[key as usize].invoke(id(a.done), self.change(proposer, a.done));
            }
        }
    }
}

impl Model for CasModel {
    type State = CasSysState;
    type Action = CasAction;

    fn init_states(&self) -> Vec<CasSysState> {
        let idle = CasState::Acceptor(Default::default());
        let mut states = self.actors.init_states();
        for s in &mut states {
            for index in self.cfg.acceptor_actors()..s.actor_states.len() {
                let before = match &*s.actor_states[index] {
                    CasState::Proposer(p) => CasState::Proposer(ProposerState {
                        phase: Phase::Idle,
                        ..*p
                    }),
                    CasState::Operator(o) => CasState::Operator(super::OperatorState {
                        p: ProposerState {
                            phase: Phase::Idle,
                            ..o.p
                        },
                        ..*o
                    }),
                    CasState::Acceptor(_) => idle.clone(),
                };
                self.observe(&before, index, s);
            }
            self.collect_dead_messages(s);
        }
        states
    }

    fn actions(&self, state: &CasSysState, actions: &mut Vec<CasAction>) {
        self.actors.actions(state, actions);
        // Only acceptors crash: proposers are the callers, and the operator's steps are
        // idempotent and would simply be rescheduled.
        let acceptors = self.cfg.acceptor_actors();
        actions
            .retain(|a| !matches!(a, ActorModelAction::Crash(id) if usize::from(*id) >= acceptors));
    }

    fn next_state(&self, last: &CasSysState, action: CasAction) -> Option<CasSysState> {
        let dst = match &action {
            ActorModelAction::Deliver { dst, .. } | ActorModelAction::Timeout(dst, _) => {
                Some(usize::from(*dst))
            }
            _ => None,
        };
        let mut next = self.actors.next_state(last, action)?;
        if let Some(index) = dst {
            self.observe(&last.actor_states[index], index, &mut next);
        }
        self.collect_dead_messages(&mut next);
        Some(next)
    }

    fn format_action(&self, action: &CasAction) -> String {
        match action {
            ActorModelAction::Timeout(id, ()) => {
                format!("{} submits its next change", self.actor_name(*id))
            }
            _ => crate::network::format_action(action, |id| self.actor_name(id)),
        }
    }

    fn format_step(&self, last: &CasSysState, action: CasAction) -> Option<String> {
        self.actors.format_step(last, action)
    }

    fn as_svg(&self, path: Path<CasSysState, CasAction>) -> Option<String> {
        self.actors.as_svg(path)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        let mut properties = vec![
            Property::always("linearizable", |_, s: &CasSysState| {
                s.history.lin.iter().all(LinMonitor::is_linearizable)
            }),
            Property::always("acknowledged states form a chain", |_, s: &CasSysState| {
                !s.history.broken_chain
            }),
            Property::sometimes("a change acknowledged", |_, s: &CasSysState| {
                s.history.acked.iter().any(Option::is_some)
            }),
        ];
        if !self.program.steps.is_empty() {
            properties.push(Property::sometimes(
                "operator finished",
                |m: &CasModel, s: &CasSysState| {
                    s.actor_states.iter().any(|a| {
                        matches!(&**a, CasState::Operator(o) if o.step as usize == m.program.steps.len())
                    })
                },
            ));
        }
        properties
    }
}

/// The abstraction function from protocol states to spec states (see the module comment).
pub fn abstraction(m: &CasModel, s: &CasSysState) -> CasObject {
    let mut keys = [KeyState::default(); MAX_KEYS];
    for (k, acked) in keys.iter_mut().zip(&s.history.acked) {
        if let Some((_, lineage)) = acked {
            *k = KeyState {
                value: lineage.ids().iter().fold(None, |x, &id| {
                    m.domain.changes[id as usize].map_or(x, |(_, c)| c.apply(x))
                }),
                applied: lineage.set() & m.domain.all(),
            };
        }
    }
    CasObject {
        keys,
        domain: Arc::clone(&m.domain),
    }
}

/// No symmetry reduction for CASPaxos (acceptors differ in the operator's configurations):
/// the identity, for the generic runner.
pub fn representative(
    s: &RefinedOf<CasModel, SpecModel<CasObject>>,
) -> RefinedOf<CasModel, SpecModel<CasObject>> {
    s.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_round_trip() {
        let s = "init=1,k1:cas=0:2/inc,read,del";
        assert_eq!(show_scripts(&parse_scripts(s).unwrap()), s);
        assert!(parse_scripts("init=1,k2:inc").is_err());
    }

    #[test]
    fn the_papers_expansion_steps() {
        let cfg = CasConfig {
            membership: Membership::Expand,
            ..CasConfig::default()
        };
        let v = |prepare: &[usize], pq, accept: &[usize], aq| {
            Step::Configure(View {
                prepare: set(prepare),
                prepare_quorum: pq,
                accept: set(accept),
                accept_quorum: aq,
            })
        };
        assert_eq!(
            cfg.program(),
            [
                v(&[0, 1, 2], 2, &[0, 1, 2, 3], 3),
                Step::Identity(0),
                v(&[0, 1, 2, 3], 3, &[0, 1, 2, 3], 3),
            ]
        );
        let cfg = CasConfig {
            acceptors: 4,
            membership: Membership::Shrink,
            ..CasConfig::default()
        };
        assert_eq!(
            cfg.program(),
            [
                v(&[0, 1, 2], 2, &[0, 1, 2, 3], 3),
                Step::Identity(0),
                v(&[0, 1, 2], 2, &[0, 1, 2], 2),
            ]
        );
    }

    #[test]
    fn quorums_that_need_not_intersect_are_rejected() {
        let cfg = CasConfig {
            prepare_quorum: Some(1),
            accept_quorum: Some(2),
            ..CasConfig::default()
        };
        let err = cfg.validate().unwrap_err();
        assert!(err.contains("need not intersect"), "{err}");
        let cfg = CasConfig {
            acceptors: 4,
            prepare_quorum: Some(2),
            accept_quorum: Some(3),
            ..CasConfig::default()
        };
        assert_eq!(cfg.validate(), Ok(()));
    }
}
