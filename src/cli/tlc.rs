//! `worm tlc`: TLC on the TLA+ specs in `tla/`, and the cross-check against stateright.
//!
//! A spec is a root module `tla/<Module>.tla` with its configurations in
//! `tla/<Module>/<name>.cfg`. A spec may have a stateright counterpart: a check of the same
//! configuration (read from the configuration's constants). `--cross-check` runs both and
//! compares their verdicts, and, where the spec mirrors the model state for state, their state
//! counts and depths. Adding a model's spec is a row in [`SPECS`] and a counterpart function.

mod ado;
mod ado_apps;
mod caspaxos;
mod cfg;
mod runner;
mod wor;
mod wos;

use super::check::Outcome;
use super::Error;
pub use caspaxos::mirror_check as caspaxos_mirror_check;
use cfg::Cfg;
use clap::Args;
use runner::TlcOutcome;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
pub use wor::mirror_check as wor_mirror_check;

/// A TLA+ spec of the repository.
#[derive(Debug)]
pub struct TlaSpec {
    /// Its name on the command line.
    pub name: &'static str,
    /// The root module, `tla/<module>.tla`.
    pub module: &'static str,
    pub about: &'static str,
    pub counterpart: Option<Counterpart>,
}

/// The stateright check that a spec's configurations are compared with.
#[derive(Debug)]
pub struct Counterpart {
    pub name: &'static str,
    /// The spec describes the same state machine as the model, so TLC's distinct states and
    /// depth must equal stateright's unique states and depth (when neither finds a violation).
    pub mirrored: bool,
    pub run: fn(&Cfg) -> Result<Outcome, String>,
}

pub const SPECS: &[TlaSpec] = &[
    TlaSpec {
        name: "wor",
        module: "Wor",
        about: "the WOR protocol, state for state the stateright model without history",
        counterpart: Some(Counterpart {
            name: "wor mirror",
            mirrored: true,
            run: wor::mirror,
        }),
    },
    TlaSpec {
        name: "wor-votes",
        module: "WorVotes",
        about: "the WOR protocol with ghost votes, refining WorSpec (and Consensus)",
        counterpart: Some(Counterpart {
            name: "wor (history and refinement check)",
            mirrored: false,
            run: wor::full,
        }),
    },
    TlaSpec {
        name: "wor-spec",
        module: "WorSpec",
        about: "the abstract WOR, refining Consensus",
        counterpart: Some(Counterpart {
            name: "wor spec model",
            mirrored: true,
            run: wor::spec,
        }),
    },
    TlaSpec {
        name: "caspaxos",
        module: "CASPaxos",
        about: "the CASPaxos core and operator (membership change, GC), state for state the stateright model without history",
        counterpart: Some(Counterpart {
            name: "caspaxos mirror",
            mirrored: true,
            run: caspaxos::mirror,
        }),
    },
    TlaSpec {
        name: "caspaxos-chain",
        module: "CASPaxosChain",
        about: "the CASPaxos core and operator with the ghost chain and lineages, refining CASRegister",
        counterpart: Some(Counterpart {
            name: "caspaxos (history and refinement check)",
            mirrored: false,
            run: caspaxos::full,
        }),
    },
    TlaSpec {
        name: "wos",
        module: "Wos",
        about: "the WOS protocol (alloc, batches, trim, notifications, partitions) with its history, refining WosSpec",
        counterpart: Some(Counterpart {
            name: "wos (history and refinement check)",
            mirrored: false,
            run: wos::full,
        }),
    },
    TlaSpec {
        name: "wos-mirror",
        module: "WosMirror",
        about: "the WOS protocol of Wos.tla seen without its history, state for state the stateright model without history",
        counterpart: Some(Counterpart {
            name: "wos mirror",
            mirrored: true,
            run: wos::mirror,
        }),
    },
    TlaSpec {
        name: "wos-spec",
        module: "WosSpec",
        about: "the abstract address space of write-once segments, a WorSpec per address",
        counterpart: Some(Counterpart {
            name: "wos spec model",
            mirrored: true,
            run: wos::spec,
        }),
    },
    TlaSpec {
        name: "ado",
        module: "Ado",
        about: "the ADO with free callers (pull, invoke, push), state for state the stateright model, refining AdoLog",
        counterpart: Some(Counterpart {
            name: "ado (free callers)",
            mirrored: true,
            run: ado::free,
        }),
    },
    TlaSpec {
        name: "ado-apps",
        module: "AdoApps",
        about: "the ADO apps (KVLock, 2PC, DLock, KV, DVec, KVLockFree) on the ADO core, state for state the stateright app model, refining KVLockSpec and TCommit",
        counterpart: Some(Counterpart {
            name: "ado app model",
            mirrored: true,
            run: ado_apps::apps,
        }),
    },
];

