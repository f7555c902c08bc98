//! This project's own exhaustive checker for any stateright [`Model`]: a parallel depth-first
//! search, selected by `worm check ... --engine worm`.
//!
//! stateright's depth-first checker shares three things between its threads on every
//! transition: a counter of generated states (one atomic, whose cache line then moves between
//! the cores at each increment), its set of visited fingerprints (a `DashMap` of a few
//! lock-protected shards), and, for every state it expands, the lock of the table of
//! discoveries (read once per property). Each state it queues also carries a fresh vector
//! holding its whole path. On models of millions of states those costs are a large part of
//! the run, and they grow with the thread count. This engine keeps the same semantics with
//! less sharing:
//!
//! - counters are per thread, published every few hundred states for the progress line, and
//!   the discoveries so far are one word of bits, read without a lock;
//! - each thread keeps a cache of the fingerprints it met lately ([`Recent`]) and asks the
//!   shared visited set only about the others: most transitions reach a state the same
//!   thread reached a few steps earlier;
//! - the visited set has 1024 shards, each a `Mutex` over a set of fingerprints;
//! - a queued state holds its path as a shared [`Trail`], the action index that reached it
//!   and its parent's trail, instead of a copy of the whole path;
//! - a model that can foresee a successor's fingerprint ([`Predictor`]) has the successor
//!   built only when that fingerprint is new: most transitions lead to visited states.
//!
//! What it checks is what `CheckerBuilder::spawn_dfs` with `finish_when(AnyFailures)` checks:
//! `always` and `sometimes` properties on every state reached, the same successors, the
//! same boundary, an optional representative function for symmetry, and it stops at the first
//! `always` violation or when every property has a discovery. Unique and total state counts
//! of a complete search equal stateright's (tests/engine.rs compares them on every model);
//! the depth and the counterexample found can differ, since the threads visit states in
//! another order. `eventually` properties are not supported (no model here has one): the
//! engine refuses a model that has one.

use stateright::{Checker, Expectation, Model, Path, Property};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// A 64-bit state fingerprint, never 0 (which marks an empty slot in [`Recent`]).
type Fingerprint = u64;

/// A function to a representative of a state's symmetry class.
type Representative<S> = fn(&S) -> S;

/// A model's foresight of a successor's fingerprint (see [`ParallelDfs::spawn`]): for a state
/// and one of its actions, `Some(Some(d))` if the successor exists, is within the boundary, and
/// its `Hash` writes exactly `write_u64(d)`; `Some(None)` if there is no successor; `None` if
/// the model cannot tell without building it.
pub type Predictor<M> = fn(&M, &<M as Model>::State, &<M as Model>::Action) -> Option<Option<u64>>;

/// Fixed seeds, so fingerprints (and so the search) are the same from run to run.
fn fingerprint<T: Hash>(value: &T) -> Fingerprint {
    let hasher = ahash::RandomState::with_seeds(
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    );
    hasher.hash_one(value).max(1)
}

/// Hashing for keys that are fingerprints already: the identity.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only fingerprints are hashed")
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

const SHARDS: usize = 1024;

/// The fingerprints one thread has met lately, in front of the shared visited set: a
/// direct-mapped cache indexed by a fingerprint's top bits, each slot holding the last
/// fingerprint that fell in it. The visited set only grows, so a fingerprint found here is
/// visited already and the shared set need not be asked. Depth-first search meets most
/// states again a few steps after first reaching them (two messages delivered in either
/// order), so most repeat visits end here: on `worm check wor --clients 3 --network ordered
/// --symmetry`, 95% of the 19.8 M transitions into known states, which then take no lock
/// and touch no line another thread writes.
struct Recent(Box<[Fingerprint]>);

/// 2^18 slots, 2 MiB: within a core's L2 cache on this machine (4 MiB).
const RECENT_BITS: u32 = 18;

impl Recent {
    fn new() -> Self {
        Recent(vec![0; 1 << RECENT_BITS].into_boxed_slice())
    }

