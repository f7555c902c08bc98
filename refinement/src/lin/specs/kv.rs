//! One key of a key-value store, as porcupine's kv model has it: the value starts as the empty
//! string; `get` returns it, `put(v)` sets it, `append(v)` appends `v` to it.
//!
//! In a history: `get` takes no arguments and returns a string; `put` and `append` take a
//! string and return nothing worth checking.

use super::super::fx::FxBuild;
use super::{no_args, string, unknown_op, Datum, Spec};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// The spec numbers every string it meets (values in the history, and the values appends
/// make), one number per distinct string, so that a state is a number: the search compares,
/// hashes and copies numbers. Parse a history and check it with the same `Kv`.
///
/// A string made by appends is never spelt out: it is its prefix's number and the piece
/// appended, with its length and a polynomial hash computed from the prefix's, so a new state
/// costs a few arithmetic operations however long the value grows. Two strings with the same
/// length and hash are compared in full before they share a number, so equal numbers always
/// mean equal strings.
#[derive(Default)]
pub struct Kv {
    strings: RefCell<Strings>,
}

/// The polynomial hash: `h(s) = sum of s[i] * BASE^(len - 1 - i)` modulo the prime `2^61 - 1`,
/// so that `h(a + b) = h(a) * BASE^len(b) + h(b)`.
const MODULUS: u64 = (1 << 61) - 1;
const BASE: u64 = 0x1f3d_5b79_a2c4_e6f1 % MODULUS;

fn mul_mod(a: u64, b: u64) -> u64 {
    ((a as u128 * b as u128) % MODULUS as u128) as u64
}

/// The hash of a piece and `BASE^len`, to append it in constant time.
fn piece_hash(s: &str) -> (u64, u64) {
    s.bytes().fold((0, 1), |(h, pow), b| {
        (
            (mul_mod(h, BASE) + b as u64 + 1) % MODULUS,
            mul_mod(pow, BASE),
        )
    })
}

const NONE: u32 = u32::MAX;

/// A distinct string: `parent`'s string followed by piece `piece`.
struct Node {
    parent: u32,
    piece: u32,
    len: usize,
    hash: u64,
    /// The next node with the same length and hash (a collision), or `NONE`.
    same: u32,
}

struct Piece {
    text: Rc<str>,
    hash: u64,
    pow: u64,
    /// The node of the piece on its own.
    node: u32,
}

#[derive(Default)]
struct Strings {
    pieces: Vec<Piece>,
    piece_ids: HashMap<Rc<str>, u32, FxBuild>,
    nodes: Vec<Node>,
    /// (length, hash) to the first node with them.
    by_content: HashMap<(usize, u64), u32, FxBuild>,
    /// (node, piece) to the node of the string with the piece appended.
    appended: HashMap<(u32, u32), u32, FxBuild>,
}

impl Strings {
    /// The number of a string of the history, as a piece.
    fn piece(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.piece_ids.get(s) {
            return id;
        }
        let id = self.pieces.len() as u32;
        let text: Rc<str> = Rc::from(s);
        let (hash, pow) = piece_hash(s);
        self.pieces.push(Piece {
            text: text.clone(),
            hash,
            pow,
            node: NONE,
        });
        self.piece_ids.insert(text, id);
        self.pieces[id as usize].node = self.node(NONE, id);
        id
    }

    /// The node of `parent`'s string followed by `piece`: an existing node with the same
    /// string, or a new one.
    fn node(&mut self, parent: u32, piece: u32) -> u32 {
        let p = &self.pieces[piece as usize];
        let (len, hash) = match self.nodes.get(parent as usize) {
            Some(n) => (
                n.len + p.text.len(),
                (mul_mod(n.hash, p.pow) + p.hash) % MODULUS,
            ),
            None => (p.text.len(), p.hash),
        };
        let first = self.by_content.get(&(len, hash)).copied().unwrap_or(NONE);
        let mut same = first;
        while same != NONE {
            if self.spell(same) == self.spell_parts(parent, piece) {
                return same;
            }
            same = self.nodes[same as usize].same;
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            parent,
            piece,
            len,
            hash,
            same: first,
        });
        self.by_content.insert((len, hash), id);
        id
    }

    fn append(&mut self, to: u32, piece: u32) -> u32 {
        if let Some(&id) = self.appended.get(&(to, piece)) {
            return id;
        }
        let id = self.node(to, piece);
        self.appended.insert((to, piece), id);
        id
    }

    /// A node's string, spelt out (only to tell apart strings of equal length and hash).
    fn spell(&self, node: u32) -> String {
        let n = &self.nodes[node as usize];
        self.spell_parts(n.parent, n.piece)
    }

    fn spell_parts(&self, parent: u32, piece: u32) -> String {
        let mut pieces = vec![piece];
        let mut at = parent;
        while at != NONE {
            let n = &self.nodes[at as usize];
            pieces.push(n.piece);
            at = n.parent;
        }
        pieces
            .iter()
            .rev()
            .map(|&p| &*self.pieces[p as usize].text)
            .collect()
    }
}

