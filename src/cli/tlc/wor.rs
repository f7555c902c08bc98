//! The stateright counterparts of the WOR's TLA+ specs: a TLC configuration's constants read
//! as a [`WorConfig`], and the checks to compare with.

use super::cfg::Cfg;
use crate::cli::check::{CheckRun, Outcome, Symmetry};
use crate::cli::{RunArgs, Strategy};
use stateright::{Model, Property};
use worm_models::wor::mirror::WorMirror;
use worm_models::wor::spec::{Ballot, Domain, WorObject};
use worm_models::wor::{WorBug, WorConfig};
use worm_refinement::SpecModel;

/// The TLA+ constant that switches `bug` on: its name in CamelCase (`forget-promise` is
/// `ForgetPromise`).
pub fn bug_constant(bug: WorBug) -> String {
    bug.name()
        .split('-')
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect()
}

/// The stateright configuration that a configuration of `Wor.tla` (or `WorVotes.tla`) sets.
pub fn config(cfg: &Cfg) -> Result<WorConfig, String> {
    let bug = cfg.bug(WorBug::ALL.map(|bug| (bug, bug_constant(bug))))?;
    let captures = cfg.usize("Captures")?;
    let config = WorConfig {
        acceptors: cfg.usize("N")?,
        clients: cfg.usize("Writers")?,
        readers: cfg.usize("Readers")?,
        captures: u8::try_from(captures).map_err(|_| format!("Captures = {captures}"))?,
        crashes: cfg.usize("MaxCrashes")?,
        network: cfg.string("Network")?.parse()?,
        lossy: cfg.bool("Lossy")?,
        bug,
        symmetry: false,
    };
    config.validate()?;
    Ok(config)
}

/// Breadth-first like TLC, one thread, to the first violation.
pub fn bfs() -> RunArgs {
    RunArgs {
        symmetry: false,
        threads: 1,
        strategy: Some(Strategy::Bfs),
        json: true,
        engine: crate::cli::Engine::Stateright,
        bind: String::new(),
    }
}

/// `Wor.tla`'s counterpart: the protocol without history, the same state machine.
pub fn mirror(cfg: &Cfg) -> Result<Outcome, String> {
    mirror_check(config(cfg)?, &bfs())
}

/// Checks the protocol without history (`worm check wor --mirror`).
pub fn mirror_check(config: WorConfig, args: &RunArgs) -> Result<Outcome, String> {
    CheckRun {
        name: "wor mirror",
        model: config.into_mirror(),
        args,
        symmetry: Symmetry::None,
        explain: |_, _, _, _| None,
        predict: Some(WorMirror::next_digest),
    }
    .run()
}

/// `WorVotes.tla`'s counterpart: the full model, history and refinement check included.
pub fn full(cfg: &Cfg) -> Result<Outcome, String> {
    super::super::wor::run_check(config(cfg)?, &bfs()).map_err(|crate::cli::Error::Usage(e)| e)
}

/// The ballots and values of a configuration of `WorSpec.tla` or `WosSpec.tla`. TLA+
/// ballots are integers; only their order matters to the spec, so ballot `b` is round `b` of
/// client 0.
pub fn spec_domain(cfg: &Cfg) -> Result<Domain, String> {
    let byte = |n: i64| u8::try_from(n).map_err(|_| format!("{n} is not a small natural"));
    let ballots = cfg
        .int_set("Ballot")?
        .into_iter()
        .map(|b| Ok(Ballot::new(byte(b)?, 0)))
        .collect::<Result<Vec<_>, String>>()?;
    let values = cfg
        .int_set("Value")?
        .into_iter()
        .map(|v| match byte(v)? {
            v @ 0..=7 => Ok((b'A' + v) as char),
            v => Err(format!("value {v} is not one of 0..7")),
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Domain { ballots, values })
}

/// `WorSpec.tla`'s counterpart: the abstract register as a stateright model.
pub fn spec(cfg: &Cfg) -> Result<Outcome, String> {
    let model = SpecCheck(SpecModel::new(WorObject {
        domain: Domain::shared(spec_domain(cfg)?),
        ..Default::default()
    }));
    CheckRun {
        name: "wor spec",
        model,
        args: &bfs(),
        symmetry: Symmetry::None,
        explain: |_, _, _, _| None,
        predict: None,
    }
    .run()
}

/// The spec model with the type invariant that TLC checks on `WorSpec.tla`. (It is also what
/// makes stateright search at all: a search stops once every property has a discovery, at
/// once when there are none.)
struct SpecCheck(SpecModel<WorObject>);

impl Model for SpecCheck {
    type State = WorObject;
    type Action = <SpecModel<WorObject> as Model>::Action;

    fn init_states(&self) -> Vec<WorObject> {
        self.0.init_states()
    }

    fn actions(&self, state: &WorObject, actions: &mut Vec<Self::Action>) {
        self.0.actions(state, actions);
    }

    fn next_state(&self, state: &WorObject, action: Self::Action) -> Option<WorObject> {
        self.0.next_state(state, action)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("TypeOK", |_, s: &WorObject| {
            let d = &s.domain;
            s.latest.iter().all(|b| d.ballots.contains(b))
                && s.value.iter().all(|v| d.values.contains(v))
                && s.pending.iter().all(|v| d.values.contains(&v))
        })]
    }
}
