//! The generic harness on a toy: a two-step counter refines a counter that steps by one or
//! two, and fails to refine a counter that steps by one only.

use super::{first_violation, shortest_violation, Refinement, SpecModel, StepSpec};
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

/// Stops at the first violation (at the end of stateright's block of states past it, see
/// [`shortest_violation`]).
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

/// Two branches from 0: to 1, or to 10, 11, 12.
struct Fork;

impl Model for Fork {
    type State = u8;
    type Action = u8;
    fn init_states(&self) -> Vec<u8> {
        vec![0]
    }
    fn actions(&self, s: &u8, actions: &mut Vec<u8>) {
        match s {
            0 => actions.extend([1, 10]),
            10 | 11 => actions.push(s + 1),
            _ => {}
        }
    }
    fn next_state(&self, _: &u8, to: u8) -> Option<u8> {
        Some(to)
    }
    /// A property that holds keeps stateright searching after it found the refinement's
    /// violation (it stops early once every property has a discovery).
    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("below 13", |_, s| *s < 13)]
    }
}

/// 0 -> 1 is abstractly 0 -> 2 (bad); 0 -> 10 is 0 -> 1, 10 -> 11 a stutter, and 11 -> 12
/// is 1 -> 3 (bad).
fn forked(_: &Fork, s: &u8) -> Counter {
    let n = match s {
        0 => 0,
        1 => 2,
        10 | 11 => 1,
        _ => 3,
    };
    Counter { n, big: false }
}

#[test]
fn the_shortest_violation_is_searched_not_taken_from_the_checker() {
    // The verdict is on one transition: 12 violates, its predecessors do not. stateright keeps
    // the last violating state it visited, 12, and cutting its path at its first violation
    // leaves all three steps; the shortest counterexample is the one step to 1.
    let check = || {
        Refinement::new(
            Fork,
            SpecModel::new(Counter { n: 0, big: false }),
            forked,
            "refines",
        )
    };
    let checker = check()
        .checker()
        .finish_when(stateright::HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join();
    let kept = checker.discovery("refines").expect("caught");
    let cut = first_violation(checker.model(), "refines", kept).unwrap();
    assert_eq!(
        cut.iter().map(|(s, _)| s.low).collect::<Vec<_>>(),
        [0, 10, 11, 12]
    );
    let (name, shortest) = shortest_violation(&check(), 3).expect("caught");
    assert_eq!(name, "refines");
    assert_eq!(
        shortest
            .iter()
            .map(|(s, a)| (s.low, *a))
            .collect::<Vec<_>>(),
        [(0, Some(1)), (1, None)]
    );
    assert!(shortest_violation(&check(), 0).is_none(), "bounded");
}
