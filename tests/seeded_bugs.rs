//! The implementation's seeded bugs (built only with `--features seeded-bugs`), each caught by
//! trace validation or the history check of `worm simulate wormspace`, without the
//! simulator's own checks. Each pin is the first failing seed of a small window and the
//! check that fails there; the simulator is deterministic, so a pin moves only when the
//! simulator, the implementation or a check changes.
#![cfg(feature = "seeded-bugs")]

mod common;

use common::worm;

/// `worm simulate wormspace --bug BUG --checks CHECK` over `seeds` seeds from `first`: the seed
/// it stops at and the failing check's first line.
fn first_failure(bug: &str, check: &str, first: u64, seeds: u64) -> (u64, String) {
    let (first, seeds) = (first.to_string(), seeds.to_string());
    let args = [
        "simulate",
        "wormspace",
        "--bug",
        bug,
        "--checks",
        check,
        "--first-seed",
        &first,
        "--seeds",
        &seeds,
    ];
    let (code, out, err) = worm(&args);
    assert_eq!(code, 1, "{bug} with {check}: {out}{err}");
    let seed = out
        .lines()
        .find_map(|l| l.strip_prefix("seed ")?.split(':').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no failing seed in {out}"));
    let found = out
        .lines()
        .find(|l| l.starts_with(&format!("{check}: ")))
        .unwrap_or_else(|| panic!("{check} did not fail: {out}"));
    let replay = format!(
        "replay: worm simulate wormspace --first-seed {seed} --seeds 1 --faults loss,dup,reorder,crash,partition --bug {bug} --checks {check} --trace-out"
    );
    assert!(out.contains(&replay), "{out}");
    (seed, found.to_string())
}

#[test]
fn reply_before_sync() {
    let (seed, trace) = first_failure("reply-before-sync", "trace", 0, 10);
    assert_eq!(seed, 0);
    assert_eq!(trace, "trace: unexplained event at line 14 (node c3, lamport 14): BatchPromise(seg 2, 1.3, 0 accepted) from s0 was never sent to c3");
    let (seed, history) = first_failure("reply-before-sync", "history", 460, 20);
    assert_eq!(
        (seed, history.as_str()),
        (468, "history: NOT linearizable at \"2:2\"")
    );
}

#[test]
fn accept_lower_ballot() {
    let (seed, trace) = first_failure("accept-lower-ballot", "trace", 0, 10);
    assert_eq!(seed, 1);
    assert_eq!(trace, "trace: unexplained event at line 157 (node s1, lamport 157): in state promised 5.2, accepted none, the model's acceptor answers Nack(3.1, promised 5.2); the event answers Accepted(3.1)");
    let (seed, history) = first_failure("accept-lower-ballot", "history", 0, 10);
    assert_eq!(
        (seed, history.as_str()),
        (7, "history: NOT linearizable at \"1:0\"")
    );
}

#[test]
fn forget_promise_on_restart() {
    let (seed, trace) = first_failure("forget-promise-on-restart", "trace", 0, 30);
    assert_eq!(seed, 18);
    assert_eq!(trace, "trace: unexplained event at line 140 (node s2, lamport 140): in state promised 3.2, accepted (1.2, \"c1.0\"), the model's acceptor answers Nack(3.1, promised 3.2); the event answers Promise(3.1, (1.2, \"c1.0\"))");
    let (seed, history) = first_failure("forget-promise-on-restart", "history", 1150, 10);
    assert_eq!(
        (seed, history.as_str()),
        (1154, "history: NOT linearizable at \"1:1\"")
    );
}

#[test]
fn read_no_complete() {
    let (seed, trace) = first_failure("read-no-complete", "trace", 0, 10);
    assert_eq!(seed, 1);
    assert!(
        trace.starts_with("trace: unexplained event at line 232 (node c3e8, lamport 232): the model's client, in phase Read(6.3e8, replies [0], highest none, unanimous true), on ReadReply(6.3e8, (1.1, \"c0.0\")) from position 1 goes to Prepare("),
        "{trace}"
    );
    let (seed, history) = first_failure("read-no-complete", "history", 830, 20);
    assert_eq!(
        (seed, history.as_str()),
        (840, "history: NOT linearizable at \"1:1\"")
    );
}

/// Trace validation does not follow what a subscriber is told (the client logs no step for a
/// notification), so only the history check sees this one.
#[test]
fn notify_before_chosen() {
    let (seed, history) = first_failure("notify-before-chosen", "history", 0, 10);
    assert_eq!(
        (seed, history.as_str()),
        (3, "history: NOT linearizable at \"1:1\"")
    );
    let (code, out, _) = worm(&[
        "simulate",
        "wormspace",
        "--bug",
        "notify-before-chosen",
        "--checks",
        "trace",
        "--seeds",
        "10",
    ]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn an_unknown_bug_is_a_usage_error() {
    let (code, _, err) = worm(&["simulate", "wormspace", "--bug", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown seeded bug \"nope\" (expected one of: reply-before-sync, accept-lower-ballot, forget-promise-on-restart, read-no-complete, notify-before-chosen)"), "{err}");
}
