//! Hash-consing for auxiliary model state that many protocol states share.
//!
//! A model's history (linearizability monitor, ghost votes) changes in few steps and takes few
//! distinct values — hundreds — across millions of protocol states. Kept by value, every
//! state would clone, hash and compare it; kept behind a plain `Arc`, every change would copy
//! it. Interned, equal values are one allocation, so a state holds a pointer that hashes and
//! compares as a word, and each step from a value (`Interner::step`) is computed once and
//! looked up afterwards.
//!
//! Every value lives for the life of the process (it is leaked), so an address is never
//! reused for a different value: address equality is value equality. It also makes an
//! interned value a plain `&'static` reference: copying a state copies the pointer, with no
//! reference count for the checker's threads to contend on (a few popular histories are
//! shared by millions of states, so an `Arc`'s count would bounce between cores on every
//! clone). Addresses differ between runs, so fingerprints of states holding interned values
//! are only meaningful within a run, which is all stateright needs (deduplication and path
//! replay happen in one process).

use ahash::RandomState;
use crossbeam_utils::CachePadded;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::RwLock;
use thread_local::ThreadLocal;

/// A shared value from an [`Interner`]: equality and hash by address.
pub struct Interned<T: 'static>(&'static T);

impl<T> Interned<T> {
    fn addr(&self) -> usize {
        std::ptr::from_ref(self.0) as usize
    }
}

impl<T> Clone for Interned<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Interned<T> {}

impl<T> PartialEq for Interned<T> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl<T> Eq for Interned<T> {}

impl<T> Hash for Interned<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.addr().hash(state)
    }
}

impl<T> Deref for Interned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0
    }
}

impl<T: fmt::Debug> fmt::Debug for Interned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The table of values of type `T` and of the steps `E` taken from them.
pub struct Interner<T: Sync + 'static, E: Send> {
    table: RwLock<Table<T, E>>,
    /// Each thread's copy of the steps it has looked up. A step is looked up on most
    /// transitions, and taking the shared lock each time (even to read, which writes the
    /// lock's count) had the checker's threads pass the lock's cache line back and forth.
    /// Padded to a cache line of its own for the same reason.
    seen: ThreadLocal<CachePadded<RefCell<Steps<T, E>>>>,
}

type Steps<T, E> = HashMap<(usize, E), Interned<T>, RandomState>;

struct Table<T: 'static, E> {
    values: HashSet<&'static T, RandomState>,
    /// (address of the value stepped from, step) -> the value it steps to.
    steps: Steps<T, E>,
}

impl<T: Clone + Eq + Hash + Sync, E: Eq + Hash + Send> Default for Interner<T, E> {
    fn default() -> Self {
        Interner {
            table: RwLock::new(Table {
                values: HashSet::default(),
                steps: HashMap::default(),
            }),
            seen: ThreadLocal::new(),
        }
    }
}

impl<T: Clone + Eq + Hash, E: Eq + Hash> Table<T, E> {
    fn intern(&mut self, value: T) -> Interned<T> {
        if let Some(&known) = self.values.get(&value) {
            return Interned(known);
        }
        let value: &'static T = Box::leak(Box::new(value));
        self.values.insert(value);
        Interned(value)
    }
}

impl<T: Clone + Eq + Hash + Sync, E: Copy + Eq + Hash + Send> Interner<T, E> {
    // A poisoned lock only means another thread panicked; every update leaves the table
    // consistent, so it is still usable.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Table<T, E>> {
        self.table.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Table<T, E>> {
        self.table.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The shared copy of `value`.
    pub fn intern(&self, value: T) -> Interned<T> {
        self.write().intern(value)
    }

    /// The value `from` steps to by `step`, which `apply` computes from a copy of `from`; it
    /// must be a function of `from` and `step` alone, since it runs only the first time.
    pub fn step(&self, from: &Interned<T>, step: E, apply: impl FnOnce(&mut T)) -> Interned<T> {
        let key = (from.addr(), step);
        let seen = self.seen.get_or_default();
        if let Some(&to) = seen.borrow().get(&key) {
            return to;
        }
        let known = self.read().steps.get(&key).copied();
        let to = known.unwrap_or_else(|| {
            let mut next = T::clone(from);
            apply(&mut next);
            let mut table = self.write();
            let to = table.intern(next);
            table.steps.insert(key, to);
            to
        });
        seen.borrow_mut().insert(key, to);
        to
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn equal_values_are_one_and_each_step_runs_once() {
        let interner: Interner<Vec<u8>, u8> = Interner::default();
        let a = interner.intern(vec![1]);
        assert_eq!(a, interner.intern(vec![1]));
        assert_ne!(a, interner.intern(vec![2]));
        let runs = Cell::new(0);
        let push = |v: &mut Vec<u8>| {
            runs.set(runs.get() + 1);
            v.push(2);
        };
        let b = interner.step(&a, 2, push);
        assert_eq!(*b, vec![1, 2]);
        assert_eq!(interner.step(&a, 2, push), b);
        assert_eq!(runs.get(), 1);
        // A step that reaches a value interned otherwise gives that value.
        assert_eq!(interner.intern(vec![1, 2]), b);
    }

    /// Each thread keeps its own copy of the steps it looked up; a step taken on one thread
    /// is still computed once for all, and gives the same value on every thread.
    #[test]
    fn threads_share_the_values_and_the_steps() {
        let interner: Interner<Vec<u8>, u8> = Interner::default();
        let a = interner.intern(vec![1]);
        let runs = std::sync::atomic::AtomicUsize::new(0);
        let push = |v: &mut Vec<u8>| {
            runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            v.push(2);
        };
        let here = interner.step(&a, 2, push);
        let there = std::thread::scope(|s| s.spawn(|| interner.step(&a, 2, push)).join());
        assert_eq!(there.unwrap(), here);
        assert_eq!(runs.load(std::sync::atomic::Ordering::Relaxed), 1);
    }
}