/// A string of the history, with its numbers as a piece and as a state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    piece: u32,
    state: u32,
    text: Rc<str>,
}

impl Text {
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvOp {
    Get,
    Put(Text),
    Append(Text),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvRet {
    Value(Text),
    Done,
}

impl fmt::Display for KvOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvOp::Get => write!(f, "get"),
            KvOp::Put(v) => write!(f, "put({v})"),
            KvOp::Append(v) => write!(f, "append({v})"),
        }
    }
}

impl fmt::Display for KvRet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvRet::Value(v) => write!(f, "{v}"),
            KvRet::Done => write!(f, "ok"),
        }
    }
}

impl Kv {
    fn text(&self, value: &Datum, what: &str) -> Result<Text, String> {
        let s = string(value, what)?;
        let mut strings = self.strings.borrow_mut();
        let piece = strings.piece(&s);
        let p = &strings.pieces[piece as usize];
        Ok(Text {
            piece,
            state: p.node,
            text: p.text.clone(),
        })
    }
}

impl Spec for Kv {
    type Input = KvOp;
    type Output = KvRet;
    /// The number of the value's string.
    type State = u32;

    fn init(&self) -> u32 {
        let mut strings = self.strings.borrow_mut();
        let empty = strings.piece("");
        strings.pieces[empty as usize].node
    }

    fn input(&self, op: &str, args: &Datum) -> Result<KvOp, String> {
        match op {
            // Jepsen writes `:value nil` on a read's invoke.
            "get" => no_args(op, args).map(|()| KvOp::Get),
            "put" => self.text(args, "put's value").map(KvOp::Put),
            "append" => self.text(args, "append's value").map(KvOp::Append),
            _ => Err(unknown_op(op, &["get", "put", "append"])),
        }
    }

    fn output(&self, input: &KvOp, result: &Datum) -> Result<KvRet, String> {
        match input {
            KvOp::Get => self.text(result, "get's result").map(KvRet::Value),
            KvOp::Put(_) | KvOp::Append(_) => Ok(KvRet::Done),
        }
    }

    fn step(&self, state: &u32, input: &KvOp, output: Option<&KvRet>) -> Option<u32> {
        match (input, output) {
            (KvOp::Get, Some(KvRet::Value(v))) => (*state == v.state).then_some(*state),
            (KvOp::Get, _) => Some(*state),
            (KvOp::Put(v), _) => Some(v.state),
            (KvOp::Append(v), _) => Some(self.strings.borrow_mut().append(*state, v.piece)),
        }
    }

    fn unknown_is_moot(&self, input: &KvOp) -> bool {
        *input == KvOp::Get
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps() {
        let kv = Kv::default();
        let s = kv.init();
        let text = |v: &str| Datum::Str(v.into());
        let get = |v: &str| kv.output(&KvOp::Get, &text(v)).unwrap();
        let put_a = kv.input("put", &text("a")).unwrap();
        let append_b = kv.input("append", &text("b")).unwrap();
        assert_eq!(kv.step(&s, &KvOp::Get, Some(&get(""))), Some(s));
        assert_eq!(kv.step(&s, &KvOp::Get, Some(&get("a"))), None);
        let s = kv.step(&s, &put_a, None).unwrap();
        let s = kv.step(&s, &append_b, Some(&KvRet::Done)).unwrap();
        assert_eq!(kv.step(&s, &KvOp::Get, Some(&get("ab"))), Some(s));
        assert_eq!(kv.step(&s, &KvOp::Get, Some(&get("a"))), None);
        let again = kv.step(&kv.init(), &kv.input("put", &text("ab")).unwrap(), None);
        assert_eq!(again, Some(s), "one string, one state, however it was made");
        let a_b = kv.step(&kv.init(), &kv.input("append", &text("a")).unwrap(), None);
        let a_b = kv.step(&a_b.unwrap(), &append_b, None);
        assert_eq!(a_b, Some(s), "append(a) then append(b) too");
        assert!(kv.unknown_is_moot(&KvOp::Get));
        assert!(!kv.unknown_is_moot(&append_b));
    }

    #[test]
    fn reads_operations() {
        let kv = Kv::default();
        assert_eq!(
            kv.input("append", &Datum::Str("x".into()))
                .unwrap()
                .to_string(),
            "append(\"x\")"
        );
        assert_eq!(
            kv.input("put", &Datum::Int(1)),
            Err("put's value must be a string, not 1".into())
        );
        assert_eq!(
            kv.input("cas", &Datum::Nil),
            Err("unknown operation \"cas\" (expected get, put, append)".into())
        );
        assert_eq!(
            kv.output(&KvOp::Get, &Datum::Nil),
            Err("get's result must be a string, not nil".into())
        );
    }
}
