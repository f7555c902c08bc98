//! The abstract CAS register: sequential objects, tiny and obviously right.
//!
//! - [`Change`]: the change functions clients submit, from the paper (§2.2): initialise,
//!   compare-and-set on a version, increment, read (the identity), and delete (write the empty
//!   value, a tombstone, §3.1).
//! - [`CasRegister`]: the register as a sequential object, for the linearizability monitor. A
//!   change returns the new state; a change that failed before its accept phase returns
//!   `Failed` and did nothing. A change whose accept was rejected has an unknown outcome and
//!   never returns: it stays in flight, so it may take effect at any later time, or never.
//! - [`CasObject`]: the registers of every key as the refinement's high-level model. Each
//!   submitted change has an id; a step applies one or more changes not applied yet, in some
//!   order (several at once because a proposer that reads a half-written state finishes it:
//!   a state accepted by too few acceptors to be acknowledged becomes part of the history
//!   only when a descendant of it is acknowledged).

use serde::Serialize;
use stateright::semantics::SequentialSpec;
use std::fmt;
use std::sync::Arc;
use worm_refinement::{Returns, StepSpec};

/// A register's contents: a version and a value (the paper's `(5, val)`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Reg {
    pub version: u8,
    pub value: u8,
}

impl fmt::Debug for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}:{}", self.version, self.value)
    }
}

/// A register's state: `None` is the empty state ∅ (never written, or a tombstone).
pub type RegState = Option<Reg>;

/// A change function, applied by a proposer to the state it read.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Change {
    /// `x -> if x = ∅ then (0, v) else x`
    Init(u8),
    /// `x -> if x = (version, *) then (version + 1, value) else x`
    Cas { version: u8, value: u8 },
    /// `x -> if x = (n, v) then (n + 1, v + 1) else x`
    Increment,
    /// `x -> x`
    Read,
    /// `x -> ∅`: a tombstone.
    Delete,
}

impl Change {
    pub fn apply(self, x: RegState) -> RegState {
        match (self, x) {
            (Change::Init(value), None) => Some(Reg { version: 0, value }),
            (Change::Cas { version, value }, Some(r)) if r.version == version => Some(Reg {
                version: version.wrapping_add(1),
                value,
            }),
            (Change::Increment, Some(r)) => Some(Reg {
                version: r.version.wrapping_add(1),
                value: r.value.wrapping_add(1),
            }),
            (Change::Delete, _) => None,
            (_, x) => x,
        }
    }
}

impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Init(v) => write!(f, "init={v}"),
            Change::Cas { version, value } => write!(f, "cas={version}:{value}"),
            Change::Increment => f.write_str("inc"),
            Change::Read => f.write_str("read"),
            Change::Delete => f.write_str("del"),
        }
    }
}

impl std::str::FromStr for Change {
    type Err = String;
    /// The syntax of `worm check caspaxos --changes`: `init=V`, `cas=VERSION:V`, `inc`, `read`,
    /// `del`.
    fn from_str(s: &str) -> Result<Self, String> {
        let num = |t: &str| {
            t.parse::<u8>()
                .ok()
                .filter(|n| *n <= 9)
                .ok_or_else(|| format!("bad number {t:?} in change {s:?} (expected 0 to 9)"))
        };
        match s.split_once('=') {
            None if s == "inc" => Ok(Change::Increment),
            None if s == "read" => Ok(Change::Read),
            None if s == "del" => Ok(Change::Delete),
            Some(("init", v)) => Ok(Change::Init(num(v)?)),
            Some(("cas", arg)) => {
                let (version, value) = arg
                    .split_once(':')
                    .ok_or_else(|| format!("bad change {s:?}: cas takes VERSION:VALUE"))?;
                Ok(Change::Cas {
                    version: num(version)?,
                    value: num(value)?,
                })
            }
            _ => Err(format!(
                "unknown change {s:?} (expected init=V, cas=VERSION:V, inc, read or del)"
            )),
        }
    }
}

