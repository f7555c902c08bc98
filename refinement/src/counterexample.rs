//! Counterexamples cut at their first violation, and shortest counterexamples.

use stateright::{Expectation, Model, Path};
use std::collections::{HashSet, VecDeque};
use std::hash::Hash;

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

/// A shortest counterexample: the first state, in breadth-first order, that violates an
/// `always` property of `model`, at most `max_depth` steps from an initial state; with the
/// first property of `model.properties()` it violates, and the path to it (each state with
/// the action taken from it, none from the last).
///
/// stateright 0.31's breadth-first checker stops at the end of a block of states past its
/// first violation and keeps, per property, the path of the *last* violating state it
/// visited. So neither the property whose kept path is shortest nor [`first_violation`]'s cut
/// of that path need be a shortest counterexample. Cutting is enough for a property that,
/// once violated, stays violated (one on a history), but not for a verdict on a single
/// transition, such as the refinement check's: the kept path may end at a later bad
/// transition, with no violation before it. This search is single-threaded and
/// deterministic, and finds what TLC's breadth-first search with one worker finds. States
/// are told apart by a 64-bit hash, as stateright's checkers do; `max_depth` bounds the
/// search (the length of a counterexample already found is a bound that is always met).
pub fn shortest_violation<M: Model>(model: &M, max_depth: usize) -> Option<(&'static str, Steps<M>)>
where
    M::State: Clone + Hash,
    M::Action: Clone,
{
    let always: Vec<_> = model
        .properties()
        .into_iter()
        .filter(|p| p.expectation == Expectation::Always)
        .collect();
    let violated = |s: &M::State| {
        always
            .iter()
            .find(|p| !(p.condition)(model, s))
            .map(|p| p.name)
    };
    // Fixed seeds: the same hash in every run.
    let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
    let mut seen = HashSet::new();
    // How each state visited was reached: an initial state, or a step from another.
    let mut links: Vec<Link<M::Action>> = Vec::new();
    let inits = model.init_states();
    let mut frontier: VecDeque<(M::State, usize, usize)> = VecDeque::new();
    for (i, s) in inits.iter().enumerate() {
        if seen.insert(hasher.hash_one(s)) {
            links.push(Link::Init(i));
            frontier.push_back((s.clone(), links.len() - 1, 0));
        }
    }
    let mut actions = Vec::new();
    while let Some((state, link, depth)) = frontier.pop_front() {
        if let Some(name) = violated(&state) {
            return Some((name, replay(model, &inits, &links, link)));
        }
        if depth == max_depth {
            continue;
        }
        model.actions(&state, &mut actions);
        for action in actions.drain(..) {
            let Some(next) = model.next_state(&state, action.clone()) else {
                continue;
            };
            if model.within_boundary(&next) && seen.insert(hasher.hash_one(&next)) {
                links.push(Link::Step(link, action));
                frontier.push_back((next, links.len() - 1, depth + 1));
            }
        }
    }
    None
}

/// How the search reached a state: the `i`-th initial state, or an action from the state of
/// another link.
enum Link<A> {
    Init(usize),
    Step(usize, A),
}

/// The path to the state of `link`: its actions, followed back to an initial state, and
/// replayed from it.
fn replay<M: Model>(
    model: &M,
    inits: &[M::State],
    links: &[Link<M::Action>],
    mut link: usize,
) -> Steps<M>
where
    M::State: Clone,
    M::Action: Clone,
{
    let mut actions = Vec::new();
    let init = loop {
        match &links[link] {
            Link::Step(from, action) => {
                actions.push(action.clone());
                link = *from;
            }
            Link::Init(init) => break *init,
        }
    };
    let mut state = inits[init].clone();
    let mut steps = Vec::with_capacity(actions.len() + 1);
    for action in actions.into_iter().rev() {
        let next = model
            .next_state(&state, action.clone())
            .expect("the search took this step");
        steps.push((std::mem::replace(&mut state, next), Some(action)));
    }
    steps.push((state, None));
    steps
}