fn spec_named(name: &str) -> Result<&'static TlaSpec, String> {
    SPECS.iter().find(|s| s.name == name).ok_or_else(|| {
        let names: Vec<_> = SPECS.iter().map(|s| s.name).collect();
        format!(
            "unknown TLA+ spec {name:?} (expected one of: {})",
            names.join(", ")
        )
    })
}

#[derive(Args, Debug, Clone)]
pub struct TlcArgs {
    /// The spec: wor, wor-votes, wor-spec, caspaxos, caspaxos-chain, .. (see `worm list`).
    #[arg(value_parser = spec_named)]
    pub spec: &'static TlaSpec,
    /// The configuration, tla/<Module>/<NAME>.cfg [default: default]
    #[arg(long, conflicts_with = "all")]
    pub config: Option<String>,
    /// Every configuration of the spec, in name order.
    #[arg(long)]
    pub all: bool,
    /// Also check the configuration with stateright, and compare verdicts (and state counts
    /// and depths where the spec mirrors the model); exit 1 if they differ.
    #[arg(long)]
    pub cross_check: bool,
    /// TLC worker threads.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: u16,
    /// Print one JSON object per configuration.
    #[arg(long)]
    pub json: bool,
}

/// The configurations of a spec, by name.
pub fn configs(spec: &TlaSpec) -> Result<Vec<String>, String> {
    let dir = runner::tla_dir().join(spec.module);
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            (path.extension()? == "cfg").then(|| path.file_stem()?.to_str().map(String::from))?
        })
        .collect();
    names.sort();
    Ok(names)
}

/// One configuration checked: TLC's outcome, and stateright's with the comparison.
#[derive(Serialize)]
struct Report {
    spec: &'static str,
    module: &'static str,
    config: String,
    tlc: TlcOutcome,
    stateright: Option<Outcome>,
    /// With `--cross-check`: whether the two agree, and if not, how they differ.
    disagreement: Option<Vec<String>>,
}

impl Report {
    fn tlc_line(&self) -> String {
        let t = &self.tlc;
        let counts = format!(
            "{} distinct states, {} states generated, depth {}, {:.2} s",
            t.distinct_states, t.states_generated, t.depth, t.seconds
        );
        match &t.violation {
            None => format!("tlc {} {}: OK, {counts}", self.spec, self.config),
            Some(v) => format!(
                "tlc {} {}: VIOLATION of \"{}\" after {counts} (counterexample of {} states in {})",
                self.spec,
                self.config,
                v.property,
                v.trace_states,
                t.log.display()
            ),
        }
    }

    fn print(&self, json: bool) {
        if json {
            println!(
                "{}",
                serde_json::to_string(self).expect("reports serialize")
            );
            return;
        }
        println!("{}", self.tlc_line());
        if let Some(sr) = &self.stateright {
            println!("stateright {}", sr.summary());
            match self.disagreement.as_deref() {
                Some([]) => println!(
                    "cross-check {} {}: agree ({}); stateright {:.1}x faster",
                    self.spec,
                    self.config,
                    self.agreement(sr),
                    self.tlc.seconds / sr.seconds.max(1e-6)
                ),
                Some(diffs) => println!(
                    "cross-check {} {}: DISAGREE: {}",
                    self.spec,
                    self.config,
                    diffs.join("; ")
                ),
                None => {}
            }
        }
    }

    /// What the two agree on, in words.
    fn agreement(&self, sr: &Outcome) -> String {
        let verdict = if sr.violation.is_some() {
            "both find a violation"
        } else {
            "both OK"
        };
        if self.mirrored() && sr.violation.is_none() {
            format!(
                "{verdict}, {} states and depth {} each",
                sr.unique_states, sr.depth
            )
        } else {
            verdict.to_string()
        }
    }

    fn mirrored(&self) -> bool {
        spec_named(self.spec)
            .ok()
            .and_then(|s| s.counterpart.as_ref())
            .is_some_and(|c| c.mirrored)
    }
}

/// How TLC and stateright differ on one configuration (nothing if they agree).
fn compare(tlc: &TlcOutcome, sr: &Outcome, mirrored: bool) -> Vec<String> {
    let mut diffs = Vec::new();
    match (&tlc.violation, &sr.violation) {
        (None, Some(v)) => diffs.push(format!(
            "TLC finds no violation, stateright violates \"{}\"",
            v.property
        )),
        (Some(v), None) => diffs.push(format!(
            "TLC violates \"{}\", stateright finds no violation",
            v.property
        )),
        (None, None) if mirrored => {
            if tlc.distinct_states != sr.unique_states as u64 {
                diffs.push(format!(
                    "TLC {} distinct states, stateright {} unique states",
                    tlc.distinct_states, sr.unique_states
                ));
            }
            if tlc.depth != sr.depth as u64 {
                diffs.push(format!(
                    "TLC depth {}, stateright depth {}",
                    tlc.depth, sr.depth
                ));
            }
        }
        _ => {}
    }
    diffs
}

