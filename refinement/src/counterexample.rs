//! Counterexamples cut at their first violation.

use stateright::{Expectation, Model, Path};

/// A path as a list: each state with the action taken from it (none from the last).
pub type Steps<M> = Vec<(<M as Model>::State, Option<<M as Model>::Action>)>;

/// The prefix of `path` that ends at its first state violating the `always` property `name`.
///
/// stateright 0.31 records a discovery each time a state violates a property, so the path
/// it reports is that of the *last* violating state visited before the search stopped, which
/// may run past the first violation; cutting it there gives the short counterexample.
/// Returns the states with the action taken from each (none from the last), or `None` if
/// `name` is not an `always` property of `model` or no state on the path violates it.
pub fn first_violation<M: Model>(
    model: &M,
    name: &str,
    path: Path<M::State, M::Action>,
) -> Option<Steps<M>> {
    let property = model
        .properties()
        .into_iter()
        .find(|p| p.name == name && p.expectation == Expectation::Always)?;
    let mut steps = path.into_vec();
    let end = steps
        .iter()
        .position(|(state, _)| !(property.condition)(model, state))?;
    steps.truncate(end + 1);
    steps[end].1 = None;
    Some(steps)
}
