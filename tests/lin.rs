//! End-to-end tests of `worm lin`: exit codes 0 (linearizable), 1 (not), 2 (bad input, naming
//! the first bad line), and `worm bench lin`.

mod common;

use common::worm;
use std::path::PathBuf;

fn porcupine(file: &str) -> String {
    format!(
        "{}/refinement/testdata/porcupine-kv/{file}.txt",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Writes a history to a file of its own in the test's scratch directory.
fn history(name: &str, text: &str) -> String {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_linearizable_history_exits_0() {
    let file = porcupine("c10-ok");
    let (code, out, _) = worm(&["lin", &file, "--model", "kv"]);
    assert_eq!(code, 0, "{out}");
    let summary = format!(
        "{file}: linearizable, 337 operations (0 of unknown outcome, 0 failed), 10 keys, 658 states, "
    );
    assert!(out.starts_with(&summary), "{out}");
    assert!(out.ends_with(" s\n") && out.lines().count() == 1, "{out}");
}

#[test]
fn a_violation_exits_1_with_its_sub_history() {
    let file = porcupine("c01-bad");
    let (code, out, _) = worm(&["lin", &file, "--model", "kv"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with(
            "Not linearizable: key \"7\". These 3 of its 5 operations have no linearization:\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("  lines 59-60    process 0    get -> \"x 0 0 y\"   <- no linearization reaches this return\n"),
        "{out}"
    );
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with(&format!(
            "{file}: NOT linearizable (key \"7\"), 38 operations"
        )),
        "{last}"
    );
}

#[test]
fn json_output() {
    let wor = history(
        "stale-capture.jsonl",
        r#"{"process": 1, "type": "invoke", "op": "capture", "key": "r0"}
{"process": 1, "type": "ok", "op": "capture", "key": "r0", "result": [1, 1]}
{"process": 2, "type": "invoke", "op": "capture", "key": "r0"}
{"process": 2, "type": "ok", "op": "capture", "key": "r0", "result": [1, 2]}
{"process": 1, "type": "invoke", "op": "write", "key": "r0", "args": [[1, 1], "A"]}
{"process": 1, "type": "ok", "op": "write", "key": "r0", "result": "A"}
"#,
    );
    let (code, out, _) = worm(&["lin", &wor, "--model", "wor", "--json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["linearizable"], false);
    assert_eq!(v["model"], "wor");
    assert_eq!(v["violation"]["key"], "r0");
    assert_eq!(v["violation"]["operations"][0]["process"], 1);
    let ops = v["violation"]["operations"].as_array().unwrap();
    let ops: Vec<(&str, &str)> = ops
        .iter()
        .map(|op| (op["op"].as_str().unwrap(), op["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        ops,
        [
            ("capture", "result"),
            ("capture", "result"),
            ("write([1 1], \"A\")", "last")
        ]
    );
}

#[test]
fn bad_input_exits_2_naming_the_first_bad_line() {
    let cas = history(
        "bad-line.edn",
        "{:process 0, :type :invoke, :f :write, :value 1}\n\
         {:process 0, :type :ok, :f :write, :value 1}\n\
         {:process 1, :type :invoke, :f :swap, :value 1}\n\
         {:process 1, :type :ok :f}\n",
    );
    let (code, out, err) = worm(&["lin", &cas, "--model", "cas"]);
    assert_eq!(code, 2, "{out}");
    assert_eq!(
        err,
        format!("error: {cas}: line 3: unknown operation \"swap\" (expected read, write, cas)\n")
    );

    let (code, _, err) = worm(&["lin", &cas, "--model", "cas", "--format", "json"]);
    assert_eq!(code, 2);
    assert!(err.contains(": line 1: not JSON"), "{err}");

    let (code, _, err) = worm(&["lin", "no/such/file", "--model", "cas"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read no/such/file"), "{err}");

    let (code, _, err) = worm(&["lin", &cas, "--model", "register"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("'register'") && err.contains("--model"),
        "{err}"
    );
}

#[test]
fn bench_lin_prints_a_row_per_history() {
    let (code, out, _) = worm(&[
        "bench",
        "lin",
        &porcupine("c01-ok"),
        &porcupine("c01-bad"),
        "--runs",
        "1",
    ]);
    assert_eq!(code, 0, "{out}");
    // History, operations, keys, verdict, states; then times, which vary.
    let rows: Vec<Vec<&str>> = out
        .lines()
        .filter(|l| l.starts_with("c01-"))
        .map(|l| l.split_whitespace().take(5).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["c01-ok.txt", "58", "10", "ok", "58"],
            ["c01-bad.txt", "38", "8", "NOT", "36"]
        ],
        "{out}"
    );
}
