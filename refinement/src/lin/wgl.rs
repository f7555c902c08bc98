//! The search for a linearization: Wing and Gong's algorithm with Lowe's memoisation, as
//! porcupine implements it.
//!
//! The history is a doubly linked list of call and return entries in time order. The search
//! walks the list from its head: at a call, it tries to linearize that operation next (the spec
//! must accept its step from the current state); if so it lifts the call and its return out of
//! the list, pushes the operation and the state before it on a stack, and starts again from the
//! head. At a return, the operation it belongs to should have been linearized already, since
//! every remaining call is later: it backtracks, popping the last linearized operation, putting
//! it back into the list, and trying the entries after its call. The list emptying means
//! linearizable; backtracking from an empty stack means not.
//!
//! Lowe's improvement: two ways to reach the same set of linearized operations and the same
//! spec state have the same future, so the search keeps a cache of (set, state) pairs seen and
//! never enters one twice. That is what makes the search fast in practice. The set's hash is
//! kept up to date as operations come and go (Zobrist hashing), so a lookup costs a hash of the
//! state and no copy of the set.
//!
//! Operations of unknown outcome return after everything, so their return entries sit at the
//! end of the list, behind every known return. Reaching one means every operation with a known
//! outcome has been linearized: the others may have taken effect (those linearized) or not (the
//! rest), and the history is linearizable.

use super::fx;
use super::specs::Spec;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// An operation as the search sees it.
pub struct Call<'a, S: Spec> {
    pub input: &'a S::Input,
    /// `None`: unknown outcome.
    pub output: Option<&'a S::Output>,
    /// Positions in time of the call and, for a known outcome, of the return.
    pub call: usize,
    pub ret: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Linearizable,
    NotLinearizable,
}

/// A search in progress, which can be run a budget of states at a time: the checker runs every
/// key's search a little in turn, because one key's history may be quick to refute while
/// another's is slow, and one refuted key is enough for the verdict.
pub struct Search<'a, S: Spec> {
    spec: &'a S,
    ops: Vec<Call<'a, S>>,
    list: List,
    /// The operations linearized so far, and their Zobrist hash (the xor of a random word per
    /// operation), kept up to date as operations are linearized and backtracked.
    linearized: Vec<u64>,
    hash: u64,
    zobrist: Vec<u64>,
    cache: Cache<S::State>,
    /// The operations linearized, with the state before each.
    stack: Vec<(usize, S::State)>,
    state: S::State,
    entry: u32,
    verdict: Option<Verdict>,
}

impl<'a, S: Spec> Search<'a, S> {
    pub fn new(spec: &'a S, ops: Vec<Call<'a, S>>) -> Self {
        // An unknown operation that changes nothing is as good as never having happened.
        let ops: Vec<Call<S>> = ops
            .into_iter()
            .filter(|op| op.output.is_some() || !spec.unknown_is_moot(op.input))
            .collect();
        let list = List::new(&ops);
        let entry = list.first();
        let words = ops.len().div_ceil(64);
        Search {
            spec,
            linearized: vec![0; words],
            hash: 0,
            zobrist: (0..ops.len() as u64).map(splitmix64).collect(),
            ops,
            list,
            cache: Cache::new(words),
            stack: Vec::new(),
            state: spec.init(),
            entry,
            verdict: None,
        }
    }

    /// (linearized set, state) pairs entered so far.
    pub fn states(&self) -> usize {
        self.cache.entries.len()
    }

    /// Searches on until the verdict, or until `budget` more states have been entered.
    pub fn run(&mut self, budget: usize) -> Option<Verdict> {
        let limit = self.states().saturating_add(budget);
        while self.verdict.is_none() && self.states() < limit {
            self.verdict = self.advance();
        }
        self.verdict
    }

    /// Moves the search on until it enters a new state (`None`) or reaches its verdict.
    fn advance(&mut self) -> Option<Verdict> {
        loop {
            let Some((op, is_call)) = self.list.get(self.entry) else {
                return Some(Verdict::Linearizable);
            };
            if !is_call {
                if self.ops[op].ret.is_none() {
                    return Some(Verdict::Linearizable);
                }
                let Some((op, before)) = self.stack.pop() else {
                    return Some(Verdict::NotLinearizable);
                };
                self.state = before;
                self.linearized[op / 64] &= !(1 << (op % 64));
                self.hash ^= self.zobrist[op];
                self.list.unlift(op);
                self.entry = self.list.next(self.list.call[op]);
                continue;
            }
            let call = &self.ops[op];
            if let Some(next) = self.spec.step(&self.state, call.input, call.output) {
                let hash = self.hash ^ self.zobrist[op] ^ fx::hash(&next);
                if self.cache.insert_new(hash, &self.linearized, op, &next) {
                    self.stack
                        .push((op, std::mem::replace(&mut self.state, next)));
                    self.linearized[op / 64] |= 1 << (op % 64);
                    self.hash ^= self.zobrist[op];
                    self.list.lift(op);
                    self.entry = self.list.first();
                    return None;
                }
            }
            self.entry = self.list.next(self.entry);
        }
    }
}

