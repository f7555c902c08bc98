//! A sequential specification explored as a model.

use stateright::semantics::SequentialSpec;
use stateright::Model;
use std::fmt::Debug;
use std::hash::Hash;

/// A sequential specification that can list its possible steps from a state. A step is an
/// operation together with one return value that the object may give for it; nondeterministic
/// objects (a write whose outcome is unknown, a read that may see a pending write) list several.
/// The state after a step is the one [`SequentialSpec::is_valid_step`] leaves behind.
pub trait StepSpec: SequentialSpec + Clone + Debug + Hash + Eq {
    /// Every `(op, ret)` pair that is a valid step from `self`.
    fn steps(&self) -> Vec<(Self::Op, Self::Ret)>;
}

/// The state machine of a [`StepSpec`]: its states are the object's states and its actions are
/// the object's steps.
#[derive(Clone, Debug)]
pub struct SpecModel<S> {
    pub init: S,
}

impl<S> SpecModel<S> {
    pub fn new(init: S) -> Self {
        SpecModel { init }
    }
}

impl<S> Model for SpecModel<S>
where
    S: StepSpec,
    S::Op: Clone + Debug,
    S::Ret: Clone + Debug,
{
    type State = S;
    type Action = (S::Op, S::Ret);

    fn init_states(&self) -> Vec<S> {
        vec![self.init.clone()]
    }

    fn actions(&self, state: &S, actions: &mut Vec<Self::Action>) {
        actions.extend(state.steps());
    }

    fn next_state(&self, state: &S, (op, ret): Self::Action) -> Option<S> {
        let mut next = state.clone();
        next.is_valid_step(&op, &ret).then_some(next)
    }
}
