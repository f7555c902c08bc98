//! The parts of a TLC configuration file that `worm tlc` reads: the constants (to build the
//! same configuration of the stateright model) and the names of the checked properties (to
//! name the one TLC reports violated).

use std::collections::BTreeMap;

/// A configuration file, as far as `worm tlc` needs it.
#[derive(Debug, Default)]
pub struct Cfg {
    /// `NAME = value` under `CONSTANTS`, values as written.
    constants: BTreeMap<String, String>,
    /// The names under `INVARIANT(S)` and `PROPERTY(IES)`.
    pub invariants: Vec<String>,
    pub properties: Vec<String>,
}

impl Cfg {
    /// Parses the subset of TLC's configuration language this project uses: `\*` comments,
    /// `CONSTANT(S)` with `NAME = value` lines, and sections of names.
    pub fn parse(text: &str) -> Result<Cfg, String> {
        let mut cfg = Cfg::default();
        let mut section = "";
        for (number, line) in text.lines().enumerate() {
            let line = line.split("\\*").next().unwrap_or("").trim();
            let mut words = line.split_whitespace();
            let Some(first) = words.next() else { continue };
            let rest: Vec<&str> = match first {
                "CONSTANT" | "CONSTANTS" | "INVARIANT" | "INVARIANTS" | "PROPERTY"
                | "PROPERTIES" | "SPECIFICATION" | "INIT" | "NEXT" | "SYMMETRY" | "CONSTRAINT"
                | "CONSTRAINTS" | "VIEW" => {
                    section = first;
                    words.collect()
                }
                _ => line.split_whitespace().collect(),
            };
            match section {
                "CONSTANT" | "CONSTANTS" if !rest.is_empty() => {
                    let assignment = rest.join(" ");
                    let (name, value) = assignment
                        .split_once('=')
                        .ok_or_else(|| format!("line {}: expected NAME = value", number + 1))?;
                    cfg.constants
                        .insert(name.trim().to_string(), value.trim().to_string());
                }
                "INVARIANT" | "INVARIANTS" => {
                    cfg.invariants.extend(rest.iter().map(|s| s.to_string()))
                }
                "PROPERTY" | "PROPERTIES" => {
                    cfg.properties.extend(rest.iter().map(|s| s.to_string()))
                }
                _ => {}
            }
        }
        Ok(cfg)
    }

    fn raw(&self, name: &str) -> Result<&str, String> {
        self.constants
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("the configuration sets no constant {name}"))
    }

    pub fn int(&self, name: &str) -> Result<i64, String> {
        let raw = self.raw(name)?;
        raw.parse()
            .map_err(|_| format!("constant {name} = {raw} is not an integer"))
    }

    pub fn usize(&self, name: &str) -> Result<usize, String> {
        let n = self.int(name)?;
        usize::try_from(n).map_err(|_| format!("constant {name} = {n} is negative"))
    }

    pub fn bool(&self, name: &str) -> Result<bool, String> {
        match self.raw(name)? {
            "TRUE" => Ok(true),
            "FALSE" => Ok(false),
            raw => Err(format!("constant {name} = {raw} is not TRUE or FALSE")),
        }
    }

    pub fn string(&self, name: &str) -> Result<&str, String> {
        let raw = self.raw(name)?;
        raw.strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .ok_or_else(|| format!("constant {name} = {raw} is not a string"))
    }

    /// A set of strings without commas, `{"a", "b"}`.
    pub fn string_set(&self, name: &str) -> Result<Vec<String>, String> {
        let raw = self.raw(name)?;
        let inner = raw
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .ok_or_else(|| format!("constant {name} = {raw} is not a set"))?;
        inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .map(String::from)
                    .ok_or_else(|| format!("constant {name}: {s} is not a string"))
            })
            .collect()
    }

    /// The bug whose `BOOLEAN` constant is `TRUE`, if any, of `(bug, constant)` pairs: the
    /// stateright models take one bug at a time.
    pub fn bug<B: Copy + std::fmt::Debug, S: AsRef<str>>(
        &self,
        constants: impl IntoIterator<Item = (B, S)>,
    ) -> Result<Option<B>, String> {
        let mut bugs = Vec::new();
        for (bug, constant) in constants {
            if self.bool(constant.as_ref())? {
                bugs.push(bug);
            }
        }
        match bugs[..] {
            [] => Ok(None),
            [bug] => Ok(Some(bug)),
            _ => Err(format!(
                "the stateright model takes one bug at a time, not {bugs:?}"
            )),
        }
    }

    /// A set of integers, `{1, 2, 3}`.
    pub fn int_set(&self, name: &str) -> Result<Vec<i64>, String> {
        let raw = self.raw(name)?;
        let inner = raw
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .ok_or_else(|| format!("constant {name} = {raw} is not a set"))?;
        inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| format!("constant {name}: {s} is not an integer"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_constants_and_checked_names() {
        let cfg = Cfg::parse(
            "\\* a comment\nCONSTANTS\n    N = 3\n    Network = \"ordered\" \\* why\n    \
             Lossy = FALSE\n    Ballot = {3, 4, 5}\n    S = {\"A1 x\", \"B1 y\"}\nSPECIFICATION Spec\nINVARIANT A B\n\
             PROPERTY P\n    Q\n",
        )
        .unwrap();
        assert_eq!(cfg.usize("N"), Ok(3));
        assert_eq!(cfg.string("Network"), Ok("ordered"));
        assert_eq!(cfg.bool("Lossy"), Ok(false));
        assert_eq!(cfg.int_set("Ballot"), Ok(vec![3, 4, 5]));
        assert_eq!(cfg.string_set("S"), Ok(vec!["A1 x".into(), "B1 y".into()]));
        assert_eq!(cfg.invariants, ["A", "B"]);
        assert_eq!(cfg.properties, ["P", "Q"]);
        assert!(cfg.bool("N").unwrap_err().contains("N = 3"));
        assert!(cfg.int("Missing").unwrap_err().contains("Missing"));
    }

    #[test]
    fn at_most_one_bug_constant_is_true() {
        let cfg = Cfg::parse("CONSTANTS\n    A = TRUE\n    B = FALSE\n    C = TRUE\n").unwrap();
        assert_eq!(cfg.bug([(1, "B")]), Ok(None));
        assert_eq!(cfg.bug([(1, "A"), (2, "B")]), Ok(Some(1)));
        let two = cfg.bug([(1, "A"), (3, "C")]).unwrap_err();
        assert!(two.contains("one bug at a time"), "{two}");
        assert!(cfg.bug([(1, "D")]).is_err());
    }
}
