//! An online linearizability monitor whose state is small enough to live in a model's state.
//!
//! stateright's `LinearizabilityTester` keeps the whole history and searches it again at
//! every check, so two runs that reach the same protocol state through different interleavings
//! of client events stay apart, and every check costs a search. This monitor keeps only what
//! the future can depend on: the operations in flight, and the set of *configurations*, each a
//! state of the sequential spec reachable by some linearization of the history so far, together
//! with the results it committed to for in-flight operations it has already linearized.
//!
//! - `invoke(t, op)` records `op` as in flight for thread `t`.
//! - `ret(t, r)` extends each configuration by linearizing in-flight operations in every order
//!   (others with each result worth trying, see [`Returns`]; `t`'s with `r`), keeps the
//!   configurations in which `t`'s operation is linearized with result `r`, and forgets `t`'s
//!   operation.
//!
//! The history is linearizable exactly when some configuration is left. Operations still in
//! flight at the end may have taken effect or not, which is what a timeout means.
//!
//! Two rules keep the set of configurations small, so that histories with the same future
//! become the same monitor state:
//!
//! - *Forced results* (exact). When the spec says an operation in flight can only ever return
//!   one result from a configuration on ([`Returns::forced`]: a write whose capture has been
//!   superseded can only end unknown), the monitor places it at once with that result.
//! - *Settling* (told by the caller). [`LinMonitor::settle`]: the model knows from the protocol
//!   state that an operation in flight can only return one result (a write that can no longer
//!   gather a quorum), so configurations that committed it to another result are dropped,
//!   and the others place it with that one.
//!
//! Neither rule can hide a violation. Every configuration left is still a linearization of
//! the history so far (a result is placed only where the spec accepts it), so a monitor that
//! is not empty still proves the history linearizable. Settling only drops configurations;
//! if the caller were wrong about a result, the check would report a violation that is not
//! one, never miss one. Placing a forced or settled result early instead of at some later
//! point loses nothing when, as [`Returns::forced`] requires, the result is valid in every
//! state and its effect only widens what later results are valid.

use stateright::semantics::SequentialSpec;
use std::fmt::Debug;
use std::hash::Hash;

/// A sequential spec that can list the results worth trying for an operation still in flight
/// when another one returns and the monitor places it first. That must be every result the
/// operation may return from the state, except results that are valid in every state and
/// change nothing (a failure, say): placing those at the operation's own return is as good,
/// and leaving them out keeps the monitor small.
pub trait Returns:
    SequentialSpec<Op: Clone + Debug + Ord + Hash, Ret: Clone + Debug + Ord + Hash>
    + Clone
    + Debug
    + Ord
    + Hash
{
    fn early_returns(&self, op: &Self::Op) -> Vec<Self::Ret>;

    /// The one result `op` can return from this state and from every state after it, if
    /// there is one and placing it at once is never worse than placing it later (it is
    /// valid in every state, and its effect only makes more results valid afterwards).
    /// Results the caller [settles](LinMonitor::settle) must have the same property.
    fn forced(&self, _op: &Self::Op) -> Option<Self::Ret> {
        None
    }
}

/// One linearization so far: the spec's state, and the results committed to for operations
/// in flight that this linearization has already placed (sorted by thread).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Config<T, S: Returns> {
    spec: S,
    placed: Vec<(T, S::Ret)>,
}

impl<T: Ord, S: Returns> Config<T, S> {
    /// Where thread `t` is in `placed`: `Ok` with its index if its operation is placed, else
    /// `Err` with the index it would take.
    fn slot(&self, t: &T) -> Result<usize, usize> {
        self.placed.binary_search_by(|(u, _)| u.cmp(t))
    }

    /// Linearizes thread `t`'s `op` next, with result `r`, at `at` (its slot), if the spec
    /// takes that step; false, and nothing changed, if it does not. The step is tried on a copy
    /// of the spec state: a spec may change its state before it finds the result wrong.
    fn place(&mut self, at: usize, t: T, op: &S::Op, r: S::Ret) -> bool {
        let mut spec = self.spec.clone();
        if !spec.is_valid_step(op, &r) {
            return false;
        }
        self.spec = spec;
        self.placed.insert(at, (t, r));
        true
    }
}

/// The monitor. Its equality and hash are those of its contents, which are kept sorted, so
/// two histories with the same future are the same monitor state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinMonitor<T, S: Returns> {
    in_flight: Vec<(T, S::Op)>,
    configs: Vec<Config<T, S>>,
}

