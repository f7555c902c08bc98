//! Traces of the seeded simulator replay against the models; hand-mutated traces fail at the
//! mutated event.

use serde_json::Value as Json;
use worm_trace::{parse_trace, validate, Event, Failure, ModelKind, Options, Report};
use worm_wormspace::sim::{run, Faults, SimConfig};

fn sim_trace(cfg: SimConfig) -> Vec<String> {
    run(SimConfig { trace: true, ..cfg })
        .expect("the simulator's own checks pass")
        .trace
}

fn check(lines: &[String], model: ModelKind) -> Result<Report, Box<Failure>> {
    let events: Vec<Event> = parse_trace(lines.join("\n").as_bytes()).expect("traces parse");
    validate(&events, &Options::new(model))
}

/// The trace without the simulator's sync, crash and restart steps: what real servers log.
fn unlogged_durability(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| {
            !["sync", "crash", "restart"]
                .iter()
                .any(|s| l.contains(&format!("\"step\":\"{s}\"")))
        })
        .cloned()
        .collect()
}

/// The events of segment 1 only (single WORs: capture, write, read, decide), with the
/// simulator's steps kept and their released replies cut to segment 1: a WOR-model trace.
fn segment_one(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for l in lines {
        let mut e: Json = serde_json::from_str(l).unwrap();
        // The simulator's subscriber (c1f4) follows segments: not a WOR-model client.
        if e["node"] == "c1f4" || e["from"] == "c1f4" {
            continue;
        }
        // A reply about another segment reaching a call on segment 1 (stale, ignored) goes too.
        let stray = e["msg_in"].is_object() && !e["msg_in"].to_string().contains("\"seg\":1,");
        match e.get("seg").and_then(Json::as_u64) {
            Some(1) if !stray => out.push(l.clone()),
            Some(_) => {}
            None => {
                let keep: Vec<Json> = e["msg_out"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|s| s.to_string().contains("\"seg\":1,") && s["to"] != "c1f4")
                    .cloned()
                    .collect();
                e["msg_out"] = Json::Array(keep);
                out.push(e.to_string());
            }
        }
    }
    out
}

