//! The refinement wrapper: any low model, any high model, any abstraction.

use crossbeam_utils::CachePadded;
use stateright::{Model, Path, Property};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use thread_local::ThreadLocal;

/// A low-level state together with the verdict on the transition that reached it: was it a
/// stutter or a step of the high-level model? The verdict is not carried on to later states,
/// so a correct model has exactly as many states as the low model alone, and a bad transition
/// shows at the state it reaches: the first such state in breadth-first order is a shortest
/// counterexample (which stateright's checker does not always report; see
/// [`crate::shortest_violation`]).
///
/// The state also keeps its abstraction, `high`, so that a transition abstracts only the state
/// it reaches. `high` is a function of `low`, so equality and hash leave it out.
#[derive(Clone, Debug)]
pub struct Refined<S, A> {
    pub low: S,
    pub refines: bool,
    pub high: A,
}

impl<S: PartialEq, A> PartialEq for Refined<S, A> {
    fn eq(&self, other: &Self) -> bool {
        self.low == other.low && self.refines == other.refines
    }
}

impl<S: Eq, A> Eq for Refined<S, A> {}

impl<S: Hash, A> Hash for Refined<S, A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.low.hash(state);
        self.refines.hash(state);
    }
}

/// The state type of `Refinement<L, H>`.
pub type RefinedOf<L, H> = Refined<<L as Model>::State, <H as Model>::State>;

/// Checks that `low` refines `high` under `abstraction`, alongside `low`'s own properties.
pub struct Refinement<L: Model, H: Model>
where
    H::State: Send,
{
    pub low: L,
    pub high: H,
    abstraction: fn(&L, &L::State) -> H::State,
    property: &'static str,
    low_properties: Vec<Property<L>>,
    /// How many high steps one low step may take (1 unless [`Refinement::with_max_steps`]).
    max_steps: usize,
    /// Whether each pair of abstract states seen so far is a high step. The abstract states are
    /// few and the low transitions many, so the high model's steps are enumerated once per pair
    /// (and per checker thread: a shared table's lock, taken on every transition that changes
    /// the abstract state, made the threads queue for it). Each thread's table is padded to
    /// a cache line of its own: the tables' borrow flags, written on every lookup, would
    /// otherwise share a line between threads.
    steps: ThreadLocal<CachePadded<RefCell<StepTable<H>>>>,
}

/// Exactly `n` high actions that lead from `a` to `b`, if there are.
fn high_path<H: Model>(high: &H, a: &H::State, b: &H::State, n: usize) -> Option<Vec<H::Action>>
where
    H::State: PartialEq,
    H::Action: Clone,
{
    let mut actions = Vec::new();
    high.actions(a, &mut actions);
    actions.into_iter().find_map(|action| {
        let next = high.next_state(a, action.clone())?;
        let mut rest = if n == 1 {
            (next == *b).then(Vec::new)?
        } else {
            high_path(high, &next, b, n - 1)?
        };
        rest.insert(0, action);
        Some(rest)
    })
}

/// For each abstract state, the abstract states known to be (or not to be) one high step on.
/// Nested, so a look-up borrows both states instead of cloning them into a key.
type StepTable<H> = HashMap<<H as Model>::State, HashMap<<H as Model>::State, bool, Ahash>, Ahash>;
type Ahash = ahash::RandomState;

/// Low properties are plain `fn` pointers that cannot be wrapped in a closure, so each is
/// lifted through a monomorphised function that knows its index. This bounds how many
/// properties a low model may have.
const MAX_LIFTED: usize = 16;

fn lifted<L: Model, H: Model, const I: usize>(m: &Refinement<L, H>, s: &RefinedOf<L, H>) -> bool
where
    H::State: Send,
{
    (m.low_properties[I].condition)(&m.low, &s.low)
}

macro_rules! lift_table {
    ($($i:literal)*) => {
        fn lift_table<L: Model, H: Model>() -> [fn(&Refinement<L, H>, &RefinedOf<L, H>) -> bool; MAX_LIFTED]
        where
            H::State: Send,
        {
            [$(lifted::<L, H, $i>),*]
        }
    };
}
lift_table!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);

