//! Small hand-made histories for each spec, linearizable and not, in both formats, and the
//! first bad line of bad ones.

use worm_refinement::lin::specs::{Cas, Kv, Wor};
use worm_refinement::lin::{check, BadInput, Format, History, Report, Role, Spec};

fn verdict<S: Spec>(spec: &S, text: &str) -> Report {
    let history = History::parse(spec, text, Format::detect(text)).expect("well formed");
    check(spec, &history)
}

/// The (invoke line, role) of each operation in the sub-history shown.
fn shown(r: &Report) -> Vec<(usize, Role)> {
    let v = r.violation.as_ref().expect("not linearizable");
    v.ops.iter().map(|op| (op.call_line, op.role)).collect()
}

/// A CAS history in Jepsen's form: a write, a read concurrent with it, a successful cas, a cas
/// that fails or whose outcome is unknown (`middle`), and the reads `end`.
fn cas_history(middle: &str, end: &[&str]) -> String {
    let mut h = String::from(
        "{:process 0, :type :invoke, :f :write, :value 1}\n\
         {:process 1, :type :invoke, :f :read, :value nil}\n\
         {:process 0, :type :ok, :f :write, :value 1}\n\
         {:process 1, :type :ok, :f :read, :value nil}\n\
         {:process 0, :type :invoke, :f :cas, :value [1 2]}\n\
         {:process 0, :type :ok, :f :cas, :value [1 2]}\n\
         {:process 1, :type :invoke, :f :cas, :value [2 3]}\n",
    );
    h += &format!("{{:process 1, :type :{middle}, :f :cas, :value [2 3]}}\n");
    for v in end {
        h += &format!(
            "{{:process 2, :type :invoke, :f :read, :value nil}}\n\
             {{:process 2, :type :ok, :f :read, :value {v}}}\n"
        );
    }
    h
}

#[test]
fn cas_a_failed_cas_did_not_happen() {
    let r = verdict(&Cas, &cas_history("fail", &["2"]));
    assert!(r.linearizable());
    assert_eq!((r.operations, r.failed, r.unknown), (4, 1, 0));

    let r = verdict(&Cas, &cas_history("fail", &["3"]));
    use Role::*;
    assert_eq!(
        shown(&r),
        [(1, Forgotten), (5, Forgotten), (9, Last)],
        "3 was never written"
    );
}

#[test]
fn cas_an_unknown_cas_may_happen_once_or_never() {
    assert!(verdict(&Cas, &cas_history("info", &["2"])).linearizable());
    assert!(verdict(&Cas, &cas_history("info", &["3"])).linearizable());
    assert!(verdict(&Cas, &cas_history("info", &["2", "3", "3"])).linearizable());
    let r = verdict(&Cas, &cas_history("info", &["3", "2"]));
    assert_eq!(r.unknown, 1);
    use Role::*;
    assert_eq!(
        shown(&r),
        [
            (1, Forgotten),
            (5, Forgotten),
            (7, Unknown),
            (9, Result),
            (11, Last)
        ],
        "once 3, never 2 again:\n{}",
        r.violation.unwrap()
    );
}

#[test]
fn cas_a_read_concurrent_with_a_write_may_see_either() {
    let h = "{:process 0, :type :invoke, :f :write, :value 1}\n\
             {:process 1, :type :invoke, :f :read, :value nil}\n\
             {:process 2, :type :invoke, :f :read, :value nil}\n\
             {:process 1, :type :ok, :f :read, :value 1}\n\
             {:process 2, :type :ok, :f :read, :value nil}\n\
             {:process 0, :type :ok, :f :write, :value 1}\n";
    assert!(verdict(&Cas, h).linearizable(), "read nil, write, read 1");
    // But a read that begins after another read saw 1 cannot see nil.
    let h = "{:process 0, :type :invoke, :f :write, :value 1}\n\
             {:process 1, :type :invoke, :f :read, :value nil}\n\
             {:process 1, :type :ok, :f :read, :value 1}\n\
             {:process 2, :type :invoke, :f :read, :value nil}\n\
             {:process 2, :type :ok, :f :read, :value nil}\n\
             {:process 0, :type :ok, :f :write, :value 1}\n";
    let r = verdict(&Cas, h);
    use Role::*;
    assert_eq!(shown(&r), [(1, Running), (2, Result), (4, Last)]);
}