fn faults() -> [(&'static str, Faults); 6] {
    let none = Faults::NONE;
    [
        ("all", Faults::ALL),
        ("none", none),
        ("loss", Faults { loss: 0.2, ..none }),
        (
            "duplicates",
            Faults {
                duplicate: 0.2,
                ..none
            },
        ),
        (
            "crashes",
            Faults {
                crashes: true,
                ..none
            },
        ),
        (
            "partitions",
            Faults {
                partitions: true,
                ..none
            },
        ),
    ]
}

#[test]
fn simulator_traces_replay_under_every_fault_kind_with_and_without_logged_durability() {
    let mut replayed = 0;
    for (name, faults) in faults() {
        for seed in 0..60 {
            let lines = sim_trace(SimConfig {
                faults,
                ..SimConfig::new(seed)
            });
            for (mode, lines) in [
                ("logged", lines.clone()),
                ("unlogged", unlogged_durability(&lines)),
            ] {
                let r = check(&lines, ModelKind::Wos).unwrap_or_else(|f| {
                    panic!("{name} faults, seed {seed}, {mode} durability:\n{f}")
                });
                assert_eq!(r.events, lines.len());
                assert_eq!(r.explicit_durability, mode == "logged");
                replayed += 1;
            }
        }
    }
    assert_eq!(replayed, 6 * 60 * 2);
}

#[test]
fn bigger_runs_replay_too() {
    for seed in 0..10 {
        let lines = sim_trace(SimConfig {
            servers: 5,
            clients: 6,
            calls: 8,
            max_steps: 20_000,
            ..SimConfig::new(seed)
        });
        check(&lines, ModelKind::Wos).unwrap_or_else(|f| panic!("seed {seed}:\n{f}"));
    }
}

#[test]
fn single_wor_traces_replay_against_the_wor_model_and_segments_do_not() {
    for seed in 0..60 {
        let lines = sim_trace(SimConfig::new(seed));
        let one = segment_one(&lines);
        check(&one, ModelKind::Wor).unwrap_or_else(|f| panic!("seed {seed}:\n{f}"));
        check(&unlogged_durability(&one), ModelKind::Wor)
            .unwrap_or_else(|f| panic!("seed {seed}, unlogged:\n{f}"));
    }
    // Seed 0's trace batch-captures segment 2: not a WOR action.
    let f = check(&sim_trace(SimConfig::new(0)), ModelKind::Wor).unwrap_err();
    assert!(f.reason.contains("not an action of the WOR model"), "{f}");
}

/// The seeded bug is compiled only with the `seeded-bugs` feature.
#[cfg(feature = "seeded-bugs")]
#[test]
fn a_server_that_replies_before_it_syncs_is_caught_at_the_first_early_reply() {
    // A run with a crash, so that the trace logs durability (it has no syncs: nothing waits).
    let lines = (0..)
        .filter_map(|seed| {
            run(SimConfig {
                trace: true,
                bug: Some(worm_wormspace::bugs::Bug::ReplyBeforeSync),
                ..SimConfig::new(seed)
            })
            .ok()
        })
        .map(|r| r.trace)
        .find(|t| t.iter().any(|l| l.contains("\"step\":\"crash\"")))
        .unwrap();
    let f = check(&lines, ModelKind::Wos).unwrap_err();
    assert!(f.reason.contains("was never sent"), "{f}");
    assert_eq!(f.node.chars().next(), Some('c'), "{f}");
    // The first reply a client handles: every reply in this run leaves before its sync.
    let first = lines
        .iter()
        .position(|l| l.contains("\"role\":\"client\"") && l.contains("\"msg_in\""))
        .unwrap();
    assert_eq!(f.line, first + 1, "{f}");
}

// ----- hand-mutated traces -----

/// Seed 3's trace, its events as JSON.
fn seed3() -> Vec<Json> {
    sim_trace(SimConfig::new(3))
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn lines(events: &[Json]) -> Vec<String> {
    events.iter().map(Json::to_string).collect()
}

fn first(events: &[Json], pred: impl Fn(&Json) -> bool) -> usize {
    events
        .iter()
        .position(pred)
        .expect("the trace has such an event")
}

fn is(e: &Json, role: &str, step: &str) -> bool {
    e["role"] == role && e["step"] == step
}

#[test]
fn the_unmutated_trace_replays() {
    let r = check(&lines(&seed3()), ModelKind::Wos).unwrap();
    assert!(r.events > 100 && r.explicit_durability, "{r:?}");
}

#[test]
fn a_changed_ballot_is_the_first_unexplained_event() {
    let mut ev = seed3();
    // An acceptor that nacks with a promise it never made.
    let i = first(&ev, |e| {
        is(e, "acceptor", "Prepare") && e["msg_out"][0]["msg"].get("Nack").is_some()
    });
    ev[i]["msg_out"][0]["msg"]["Nack"]["promised"]["round"] = 7.into();
    let f = check(&lines(&ev), ModelKind::Wos).unwrap_err();
    assert_eq!(f.line, i + 1, "{f}");
    assert!(
        f.reason.contains("the model's acceptor answers Nack"),
        "{f}"
    );
    assert!(!f.candidates.is_empty() && f.context.len() == 7, "{f}");
    assert!(f.context[3].starts_with('>'), "{f}");
}

#[test]
fn a_reordered_accept_is_handled_before_it_was_sent() {
    let mut ev = seed3();
    let i = first(&ev, |e| is(e, "acceptor", "Accept"));
    let sent = first(&ev, |e| {
        e["role"] == "client" && e["msg_out"].to_string().contains("\"Accept\"")
    });
    assert!(sent < i);
    let accept = ev.remove(i);
    ev.insert(sent, accept);
    let f = check(&lines(&ev), ModelKind::Wos).unwrap_err();
    assert_eq!(f.line, sent + 1, "{f}");
    assert!(f.reason.contains("was never sent"), "{f}");
}

#[test]
fn a_dropped_persist_leaves_the_model_ahead_of_the_event() {
    let mut ev = seed3();
    let i = first(&ev, |e| {
        is(e, "acceptor", "Accept") && e["changed"].get("accepted").is_some()
    });
    ev[i]["changed"] = serde_json::json!({});
    let f = check(&lines(&ev), ModelKind::Wos).unwrap_err();
    assert_eq!(f.line, i + 1, "{f}");
    assert!(f.reason.contains("the event reports no change"), "{f}");
}

#[test]
fn a_read_returning_a_second_value_is_not_what_the_model_decides() {
    let mut ev = seed3();
    // The last read that returns a value says another one.
    let i = ev
        .iter()
        .rposition(|e| e["changed"]["done"]["Ok"]["Value"].is_array())
        .unwrap();
    ev[i]["changed"]["done"]["Ok"]["Value"] = serde_json::json!([122, 122]);
    let f = check(&lines(&ev), ModelKind::Wos).unwrap_err();
    assert_eq!(f.line, i + 1, "{f}");
    assert!(f.reason.contains("goes to decided \"c0.1/0\""), "{f}");
}

#[test]
fn a_write_of_a_second_value_over_a_found_one_breaks_the_paxos_rule() {
    let mut ev = seed3();
    // The first write whose capture found a value writes its own instead.
    let k = first(&ev, |e| {
        e["changed"]["done"]["Ok"]["Captured"]["pending"].is_array()
    });
    let node = ev[k]["node"].clone();
    let i = k + first(&ev[k..], |e| is(e, "client", "start") && e["node"] == node);
    let w = &mut ev[i];
    let found = w["changed"]["phase"]["Accept"]["value"].clone();
    let own = serde_json::json!([122, 122]);
    w["changed"]["phase"]["Accept"]["value"] = own.clone();
    for s in w["msg_out"].as_array_mut().unwrap() {
        s["msg"]["Accept"]["value"] = own.clone();
    }
    let f = check(&lines(&ev), ModelKind::Wos).unwrap_err();
    assert_eq!(f.line, i + 1, "{f}");
    assert!(f.reason.contains("but the capture found"), "{f} {found}");
}

#[test]
fn a_dropped_sync_leaves_replies_that_were_never_released() {
    let mut ev = seed3();
    let i = first(&ev, |e| is(e, "acceptor", "sync"));
    let released = ev[i]["msg_out"][0]["msg"].clone();
    ev.remove(i);
    let f = check(&lines(&ev), ModelKind::Wos).unwrap_err();
    let handled = first(&ev, |e| e["role"] == "client" && e["msg_in"] == released);
    assert_eq!(f.line, handled + 1, "{f}");
}
