//! The values a history carries, whichever format it came in.
//!
//! JSON and EDN both read into [`Datum`], so each spec turns operation names, arguments and
//! results into its own types once, for both formats. Values only ever need equality (and an
//! order, so that spec states can be kept sorted), so numbers that are not integers keep the
//! text they were written as.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Datum {
    Nil,
    Bool(bool),
    Int(i64),
    /// A number that is not an `i64`, as written.
    Number(String),
    Str(String),
    /// An EDN keyword, without its colon.
    Keyword(String),
    /// An EDN symbol.
    Symbol(String),
    /// A JSON array, an EDN vector or list.
    List(Vec<Datum>),
    /// An EDN set, in the order written.
    Set(Vec<Datum>),
    /// A JSON object or an EDN map, in the order written.
    Map(Vec<(Datum, Datum)>),
}

impl Datum {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Datum::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Datum]> {
        match self {
            Datum::List(items) => Some(items),
            _ => None,
        }
    }

    /// The value under a map key given as a keyword (EDN) or a string (JSON).
    pub fn get(&self, name: &str) -> Option<&Datum> {
        let Datum::Map(entries) = self else {
            return None;
        };
        entries.iter().find_map(|(k, v)| match k {
            Datum::Keyword(k) | Datum::Str(k) if k == name => Some(v),
            _ => None,
        })
    }
}

impl Datum {
    /// As JSON: keywords and symbols become strings (`":ok"`), sets and lists arrays, and map
    /// keys their text.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Datum::Nil => Value::Null,
            Datum::Bool(b) => Value::Bool(*b),
            Datum::Int(i) => Value::from(*i),
            Datum::Str(s) | Datum::Number(s) | Datum::Symbol(s) => Value::from(s.as_str()),
            Datum::Keyword(k) => Value::from(format!(":{k}")),
            Datum::List(items) | Datum::Set(items) => items.iter().map(Datum::to_json).collect(),
            Datum::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let key = k.as_str().map_or_else(|| k.to_string(), str::to_string);
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }
}

impl From<serde_json::Value> for Datum {
    fn from(v: serde_json::Value) -> Self {
        use serde_json::Value;
        match v {
            Value::Null => Datum::Nil,
            Value::Bool(b) => Datum::Bool(b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Datum::Int(i),
                None => Datum::Number(n.to_string()),
            },
            Value::String(s) => Datum::Str(s),
            Value::Array(items) => Datum::List(items.into_iter().map(Datum::from).collect()),
            Value::Object(entries) => Datum::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (Datum::Str(k), Datum::from(v)))
                    .collect(),
            ),
        }
    }
}

/// Shown EDN-style, which reads well for both formats: `nil`, `"text"`, `[1 2]`.
impl fmt::Display for Datum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn seq(f: &mut fmt::Formatter<'_>, items: &[Datum]) -> fmt::Result {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{item}")?;
            }
            Ok(())
        }
        match self {
            Datum::Nil => f.write_str("nil"),
            Datum::Bool(b) => write!(f, "{b}"),
            Datum::Int(i) => write!(f, "{i}"),
            Datum::Number(n) | Datum::Symbol(n) => f.write_str(n),
            Datum::Str(s) => write!(f, "{s:?}"),
            Datum::Keyword(k) => write!(f, ":{k}"),
            Datum::List(items) => {
                f.write_str("[")?;
                seq(f, items)?;
                f.write_str("]")
            }
            Datum::Set(items) => {
                f.write_str("#{")?;
                seq(f, items)?;
                f.write_str("}")
            }
            Datum::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}
