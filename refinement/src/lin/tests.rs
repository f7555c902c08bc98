//! The search and the sub-histories against a brute-force checker, on random small histories.

use super::specs::kv::{KvOp, KvRet};
use super::specs::{Cas, Kv, Spec};
use super::wgl::Call;
use super::{check, Datum, Format, History, Operation, Role};

/// Tries every order: an operation may come next if no remaining operation with a known
/// outcome returned before it was invoked; operations of unknown outcome may also never come.
fn brute<S: Spec>(spec: &S, state: &S::State, ops: &[Call<S>], done: &mut [bool]) -> bool {
    let remaining: Vec<usize> = (0..ops.len()).filter(|&i| !done[i]).collect();
    if remaining.iter().all(|&i| ops[i].output.is_none()) {
        return true;
    }
    for &i in &remaining {
        let blocked = remaining
            .iter()
            .any(|&j| ops[j].ret.is_some_and(|r| r < ops[i].call));
        if blocked {
            continue;
        }
        if let Some(next) = spec.step(state, ops[i].input, ops[i].output) {
            done[i] = true;
            let ok = brute(spec, &next, ops, done);
            done[i] = false;
            if ok {
                return true;
            }
        }
    }
    false
}

/// The brute force on a key's operations, with the results `known` says are known.
fn brute_history<S: Spec>(spec: &S, ops: &[&Operation<S>], known: impl Fn(usize) -> bool) -> bool {
    let view: Vec<Call<S>> = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let k = known(i) && op.output.is_some();
            Call {
                input: &op.input,
                output: if k { op.output.as_ref() } else { None },
                call: op.call,
                ret: if k { op.ret } else { None },
            }
        })
        .collect();
    brute(spec, &spec.init(), &view, &mut vec![false; view.len()])
}

/// SplitMix64, for reproducible random histories without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// A random EDN history of `n` events by three processes on one or two keys; `op` draws an
/// invoke's `:f` and `:value`, `result` an `:ok`'s `:value`.
fn random_history(
    rng: &mut Rng,
    n: usize,
    op: impl Fn(&mut Rng) -> (&'static str, String),
    result: impl Fn(&mut Rng, &str) -> String,
) -> String {
    let mut in_flight: [Option<(&str, u64)>; 3] = [None; 3];
    let mut text = String::new();
    for _ in 0..n {
        let p = rng.below(3) as usize;
        let line = match in_flight[p].take() {
            None => {
                let (f, value) = op(rng);
                let key = rng.below(2);
                in_flight[p] = Some((f, key));
                format!("{{:process {p}, :type :invoke, :f :{f}, :key {key}, :value {value}}}")
            }
            Some((f, key)) => {
                let (kind, value) = match rng.below(8) {
                    0 => (":fail", "nil".to_string()),
                    1 => (":info", "nil".to_string()),
                    _ => (":ok", result(rng, f)),
                };
                format!("{{:process {p}, :type {kind}, :f :{f}, :key {key}, :value {value}}}")
            }
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// The checker and the brute force agree on every history; every sub-history shown for a
/// violation has no linearization either, and ends with one `Last` return.
fn agree<S: Spec>(spec: &S, text: &str) -> bool {
    let history = History::parse(spec, text, Format::Edn).expect("well formed");
    let report = check(spec, &history);
    let keys: Vec<Option<Datum>> = [0, 1].map(|k| Some(Datum::Int(k))).into();
    let brute_verdict = keys.iter().all(|key| {
        let ops: Vec<&Operation<S>> = history.ops.iter().filter(|op| op.key == *key).collect();
        brute_history(spec, &ops, |_| true)
    });
    assert_eq!(report.linearizable(), brute_verdict, "{text}");
    if let Some(v) = &report.violation {
        let ops: Vec<&Operation<S>> = history.ops.iter().filter(|op| op.key == v.key).collect();
        let shown: Vec<&Operation<S>> = ops
            .iter()
            .copied()
            .filter(|op| v.ops.iter().any(|s| s.call_line == op.call_line))
            .collect();
        assert_eq!(shown.len(), v.ops.len());
        let known: Vec<bool> = v
            .ops
            .iter()
            .map(|s| matches!(s.role, Role::Result | Role::Last))
            .collect();
        assert!(!brute_history(spec, &shown, |i| known[i]), "{text}\n{v}");
        assert_eq!(v.ops.iter().filter(|s| s.role == Role::Last).count(), 1);
    }
    brute_verdict
}

#[test]
fn cas_agrees_with_brute_force() {
    let value = |rng: &mut Rng| match rng.below(3) {
        0 => "nil".to_string(),
        v => v.to_string(),
    };
    let mut linearizable = 0;
    for seed in 0..3000 {
        let mut rng = Rng(seed);
        let text = random_history(
            &mut rng,
            14,
            |rng| match rng.below(3) {
                0 => ("read", "nil".into()),
                1 => ("write", (1 + rng.below(2)).to_string()),
                _ => ("cas", format!("[{} {}]", value(rng), 1 + rng.below(2))),
            },
            |rng, f| {
                if f == "read" {
                    value(rng)
                } else {
                    "nil".into()
                }
            },
        );
        linearizable += agree(&Cas, &text) as usize;
    }
    // Both verdicts are well represented.
    assert!((300..2700).contains(&linearizable), "{linearizable}");
}

/// The key-value spec as porcupine writes it: the value is a string, spelt out.
struct NaiveKv(Kv);

impl Spec for NaiveKv {
    type Input = KvOp;
    type Output = KvRet;
    type State = String;

    fn init(&self) -> String {
        String::new()
    }

    fn input(&self, op: &str, args: &Datum) -> Result<Self::Input, String> {
        self.0.input(op, args)
    }

    fn output(&self, input: &Self::Input, result: &Datum) -> Result<Self::Output, String> {
        self.0.output(input, result)
    }

    fn step(&self, state: &String, input: &KvOp, output: Option<&KvRet>) -> Option<String> {
        match (input, output) {
            (KvOp::Get, Some(KvRet::Value(v))) => (v.as_str() == state).then(|| state.clone()),
            (KvOp::Get, _) => Some(state.clone()),
            (KvOp::Put(v), _) => Some(v.as_str().to_string()),
            (KvOp::Append(v), _) => Some(format!("{state}{}", v.as_str())),
        }
    }

    fn unknown_is_moot(&self, input: &Self::Input) -> bool {
        self.0.unknown_is_moot(input)
    }
}

#[test]
fn kv_strings_by_number_agree_with_strings_spelt_out() {
    let piece =
        |rng: &mut Rng| ["\"\"", "\"a\"", "\"b\"", "\"ab\""][rng.below(4) as usize].to_string();
    let result = |rng: &mut Rng, f: &str| {
        let got = ["\"\"", "\"a\"", "\"ab\"", "\"aab\"", "\"b\"", "\"abab\""];
        if f == "get" {
            got[rng.below(6) as usize].to_string()
        } else {
            "nil".into()
        }
    };
    let mut linearizable = 0;
    for seed in 0..2000 {
        let mut rng = Rng(seed);
        let text = random_history(
            &mut rng,
            14,
            |rng| match rng.below(3) {
                0 => ("get", "nil".into()),
                1 => ("put", piece(rng)),
                _ => ("append", piece(rng)),
            },
            result,
        );
        let numbered = agree(&Kv::default(), &text);
        assert_eq!(numbered, agree(&NaiveKv(Kv::default()), &text), "{text}");
        linearizable += numbered as usize;
    }
    assert!((300..1700).contains(&linearizable), "{linearizable}");
}