#[test]
fn cas_nemesis_events_and_knossos_vectors_are_read() {
    let h = "[{:process 0, :type :invoke, :f :write, :value 4}\n \
             {:process :nemesis, :type :info, :f :start, :value nil}\n \
             {:process 0, :type :info, :f :write, :value 4}\n \
             {:process 1, :type :invoke, :f :read, :value nil}\n \
             {:process 1, :type :ok, :f :read, :value 4}]\n";
    let r = verdict(&Cas, h);
    assert!(r.linearizable());
    assert_eq!((r.operations, r.unknown), (2, 1));
}

/// A WOR history in worm's JSON lines: two clients capture in turn; the first's write is
/// preempted (unknown outcome), the second's returns `won`, and a reader then reads `read`.
fn wor_history(won: &str, read: &str) -> String {
    format!(
        r#"{{"process": 1, "type": "invoke", "op": "capture", "key": "r"}}
{{"process": 1, "type": "ok", "op": "capture", "key": "r", "result": [1, 1]}}
{{"process": 1, "type": "invoke", "op": "write", "key": "r", "args": [[1, 1], "A"]}}
{{"process": 2, "type": "invoke", "op": "capture", "key": "r"}}
{{"process": 2, "type": "ok", "op": "capture", "key": "r", "result": [1, 2]}}
{{"process": 1, "type": "info", "op": "write", "key": "r"}}
{{"process": 2, "type": "invoke", "op": "write", "key": "r", "args": [[1, 2], "B"]}}
{{"process": 2, "type": "ok", "op": "write", "key": "r", "result": {won}}}
{{"process": 3, "type": "invoke", "op": "read", "key": "r"}}
{{"process": 3, "type": "ok", "op": "read", "key": "r", "result": {read}}}
"#
    )
}

