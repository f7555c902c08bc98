//! A reader for Jepsen's EDN histories: one map per event, one event per line (as porcupine's
//! test data has it), or any layout of maps, also wrapped in one top-level vector or list (as
//! Knossos's test data has it).
//!
//! It reads the part of EDN that histories use: maps, vectors, lists, sets, strings, integers
//! and other numbers, keywords, symbols, `nil`, `true`, `false`, comments and `#_` discards.
//! A tagged literal (`#inst "..."`) reads as its form. Maps are read one at a time, so a history
//! is checked line by line and the first bad line is the one reported.

use super::datum::Datum;
use super::history::BadInput;

pub struct EdnReader<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
    /// Inside the one top-level vector or list that wraps the events, and its closing byte.
    wrapped: Option<u8>,
}

type Read<T> = Result<T, BadInput>;

impl<'a> EdnReader<'a> {
    pub fn new(text: &'a str) -> Self {
        EdnReader {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
            wrapped: None,
        }
    }

    /// The next top-level map and the line it starts on.
    pub fn next_map(&mut self) -> Option<Read<(usize, Datum)>> {
        loop {
            if let Err(e) = self.skip_blank() {
                return Some(Err(e));
            }
            let Some(&c) = self.text.get(self.pos) else {
                return self
                    .wrapped
                    .map(|_| Err(self.bad("the history's opening bracket is never closed")));
            };
            match (self.wrapped, c) {
                (None, b'[') | (None, b'(') => {
                    self.wrapped = Some(if c == b'[' { b']' } else { b')' });
                    self.pos += 1;
                }
                (Some(close), _) if c == close => {
                    self.wrapped = None;
                    self.pos += 1;
                }
                _ => {
                    let line = self.line;
                    return Some(match self.form() {
                        Ok(d @ Datum::Map(_)) => Ok((line, d)),
                        Ok(other) => Err(BadInput {
                            line,
                            message: format!("expected an event map, found {other}"),
                        }),
                        Err(e) => Err(e),
                    });
                }
            }
        }
    }

