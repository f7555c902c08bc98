//! The stateright counterparts of the WOS's TLA+ specs: for `Wos.tla`, a TLC configuration's
//! constants read as a [`WosConfig`] and the full WOS model (history, properties, refinement
//! check); for `WosMirror.tla`, the same configuration of the model without history; for
//! `WosSpec.tla`, the abstract address space of `models/src/wos/spec.rs` as a
//! stateright model, over a configuration's ballots, values and segment shape.

use super::cfg::Cfg;
use super::wor::{bfs, spec_domain};
use crate::cli::check::{CheckRun, Outcome, Symmetry};
use stateright::{Model, Property};
use worm_models::wor::spec::WorObject;
use worm_models::wos::spec::{WosSpace, WosSpec, WosStep};
use worm_models::wos::{Layout, WosBug, WosConfig};

/// The WOS bugs, each with its constant in `Wos.tla`: its name in CamelCase.
pub const BUG_CONSTANTS: &[(WosBug, &str)] = &[
    (WosBug::AllocWithoutCapture, "AllocWithoutCapture"),
    (WosBug::WriteAfterTrim, "WriteAfterTrim"),
    (WosBug::BatchWriteStaleCapture, "BatchWriteStaleCapture"),
    (WosBug::NotifyBeforeChosen, "NotifyBeforeChosen"),
    (WosBug::WrongPartition, "WrongPartition"),
];

/// The stateright configuration that a configuration of `Wos.tla` sets.
pub fn config(cfg: &Cfg) -> Result<WosConfig, String> {
    let bug = cfg.bug(BUG_CONSTANTS.iter().copied())?;
    let captures = cfg.usize("Captures")?;
    let config = WosConfig {
        partitions: cfg.usize("Partitions")?,
        acceptors: cfg.usize("Acceptors")?,
        segments: cfg.usize("Segments")?,
        segment_size: cfg.usize("SegmentSize")?,
        clients: cfg.usize("Writers")?,
        readers: cfg.usize("Readers")?,
        trimmers: cfg.usize("Trimmers")?,
        trim: cfg.bool("Trim")?,
        subscriber: cfg.bool("Subscriber")?,
        notify_all: cfg.bool("NotifyAll")?,
        captures: u8::try_from(captures).map_err(|_| format!("Captures = {captures}"))?,
        crashes: cfg.usize("MaxCrashes")?,
        network: cfg.string("Network")?.parse()?,
        lossy: cfg.bool("Lossy")?,
        bug,
    };
    config.validate()?;
    Ok(config)
}

/// `WosMirror.tla`'s counterpart: the protocol without history, the same state machine.
pub fn mirror(cfg: &Cfg) -> Result<Outcome, String> {
    CheckRun {
        name: "wos mirror",
        model: config(cfg)?.into_mirror(),
        args: &bfs(),
        symmetry: Symmetry::None,
        explain: |_, _, _, _| None,
        predict: None,
    }
    .run()
}

/// `Wos.tla`'s counterpart: the full model, history and refinement check included.
pub fn full(cfg: &Cfg) -> Result<Outcome, String> {
    super::super::wos::run_check(config(cfg)?, &bfs()).map_err(|crate::cli::Error::Usage(e)| e)
}

/// `WosSpec.tla`'s counterpart: the spec model, with TLC's type invariant.
pub fn spec(cfg: &Cfg) -> Result<Outcome, String> {
    let small = |name: &str, max: usize| match cfg.usize(name)? {
        n @ 1.. if n <= max => Ok(n as u8),
        n => Err(format!("{name} = {n} is not 1 to {max}")),
    };
    let layout = Layout {
        segments: small("Segments", 4)?,
        data: small("DataWors", 3)?,
        partitions: 1,
        acceptors: 2,
        notify_all: false,
    };
    if layout.addresses() > worm_models::wos::MAX_ADDRS {
        return Err(format!(
            "{} addresses; the model has room for {}",
            layout.addresses(),
            worm_models::wos::MAX_ADDRS
        ));
    }
    let model = SpaceCheck(WosSpec::new(layout, WorObject::new(spec_domain(cfg)?)));
    CheckRun {
        name: "wos spec",
        model,
        args: &bfs(),
        symmetry: Symmetry::None,
        explain: |_, _, _, _| None,
        predict: None,
    }
    .run()
}

/// The spec model with the type invariant that TLC checks on `WosSpec.tla` (a search stops
/// once every property has a discovery, at once when there are none).
struct SpaceCheck(WosSpec);

impl Model for SpaceCheck {
    type State = WosSpace;
    type Action = WosStep;

    fn init_states(&self) -> Vec<WosSpace> {
        self.0.init_states()
    }

    fn actions(&self, state: &WosSpace, actions: &mut Vec<WosStep>) {
        self.0.actions(state, actions);
    }

    fn next_state(&self, state: &WosSpace, action: WosStep) -> Option<WosSpace> {
        self.0.next_state(state, action)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always("TypeOK", |_, s: &WosSpace| {
            s.allocated & s.trimmed == 0
                && s.wors.iter().all(|w| {
                    let d = &w.domain;
                    w.latest.iter().all(|b| d.ballots.contains(b))
                        && w.value.iter().all(|v| d.values.contains(v))
                        && w.pending.iter().all(|v| d.values.contains(&v))
                })
        })]
    }
}