/// What a change returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CasRet {
    /// Acknowledged: the new state.
    Ok(RegState),
    /// Rejected in the prepare phase: nothing was written.
    Failed,
}

/// One register as a sequential object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CasRegister(pub RegState);

impl SequentialSpec for CasRegister {
    type Op = Change;
    type Ret = CasRet;

    fn invoke(&mut self, op: &Change) -> CasRet {
        self.0 = op.apply(self.0);
        CasRet::Ok(self.0)
    }

    fn is_valid_step(&mut self, op: &Change, ret: &CasRet) -> bool {
        match ret {
            CasRet::Failed => true,
            CasRet::Ok(s) => {
                self.0 = op.apply(self.0);
                self.0 == *s
            }
        }
    }
}

impl Returns for CasRegister {
    /// A change has one result from a state; `Failed` is valid anywhere and changes nothing.
    fn early_returns(&self, op: &Change) -> Vec<CasRet> {
        vec![CasRet::Ok(op.apply(self.0))]
    }
}

/// Most keys a model has (the key-value store has two).
pub const MAX_KEYS: usize = 2;

/// A set of change ids (see [`Domain`]).
pub type OpSet = u32;

/// Every change the model's proposers can submit that changes a register, by id: the key it
/// is for and the function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Domain {
    pub changes: Vec<Option<(u8, Change)>>,
}

impl Domain {
    /// The ids of the changes on `key`.
    pub fn of_key(&self, key: u8) -> OpSet {
        self.changes
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, Some((k, _)) if *k == key))
            .fold(0, |set, (id, _)| set | 1 << id)
    }

    /// The ids of every change.
    pub fn all(&self) -> OpSet {
        self.changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_some())
            .fold(0, |set, (id, _)| set | 1 << id)
    }

    pub fn change(&self, id: u8) -> Change {
        self.changes[id as usize].expect("ids name changes").1
    }
}

/// One key of [`CasObject`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyState {
    pub value: RegState,
    pub applied: OpSet,
}

/// The registers of every key, with the changes applied to each so far. Equality, order and
/// hash leave out `domain`, which is configuration shared by every state.
#[derive(Clone, Default)]
pub struct CasObject {
    pub keys: [KeyState; MAX_KEYS],
    pub domain: Arc<Domain>,
}

impl PartialEq for CasObject {
    fn eq(&self, other: &Self) -> bool {
        self.keys == other.keys
    }
}

impl Eq for CasObject {}

impl std::hash::Hash for CasObject {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.keys.hash(state);
    }
}

impl fmt::Debug for CasObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for k in &self.keys {
            l.entry(&format_args!("{:?} after {:#b}", k.value, k.applied));
        }
        l.finish()
    }
}

/// A step of [`CasObject`]: the changes `ops` (a set) on `key` take effect, in some order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Apply {
    pub key: u8,
    pub ops: OpSet,
}

impl CasObject {
    /// Every `(set of changes, result)` reachable from `key`'s state by applying changes from
    /// `allowed` that are not applied yet, one after another, in any order. Explored by set
    /// and state rather than by sequence, so it is polynomial in practice.
    fn reachable(&self, key: u8, allowed: OpSet) -> Vec<(OpSet, RegState)> {
        let k = self.keys[key as usize];
        let free = allowed & !k.applied;
        let mut seen = vec![(0, k.value)];
        let mut i = 0;
        while i < seen.len() {
            let (set, value) = seen[i];
            i += 1;
            for id in 0..32u8 {
                if free & !set & (1 << id) != 0 {
                    let next = (set | 1 << id, self.domain.change(id).apply(value));
                    if !seen.contains(&next) {
                        seen.push(next);
                    }
                }
            }
        }
        seen.retain(|(set, _)| *set != 0);
        seen
    }
}

