//! The atomic spec of an ADO object: the object itself, one call at a time. An app's calls,
//! each from its invocation to its return, must be linearizable against it; a call that never
//! returns (its push kept failing) may have taken effect or not.

use super::AdoObject;
use stateright::semantics::SequentialSpec;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use worm_refinement::Returns;

/// An object in a state, as a sequential spec.
#[derive(Clone, Debug)]
pub struct Atomic<O: AdoObject> {
    pub obj: O,
    pub state: O::State,
}

impl<O: AdoObject> Atomic<O> {
    pub fn new(obj: O) -> Self {
        let state = obj.init();
        Atomic { obj, state }
    }
}

// The object's parameters never change, so the state alone orders, compares and hashes.
impl<O: AdoObject> PartialEq for Atomic<O> {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state
    }
}

impl<O: AdoObject> Eq for Atomic<O> {}

impl<O: AdoObject> PartialOrd for Atomic<O> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<O: AdoObject> Ord for Atomic<O> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.state.cmp(&other.state)
    }
}

impl<O: AdoObject> Hash for Atomic<O> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.state.hash(h)
    }
}

impl<O: AdoObject> SequentialSpec for Atomic<O> {
    type Op = O::Method;
    type Ret = O::Ret;

    fn invoke(&mut self, op: &O::Method) -> O::Ret {
        let (state, ret) = self.obj.apply(&self.state, op);
        self.state = state;
        ret
    }
}

impl<O: AdoObject> Returns for Atomic<O> {
    /// Methods are deterministic: the one result `op` has from this state.
    fn early_returns(&self, op: &O::Method) -> Vec<O::Ret> {
        vec![self.obj.apply(&self.state, op).1]
    }
}