fn check_one(spec: &'static TlaSpec, config: &str, args: &TlcArgs) -> Result<Report, Error> {
    let available = configs(spec).map_err(Error::Usage)?;
    if !available.iter().any(|c| c == config) {
        return Err(Error::Usage(format!(
            "{} has no configuration {config:?} (expected one of: {})",
            spec.name,
            available.join(", ")
        )));
    }
    let path: PathBuf = runner::tla_dir()
        .join(spec.module)
        .join(format!("{config}.cfg"));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    let cfg = Cfg::parse(&text).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    let mut names = cfg.invariants.clone();
    names.extend(cfg.properties.iter().cloned());
    let tlc = runner::run(spec.module, config, &path, args.workers.into(), &names)
        .map_err(Error::Usage)?;
    let (stateright, disagreement) = match (&spec.counterpart, args.cross_check) {
        (Some(cp), true) => {
            let sr =
                (cp.run)(&cfg).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
            let diffs = compare(&tlc, &sr, cp.mirrored);
            (Some(sr), Some(diffs))
        }
        (None, true) => {
            return Err(Error::Usage(format!(
                "{} has no stateright counterpart to cross-check",
                spec.name
            )))
        }
        (_, false) => (None, None),
    };
    Ok(Report {
        spec: spec.name,
        module: spec.module,
        config: config.to_string(),
        tlc,
        stateright,
        disagreement,
    })
}

