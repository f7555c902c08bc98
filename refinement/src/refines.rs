//! The refinement wrapper: any low model, any high model, any abstraction.

use stateright::{Model, Path, Property};
use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Mutex;

/// A low-level state together with the verdict on the transition that reached it: was it a
/// stutter or a step of the high-level model? The verdict is not carried on to later states,
/// so the first bad transition is the shortest counterexample, and a correct model has exactly
/// as many states as the low model alone.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Refined<S> {
    pub low: S,
    pub refines: bool,
}

/// Checks that `low` refines `high` under `abstraction`, alongside `low`'s own properties.
pub struct Refinement<L: Model, H: Model> {
    pub low: L,
    pub high: H,
    abstraction: fn(&L, &L::State) -> H::State,
    property: &'static str,
    low_properties: Vec<Property<L>>,
    /// How many high steps one low step may take (1 unless [`Refinement::with_max_steps`]).
    max_steps: usize,
    /// Whether each pair of abstract states seen so far is a high step. The abstract states are
    /// few and the low transitions many, so the high model's steps are enumerated once per pair.
    steps: Mutex<StepTable<H>>,
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

type StepTable<H> = HashMap<(<H as Model>::State, <H as Model>::State), bool, ahash::RandomState>;

/// Low properties are plain `fn` pointers that cannot be wrapped in a closure, so each is
/// lifted through a monomorphised function that knows its index. This bounds how many
/// properties a low model may have.
const MAX_LIFTED: usize = 16;

fn lifted<L: Model, H: Model, const I: usize>(m: &Refinement<L, H>, s: &Refined<L::State>) -> bool {
    (m.low_properties[I].condition)(&m.low, &s.low)
}

macro_rules! lift_table {
    ($($i:literal)*) => {
        fn lift_table<L: Model, H: Model>() -> [fn(&Refinement<L, H>, &Refined<L::State>) -> bool; MAX_LIFTED] {
            [$(lifted::<L, H, $i>),*]
        }
    };
}
lift_table!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);

impl<L: Model, H: Model> Refinement<L, H>
where
    H::State: Clone + Eq + Hash,
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
            steps: Mutex::default(),
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
        let (a, b) = (self.abstract_state(from), self.abstract_state(to));
        if a == b {
            return true;
        }
        // A poisoned lock only means another thread panicked; the table is still consistent.
        let table = || self.steps.lock().unwrap_or_else(|e| e.into_inner());
        let key = (a, b);
        if let Some(&known) = table().get(&key) {
            return known;
        }
        let step = self.high_steps(&key.0, &key.1).is_some();
        table().insert(key, step);
        step
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
    H::State: Clone + Debug + Eq + Hash,
    H::Action: Clone + Debug,
{
    type State = Refined<L::State>;
    type Action = L::Action;

    fn init_states(&self) -> Vec<Self::State> {
        let high_inits = self.high.init_states();
        self.low
            .init_states()
            .into_iter()
            .map(|low| {
                let refines = high_inits.contains(&self.abstract_state(&low));
                Refined { low, refines }
            })
            .collect()
    }

    fn actions(&self, state: &Self::State, actions: &mut Vec<Self::Action>) {
        self.low.actions(&state.low, actions);
    }

    fn next_state(&self, last: &Self::State, action: Self::Action) -> Option<Self::State> {
        let low = self.low.next_state(&last.low, action)?;
        let refines = self.is_refining_step(&last.low, &low);
        Some(Refined { low, refines })
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
        let (a, b) = (self.abstract_state(&last.low), self.abstract_state(&next));
        let verdict = if a == b {
            "a stutter".to_string()
        } else if let Some(steps) = self.high_steps(&a, &b) {
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