impl<T: Copy + Ord + Debug, S: Returns> LinMonitor<T, S> {
    pub fn new(init: S) -> Self {
        LinMonitor {
            in_flight: Vec::new(),
            configs: vec![Config {
                spec: init,
                placed: Vec::new(),
            }],
        }
    }

    /// Whether the history so far is linearizable.
    pub fn is_linearizable(&self) -> bool {
        !self.configs.is_empty()
    }

    /// Thread `t` invoked `op`. A thread has at most one operation in flight.
    pub fn invoke(&mut self, t: T, op: S::Op) {
        debug_assert!(
            self.in_flight.iter().all(|(u, _)| *u != t),
            "{t:?} has an op in flight"
        );
        let at = self.in_flight.partition_point(|(u, _)| *u < t);
        self.in_flight.insert(at, (t, op));
        self.normalise();
    }

    /// Thread `t`'s operation returned `ret`.
    pub fn ret(&mut self, t: T, ret: S::Ret) {
        let Some(i) = self.in_flight.iter().position(|(u, _)| *u == t) else {
            self.configs.clear(); // a return without an invocation is not a valid history
            return;
        };
        let mut next = Vec::new();
        let mut frontier = std::mem::take(&mut self.configs);
        let mut seen: std::collections::BTreeSet<Config<T, S>> = frontier.iter().cloned().collect();
        while let Some(c) = frontier.pop() {
            if let Ok(j) = c.slot(&t) {
                // `t` is placed: keep this linearization if it committed to `ret`. Placing
                // more operations after `t` is left to their own returns.
                if c.placed[j].1 == ret {
                    let mut done = c;
                    done.placed.remove(j);
                    next.push(done);
                }
                continue;
            }
            // Place `t` now with its result, or first another operation in flight, with each
            // result worth trying early.
            for (u, op) in &self.in_flight {
                let Err(at) = c.slot(u) else {
                    continue;
                };
                let candidates = if *u == t {
                    vec![ret.clone()]
                } else {
                    c.spec.early_returns(op)
                };
                for r in candidates {
                    let mut child = c.clone();
                    if child.place(at, *u, op, r) && seen.insert(child.clone()) {
                        frontier.push(child);
                    }
                }
            }
        }
        self.in_flight.remove(i);
        self.configs = next;
        self.normalise();
    }

    /// The caller knows that thread `t`'s operation in flight will return `ret` if it returns
    /// at all, and `ret` is a result that may be placed early (see [`Returns::forced`]):
    /// configurations that placed the operation with another result are dropped, and the
    /// others place it with `ret` now.
    pub fn settle(&mut self, t: T, ret: S::Ret) {
        let Some((_, op)) = self.in_flight.iter().find(|(u, _)| *u == t).cloned() else {
            return;
        };
        let mut next = Vec::with_capacity(self.configs.len());
        for mut c in std::mem::take(&mut self.configs) {
            match c.slot(&t) {
                Ok(j) if c.placed[j].1 != ret => continue,
                Ok(_) => {}
                Err(at) => {
                    c.place(at, t, &op, ret.clone());
                }
            }
            next.push(c);
        }
        self.configs = next;
        self.normalise();
    }

    /// Whether every configuration has placed `t`'s operation with `ret` already, so that
    /// [`LinMonitor::settle`] would change nothing.
    pub fn is_settled(&self, t: T, ret: &S::Ret) -> bool {
        self.configs
            .iter()
            .all(|c| c.slot(&t).is_ok_and(|j| c.placed[j].1 == *ret))
    }