impl<L: Model, H: Model> Refinement<L, H>
where
    H::State: Clone + Eq + Hash + Send,
    H::Action: Clone,
{
    /// `property` names the refinement property, e.g. "refines the WOR spec".
    pub fn new(
        low: L,
        high: H,
        abstraction: fn(&L, &L::State) -> H::State,
        property: &'static str,
    ) -> Self {
        let low_properties = low.properties();
        assert!(
            low_properties.len() <= MAX_LIFTED,
            "a refined model may have at most {MAX_LIFTED} properties"
        );
        Refinement {
            low,
            high,
            abstraction,
            property,
            low_properties,
            max_steps: 1,
            steps: ThreadLocal::new(),
        }
    }

    /// Lets one low transition be up to `n` high steps in a row: for a protocol whose single
    /// step is two operations of the abstraction (a CASPaxos proposer that completes its
    /// prepare quorum applies its change function in the same step: a pull, then an invoke).
    pub fn with_max_steps(mut self, n: usize) -> Self {
        assert!(n >= 1, "a high step is at least one step");
        self.max_steps = n;
        self
    }

    /// The abstraction function applied to a low state.
    pub fn abstract_state(&self, low: &L::State) -> H::State {
        (self.abstraction)(&self.low, low)
    }

    /// Whether `from -> to` is a stutter or a step of the high model.
    pub fn is_refining_step(&self, from: &L::State, to: &L::State) -> bool {
        self.is_high_step(&self.abstract_state(from), &self.abstract_state(to))
    }

    /// Whether `a -> b` is a stutter or a step of the high model.
    fn is_high_step(&self, a: &H::State, b: &H::State) -> bool {
        if a == b {
            return true;
        }
        let mut table = self.steps.get_or_default().borrow_mut();
        if let Some(&known) = table.get(a).and_then(|to| to.get(b)) {
            return known;
        }
        let step = self.high_steps(a, b).is_some();
        table.entry(a.clone()).or_default().insert(b.clone(), step);
        step
    }

    /// `low` with its abstraction; `refines` is the verdict on the transition that reached it.
    fn refined(&self, low: L::State, refines: impl FnOnce(&H::State) -> bool) -> RefinedOf<L, H> {
        let high = self.abstract_state(&low);
        let refines = refines(&high);
        Refined { low, refines, high }
    }

    /// A high action that leads from `a` to `b`, if there is one.
    pub fn high_step(&self, a: &H::State, b: &H::State) -> Option<H::Action> {
        high_path(&self.high, a, b, 1).map(|mut p| p.remove(0))
    }

    /// Up to the allowed number of high actions that lead from `a` to `b`, fewest first.
    pub fn high_steps(&self, a: &H::State, b: &H::State) -> Option<Vec<H::Action>> {
        (1..=self.max_steps).find_map(|n| high_path(&self.high, a, b, n))
    }

    /// The name of the refinement property.
    pub fn property_name(&self) -> &'static str {
        self.property
    }
}

impl<L: Model, H: Model> Model for Refinement<L, H>
where
    L::State: Clone + Debug + PartialEq,
    L::Action: Clone + PartialEq,
    H::State: Clone + Debug + Eq + Hash + Send,
    H::Action: Clone + Debug,
{
    type State = RefinedOf<L, H>;
    type Action = L::Action;

    fn init_states(&self) -> Vec<Self::State> {
        let high_inits = self.high.init_states();
        self.low
            .init_states()
            .into_iter()
            .map(|low| self.refined(low, |high| high_inits.contains(high)))
            .collect()
    }

    fn actions(&self, state: &Self::State, actions: &mut Vec<Self::Action>) {
        self.low.actions(&state.low, actions);
    }

    fn next_state(&self, last: &Self::State, action: Self::Action) -> Option<Self::State> {
        let low = self.low.next_state(&last.low, action)?;
        Some(self.refined(low, |high| self.is_high_step(&last.high, high)))
    }

    fn format_action(&self, action: &Self::Action) -> String
    where
        Self::Action: Debug,
    {
        self.low.format_action(action)
    }

    fn format_step(&self, last: &Self::State, action: Self::Action) -> Option<String>
    where
        Self::State: Debug,
    {
        let next = self.low.next_state(&last.low, action.clone())?;
        let (a, b) = (&last.high, self.abstract_state(&next));
        let verdict = if *a == b {
            "a stutter".to_string()
        } else if let Some(steps) = self.high_steps(a, &b) {
            match &steps[..] {
                [step] => format!("the spec step {step:?}"),
                _ => format!("the spec steps {steps:?}"),
            }
        } else {
            "NOT a spec step".to_string()
        };
        let low = self.low.format_step(&last.low, action).unwrap_or_default();
        Some(format!(
            "ABSTRACT: {a:?}\n      -> {b:?}\nwhich is {verdict}\n\n{low}"
        ))
    }

    fn as_svg(&self, path: Path<Self::State, Self::Action>) -> Option<String> {
        let steps = path.into_vec();
        let init = steps.first()?.0.low.clone();
        let actions: Vec<L::Action> = steps.into_iter().filter_map(|(_, a)| a).collect();
        let low_path = Path::from_actions(&self.low, init, actions.iter())?;
        self.low.as_svg(low_path)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        let table = lift_table::<L, H>();
        let mut properties: Vec<Property<Self>> = self
            .low_properties
            .iter()
            .enumerate()
            .map(|(i, p)| Property {
                expectation: p.expectation.clone(),
                name: p.name,
                condition: table[i],
            })
            .collect();
        properties.push(Property::always(self.property, |_, s: &Self::State| {
            s.refines
        }));
        properties
    }

    fn within_boundary(&self, state: &Self::State) -> bool {
        self.low.within_boundary(&state.low)
    }
}