/// Searches to the end, or gives up (`None`) after `budget` states.
pub fn search<S: Spec>(spec: &S, ops: Vec<Call<'_, S>>, budget: usize) -> Option<Verdict> {
    Search::new(spec, ops).run(budget)
}

/// The (linearized set, state) pairs seen, chained by hash in one arena (the sets side by side
/// in one vector), so that a lookup compares the candidate set word by word instead of
/// building it first, and an entry costs no allocation of its own.
struct Cache<St> {
    heads: HashMap<u64, u32, BuildHasherDefault<Prehashed>>,
    /// Each entry's state, and the next entry with the same hash (or `u32::MAX`).
    entries: Vec<(St, u32)>,
    /// Entry `i`'s set is `sets[i * words..(i + 1) * words]`.
    sets: Vec<u64>,
    words: usize,
}

impl<St: Clone + Eq> Cache<St> {
    fn new(words: usize) -> Self {
        Cache {
            heads: HashMap::default(),
            entries: Vec::new(),
            sets: Vec::new(),
            words,
        }
    }

    /// Adds `linearized` plus `op`, with `state`, unless it is there already.
    fn insert_new(&mut self, hash: u64, linearized: &[u64], op: usize, state: &St) -> bool {
        let with_op = |i: usize, word: u64| {
            if i == op / 64 {
                word | 1 << (op % 64)
            } else {
                word
            }
        };
        let head = self.heads.entry(hash).or_insert(u32::MAX);
        let mut e = *head;
        while e != u32::MAX {
            let (entry_state, next) = &self.entries[e as usize];
            let set = &self.sets[e as usize * self.words..][..self.words];
            let same_set = set
                .iter()
                .enumerate()
                .all(|(i, &w)| w == with_op(i, linearized[i]));
            if same_set && entry_state == state {
                return false;
            }
            e = *next;
        }
        self.sets
            .extend(linearized.iter().enumerate().map(|(i, &w)| with_op(i, w)));
        self.entries.push((state.clone(), *head));
        *head = self.entries.len() as u32 - 1;
        true
    }
}

/// A well-mixed word for each operation (SplitMix64 of its index).
fn splitmix64(i: u64) -> u64 {
    let mut z = i.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The cache's keys are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }

    fn write_u64(&mut self, h: u64) {
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The entries in time order, as a doubly linked list with sentinels at both ends, so that an
/// operation's call and return can be lifted out and put back in constant time.
struct List {
    prev: Vec<u32>,
    next: Vec<u32>,
    /// What each entry is: its operation, and whether it is the call (or the return).
    entry: Vec<(u32, bool)>,
    call: Vec<u32>,
    ret: Vec<u32>,
}

impl List {
    const HEAD: u32 = 0;

    fn new<S: Spec>(ops: &[Call<S>]) -> Self {
        let mut events: Vec<(usize, usize, bool)> = Vec::with_capacity(2 * ops.len());
        for (i, op) in ops.iter().enumerate() {
            events.push((op.call, i, true));
            events.push((op.ret.unwrap_or(usize::MAX), i, false));
        }
        events.sort_unstable();
        let n = events.len() as u32;
        // Entry 0 is the head, entries 1..=n the events, n + 1 the tail.
        let mut list = List {
            prev: (0..n + 2).map(|i| i.saturating_sub(1)).collect(),
            next: (1..n + 3).collect(),
            entry: vec![(u32::MAX, false); n as usize + 2],
            call: vec![0; ops.len()],
            ret: vec![0; ops.len()],
        };
        for (i, &(_, op, is_call)) in events.iter().enumerate() {
            let e = i as u32 + 1;
            list.entry[e as usize] = (op as u32, is_call);
            if is_call {
                list.call[op] = e;
            } else {
                list.ret[op] = e;
            }
        }
        list
    }

    fn first(&self) -> u32 {
        self.next[Self::HEAD as usize]
    }

    fn next(&self, e: u32) -> u32 {
        self.next[e as usize]
    }

    /// The operation at an entry and whether it is the call; `None` at the tail.
    fn get(&self, e: u32) -> Option<(usize, bool)> {
        let (op, is_call) = self.entry[e as usize];
        (op != u32::MAX).then_some((op as usize, is_call))
    }

    fn remove(&mut self, e: u32) {
        let (p, n) = (self.prev[e as usize], self.next[e as usize]);
        self.next[p as usize] = n;
        self.prev[n as usize] = p;
    }

    /// Puts back an entry removed last (its neighbours' links are still in it).
    fn restore(&mut self, e: u32) {
        let (p, n) = (self.prev[e as usize], self.next[e as usize]);
        self.next[p as usize] = e;
        self.prev[n as usize] = e;
    }

    fn lift(&mut self, op: usize) {
        self.remove(self.call[op]);
        self.remove(self.ret[op]);
    }

    fn unlift(&mut self, op: usize) {
        self.restore(self.ret[op]);
        self.restore(self.call[op]);
    }
}