    fn bad(&self, message: impl Into<String>) -> BadInput {
        BadInput {
            line: self.line,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos += 1;
        if c == b'\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Skips whitespace, commas, comments and `#_` discarded forms.
    fn skip_blank(&mut self) -> Read<()> {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b',' => {
                    self.bump();
                }
                b';' => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.bump();
                    }
                }
                b'#' if self.text.get(self.pos + 1) == Some(&b'_') => {
                    self.pos += 2;
                    self.form()?;
                }
                _ => break,
            }
        }
        Ok(())
    }

    fn form(&mut self) -> Read<Datum> {
        self.skip_blank()?;
        let Some(c) = self.peek() else {
            return Err(self.bad("unexpected end of input"));
        };
        // Errors about a whole form (unclosed, odd map) name the line it starts on.
        let start = self.line;
        match c {
            b'{' => {
                self.bump();
                let items = self.seq(b'}', start)?;
                if items.len() % 2 != 0 {
                    return Err(BadInput {
                        line: start,
                        message: "a map needs an even number of forms".into(),
                    });
                }
                let mut entries = Vec::with_capacity(items.len() / 2);
                let mut items = items.into_iter();
                while let (Some(k), Some(v)) = (items.next(), items.next()) {
                    entries.push((k, v));
                }
                Ok(Datum::Map(entries))
            }
            b'[' | b'(' => {
                self.bump();
                Ok(Datum::List(
                    self.seq(if c == b'[' { b']' } else { b')' }, start)?,
                ))
            }
            b'#' => {
                self.bump();
                if self.peek() == Some(b'{') {
                    self.bump();
                    return Ok(Datum::Set(self.seq(b'}', start)?));
                }
                // A tagged literal: the tag is a symbol, then the form it tags.
                self.token();
                self.form()
            }
            b'"' => self.string(start),
            b'}' | b']' | b')' => Err(self.bad(format!("unexpected '{}'", c as char))),
            _ => self.atom(),
        }
    }

    /// Forms up to the closing byte; `start` is the line of the opening one.
    fn seq(&mut self, close: u8, start: usize) -> Read<Vec<Datum>> {
        let mut items = Vec::new();
        loop {
            self.skip_blank()?;
            match self.peek() {
                None => {
                    return Err(BadInput {
                        line: start,
                        message: format!("missing '{}'", close as char),
                    })
                }
                Some(c) if c == close => {
                    self.bump();
                    return Ok(items);
                }
                Some(_) => items.push(self.form()?),
            }
        }
    }

    fn string(&mut self, start: usize) -> Read<Datum> {
        self.bump();
        let mut bytes = Vec::new();
        loop {
            match self.bump() {
                None => {
                    return Err(BadInput {
                        line: start,
                        message: "unterminated string".into(),
                    })
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    let escaped = match self.bump() {
                        Some(b'n') => b'\n',
                        Some(b't') => b'\t',
                        Some(b'r') => b'\r',
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'u') => {
                            let hex = self.text.get(self.pos..self.pos + 4).unwrap_or_default();
                            let c = std::str::from_utf8(hex)
                                .ok()
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.bad("bad \\u escape in a string"))?;
                            self.pos += 4;
                            let mut buf = [0; 4];
                            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                            continue;
                        }
                        _ => return Err(self.bad("bad escape in a string")),
                    };
                    bytes.push(escaped);
                }
                Some(c) => bytes.push(c),
            }
        }
        String::from_utf8(bytes)
            .map(Datum::Str)
            .map_err(|_| self.bad("a string is not UTF-8"))
    }

    /// The bytes up to the next delimiter.
    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(|c| {
            !matches!(
                c,
                b' ' | b'\t'
                    | b'\r'
                    | b'\n'
                    | b','
                    | b'{'
                    | b'}'
                    | b'['
                    | b']'
                    | b'('
                    | b')'
                    | b'"'
                    | b';'
            )
        }) {
            self.pos += 1;
        }
        // Delimiters are ASCII, so the token ends on a character boundary.
        std::str::from_utf8(&self.text[start..self.pos]).unwrap_or_default()
    }

    fn atom(&mut self) -> Read<Datum> {
        let token = self.token();
        let number_start = |s: &str| s.bytes().next().is_some_and(|c| c.is_ascii_digit());
        Ok(match token {
            "nil" => Datum::Nil,
            "true" => Datum::Bool(true),
            "false" => Datum::Bool(false),
            _ if token.starts_with(':') && token.len() > 1 => {
                Datum::Keyword(token[1..].to_string())
            }
            _ if number_start(token.trim_start_matches(['-', '+'])) => {
                let int = token.strip_suffix('N').unwrap_or(token);
                match int.parse::<i64>() {
                    Ok(i) => Datum::Int(i),
                    Err(_) if token.parse::<f64>().is_ok() || token.ends_with(['N', 'M']) => {
                        Datum::Number(token.to_string())
                    }
                    Err(_) => return Err(self.bad(format!("bad number {token:?}"))),
                }
            }
            "" => {
                let c = self.peek().map(|c| c as char).unwrap_or(' ');
                return Err(self.bad(format!("unexpected {c:?}")));
            }
            _ => Datum::Symbol(token.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maps(text: &str) -> Vec<Read<(usize, String)>> {
        let mut r = EdnReader::new(text);
        std::iter::from_fn(|| r.next_map())
            .map(|m| m.map(|(line, d)| (line, d.to_string())))
            .collect()
    }

    #[test]
    fn reads_one_map_per_line() {
        let got = maps(
            "{:process 0, :type :invoke, :f :cas, :value [1 2]}\n\
             ; a comment\n\
             {:process 0, :type :ok, :f :read, :value nil, :x #{1} :y -3 :z 1.5 :s \"a\\\"b\"}\n",
        );
        assert_eq!(
            got,
            [
                Ok((1, "{:process 0, :type :invoke, :f :cas, :value [1 2]}".into())),
                Ok((
                    3,
                    "{:process 0, :type :ok, :f :read, :value nil, :x #{1}, :y -3, :z 1.5, :s \"a\\\"b\"}"
                        .into()
                ))
            ]
        );
    }

    #[test]
    fn reads_maps_wrapped_in_one_vector() {
        let got = maps("[{:a 1}\n #_{:skipped 1} {:b #inst \"2024\"}\n]\n");
        assert_eq!(
            got,
            [Ok((1, "{:a 1}".into())), Ok((2, "{:b \"2024\"}".into()))]
        );
    }

    #[test]
    fn names_the_bad_line() {
        let got = maps("{:a 1}\n{:a\n 1 :b}\n");
        assert_eq!(got[0], Ok((1, "{:a 1}".into())));
        assert_eq!(
            got[1],
            Err(BadInput {
                line: 2,
                message: "a map needs an even number of forms".into()
            })
        );
        assert_eq!(
            maps("{:a \"open}\n")[0],
            Err(BadInput {
                line: 1,
                message: "unterminated string".into()
            })
        );
        assert_eq!(
            maps("{:a 1}\n:b\n")[1],
            Err(BadInput {
                line: 2,
                message: "expected an event map, found :b".into()
            })
        );
    }
}