#[test]
fn wor_a_preempted_write_may_still_win() {
    assert!(verdict(&Wor, &wor_history(r#""B""#, r#""B""#)).linearizable());
    assert!(
        verdict(&Wor, &wor_history(r#""A""#, r#""A""#)).linearizable(),
        "the second writer finished A"
    );
    // Both captures are kept: the writes use their ids.
    use Role::*;
    let all = [
        (1, Result),
        (3, Unknown),
        (4, Result),
        (7, Result),
        (9, Last),
    ];
    for (read, why) in [
        (r#""A""#, "B won, so A never will"),
        ("null", "B was written"),
    ] {
        let r = verdict(&Wor, &wor_history(r#""B""#, read));
        assert_eq!(shown(&r), all, "{why}:\n{}", r.violation.unwrap());
    }
}

#[test]
fn wor_a_write_needs_the_latest_capture() {
    let h = r#"{"process": 1, "type": "invoke", "op": "capture"}
{"process": 1, "type": "ok", "op": "capture", "result": 1}
{"process": 2, "type": "invoke", "op": "capture"}
{"process": 2, "type": "ok", "op": "capture", "result": 2}
{"process": 1, "type": "invoke", "op": "write", "args": [1, "A"]}
{"process": 1, "type": "ok", "op": "write", "result": "A"}
"#;
    let r = verdict(&Wor, h);
    use Role::*;
    assert_eq!(shown(&r), [(1, Result), (3, Result), (5, Last)]);
    let with_fail = h.replace(
        r#""type": "ok", "op": "write""#,
        r#""type": "fail", "op": "write""#,
    );
    assert!(verdict(&Wor, &with_fail).linearizable());
}

#[test]
fn wor_capture_ids_only_grow() {
    let h = r#"{"process": 1, "type": "invoke", "op": "capture"}
{"process": 1, "type": "ok", "op": "capture", "result": [2, 1]}
{"process": 2, "type": "invoke", "op": "capture"}
{"process": 2, "type": "ok", "op": "capture", "result": [1, 2]}
"#;
    assert_eq!(verdict(&Wor, h).violation.unwrap().ops.len(), 2);
    let concurrent = h.replace(
        "[2, 1]}\n{\"process\": 2, \"type\": \"invoke\", \"op\": \"capture\"}",
        "[2, 1]}",
    );
    let concurrent =
        format!("{{\"process\": 2, \"type\": \"invoke\", \"op\": \"capture\"}}\n{concurrent}");
    assert!(verdict(&Wor, &concurrent).linearizable(), "{concurrent}");
}

#[test]
fn kv_in_json_lines() {
    let h = r#"{"process": 0, "type": "invoke", "op": "put", "key": "k", "args": "a"}
{"process": 0, "type": "ok", "op": "put", "key": "k"}
{"process": 0, "type": "invoke", "op": "append", "key": "k", "args": "b"}
{"process": 1, "type": "invoke", "op": "get", "key": "k"}
{"process": 1, "type": "ok", "op": "get", "key": "k", "result": "ab"}
{"process": 0, "type": "info", "op": "append", "key": "k"}
{"process": 1, "type": "invoke", "op": "get", "key": "other"}
{"process": 1, "type": "ok", "op": "get", "key": "other", "result": ""}
"#;
    let kv = Kv::default();
    let r = verdict(&kv, h);
    assert!(r.linearizable());
    assert_eq!((r.keys, r.unknown), (2, 1));
    let kv = Kv::default();
    let r = verdict(&kv, &h.replace(r#""result": """#, r#""result": "a""#));
    assert_eq!(r.violation.unwrap().key.unwrap().to_string(), "\"other\"");
}

fn bad<S: Spec>(spec: &S, text: &str) -> BadInput {
    History::parse(spec, text, Format::detect(text))
        .err()
        .expect("bad input")
}

#[test]
fn bad_input_names_the_first_bad_line() {
    let ok = "{\"process\": 0, \"type\": \"invoke\", \"op\": \"read\"}\n";
    let cases: &[(&str, usize, &str)] = &[
        ("{\"process\": 0, \"type\": \"invoke\", \"op\": \"read\"\n", 1, "not JSON: EOF while parsing an object at line 1 column 45"),
        ("\n{\"process\": 0, \"type\": \"call\", \"op\": \"read\"}\n", 2, "type must be invoke, ok, fail or info, not \"call\""),
        ("{\"type\": \"invoke\", \"op\": \"read\"}\n", 1, "no process"),
        ("{\"process\": 0, \"type\": \"invoke\", \"op\": \"swap\"}\n", 1, "unknown operation \"swap\" (expected read, write, cas)"),
        ("{\"process\": 0, \"type\": \"invoke\"}\n", 1, "an invoke needs an operation name"),
        ("{\"process\": 0, \"type\": \"ok\", \"op\": \"read\"}\n", 1, "process 0 completes an operation it did not invoke"),
        ("{\"process\": 0, \"type\": \"invoke\", \"op\": \"read\"}\n{\"process\": 0, \"type\": \"invoke\", \"op\": \"read\"}\n", 2, "process 0 invokes again while its operation from line 1 is in flight"),
        ("{\"process\": 0, \"type\": \"invoke\", \"op\": \"read\"}\n{\"process\": 0, \"type\": \"ok\", \"op\": \"write\"}\n", 2, "process 0 completes write but invoked read"),
        ("{\"process\": 0, \"type\": \"invoke\", \"op\": \"cas\", \"args\": 1}\n", 1, "cas's argument must be a pair, not 1"),
        ("{:process 0, :type :invoke, :f :read}\n{:process 0, :type :ok, :f :read, :value [1}\n", 2, "unexpected '}'"),
    ];
    for &(text, line, message) in cases {
        assert_eq!(
            bad(&Cas, text),
            BadInput {
                line,
                message: message.into()
            },
            "{text}"
        );
    }
    // A bad line after a good one is named by its own number.
    let two = format!("{ok}{{\"process\": 1, \"type\": \"ok\"}}\n");
    assert_eq!(bad(&Cas, &two).line, 2);
}