pub fn tlc(args: &TlcArgs) -> Result<ExitCode, Error> {
    runner::jar().map_err(Error::Usage)?;
    let names = if args.all {
        configs(args.spec).map_err(Error::Usage)?
    } else {
        vec![args.config.clone().unwrap_or_else(|| "default".into())]
    };
    let mut failed = false;
    for name in names {
        let report = check_one(args.spec, &name, args)?;
        report.print(args.json);
        failed |= match &report.disagreement {
            Some(diffs) => !diffs.is_empty(),
            None => report.tlc.violation.is_some(),
        };
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The `worm list` entry for the TLA+ specs.
pub fn list() -> String {
    let mut s = String::from("tla+ specs (worm tlc SPEC [--config NAME] [--cross-check]):\n");
    for spec in SPECS {
        let configs = configs(spec).unwrap_or_default().join(", ");
        s += &format!(
            "  {:<10} tla/{}.tla: {}\n             configurations: {configs}\n",
            spec.name, spec.module, spec.about
        );
        if let Some(cp) = &spec.counterpart {
            let what = if cp.mirrored {
                "state counts and verdicts"
            } else {
                "verdicts"
            };
            s += &format!(
                "             cross-checked with stateright's {}: {what}\n",
                cp.name
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use worm_models::wor::WorBug;

    /// Every WOR bug has its constant in Wor.tla, and a configuration of WorVotes that sets it.
    #[test]
    fn every_wor_bug_is_a_constant_with_a_configuration() {
        let source = std::fs::read_to_string(runner::tla_dir().join("Wor.tla")).unwrap();
        let votes = configs(spec_named("wor-votes").unwrap()).unwrap();
        for bug in WorBug::ALL {
            let constant = wor::bug_constant(bug);
            assert!(
                source.contains(&format!("    {constant},"))
                    || source.contains(&format!("    {constant} ")),
                "{constant}"
            );
            assert!(votes.iter().any(|c| c == bug.name()), "{}", bug.name());
        }
    }

    /// The configuration named after a bug is the one the stateright model looks for it in.
    #[test]
    fn bug_configurations_are_the_models() {
        let spec = spec_named("wor-votes").unwrap();
        for bug in WorBug::ALL {
            let path = runner::tla_dir()
                .join(spec.module)
                .join(format!("{}.cfg", bug.name()));
            let cfg = Cfg::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(wor::config(&cfg), Ok(bug.config()), "{}", bug.name());
        }
    }

    /// Each CASPaxos bug (the core's and the operator's) is a constant of CASPaxos.tla, with
    /// a configuration of each spec named after it that is the bug's own (with fewer acceptors
    /// where that shows the bug as well).
    #[test]
    fn every_caspaxos_bug_is_a_constant_with_its_configuration() {
        let source = std::fs::read_to_string(runner::tla_dir().join("CASPaxos.tla")).unwrap();
        assert_eq!(
            caspaxos::BUG_CONSTANTS
                .iter()
                .map(|b| b.0)
                .collect::<Vec<_>>(),
            worm_models::caspaxos::CasBug::ALL
        );
        for &(bug, constant) in caspaxos::BUG_CONSTANTS {
            assert!(
                source.contains(&format!("    {constant},"))
                    || source.contains(&format!("    {constant} "))
            );
            for spec in ["caspaxos", "caspaxos-chain"] {
                let path = runner::tla_dir()
                    .join(spec_named(spec).unwrap().module)
                    .join(format!("{}.cfg", bug.name()));
                let cfg = Cfg::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
                let config = caspaxos::config(&cfg).unwrap();
                let own = bug.config();
                assert_eq!(
                    config,
                    worm_models::caspaxos::CasConfig {
                        acceptors: config.acceptors,
                        ..own
                    },
                    "{}",
                    path.display()
                );
            }
        }
    }

    /// Each ADO bug is a constant of Ado.tla, with a configuration named after it that is the
    /// bug's own (`AdoConfig::default()` with the bug) on the KV methods of `AdoModel::kv`.
    #[test]
    fn every_ado_bug_is_a_constant_with_its_configuration() {
        let source = std::fs::read_to_string(runner::tla_dir().join("Ado.tla")).unwrap();
        let kv = worm_models::ado::AdoModel::kv(worm_models::ado::AdoConfig::default());
        for &(bug, constant) in ado::BUG_CONSTANTS {
            assert!(
                source.contains(&format!("    {constant},"))
                    || source.contains(&format!("    {constant}\n"))
            );
            let path = runner::tla_dir()
                .join("Ado")
                .join(format!("{}.cfg", bug.name()));
            let cfg = Cfg::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let own = worm_models::ado::AdoConfig {
                bug: Some(bug),
                ..worm_models::ado::AdoConfig::default()
            };
            assert_eq!(
                ado::config(&cfg),
                Ok((own, kv.methods.clone())),
                "{}",
                bug.name()
            );
        }
    }

    /// Each app bug is a constant of AdoApps.tla, with a configuration named after it that is
    /// the bug's own (`AppConfig::new` of its app, with the bug).
    #[test]
    fn every_ado_app_bug_is_a_constant_with_its_configuration() {
        let source = std::fs::read_to_string(runner::tla_dir().join("AdoApps.tla")).unwrap();
        for &(bug, constant) in ado_apps::BUG_CONSTANTS {
            assert!(
                source.contains(&format!("    {constant},"))
                    || source.contains(&format!("    {constant}\n")),
                "{constant}"
            );
            let path = runner::tla_dir()
                .join("AdoApps")
                .join(format!("{}.cfg", bug.name()));
            let cfg = Cfg::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let app = bug.app().expect("an app bug");
            let own = worm_models::ado::apps::AppConfig {
                bug: Some(bug),
                ..worm_models::ado::apps::AppConfig::new(app)
            };
            assert_eq!(ado_apps::config(&cfg), Ok(own), "{}", bug.name());
        }
        // And the spec describes the ADO's own bugs through AdoCore.tla.
        let core = std::fs::read_to_string(runner::tla_dir().join("AdoCore.tla")).unwrap();
        for &(_, constant) in ado::BUG_CONSTANTS {
            assert!(core.contains(&format!("    {constant}")), "{constant}");
        }
    }

    /// Each WOS bug is a constant of Wos.tla, with a configuration named after it that is the
    /// bug's own, `WosBug::config()`.
    #[test]
    fn every_wos_bug_is_a_constant_with_its_configuration() {
        let source = std::fs::read_to_string(runner::tla_dir().join("Wos.tla")).unwrap();
        assert_eq!(
            wos::BUG_CONSTANTS.len(),
            worm_models::wos::WosBug::ALL.len()
        );
        for &(bug, constant) in wos::BUG_CONSTANTS {
            let camel: String = bug
                .name()
                .split('-')
                .map(|w| w[..1].to_uppercase() + &w[1..])
                .collect();
            assert_eq!(camel, constant);
            assert!(
                source.contains(&format!("    {constant},"))
                    || source.contains(&format!("    {constant} ")),
                "{constant}"
            );
            let path = runner::tla_dir()
                .join("Wos")
                .join(format!("{}.cfg", bug.name()));
            let cfg = Cfg::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(wos::config(&cfg), Ok(bug.config()), "{}", bug.name());
        }
    }

    #[test]
    fn every_configuration_reads_as_a_stateright_configuration() {
        for spec in SPECS {
            for name in configs(spec).unwrap() {
                let path = runner::tla_dir()
                    .join(spec.module)
                    .join(format!("{name}.cfg"));
                let cfg = Cfg::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
                match spec.module {
                    "Wor" | "WorVotes" => {
                        wor::config(&cfg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    }
                    "CASPaxos" | "CASPaxosChain" => {
                        caspaxos::config(&cfg)
                            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    }
                    "Wos" | "WosMirror" => {
                        wos::config(&cfg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    }
                    "Ado" => {
                        ado::config(&cfg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    }
                    "AdoApps" => {
                        ado_apps::config(&cfg)
                            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    }
                    _ => {}
                }
            }
        }
    }
}
