//! A small sub-history that shows a key's history is not linearizable.
//!
//! Two reductions, each keeping the proof sound (if the sub-history has no linearization, the
//! whole history has none):
//!
//! 1. The shortest prefix with no linearization, found by bisection over the returns. A prefix
//!    cut at a return keeps every operation invoked before it; those still running at the cut
//!    have an unknown outcome. Prefixes only gain constraints as they grow, so the shortest
//!    failing one ends at the return that no linearization of the past can reach.
//! 2. Results forgotten: an operation's result is replaced by "unknown" wherever the prefix
//!    still has no linearization without it. Forgetting only removes constraints (a spec's
//!    unknown step allows what any result allows), so what is left are the results that
//!    contradict each other. A forgotten read drops out; a forgotten write stays, open.
//!
//! Forgetting is tried on chunks of operations, halving the chunk size, so that a history
//! where most results do not matter needs few searches. Each search is given a budget of states;
//! a prefix whose search runs out is taken to be linearizable, and results whose forgetting
//! runs out are kept.

use super::history::Operation;
use super::specs::Spec;
use super::wgl::{search, Call, Verdict};

/// How an operation appears in a sub-history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Its result is part of the contradiction.
    Result,
    /// The return that no linearization of the operations before it can reach.
    Last,
    /// Its result was forgotten: it may have taken effect or not.
    Forgotten,
    /// It was still running when the last operation returned.
    Running,
    /// The history does not know its outcome.
    Unknown,
}

/// Operations of `ops` (indices, in invoke order) and their roles. `ops` has no
/// linearization; `budget` bounds each search (in states), and a search that runs out counts
/// as finding a linearization, which keeps the reductions sound.
pub fn witness<S: Spec>(spec: &S, ops: &[&Operation<S>], budget: usize) -> Vec<(usize, Role)> {
    let mut returns: Vec<usize> = ops.iter().filter_map(|op| op.ret).collect();
    returns.sort_unstable();
    let fails = |view: Vec<Call<S>>| search(spec, view, budget) == Some(Verdict::NotLinearizable);
    // The whole history fails, so the prefix cut at the last return does.
    let (mut lo, mut hi) = (0, returns.len() - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fails(view(ops, returns[mid], &[])) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let cut = returns[lo];
    let prefix: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].call < cut).collect();
    let prefix_ops: Vec<&Operation<S>> = prefix.iter().map(|&i| ops[i]).collect();

    // Candidates to forget: known results other than the last, reads first (forgetting one
    // drops it, which makes every later search smaller).
    let known = |op: &Operation<S>| op.ret.is_some_and(|r| r < cut) && spec.may_forget(&op.input);
    let mut candidates: Vec<usize> = (0..prefix_ops.len())
        .filter(|&i| known(prefix_ops[i]))
        .collect();
    candidates.sort_by_key(|&i| !spec.unknown_is_moot(&prefix_ops[i].input));
    let mut forgotten = vec![false; prefix_ops.len()];
    let mut chunk = candidates.len();
    while chunk > 0 {
        let remaining: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| !forgotten[i])
            .collect();
        for part in remaining.chunks(chunk) {
            for &i in part {
                forgotten[i] = true;
            }
            if !fails(view(&prefix_ops, cut, &forgotten)) {
                for &i in part {
                    forgotten[i] = false;
                }
            }
        }
        chunk /= 2;
    }

    prefix
        .iter()
        .enumerate()
        .filter_map(|(j, &i)| {
            let op = prefix_ops[j];
            let role = match op.ret {
                Some(r) if r == cut => Role::Last,
                Some(r) if r < cut && !forgotten[j] => return Some((i, Role::Result)),
                Some(r) if r < cut => Role::Forgotten,
                Some(_) => Role::Running,
                None => Role::Unknown,
            };
            let moot = role != Role::Last && spec.unknown_is_moot(&op.input);
            (!moot).then_some((i, role))
        })
        .collect()
}

/// The operations invoked before the return at `cut`, as the search sees them: results
/// returned after the cut, and those `forget` marks, unknown.
fn view<'a, S: Spec>(ops: &[&'a Operation<S>], cut: usize, forget: &[bool]) -> Vec<Call<'a, S>> {
    ops.iter()
        .enumerate()
        .filter(|(_, op)| op.call < cut)
        .map(|(i, op)| {
            let known =
                op.ret.is_some_and(|r| r <= cut) && !forget.get(i).copied().unwrap_or(false);
            Call {
                input: &op.input,
                output: if known { op.output.as_ref() } else { None },
                call: op.call,
                ret: if known { op.ret } else { None },
            }
        })
        .collect()
}
