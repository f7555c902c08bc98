//! Reading trace files: bad lines are named, merged logs come out in causal order.

use worm_trace::{merge, parse_trace, ParseError, Role};

const PREPARE: &str = r#"{"lamport":1,"node":"c1","role":"client","step":"start","op":1,"addr":"1:0","seg":1,"msg_out":[{"to":"s0","msg":{"Prepare":{"addr":{"seg":1,"slot":{"Data":0}},"ballot":{"round":1,"client":1}}}}],"changed":{"done":null,"phase":{"Prepare":{"addr":{"seg":1,"slot":{"Data":0}},"ballot":{"client":1,"round":1},"fallback":null,"highest":null,"promises":[]}}}}"#;
const PROMISE: &str = r#"{"lamport":2,"node":"s0","role":"acceptor","step":"Prepare","addr":"1:0","seg":1,"from":"c1","msg_in":{"Prepare":{"addr":{"seg":1,"slot":{"Data":0}},"ballot":{"round":1,"client":1}}},"msg_out":[{"to":"c1","msg":{"Promise":{"addr":{"seg":1,"slot":{"Data":0}},"ballot":{"round":1,"client":1},"accepted":null}}}],"changed":{"promised":{"client":1,"round":1}}}"#;

fn err(text: &str) -> ParseError {
    parse_trace(text.as_bytes()).unwrap_err()
}

#[test]
fn events_parse_with_their_lines_and_blank_lines_are_skipped() {
    let events = parse_trace(format!("{PREPARE}\n\n{PROMISE}\n").as_bytes()).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!((events[0].line, events[1].line), (1, 3));
    assert_eq!(events[1].role, Role::Acceptor);
    assert_eq!(events[1].addr.unwrap().to_string(), "1:0");
    assert_eq!(events[1].changed.promised.unwrap().to_string(), "1.1");
}

#[test]
fn bad_lines_are_named_with_the_reason() {
    let e = err(&format!("{PREPARE}\nnot json\n"));
    assert_eq!(e.line, 2);
    assert!(e.msg.starts_with("not a trace event"), "{e}");
    let e = err(&PROMISE.replace("\"step\":\"Prepare\"", "\"step\":\"Accept\""));
    assert_eq!(
        e.to_string(),
        "line 1: acceptor step 'Accept' handles a Prepare message"
    );
    let e = err(&PROMISE.replace("\"addr\":\"1:0\"", "\"addr\":\"1-0\""));
    assert!(e.msg.contains("SEG:OFFSET"), "{e}");
    let e = err(&PREPARE.replace("\"op\":1,", ""));
    assert_eq!(e.msg, "client step without 'op'");
    let e = err(&PROMISE.replace("\"changed\":{", "\"changed\":{\"colour\":1,"));
    assert!(e.msg.contains("unknown field `colour`"), "{e}");
}

#[test]
fn merged_logs_sort_by_lamport_clock_then_node_and_keep_their_file() {
    let client = parse_trace(PREPARE.as_bytes()).unwrap();
    let server = parse_trace(PROMISE.as_bytes()).unwrap();
    let merged = merge(vec![server, client]);
    let order: Vec<(&str, usize)> = merged.iter().map(|e| (e.node.as_str(), e.file)).collect();
    assert_eq!(order, [("c1", 1), ("s0", 0)]);
}
