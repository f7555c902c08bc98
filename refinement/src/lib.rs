//! Generic refinement checking, shared by every model in the project.
//!
//! - [`SpecModel`] turns a sequential specification (a tiny, obviously right object such as the
//!   write-once register) into a stateright [`Model`](stateright::Model) whose actions are the
//!   object's possible steps.
//! - [`Refinement`] wraps any low-level model, any high-level model and an abstraction function
//!   from low states to high states, and adds the property "refines the spec": every reachable
//!   low transition `s -> s'` is either a stutter (`abs(s') == abs(s)`) or a step of the high
//!   model (`abs(s) -> abs(s')`), and `abs` of every initial state is an initial high state.
//!   The low model's own properties are kept, so one exhaustive run checks both.
//! - [`LinMonitor`] checks linearizability online, with a state small enough to keep in a
//!   model's state.
//! - [`first_violation`] cuts a reported counterexample at its first violating state;
//!   [`shortest_violation`] searches for a shortest one, deterministically.
//! - [`lin`] checks recorded client histories (JSON lines or Jepsen's EDN) for linearizability
//!   offline, against the WOR, a CAS register or a key-value map.

mod counterexample;
pub mod lin;
mod linearizability;
mod refines;
mod spec;

pub use counterexample::{first_violation, shortest_violation, Steps};
pub use linearizability::{LinMonitor, Returns};
pub use refines::{Refined, RefinedOf, Refinement};
pub use spec::{SpecModel, StepSpec};

#[cfg(test)]
mod tests;