    /// Places forced results (see [`Returns::forced`]), then sorts the configurations and
    /// removes duplicates, so that equal sets of linearizations are equal monitors.
    fn normalise(&mut self) {
        for c in &mut self.configs {
            for (u, op) in &self.in_flight {
                let Err(at) = c.slot(u) else {
                    continue;
                };
                if let Some(r) = c.spec.forced(op) {
                    c.place(at, *u, op, r);
                }
            }
        }
        self.configs.sort();
        self.configs.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A register of one bit with read and write.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    struct Bit(bool);

    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    enum Op {
        Write(bool),
        Read,
    }

    impl SequentialSpec for Bit {
        type Op = Op;
        type Ret = Option<bool>;
        fn invoke(&mut self, op: &Op) -> Option<bool> {
            match op {
                Op::Write(b) => {
                    self.0 = *b;
                    None
                }
                Op::Read => Some(self.0),
            }
        }
    }

    impl Returns for Bit {
        fn early_returns(&self, op: &Op) -> Vec<Option<bool>> {
            vec![self.clone().invoke(op)]
        }
    }

    #[test]
    fn sequential_history() {
        let mut m = LinMonitor::new(Bit(false));
        m.invoke(0, Op::Write(true));
        m.ret(0, None);
        m.invoke(1, Op::Read);
        m.ret(1, Some(true));
        assert!(m.is_linearizable());
        m.invoke(1, Op::Read);
        m.ret(1, Some(false));
        assert!(!m.is_linearizable());
    }

    #[test]
    fn concurrent_ops_may_take_either_order() {
        let mut m = LinMonitor::new(Bit(false));
        m.invoke(0, Op::Write(true));
        m.invoke(1, Op::Read);
        m.ret(1, Some(true)); // the write took effect first
        m.invoke(1, Op::Read);
        m.ret(1, Some(true));
        assert!(m.is_linearizable());
        m.ret(0, None);
        assert!(m.is_linearizable());
    }

    #[test]
    fn an_op_in_flight_may_never_take_effect() {
        let mut m = LinMonitor::new(Bit(false));
        m.invoke(0, Op::Write(true));
        m.invoke(1, Op::Read);
        m.ret(1, Some(false));
        m.invoke(1, Op::Read);
        m.ret(1, Some(true));
        assert!(m.is_linearizable());
        m.invoke(1, Op::Read);
        m.ret(1, Some(false)); // once seen, the write cannot be undone
        assert!(!m.is_linearizable());
    }

    #[test]
    fn real_time_order_is_respected() {
        let mut m = LinMonitor::new(Bit(false));
        m.invoke(0, Op::Read);
        m.ret(0, Some(false));
        m.invoke(1, Op::Write(true));
        m.ret(1, None);
        m.invoke(0, Op::Read);
        m.ret(0, Some(false)); // the write returned before this read began
        assert!(!m.is_linearizable());
    }

    /// A latch that is raised once; a poll after that can only say so.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    struct Latch(bool);

    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    enum LatchOp {
        Raise,
        Poll,
    }

    impl SequentialSpec for Latch {
        type Op = LatchOp;
        type Ret = bool;
        fn invoke(&mut self, op: &LatchOp) -> bool {
            if *op == LatchOp::Raise {
                self.0 = true;
            }
            self.0
        }
    }

    impl Returns for Latch {
        fn early_returns(&self, op: &LatchOp) -> Vec<bool> {
            vec![self.clone().invoke(op)]
        }

        /// Once raised, a poll returns true, now and forever, and changes nothing.
        fn forced(&self, op: &LatchOp) -> Option<bool> {
            (*op == LatchOp::Poll && self.0).then_some(true)
        }
    }

    #[test]
    fn a_forced_result_is_placed_at_once() {
        let mut m = LinMonitor::new(Latch(false));
        m.invoke(0, LatchOp::Raise);
        m.ret(0, true);
        m.invoke(1, LatchOp::Poll);
        assert!(m.is_settled(1, &true));
        let mut late = m.clone();
        late.ret(1, false);
        assert!(!late.is_linearizable());
        m.ret(1, true);
        assert!(m.is_linearizable());
    }

    #[test]
    fn settling_drops_linearizations_with_other_results() {
        // The read may have been linearized before the write (returning false) or not yet.
        let mut a = LinMonitor::new(Bit(false));
        a.invoke(1, Op::Read);
        a.invoke(0, Op::Write(true));
        a.ret(0, None);
        assert!(!a.is_settled(1, &Some(true)));
        // Told the read returns true (nothing writes after it, so placing that early loses
        // nothing), only the linearization that reads after the write is left ...
        a.settle(1, Some(true));
        assert!(a.is_settled(1, &Some(true)));
        // ... which is where the same history with the read invoked after the write ends up.
        let mut b = LinMonitor::new(Bit(false));
        b.invoke(0, Op::Write(true));
        b.ret(0, None);
        b.invoke(1, Op::Read);
        b.settle(1, Some(true));
        assert_eq!(a, b);
        let mut wrong = a.clone();
        wrong.ret(1, Some(false));
        assert!(!wrong.is_linearizable());
        a.ret(1, Some(true));
        assert!(a.is_linearizable());
    }

    #[test]
    fn equal_futures_are_equal_monitors() {
        let mut a = LinMonitor::new(Bit(false));
        a.invoke(0, Op::Write(true));
        a.ret(0, None);
        a.invoke(1, Op::Write(true));
        a.ret(1, None);
        let mut b = LinMonitor::new(Bit(false));
        b.invoke(1, Op::Write(true));
        b.invoke(0, Op::Write(true));
        b.ret(0, None);
        b.ret(1, None);
        assert_eq!(a, b);
    }
}
