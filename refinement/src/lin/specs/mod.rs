//! Sequential specifications of single objects, as the checker uses them.
//!
//! A spec reads its operations from a history (names, arguments and results as [`Datum`]s) and
//! says which steps are valid: from a state, an operation with a given result leads to one
//! next state, or is impossible. An operation of unknown outcome is stepped with no result: it
//! takes effect with whatever result it would have had. Maps of objects (a key-value store, an
//! address space of registers) are not specs of their own: each key is a separate object,
//! and the checker checks each key apart (linearizability is local: a history is linearizable
//! exactly when its restriction to each object is).

pub mod cas;
pub mod kv;
pub mod wor;

pub use cas::Cas;
pub use kv::Kv;
pub use wor::Wor;

use super::datum::Datum;
use std::fmt::{Debug, Display};
use std::hash::Hash;

pub trait Spec {
    /// An operation as invoked: what it is and its arguments.
    type Input: Clone + Debug + Display;
    /// What an operation returned.
    type Output: Clone + Debug + Display;
    type State: Clone + Debug + Eq + Hash;

    fn init(&self) -> Self::State;

    /// Reads an invoke: the operation's name and its arguments; the error says what is wrong.
    fn input(&self, op: &str, args: &Datum) -> Result<Self::Input, String>;

    /// Reads the result of an `ok` completion of `input`.
    fn output(&self, input: &Self::Input, result: &Datum) -> Result<Self::Output, String>;

    /// The state after `input` returns `output` in `state`, if that is a valid step. With
    /// `output` unknown, the state after it takes effect with some result it may return;
    /// this state must allow at least everything that any known result's state allows, so
    /// that forgetting a result never makes a linearizable history non-linearizable.
    fn step(
        &self,
        state: &Self::State,
        input: &Self::Input,
        output: Option<&Self::Output>,
    ) -> Option<Self::State>;

    /// True if an operation of unknown outcome can be left out of the history: taking effect
    /// never allows anything that not taking effect does not (a read, say).
    fn unknown_is_moot(&self, input: &Self::Input) -> bool;

    /// False for an operation whose result may be used by other operations of the history in
    /// a way its unknown step does not allow for, so that the search for a small sub-history
    /// must not forget it (the WOR's capture: its id is used by the writes that follow).
    fn may_forget(&self, _input: &Self::Input) -> bool {
        true
    }
}

/// Reads `value` as a string, or says what `what` should have been.
fn string(value: &Datum, what: &str) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{what} must be a string, not {value}"))
}

/// Checks that an operation has no arguments.
fn no_args(op: &str, args: &Datum) -> Result<(), String> {
    match args {
        Datum::Nil => Ok(()),
        other => Err(format!("{op} takes no arguments, not {other}")),
    }
}

/// Reads a pair `[a b]`.
fn pair<'d>(value: &'d Datum, what: &str) -> Result<(&'d Datum, &'d Datum), String> {
    match value.as_list() {
        Some([a, b]) => Ok((a, b)),
        _ => Err(format!("{what} must be a pair, not {value}")),
    }
}

/// The message for an unknown operation name.
fn unknown_op(op: &str, known: &[&str]) -> String {
    format!("unknown operation {op:?} (expected {})", known.join(", "))
}
