//! The generic harness on a toy: a two-step counter refines a counter that steps by one or
//! two, and fails to refine a counter that steps by one only.

use super::{first_violation, Refinement, SpecModel, StepSpec};
use stateright::semantics::SequentialSpec;
use stateright::{Checker, Model, Property};

/// Counts up to 4 in ones; the abstraction reports half of it, rounded down.
struct Ticker;

impl Model for Ticker {
    type State = u8;
    type Action = ();
    fn init_states(&self) -> Vec<u8> {
        vec![0]
    }
    fn actions(&self, s: &u8, actions: &mut Vec<()>) {
        if *s < 4 {
            actions.push(());
        }
    }
    fn next_state(&self, s: &u8, _: ()) -> Option<u8> {
        Some(s + 1)
    }
    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("at most 4", |_, s| *s <= 4)]
    }
}

/// A counter whose steps add `step` (1) or, if `big`, also 2.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Counter {
    n: u8,
    big: bool,
}

impl SequentialSpec for Counter {
    type Op = u8;
    type Ret = ();
    fn invoke(&mut self, by: &u8) {
        self.n += by;
    }
    fn is_valid_step(&mut self, by: &u8, _: &()) -> bool {
        self.n += by;
        *by == 1 || self.big
    }
}

impl StepSpec for Counter {
    fn steps(&self) -> Vec<(u8, ())> {
        vec![(1, ()), (2, ())]
    }
}

fn halves(_: &Ticker, s: &u8) -> Counter {
    Counter {
        n: s / 2,
        big: false,
    }
}

fn doubles(_: &Ticker, s: &u8) -> Counter {
    Counter {
        n: s * 2,
        big: false,
    }
}

fn doubles_big(_: &Ticker, s: &u8) -> Counter {
    Counter {
        n: s * 2,
        big: true,
    }
}

type Check = Refinement<Ticker, SpecModel<Counter>>;

/// Stops at the first violation, so that its path is the shortest.
fn check(refinement: Check) -> impl Checker<Check> {
    refinement
        .checker()
        .finish_when(stateright::HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join()
}

#[test]
fn stutters_and_steps_refine() {
    let check = Refinement::new(
        Ticker,
        SpecModel::new(Counter { n: 0, big: false }),
        halves,
        "refines",
    );
    let checker = self::check(check);
    checker.assert_properties();
    assert_eq!(checker.unique_state_count(), 5);
}

#[test]
fn a_step_the_spec_cannot_take_is_caught() {
    let check = Refinement::new(
        Ticker,
        SpecModel::new(Counter { n: 0, big: false }),
        doubles,
        "refines",
    );
    let checker = self::check(check);
    // 0 -> 1 is abstractly 0 -> 2, which a one-step counter cannot take.
    let path = checker.discovery("refines").expect("a counterexample");
    let path = first_violation(checker.model(), "refines", path).unwrap();
    assert_eq!(
        path.iter().map(|(s, _)| s.low).collect::<Vec<_>>(),
        vec![0, 1]
    );
    checker.assert_no_discovery("at most 4");
}

#[test]
fn a_bigger_spec_accepts_the_same_steps() {
    let spec = SpecModel::new(Counter { n: 0, big: true });
    let check = Refinement::new(Ticker, spec, doubles_big, "refines");
    self::check(check).assert_properties();
}

#[test]
fn a_wrong_initial_state_is_caught() {
    let check = Refinement::new(
        Ticker,
        SpecModel::new(Counter { n: 1, big: true }),
        doubles,
        "refines",
    );
    let checker = self::check(check);
    let path = checker.discovery("refines").expect("caught");
    let path = first_violation(checker.model(), "refines", path).unwrap();
    assert_eq!(path.len(), 1);
}

#[test]
fn one_low_step_may_be_several_high_steps_when_allowed() {
    // 0 -> 1 is abstractly 0 -> 2: two steps of the one-step counter.
    let spec = || SpecModel::new(Counter { n: 0, big: false });
    let two = Refinement::new(Ticker, spec(), doubles, "refines").with_max_steps(2);
    assert_eq!(
        two.high_steps(&Counter { n: 0, big: false }, &Counter { n: 2, big: false }),
        Some(vec![(1, ()), (1, ())])
    );
    let step = two
        .format_step(
            &super::Refined {
                low: 0,
                refines: true,
                high: Counter { n: 0, big: false },
            },
            (),
        )
        .unwrap();
    assert!(step.contains("the spec steps [(1, ()), (1, ())]"), "{step}");
    self::check(two).assert_properties();
    let one = Refinement::new(Ticker, spec(), doubles, "refines");
    assert!(self::check(one).discovery("refines").is_some());
}