    /// Whether `fp` is here; if not, it takes its slot. (0 is no fingerprint, so an empty
    /// slot never matches.)
    fn seen(&mut self, fp: Fingerprint) -> bool {
        let slot = &mut self.0[(fp >> (64 - RECENT_BITS)) as usize];
        let seen = *slot == fp;
        *slot = fp;
        seen
    }
}

type FingerprintSet = HashSet<Fingerprint, BuildHasherDefault<Identity>>;

/// The fingerprints of the states visited so far.
struct Visited {
    shards: Box<[Mutex<FingerprintSet>]>,
}

impl Visited {
    fn new() -> Self {
        Visited {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    /// Records `fp`; false if it was visited already. The shard is chosen by middle bits:
    /// the set inside hashes by the low bits and tags entries by the top ones, which must
    /// both vary within a shard.
    fn insert(&self, fp: Fingerprint) -> bool {
        lock(&self.shards[(fp >> 32) as usize % SHARDS]).insert(fp)
    }
}

/// How a queued state was reached: the index of the action taken (among its parent's
/// actions; for an initial state, its index among the initial states) and the parent's
/// trail. The states below a state share its trail, so queuing one costs a small allocation
/// rather than a copy of its whole path, and a trail lives only while some state below it
/// is queued or has a discovery.
struct Trail {
    index: usize,
    from: Option<Arc<Trail>>,
}

impl Trail {
    /// The indices from the initial state's down to this one's.
    fn indices(&self) -> Vec<usize> {
        let mut indices = vec![self.index];
        let mut at = &self.from;
        while let Some(t) = at {
            indices.push(t.index);
            at = &t.from;
        }
        indices.reverse();
        indices
    }
}

/// A poisoned lock only means another thread panicked; every update leaves the data whole.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A state waiting to be expanded.
struct Job<S> {
    state: S,
    trail: Arc<Trail>,
    /// The number of states on its path, itself included (stateright's depth).
    depth: usize,
}

/// Work shared between threads: batches split off a busy thread's stack for idle ones.
struct Market<S> {
    batches: Vec<Vec<Job<S>>>,
    idle: usize,
}

/// Per-thread counts, each on its own cache line so that publishing them moves no line
/// another thread writes.
#[repr(align(128))]
#[derive(Default)]
struct Counts {
    total: AtomicUsize,
    unique: AtomicUsize,
    depth: AtomicUsize,
}

struct Shared<M: Model> {
    model: M,
    properties: Vec<Property<M>>,
    symmetry: Option<Representative<M::State>>,
    predict: Option<Predictor<M>>,
    threads: usize,
    visited: Visited,
    market: Mutex<Market<M::State>>,
    wake: Condvar,
    /// How many threads wait for work (read often, written rarely).
    hungry: AtomicUsize,
    done: AtomicBool,
    counts: Box<[Counts]>,
    /// The initial states (and those of them that are distinct), counted apart from the
    /// threads.
    inits: usize,
    unique_inits: usize,
    /// Bit `i`: property `i` has a discovery (read for every state, so not behind the lock).
    discovered: AtomicU64,
    /// Property name -> how the state that discovered it was reached.
    discoveries: Mutex<HashMap<&'static str, Arc<Trail>>>,
}

/// The running (or finished) check; implements stateright's [`Checker`], so the report code
/// is shared with stateright's own checkers.
pub struct ParallelDfs<M: Model> {
    shared: Arc<Shared<M>>,
    handles: Vec<JoinHandle<()>>,
}

impl<M> ParallelDfs<M>
where
    M: Model + Send + Sync + 'static,
    M::State: Clone + Hash + PartialEq + Send + Sync + 'static,
    M::Action: Clone + PartialEq + Send + Sync + 'static,
{
    /// Starts checking `model` on `threads` threads. Refuses a model with `eventually`
    /// properties.
    ///
    /// With `predict` and no `symmetry`, a successor's fingerprint comes from the model's
    /// prediction, and the successor is built only if the fingerprint is new: in an exhaustive
    /// search most successors were visited already, and building them (a copy of the state,
    /// the step, hashing it all) is most of the cost of a transition.
    pub fn spawn(
        model: M,
        threads: usize,
        symmetry: Option<Representative<M::State>>,
        predict: Option<Predictor<M>>,
    ) -> Result<Self, String> {
        let properties = model.properties();
        if let Some(p) = properties
            .iter()
            .find(|p| p.expectation == Expectation::Eventually)
        {
            return Err(format!(
                "the worm engine does not check eventually properties (\"{}\"); use --engine stateright",
                p.name
            ));
        }
        if properties.len() > 64 {
            return Err("the worm engine checks at most 64 properties".into());
        }
        let threads = threads.max(1);
        let visited = Visited::new();
        let mut jobs = Vec::new();
        let mut inits = 0;
        for (index, state) in model.init_states().into_iter().enumerate() {
            if !model.within_boundary(&state) {
                continue;
            }
            inits += 1;
            let fp = fingerprint(&symmetry.map_or_else(|| state.clone(), |f| f(&state)));
            if visited.insert(fp) {
                jobs.push(Job {
                    state,
                    trail: Arc::new(Trail { index, from: None }),
                    depth: 1,
                });
            }
        }
        let shared = Arc::new(Shared {
            inits,
            unique_inits: jobs.len(),
            model,
            properties,
            predict: predict.filter(|_| symmetry.is_none()),
            symmetry,
            threads,
            visited,
            market: Mutex::new(Market {
                batches: vec![jobs],
                idle: 0,
            }),
            wake: Condvar::new(),
            hungry: AtomicUsize::new(0),
            done: AtomicBool::new(false),
            counts: (0..threads).map(|_| Counts::default()).collect(),
            discovered: AtomicU64::new(0),
            discoveries: Mutex::default(),
        });
        let handles = (0..threads)
            .map(|t| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("worm-checker-{t}"))
                    .spawn(move || shared.work(t))
                    .map_err(|e| format!("cannot start a checker thread: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(ParallelDfs { shared, handles })
    }
}

impl<M> Shared<M>
where
    M: Model,
    M::State: Clone + Hash + PartialEq,
    M::Action: Clone + PartialEq,
{
    /// One thread's search: expand states from its own stack, depth first; give half of it
    /// away when another thread is idle; take a batch from the market when it runs out.
    fn work(&self, t: usize) {
        let mut stack: Vec<Job<M::State>> = Vec::new();
        let mut actions = Vec::new();
        let (mut total, mut unique, mut depth) = (0, 0, 0);
        let mut since_publish = 0u32;
        let mut recent = Recent::new();
        loop {
            let Some(job) = stack.pop().or_else(|| self.take(&mut stack)) else {
                break;
            };
            depth = depth.max(job.depth);
            if self.check_properties(&job) {
                break;
            }
            self.model.actions(&job.state, &mut actions);
            for (index, action) in actions.drain(..).enumerate() {
                let predicted = self
                    .predict
                    .and_then(|p| p(&self.model, &job.state, &action));
                let next = match predicted {
                    Some(None) => continue,
                    Some(Some(digest)) => {
                        total += 1;
                        let fp = fingerprint(&digest);
                        if recent.seen(fp) || !self.visited.insert(fp) {
                            continue;
                        }
                        let next = self
                            .model
                            .next_state(&job.state, action)
                            .expect("a successor the model predicted");
                        debug_assert_eq!(fingerprint(&next), fp, "a wrong prediction");
                        next
                    }
                    None => {
                        let Some(next) = self.model.next_state(&job.state, action) else {
                            continue;
                        };
                        if !self.model.within_boundary(&next) {
                            continue;
                        }
                        total += 1;
                        let fp = match self.symmetry {
                            Some(f) => fingerprint(&f(&next)),
                            None => fingerprint(&next),
                        };
                        if recent.seen(fp) || !self.visited.insert(fp) {
                            continue;
                        }
                        next
                    }
                };
                unique += 1;
                let from = Some(Arc::clone(&job.trail));
                stack.push(Job {
                    state: next,
                    trail: Arc::new(Trail { index, from }),
                    depth: job.depth + 1,
                });
            }
            since_publish += 1;
            if since_publish == 256 {
                since_publish = 0;
                self.publish(t, total, unique, depth);
                if self.done.load(Ordering::Relaxed) {
                    break;
                }
                if stack.len() > 1 && self.hungry.load(Ordering::Relaxed) > 0 {
                    self.share(&mut stack);
                }
            }
        }
        self.publish(t, total, unique, depth);
        self.finish();
    }

    /// Evaluates the properties not yet discovered on `job`'s state; true if the search
    /// should stop (an `always` property failed, or every property has a discovery).
    fn check_properties(&self, job: &Job<M::State>) -> bool {
        let known = self.discovered.load(Ordering::Relaxed);
        let mut found = 0u64;
        for (i, p) in self.properties.iter().enumerate() {
            if known & 1 << i != 0 {
                continue;
            }
            let holds = (p.condition)(&self.model, &job.state);
            let discovered = match p.expectation {
                Expectation::Always => !holds,
                Expectation::Sometimes => holds,
                Expectation::Eventually => unreachable!("refused at spawn"),
            };
            if discovered {
                found |= 1 << i;
            }
        }
        if found == 0 {
            return false;
        }
        let mut discoveries = lock(&self.discoveries);
        for (i, p) in self.properties.iter().enumerate() {
            if found & 1 << i != 0 {
                discoveries
                    .entry(p.name)
                    .or_insert_with(|| Arc::clone(&job.trail));
            }
        }
        let all = self.discovered.fetch_or(found, Ordering::Relaxed) | found;
        let failed = self
            .properties
            .iter()
            .enumerate()
            .any(|(i, p)| p.expectation == Expectation::Always && all & 1 << i != 0);
        if failed || all.count_ones() as usize == self.properties.len() {
            drop(discoveries);
            self.stop();
            return true;
        }
        false
    }

    /// One of the counts the threads published, summed over them.
    fn sum(&self, count: fn(&Counts) -> &AtomicUsize) -> usize {
        self.counts
            .iter()
            .map(|c| count(c).load(Ordering::Relaxed))
            .sum()
    }

    fn publish(&self, t: usize, total: usize, unique: usize, depth: usize) {
        let c = &self.counts[t];
        c.total.store(total, Ordering::Relaxed);
        c.unique.store(unique, Ordering::Relaxed);
        c.depth.store(depth, Ordering::Relaxed);
    }

    /// Moves the older half of `stack` (the states nearest the root, which have the most
    /// work below them) to the market.
    fn share(&self, stack: &mut Vec<Job<M::State>>) {
        let half: Vec<_> = stack.drain(..stack.len() / 2).collect();
        lock(&self.market).batches.push(half);
        self.wake.notify_one();
    }

    /// Waits for a batch of work; `None` once there is none left anywhere.
    fn take(&self, stack: &mut Vec<Job<M::State>>) -> Option<Job<M::State>> {
        let mut market = lock(&self.market);
        loop {
            if self.done.load(Ordering::Relaxed) {
                return None;
            }
            if let Some(batch) = market.batches.pop() {
                *stack = batch;
                return stack.pop();
            }
            market.idle += 1;
            if market.idle == self.threads {
                // Everyone is idle and nothing is queued: the search is complete.
                market.idle -= 1;
                drop(market);
                self.stop();
                return None;
            }
            self.hungry.store(market.idle, Ordering::Relaxed);
            market = self.wake.wait(market).unwrap_or_else(|e| e.into_inner());
            market.idle -= 1;
            self.hungry.store(market.idle, Ordering::Relaxed);
        }
    }

    fn stop(&self) {
        self.done.store(true, Ordering::Relaxed);
        let _market = lock(&self.market);
        self.wake.notify_all();
    }

    /// A thread that leaves wakes the others, so none waits for work that cannot come.
    fn finish(&self) {
        let _market = lock(&self.market);
        self.wake.notify_all();
    }

    /// The path along `trail`, replayed: the initial state it names, then the actions it
    /// names in turn.
    fn path(&self, trail: &Trail) -> Option<Path<M::State, M::Action>> {
        let indices = trail.indices();
        let init = self.model.init_states().into_iter().nth(indices[0])?;
        let mut state = init.clone();
        let mut taken = Vec::new();
        let mut actions = Vec::new();
        for &index in &indices[1..] {
            actions.clear();
            self.model.actions(&state, &mut actions);
            let action = actions.drain(..).nth(index)?;
            state = self.model.next_state(&state, action.clone())?;
            taken.push(action);
        }
        Path::from_actions(&self.model, init, taken.iter())
    }
}

impl<M> Checker<M> for ParallelDfs<M>
where
    M: Model + Send + Sync + 'static,
    M::State: Clone + Hash + PartialEq + Send + Sync + 'static,
    M::Action: Clone + PartialEq + Send + Sync + 'static,
{
    fn model(&self) -> &M {
        &self.shared.model
    }

    fn state_count(&self) -> usize {
        self.shared.inits + self.shared.sum(|c| &c.total)
    }

    fn unique_state_count(&self) -> usize {
        self.shared.unique_inits + self.shared.sum(|c| &c.unique)
    }

    fn max_depth(&self) -> usize {
        let c = &self.shared.counts;
        c.iter()
            .map(|c| c.depth.load(Ordering::Relaxed))
            .max()
            .unwrap_or(0)
    }

    fn discoveries(&self) -> HashMap<&'static str, Path<M::State, M::Action>>
    where
        M::State: Clone + PartialEq,
        M::Action: Clone + PartialEq,
    {
        let found: Vec<_> = lock(&self.shared.discoveries)
            .iter()
            .map(|(&name, trail)| (name, Arc::clone(trail)))
            .collect();
        found
            .into_iter()
            .filter_map(|(name, trail)| Some((name, self.shared.path(&trail)?)))
            .collect()
    }

    fn handles(&mut self) -> Vec<JoinHandle<()>> {
        std::mem::take(&mut self.handles)
    }

    fn is_done(&self) -> bool {
        self.shared.done.load(Ordering::Relaxed) && self.handles.iter().all(|h| h.is_finished())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stateright::Checker;

    /// A counter that steps by 1 or 2 up to `max`: small, with joins (so duplicates).
    struct Steps {
        max: u8,
        violate_at: Option<u8>,
    }

    impl Model for Steps {
        type State = u8;
        type Action = u8;
        fn init_states(&self) -> Vec<u8> {
            vec![0]
        }
        fn actions(&self, s: &u8, actions: &mut Vec<u8>) {
            actions.extend([1, 2].into_iter().filter(|d| s + d <= self.max));
        }
        fn next_state(&self, s: &u8, d: u8) -> Option<u8> {
            Some(s + d)
        }
        fn properties(&self) -> Vec<Property<Self>> {
            vec![
                Property::always("not the bad number", |m: &Steps, s: &u8| {
                    Some(*s) != m.violate_at
                }),
                Property::sometimes("three", |_, s: &u8| *s == 3),
            ]
        }
    }

    /// Steps by 1 or 2 up to `max` over `u64` states, whose `Hash` writes one `write_u64`, so
    /// that the model can predict fingerprints; action 0 has no successor. Counts the
    /// successors it builds.
    struct Wide {
        max: u64,
        built: AtomicUsize,
    }

    impl Model for Wide {
        type State = u64;
        type Action = u64;
        fn init_states(&self) -> Vec<u64> {
            vec![0]
        }
        fn actions(&self, s: &u64, actions: &mut Vec<u64>) {
            actions.extend([0, 1, 2].into_iter().filter(|d| s + d <= self.max));
        }
        fn next_state(&self, s: &u64, d: u64) -> Option<u64> {
            self.built.fetch_add(1, Ordering::Relaxed);
            (d != 0).then_some(s + d)
        }
        fn properties(&self) -> Vec<Property<Self>> {
            vec![Property::always("within", |m: &Wide, s: &u64| *s <= m.max)]
        }
    }

    fn foresee(_: &Wide, s: &u64, d: &u64) -> Option<Option<u64>> {
        Some((*d != 0).then_some(s + d))
    }

    #[test]
    fn predictions_spare_building_visited_successors_and_change_no_count() {
        for threads in [1, 2] {
            let run = |predict: Option<Predictor<Wide>>| {
                let m = Wide {
                    max: 40,
                    built: AtomicUsize::new(0),
                };
                let c = ParallelDfs::spawn(m, threads, None, predict)
                    .unwrap()
                    .join();
                let built = c.model().built.load(Ordering::Relaxed);
                (c.unique_state_count(), c.state_count(), built)
            };
            let (unique, total, built) = run(None);
            // 79 transitions, and the initial state.
            assert_eq!((unique, total), (41, 80));
            // Every action's successor is built, the 41 that have none included.
            assert_eq!(built, 79 + 41);
            // With predictions: only the 40 new states after the initial one.
            assert_eq!(run(Some(foresee)), (41, 80, 40));
        }
    }

    #[test]
    fn counts_what_stateright_counts() {
        for threads in [1, 2, 4] {
            let m = || Steps {
                max: 40,
                violate_at: None,
            };
            let ours = ParallelDfs::spawn(m(), threads, None, None).unwrap().join();
            let theirs = m().checker().spawn_dfs().join();
            assert_eq!(ours.unique_state_count(), 41);
            assert_eq!(ours.unique_state_count(), theirs.unique_state_count());
            assert_eq!(ours.state_count(), theirs.state_count());
            // The search takes the last action first (+2), as stateright's does, so the
            // depth is the same.
            assert_eq!(ours.max_depth(), theirs.max_depth());
            let example = ours.discovery("three").expect("an example");
            assert_eq!(*example.last_state(), 3);
        }
    }

    #[test]
    fn a_violation_comes_with_a_path_that_replays_to_it() {
        for threads in [1, 2] {
            let m = Steps {
                max: 40,
                violate_at: Some(16),
            };
            let checker = ParallelDfs::spawn(m, threads, None, None).unwrap().join();
            let path = checker
                .discovery("not the bad number")
                .expect("a violation");
            assert_eq!(*path.last_state(), 16);
            let states = path.into_states();
            assert_eq!(states[0], 0);
            assert!(states.windows(2).all(|w| matches!(w[1] - w[0], 1 | 2)));
            // It stopped early: going up by twos first, it meets 16 before queuing the
            // states above 18.
            assert!(checker.unique_state_count() < 41);
        }
    }

    #[test]
    fn symmetry_by_representative_merges_states() {
        // Map n to n rounded down to even: the checker keeps one of each pair.
        fn even(s: &u8) -> u8 {
            s & !1
        }
        let m = || Steps {
            max: 9,
            violate_at: None,
        };
        let ours = ParallelDfs::spawn(m(), 1, Some(even), None).unwrap().join();
        let theirs = m().checker().symmetry_fn(even).spawn_dfs().join();
        assert_eq!(ours.unique_state_count(), 5);
        assert_eq!(theirs.unique_state_count(), 5);
        assert_eq!(ours.state_count(), theirs.state_count());
    }

    #[test]
    fn eventually_properties_are_refused() {
        struct Eventually;
        impl Model for Eventually {
            type State = u8;
            type Action = u8;
            fn init_states(&self) -> Vec<u8> {
                vec![0]
            }
            fn actions(&self, _: &u8, _: &mut Vec<u8>) {}
            fn next_state(&self, _: &u8, _: u8) -> Option<u8> {
                None
            }
            fn properties(&self) -> Vec<Property<Self>> {
                vec![Property::eventually("never", |_, _| false)]
            }
        }
        let err = ParallelDfs::spawn(Eventually, 1, None, None)
            .err()
            .expect("refused");
        assert!(err.contains("eventually"), "{err}");
    }
}
