//! Stateright models of the project's protocols, each with its abstract spec and a check that
//! it refines it.
//!
//! - [`wor`]: the write-once register as single-shot Paxos, refining [`wor::spec::WorObject`].
//! - [`caspaxos`]: CASPaxos, refining the CAS registers of [`caspaxos::spec::CasObject`].
//! - [`network`]: the network options shared by every actor model.

pub mod caspaxos;
pub mod network;
pub mod wor;