impl SequentialSpec for CasObject {
    type Op = Apply;
    type Ret = RegState;

    /// The deterministic choice: the changes in id order.
    fn invoke(&mut self, op: &Apply) -> RegState {
        let k = &mut self.keys[op.key as usize];
        for id in 0..32u8 {
            if op.ops & (1 << id) != 0 {
                k.value = self.domain.change(id).apply(k.value);
            }
        }
        k.applied |= op.ops;
        k.value
    }

    fn is_valid_step(&mut self, op: &Apply, ret: &RegState) -> bool {
        let key = op.key as usize;
        let fresh = op.ops != 0
            && op.ops & self.keys[key].applied == 0
            && op.ops & !self.domain.of_key(op.key) == 0;
        let ok = fresh && self.reachable(op.key, op.ops).contains(&(op.ops, *ret));
        self.keys[key].value = *ret;
        self.keys[key].applied |= op.ops;
        ok
    }
}

impl StepSpec for CasObject {
    fn steps(&self) -> Vec<(Apply, RegState)> {
        (0..MAX_KEYS as u8)
            .flat_map(|key| {
                self.reachable(key, self.domain.of_key(key))
                    .into_iter()
                    .map(move |(ops, value)| (Apply { key, ops }, value))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(version: u8, value: u8) -> RegState {
        Some(Reg { version, value })
    }

    #[test]
    fn the_papers_change_functions() {
        assert_eq!(Change::Init(1).apply(None), reg(0, 1));
        assert_eq!(Change::Init(1).apply(reg(0, 2)), reg(0, 2));
        let cas = Change::Cas {
            version: 0,
            value: 3,
        };
        assert_eq!(cas.apply(reg(0, 2)), reg(1, 3));
        assert_eq!(cas.apply(reg(1, 2)), reg(1, 2));
        assert_eq!(cas.apply(None), None);
        assert_eq!(Change::Increment.apply(reg(1, 2)), reg(2, 3));
        assert_eq!(Change::Read.apply(reg(1, 2)), reg(1, 2));
        assert_eq!(Change::Delete.apply(reg(1, 2)), None);
        for s in ["init=1", "cas=0:2", "inc", "read", "del"] {
            assert_eq!(format!("{:?}", s.parse::<Change>().unwrap()), s);
        }
        assert!("cas=0".parse::<Change>().is_err());
        assert!("init=10".parse::<Change>().is_err());
    }

    fn object() -> CasObject {
        CasObject {
            keys: Default::default(),
            domain: Arc::new(Domain {
                changes: vec![
                    Some((0, Change::Init(1))),
                    Some((0, Change::Increment)),
                    Some((1, Change::Init(2))),
                ],
            }),
        }
    }

    #[test]
    fn several_changes_may_take_effect_in_one_step_each_once() {
        let mut o = object();
        let both = Apply { key: 0, ops: 0b11 };
        assert!(
            o.clone().is_valid_step(&both, &reg(0, 1)),
            "inc (of nothing) then init"
        );
        assert!(!o.clone().is_valid_step(&both, &reg(2, 3)), "no order");
        assert!(o.is_valid_step(&both, &reg(1, 2)), "init then inc");
        assert!(
            !o.clone()
                .is_valid_step(&Apply { key: 0, ops: 0b10 }, &reg(2, 3)),
            "once"
        );
        assert!(
            !o.clone()
                .is_valid_step(&Apply { key: 0, ops: 0b100 }, &reg(0, 2)),
            "another key's change"
        );
        assert!(o.is_valid_step(&Apply { key: 1, ops: 0b100 }, &reg(0, 2)));
    }

    #[test]
    fn steps_are_valid_steps() {
        let o = object();
        let steps = o.steps();
        assert_eq!(steps.len(), 5, "{steps:?}");
        for (op, ret) in steps {
            assert!(o.clone().is_valid_step(&op, &ret), "{op:?} -> {ret:?}");
        }
    }
}
