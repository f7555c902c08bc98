//! The porcupine checker's key-value histories (testdata/porcupine-kv, MIT licence): each gets
//! the verdict porcupine's README gives, with pinned search sizes, and each failing one a
//! pinned sub-history.

use worm_refinement::lin::specs::Kv;
use worm_refinement::lin::{check, Format, History, Report, Role};

fn run(file: &str) -> Report {
    let path = format!(
        "{}/testdata/porcupine-kv/{file}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("test data present");
    assert_eq!(Format::detect(&text), Format::Edn);
    let kv = Kv::default();
    let history = History::parse(&kv, &text, Format::Edn).expect("reads");
    check(&kv, &history)
}

/// (operations, keys, states searched) of a linearizable history.
fn linearizable(file: &str, ops: usize, keys: usize, states: usize) {
    let r = run(file);
    assert!(r.linearizable(), "{file}: {:?}", r.violation);
    assert_eq!(
        (r.operations, r.keys, r.states),
        (ops, keys, states),
        "{file}"
    );
    assert_eq!((r.unknown, r.failed), (0, 0));
}

/// The key refuted and its sub-history: the invoke line and role of each operation shown.
fn not_linearizable(file: &str, states: usize, key: &str, shown: &[(usize, Role)]) -> String {
    let r = run(file);
    assert_eq!(r.states, states, "{file}");
    let v = r.violation.expect("not linearizable");
    assert_eq!(v.key.as_ref().map(|k| k.to_string()).as_deref(), Some(key));
    let got: Vec<(usize, Role)> = v.ops.iter().map(|op| (op.call_line, op.role)).collect();
    assert_eq!(got, shown, "{file}:\n{v}");
    v.to_string()
}

#[test]
fn c01_ok() {
    linearizable("c01-ok", 58, 10, 58);
}

#[test]
fn c10_ok() {
    linearizable("c10-ok", 337, 10, 658);
}

#[test]
fn c50_ok() {
    linearizable("c50-ok", 1712, 10, 177_864);
}

#[test]
fn c01_bad() {
    use Role::*;
    let shown = not_linearizable(
        "c01-bad",
        36,
        "\"7\"",
        &[(37, Forgotten), (55, Result), (59, Last)],
    );
    assert_eq!(
        shown,
        "Not linearizable: key \"7\". These 3 of its 5 operations have no linearization:\n  \
         lines 37-38    process 0    append(\"x 0 0 y\") -> ? (result not needed)\n  \
         lines 55-56    process 0    append(\"x 0 3 y\") -> ok\n  \
         lines 59-60    process 0    get -> \"x 0 0 y\"   <- no linearization reaches this return\n"
    );
}

#[test]
fn c10_bad() {
    use Role::*;
    not_linearizable(
        "c10-bad",
        600,
        "\"0\"",
        &[
            (1, Forgotten),
            (3, Forgotten),
            (18, Forgotten),
            (82, Forgotten),
            (118, Forgotten),
            (140, Result),
            (146, Running),
            (158, Last),
        ],
    );
}

#[test]
fn c50_bad() {
    use Role::*;
    not_linearizable(
        "c50-bad",
        33_049,
        "\"3\"",
        &[
            (70, Forgotten),
            (80, Running),
            (90, Running),
            (178, Result),
            (184, Result),
            (188, Result),
            (232, Result),
            (246, Result),
            (262, Result),
            (338, Result),
            (355, Result),
            (376, Forgotten),
            (382, Result),
            (422, Result),
            (442, Last),
        ],
    );
}
