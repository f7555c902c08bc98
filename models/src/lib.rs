//! Stateright models of the project's protocols, each with its abstract spec and a check that
//! it refines it.
//!
//! - [`wor`]: the write-once register as single-shot Paxos, refining [`wor::spec::WorObject`].
//! - [`wos`]: write-once segments over WORs (alloc, batch capture and write, trim, write
//!   notifications, partitions), refining [`wos::spec::WosSpace`].
//! - [`caspaxos`]: CASPaxos, refining the CAS registers of [`caspaxos::spec::CasObject`].
//! - [`multipaxos`]: Multi-Paxos, a replicated log with one phase 1 for all later slots.
//! - [`ado`]: the atomic distributed object (ADO) of *Much ADO about Failures*, its apps, and
//!   their atomic specs.
//! - [`refines_ado`]: CASPaxos and Multi-Paxos checked to refine the ADO.
//! - [`network`]: the network options shared by every actor model.

/// `Display` and `FromStr` for a model's bug enum, from its `ALL` list and `name()`: the name
/// on the command line, and for a bad name a message listing the good ones.
#[macro_export]
macro_rules! bug_names {
    ($bug:ty, $model:literal) => {
        impl std::fmt::Display for $bug {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $bug {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL
                    .into_iter()
                    .find(|b| b.name() == s)
                    .ok_or_else(|| {
                        let names: Vec<_> = Self::ALL.iter().map(|b| b.name()).collect();
                        format!(
                            concat!("unknown ", $model, " bug {:?} (expected one of: {})"),
                            s,
                            names.join(", ")
                        )
                    })
            }
        }
    };
}

pub mod ado;
pub mod caspaxos;
pub mod interned;
pub mod multipaxos;
pub mod network;
pub mod refines_ado;
pub mod symmetry;
pub mod system;
pub mod wor;
pub mod wos;
