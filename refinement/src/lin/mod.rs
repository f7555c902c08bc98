//! An offline linearizability checker for client histories (Jepsen's and our own).
//!
//! A history is what clients saw: each operation's invoke and its completion, in time order
//! ([`history`], read from JSON lines or EDN). It is linearizable when every operation can be
//! given a single instant between its invoke and its completion such that the results are
//! those of the sequential spec ([`specs`]) run in that order. Operations with an unknown
//! outcome (Jepsen's `:info`, a timeout, a preempted write) may take effect at any instant after
//! their invoke, or never; failed operations did not happen.
//!
//! The check splits the history by key (linearizability is local, so each key is checked
//! apart), and searches each key's history with Wing and Gong's algorithm, memoised as Lowe
//! does ([`wgl`]). For a key that fails, it reduces the history to a small sub-history that
//! still has no linearization ([`witness`]).
//!
//! This is separate from [`crate::LinMonitor`], which checks a model's histories online inside
//! the model's state.

pub mod datum;
mod edn;
mod fx;
pub mod history;
pub mod specs;
mod wgl;
mod witness;

#[cfg(test)]
mod tests;

pub use datum::Datum;
pub use history::{BadInput, Format, History, Operation};
pub use specs::Spec;
pub use witness::Role;

use serde_json::json;
use std::collections::HashMap;
use std::fmt;
use wgl::{Call, Search, Verdict};

/// The verdict on a history.
#[derive(Clone, Debug)]
pub struct Report {
    pub operations: usize,
    /// Operations of unknown outcome, and those that failed (left out).
    pub unknown: usize,
    pub failed: usize,
    pub keys: usize,
    /// (linearized set, state) pairs the searches entered, over all keys.
    pub states: usize,
    pub violation: Option<Violation>,
}

/// A key whose history is not linearizable (the first found: the check stops there), with a
/// sub-history that shows it.
#[derive(Clone, Debug)]
pub struct Violation {
    pub key: Option<Datum>,
    /// Operations on this key.
    pub key_operations: usize,
    /// The sub-history, in invoke order.
    pub ops: Vec<ShownOp>,
}

/// An operation of a sub-history, ready to print.
#[derive(Clone, Debug)]
pub struct ShownOp {
    pub process: Datum,
    pub op: String,
    /// `None` if unknown or forgotten.
    pub result: Option<String>,
    pub call_line: usize,
    pub ret_line: Option<usize>,
    pub role: Role,
}

/// Checks a history against a spec, key by key, and finds a sub-history that shows a
/// violation.
pub fn check<S: Spec>(spec: &S, history: &History<S>) -> Report {
    check_with(spec, history, true)
}

/// As [`check`], with the search for a small sub-history optional (without it a violation
/// lists no operations).
pub fn check_with<S: Spec>(spec: &S, history: &History<S>, find_witness: bool) -> Report {
    let mut keys: Vec<&Option<Datum>> = Vec::new();
    let mut by_key: HashMap<&Option<Datum>, Vec<&Operation<S>>> = HashMap::new();
    for op in &history.ops {
        by_key
            .entry(&op.key)
            .or_insert_with(|| {
                keys.push(&op.key);
                Vec::new()
            })
            .push(op);
    }
    let mut searches: Vec<(&Option<Datum>, Search<S>)> = keys
        .iter()
        .map(|&key| (key, Search::new(spec, calls(&by_key[key]))))
        .collect();
    // Every undecided key searches on for a slice of states in turn, until one key is refuted
    // or all are linearizable: as if the keys were searched in parallel, so that a key quick
    // to refute is not stuck behind a slow one. Searches resume where they stopped, so the
    // turns cost nothing.
    const SLICE: usize = 256;
    let mut states = 0;
    let mut refuted = None;
    while refuted.is_none() && !searches.is_empty() {
        let mut undecided = Vec::with_capacity(searches.len());
        for (key, mut search) in searches {
            match search.run(SLICE) {
                Some(Verdict::Linearizable) => states += search.states(),
                Some(Verdict::NotLinearizable) if refuted.is_none() => {
                    states += search.states();
                    refuted = Some((key, search.states()));
                }
                _ => undecided.push((key, search)),
            }
        }
        searches = undecided;
    }
    states += searches.iter().map(|(_, s)| s.states()).sum::<usize>();
    let violation = refuted.map(|(key, refuted_in)| {
        let ops = &by_key[key];
        let shown = if find_witness {
            // Room enough for searches of the size that refuted the whole key.
            let budget = (4 * refuted_in).max(1 << 14);
            witness::witness(spec, ops, budget)
                .into_iter()
                .map(|(i, role)| show(ops[i], role))
                .collect()
        } else {
            Vec::new()
        };
        Violation {
            key: key.clone(),
            key_operations: ops.len(),
            ops: shown,
        }
    });
    Report {
        operations: history.ops.len(),
        unknown: history.unknown(),
        failed: history.failed,
        keys: keys.len(),
        states,
        violation,
    }
}

fn calls<'a, S: Spec>(ops: &[&'a Operation<S>]) -> Vec<Call<'a, S>> {
    ops.iter()
        .map(|op| Call {
            input: &op.input,
            output: op.output.as_ref(),
            call: op.call,
            ret: op.ret,
        })
        .collect()
}

fn show<S: Spec>(op: &Operation<S>, role: Role) -> ShownOp {
    ShownOp {
        process: op.process.clone(),
        op: op.input.to_string(),
        result: match role {
            Role::Result | Role::Last => op.output.as_ref().map(|o| o.to_string()),
            _ => None,
        },
        call_line: op.call_line,
        ret_line: op.ret_line,
        role,
    }
}

impl Report {
    pub fn linearizable(&self) -> bool {
        self.violation.is_none()
    }

    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "linearizable": self.linearizable(),
            "operations": self.operations,
            "unknown": self.unknown,
            "failed": self.failed,
            "keys": self.keys,
            "states": self.states,
            "violation": self.violation.as_ref().map(|v| json!({
                "key": v.key.as_ref().map(Datum::to_json),
                "key_operations": v.key_operations,
                "operations": v.ops.iter().map(|op| json!({
                    "process": op.process.to_json(),
                    "op": op.op,
                    "result": op.result,
                    "invoke_line": op.call_line,
                    "complete_line": op.ret_line,
                    "role": format!("{:?}", op.role).to_lowercase(),
                })).collect::<Vec<_>>(),
            })),
        })
    }
}

/// The sub-history, one operation a line, with the lines of its invoke and completion.
impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = match &self.key {
            Some(k) => format!("key {k}"),
            None => "the history".to_string(),
        };
        writeln!(
            f,
            "Not linearizable: {key}. These {} of its {} operations have no linearization:",
            self.ops.len(),
            self.key_operations
        )?;
        for op in &self.ops {
            let lines = match op.ret_line {
                Some(r) => format!("lines {}-{r}", op.call_line),
                None => format!("line {}-", op.call_line),
            };
            let result = match (&op.result, op.role) {
                (Some(r), Role::Last) => format!("{r}   <- no linearization reaches this return"),
                (Some(r), _) => r.clone(),
                (None, Role::Forgotten) => "? (result not needed)".into(),
                (None, Role::Running) => "? (still running)".into(),
                (None, _) => "? (unknown outcome)".into(),
            };
            writeln!(
                f,
                "  {lines:<14} process {:<4} {} -> {result}",
                op.process.to_string(),
                op.op
            )?;
        }
        Ok(())
    }
}
