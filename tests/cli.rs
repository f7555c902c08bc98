//! End-to-end tests of the `worm` command line.

mod common;

use common::worm;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn check_reports_ok_on_its_last_line() {
    let (code, out, _) = worm(&["check", "wor", "--clients", "1", "--readers", "1"]);
    assert_eq!(code, 0, "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("wor: OK, 39191 unique states, ") && last.ends_with(" s"),
        "{last}"
    );
}

#[test]
fn check_reports_a_violation_with_its_counterexample() {
    let (code, out, _) = worm(&["check", "wor", "--bug", "forget-promise"]);
    assert_eq!(code, 1, "{out}");
    // The shortest counterexample (breadth-first): a promise made, then forgotten.
    assert!(out.contains("   3. crash a0\n   4. restart a0\n"), "{out}");
    assert_eq!(
        out.lines().last().unwrap(),
        "wor: VIOLATION of \"refines the WOR spec\" after 3676 unique states"
    );
}

#[test]
fn check_prints_json() {
    let (code, out, _) = worm(&["check", "wor", "--bug", "minority-quorum", "--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["model"], "wor");
    assert_eq!(v["violation"]["property"], "refines the WOR spec");
    assert_eq!(
        v["violation"]["counterexample"].as_array().unwrap().len(),
        3
    );
    assert_eq!(v["unique_states"], 4132);
}

#[test]
fn bad_arguments_exit_2_naming_the_bad_value() {
    let (code, _, err) = worm(&["check", "wor", "--acceptors", "three"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("'three'") && err.contains("--acceptors"),
        "{err}"
    );

    let (code, _, err) = worm(&["check", "wor", "--acceptors", "9"]);
    assert_eq!(code, 2);
    assert!(err.contains("acceptors must be 2 to 7, not 9"), "{err}");

    let (code, _, err) = worm(&["check", "wor", "--bug", "no-such-bug"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no-such-bug") && err.contains("forget-promise"),
        "{err}"
    );

    // The WOS leaves symmetry to stateright's checker, whose breadth-first search ignores it.
    let (code, _, err) = worm(&["check", "wos", "--symmetry", "--strategy", "bfs"]);
    assert_eq!(code, 2);
    assert!(err.contains("--symmetry needs --strategy dfs"), "{err}");

    let (code, _, err) = worm(&["explore", "wor", "--bind", "not an address"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad --bind address"), "{err}");
}

#[test]
fn list_names_models_options_and_bugs() {
    let (code, out, _) = worm(&["list"]);
    assert_eq!(code, 0);
    for needle in [
        "wor ",
        "--acceptors",
        "--network",
        "forget-promise",
        "accept-lower-ballot",
        "ignore-accepted-value",
        "minority-quorum",
        "read-no-complete",
        "refines the WOR spec",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
}

/// One HTTP/1.0 GET; the explorer answers and closes.
fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("explorer listens");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"),
        "{response}"
    );
    response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

/// Kills the explorer when the test ends, passed or failed.
struct Explorer(std::process::Child);

impl Drop for Explorer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `worm explore` with `args` on a free port; the explorer and its address once it
/// listens.
fn explorer(args: &[&str]) -> (Explorer, String) {
    let mut child = Explorer(
        Command::new(env!("CARGO_BIN_EXE_worm"))
            .arg("explore")
            .args(args)
            .args(["--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("worm explore starts"),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&addr).is_err() {
        assert!(
            Instant::now() < deadline,
            "explorer did not listen on {addr}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, addr)
}

#[test]
fn explore_serves_status_and_states() {
    let (_child, addr) = explorer(&["wor", "--clients", "1"]);
    let status: serde_json::Value = serde_json::from_str(&get(&addr, "/.status")).unwrap();
    assert!(
        status["properties"]
            .to_string()
            .contains("refines the WOR spec"),
        "{status}"
    );
    // State paths are action indices from an initial state: `/.states` lists the initial
    // states, `/.states/0` the steps from the first of them.
    let init: serde_json::Value = serde_json::from_str(&get(&addr, "/.states")).unwrap();
    assert_eq!(init[0]["actionIndex"], 0, "{init}");
    let next: serde_json::Value = serde_json::from_str(&get(&addr, "/.states/0")).unwrap();
    let actions: Vec<&str> = next
        .as_array()
        .expect("a list of steps")
        .iter()
        .filter_map(|step| step["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "cA -> a0: Prepare(1.A)",
            "cA -> a1: Prepare(1.A)",
            "cA -> a2: Prepare(1.A)"
        ]
    );
}

#[test]
fn check_wos_reports_ok_on_its_last_line() {
    let (code, out, _) = worm(&["check", "wos"]);
    assert_eq!(code, 0, "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("wos: OK, 30413 unique states, ") && last.ends_with(" s"),
        "{last}"
    );
    assert!(
        out.contains("sometimes \"segment trimmed\": example in "),
        "{out}"
    );
}

#[test]
fn check_wos_finds_a_bug_with_its_abstract_step() {
    let (code, out, _) = worm(&["check", "wos", "--bug", "write-after-trim"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("   9. cA -> a0: Trim(s0)\n"), "{out}");
    assert!(
        out.contains("neither a stutter nor a step of the WOS spec"),
        "{out}"
    );
    assert_eq!(
        out.lines().last().unwrap(),
        "wos: VIOLATION of \"refines the WOS spec\" after 25 unique states"
    );

    let (code, out, _) = worm(&["check", "wos", "--bug", "notify-before-chosen", "--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["model"], "wos");
    assert_eq!(v["violation"]["property"], "notifications are final");
    assert_eq!(
        v["violation"]["counterexample"].as_array().unwrap().len(),
        14
    );
}

#[test]
fn wos_bad_arguments_exit_2_naming_the_bad_value() {
    for (args, message) in [
        (
            &["--partitions", "0"][..],
            "partitions must be 1 to 4, not 0",
        ),
        (
            &["--segments", "3", "--segment-size", "2"],
            "segments × (segment size + 2) must be at most 8, not 3 × 4",
        ),
        (
            &["--partitions", "3", "--acceptors", "3"],
            "partitions × acceptors must be at most 8, not 3 × 3",
        ),
        (
            &["--bug", "wrong-partition", "--partitions", "1"],
            "wrong-partition needs at least 2 partitions",
        ),
        (&["--bug", "no-such-bug"], "alloc-without-capture"),
    ] {
        let (code, _, err) = worm(&[&["check", "wos"][..], args].concat());
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

#[test]
fn caspaxos_check_reports_ok_and_violations() {
    let (code, out, _) = worm(&["check", "caspaxos"]);
    assert_eq!(code, 0, "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("caspaxos: OK, 47898 unique states, ") && last.ends_with(" s"),
        "{last}"
    );

    let (code, out, _) = worm(&["check", "caspaxos", "--bug", "expand-without-identity"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("  10. pA submits its next change\n"), "{out}");
    assert_eq!(
        out.lines().last().unwrap(),
        "caspaxos: VIOLATION of \"linearizable\" after 374 unique states"
    );

    let (code, out, _) = worm(&["check", "caspaxos-kv", "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["model"], "caspaxos-kv");
    assert_eq!(v["unique_states"], 96762);
}

#[test]
fn caspaxos_options_reach_the_model() {
    let (code, out, _) = worm(&[
        "check",
        "caspaxos",
        "--acceptors",
        "1",
        "--membership",
        "expand-twice",
        "--changes",
        "init=1,read",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("sometimes \"operator finished\": example in"),
        "{out}"
    );
    assert!(out.contains("caspaxos: OK, 1147 unique states"), "{out}");

    let (code, out, _) = worm(&[
        "check",
        "caspaxos",
        "--one-rtt",
        "--changes",
        "init=1,inc,read",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("caspaxos: OK, 2856 unique states"), "{out}");
}

#[test]
fn caspaxos_bad_arguments_exit_2_naming_the_bad_value() {
    for (args, needle) in [
        (
            &["--prepare-quorum", "1", "--accept-quorum", "2"][..],
            "prepare quorum 1 and accept quorum 2 of 3 acceptors need not intersect",
        ),
        (&["--changes", "init=1,k3:inc"], "unknown change \"k3:inc\""),
        (&["--gc"], "gc needs a del"),
        (
            &["--membership", "grow"],
            "unknown membership change \"grow\"",
        ),
        (
            &["--membership", "replace", "--acceptors", "2"],
            "replace starts from an odd number",
        ),
        (&["--symmetry"], "caspaxos has no symmetry reduction"),
    ] {
        let mut all = vec!["check", "caspaxos"];
        all.extend_from_slice(args);
        let (code, _, err) = worm(&all);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn list_names_the_wos_model_options_and_bugs() {
    let (code, out, _) = worm(&["list"]);
    assert_eq!(code, 0);
    for needle in [
        "wos ",
        "--partitions",
        "--segment-size",
        "--subscriber",
        "alloc-without-capture",
        "write-after-trim",
        "batch-write-stale-capture",
        "notify-before-chosen",
        "wrong-partition",
        "refines the WOS spec",
        "one allocator per segment",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
}

#[test]
fn list_names_the_caspaxos_models_and_bugs() {
    let (code, out, _) = worm(&["list"]);
    assert_eq!(code, 0);
    for needle in [
        "caspaxos ",
        "caspaxos-kv ",
        "--one-rtt",
        "--membership",
        "--gc",
        "expand-without-identity",
        "even-expand-without-rescan",
        "gc-without-age-check",
        "gc-without-fast-forward",
        "pick-lowest-ballot",
        "refines the CAS registers",
        "acknowledged states form a chain",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
}

#[test]
fn explore_serves_the_wos_model() {
    let (_child, addr) = explorer(&["wos", "--clients", "1"]);
    let status = get(&addr, "/.status");
    assert!(status.contains("refines the WOS spec"), "{status}");
    let next: serde_json::Value = serde_json::from_str(&get(&addr, "/.states/0")).unwrap();
    let first = next[0]["action"].as_str().unwrap_or_default().to_string();
    assert_eq!(first, "cA -> a0: s0.meta Prepare(1.A)", "{next}");
}

/// A simulator trace (seed 3, every fault kind) in a file, one event a line.
fn sim_trace_file(dir: &std::path::Path, name: &str, lines: &[String]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.to_str().unwrap().to_owned()
}

fn seed3_trace() -> Vec<String> {
    let cfg = worm_wormspace::sim::SimConfig {
        trace: true,
        ..worm_wormspace::sim::SimConfig::new(3)
    };
    worm_wormspace::sim::run(cfg).unwrap().trace
}

#[test]
fn refine_explains_a_simulator_trace_and_names_the_first_unexplained_event() {
    let dir = tempfile::tempdir().unwrap();
    let lines = seed3_trace();
    let ok = sim_trace_file(dir.path(), "ok.jsonl", &lines);
    let (code, out, err) = worm(&["refine", &ok, "--model", "wos"]);
    assert_eq!(code, 0, "{out}{err}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with(&format!(
            "refine wos: OK, {} events, 10 addresses, durability logged, at most 1 candidate states, ",
            lines.len()
        )) && last.ends_with(" s"),
        "{last}"
    );
    // The same run as one log per process, merged by Lamport clock.
    let mut files = Vec::new();
    for node in ["s0", "s1", "s2", "c1", "c2", "c3", "c3e8", "c1f4"] {
        let tag = format!("\"node\":\"{node}\"");
        let mine: Vec<String> = lines.iter().filter(|l| l.contains(&tag)).cloned().collect();
        files.push(sim_trace_file(dir.path(), &format!("{node}.jsonl"), &mine));
    }
    let mut args: Vec<&str> = vec!["refine", "--model", "wos"];
    args.extend(files.iter().map(String::as_str));
    let (code, out, _) = worm(&args);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("OK, {} events", lines.len())),
        "{out}"
    );
    // An acceptor that answers with a promise it never made: exit 1, the event named.
    let mut bad = lines.clone();
    let i = bad.iter().position(|l| l.contains("\"Nack\":{")).unwrap();
    bad[i] = bad[i].replacen("\"promised\":{\"round\":1", "\"promised\":{\"round\":9", 1);
    let bad = sim_trace_file(dir.path(), "bad.jsonl", &bad);
    let (code, out, _) = worm(&["refine", &bad, "--model", "wos"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("unexplained event at line {}", i + 1)),
        "{out}"
    );
    assert!(
        out.contains("candidate model states before it:\n  s"),
        "{out}"
    );
    assert!(out.contains(&format!("> line {} lamport", i + 1)), "{out}");
    assert!(
        out.lines().last().unwrap().starts_with(&format!(
            "refine wos: FAILED at {bad}:{} after {i} of ",
            i + 1
        )),
        "{out}"
    );
    // The WOR model has no batch capture.
    let (code, out, _) = worm(&["refine", &ok, "--model", "wor"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is not an action of the WOR model"), "{out}");
}

#[test]
fn refine_bad_input_exits_2_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = seed3_trace();
    lines.truncate(3);
    lines.push("{\"lamport\": 4, \"node\": \"s0\"".into());
    let f = sim_trace_file(dir.path(), "cut.jsonl", &lines);
    let (code, _, err) = worm(&["refine", &f, "--model", "wos"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{f}: line 4: not a trace event")),
        "{err}"
    );
    lines[3] = lines[0].replace("\"role\":\"client\"", "\"role\":\"learner\"");
    let f = sim_trace_file(dir.path(), "role.jsonl", &lines);
    let (code, _, err) = worm(&["refine", &f, "--model", "wos"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("line 4: not a trace event: unknown variant `learner`"),
        "{err}"
    );
    let (code, _, err) = worm(&["refine", "no-such-file", "--model", "wos"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read no-such-file"), "{err}");
    let (code, _, err) = worm(&["refine", &f, "--model", "paxos"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("'paxos'"), "{err}");
}

/// Stops a `worm cluster up` cluster however the test ends.
struct ClusterDown(std::path::PathBuf);

impl Drop for ClusterDown {
    fn drop(&mut self) {
        let _ = worm(&["cluster", "down", "--data", self.0.to_str().unwrap()]);
    }
}

#[test]
fn check_multipaxos_alone_and_against_the_ado() {
    let (code, out, _) = worm(&["check", "multipaxos"]);
    assert_eq!(code, 0, "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("multipaxos: OK, 16106 unique states, "),
        "{last}"
    );

    let (code, out, _) = worm(&["check", "multipaxos", "--refines", "ado"]);
    assert_eq!(code, 0, "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("multipaxos --refines ado: OK, 19813 unique states, "),
        "{last}"
    );

    let (code, out, _) = worm(&["check", "multipaxos", "--bug", "ignore-promised-values"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Counterexample for \"agreement\" (14 steps)"),
        "{out}"
    );
}

#[test]
fn check_caspaxos_against_the_ado() {
    let (code, out, _) = worm(&["check", "caspaxos", "--refines", "ado"]);
    assert_eq!(code, 0, "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("caspaxos --refines ado: OK, 62180 unique states, "),
        "{last}"
    );

    let (code, out, _) = worm(&["check", "caspaxos", "--refines", "ado", "--naive", "--json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["violation"]["property"], "refines the ADO");
    assert_eq!(
        v["violation"]["counterexample"].as_array().unwrap().len(),
        12
    );
    let why = v["violation"]["explanation"].as_str().unwrap();
    assert!(why.contains("neither a stutter nor a step"), "{why}");
}

#[test]
fn the_ado_refinement_rejects_what_it_does_not_cover() {
    let (code, _, err) = worm(&["check", "caspaxos-kv", "--refines", "ado"]);
    assert_eq!(code, 2);
    assert!(err.contains("covers one register"), "{err}");
    let (code, _, err) = worm(&["check", "caspaxos", "--refines", "ado", "--one-rtt"]);
    assert_eq!(code, 2);
    assert!(err.contains("--one-rtt"), "{err}");
    let (code, _, err) = worm(&["check", "multipaxos", "--naive"]);
    assert_eq!(code, 2);
    assert!(err.contains("--naive needs --refines ado"), "{err}");
    let (code, _, err) = worm(&["check", "multipaxos", "--commands", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad --commands"), "{err}");
    let (code, _, err) = worm(&["check", "multipaxos", "--slots", "9"]);
    assert_eq!(code, 2);
    assert!(err.contains("slots must be 1 to 3, not 9"), "{err}");
}

#[test]
fn list_names_the_multipaxos_model_and_bugs() {
    let (code, out, _) = worm(&["list"]);
    assert_eq!(code, 0);
    for needle in [
        "multipaxos ",
        "--refines ado",
        "ignore-promised-values",
        "prepare-one-slot",
        "the chosen log is one chain",
        "caspaxos --refines ado",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
}

#[test]
fn ado_check_reports_ok_and_violations_per_app() {
    let (code, out, _) = worm(&["check", "ado"]);
    assert_eq!(code, 0, "{out}");
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("ado: OK, 35020 unique states, "), "{last}");

    let (code, out, _) = worm(&["check", "ado", "--app", "kvlock", "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["unique_states"], 20253);

    // Without --app, a bug is checked in its own app.
    let (code, out, _) = worm(&["check", "ado", "--bug", "tm-ignore-fail"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("   6. A: rm2.push() = Fail (Prepare)\n"),
        "{out}"
    );
    assert!(
        out.contains("  13. C: rm2.push() = Ok (Timeout)\n"),
        "{out}"
    );
    assert_eq!(
        out.lines().last().unwrap(),
        "ado: VIOLATION of \"2PC atomicity\" after 25429 unique states"
    );
}

#[test]
fn ado_bad_arguments_exit_2_naming_the_bad_value() {
    for (args, message) in [
        (
            &["--app", "queue"][..],
            "unknown ADO app \"queue\" (expected one of: free, kv",
        ),
        (&["--bug", "nope"], "unknown ADO bug \"nope\""),
        (
            &["--app", "kv", "--bug", "tm-ignore-fail"],
            "bug tm-ignore-fail needs --app 2pc",
        ),
        (
            &["--bug", "kvlock-release-early", "--app", "free"],
            "needs --app kvlock",
        ),
        (&["--clients", "9"], "nodes must be 1 to 4, not 9"),
        (
            &["--app", "2pc", "--max-ts", "0"],
            "max-ts must be 1 to 6, not 0",
        ),
        (&["--max-try", "2"], "--max-try needs --app 2pc"),
        (&["--symmetry"], "ado has no symmetry reduction"),
    ] {
        let mut all = vec!["check", "ado"];
        all.extend_from_slice(args);
        let (code, _, err) = worm(&all);
        assert_eq!(code, 2, "{all:?}: {err}");
        assert!(err.contains(message), "{all:?}: {err}");
    }
}

#[test]
fn refine_explains_the_merged_traces_of_a_real_cluster_and_its_clients() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("c");
    let d = data.to_str().unwrap();
    let (code, out, err) = worm(&["cluster", "up", "--nodes", "3", "--data", d, "--trace"]);
    let down = ClusterDown(data.clone());
    assert_eq!(code, 0, "{out}{err}");
    let file = format!("{d}/cluster.json");
    let mut traces: Vec<String> = (0..3).map(|n| format!("{d}/node{n}/trace.jsonl")).collect();
    let calls: [&[&str]; 6] = [
        &["wos", "alloc", "4", "--meta", "m"],
        &["wor", "write", "4:0", "hello"],
        &["wor", "write", "4:0", "other"],
        &["wor", "read", "4:0"],
        &["wos", "trim", "4"],
        &["wor", "read", "4:0"],
    ];
    for (i, call) in calls.iter().enumerate() {
        let t = format!("{d}/client{i}.jsonl");
        let mut args = call.to_vec();
        args.extend(["--cluster", file.as_str(), "--trace", t.as_str()]);
        worm(&args);
        traces.push(t);
    }
    drop(down);
    let mut args = vec!["refine", "--model", "wos"];
    args.extend(traces.iter().map(String::as_str));
    let (code, out, err) = worm(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("refine wos: OK, ") && out.contains("durability searched"),
        "{out}"
    );
}

#[test]
fn list_names_the_ado_apps_and_bugs() {
    let (code, out, _) = worm(&["list"]);
    assert_eq!(code, 0);
    for name in [
        "ado ",
        "kvlockfree",
        "2pc",
        "push-without-pull",
        "commit-stale-branch",
        "prune-committed",
        "kvlock-release-early",
        "tm-ignore-fail",
        "always \"2PC atomicity\"",
    ] {
        assert!(out.contains(name), "{name} missing from:\n{out}");
    }
}

#[test]
fn a_report_to_a_closed_pipe_ends_quietly() {
    // `worm list | head -1`, with the reader gone before the first line: no panic message.
    let mut child = Command::new(env!("CARGO_BIN_EXE_worm"))
        .arg("list")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}
