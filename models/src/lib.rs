//! Stateright models of the project's protocols, each with its abstract spec and a check that
//! it refines it.
//!
//! - [`wor`]: the write-once register as single-shot Paxos, refining [`wor::spec::WorObject`].
//! - [`wos`]: write-once segments over WORs (alloc, batch capture and write, trim, write
//!   notifications, partitions), refining [`wos::spec::WosSpace`].
//! - [`caspaxos`]: CASPaxos, refining the CAS registers of [`caspaxos::spec::CasObject`].
//! - [`network`]: the network options shared by every actor model.

pub mod caspaxos;
pub mod network;
pub mod system;
pub mod wor;
pub mod wos;
