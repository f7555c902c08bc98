//! The stateright counterpart of `AdoApps.tla`: a TLC configuration's constants read as an
//! [`AppConfig`], and the app model (`worm check ado --app APP`). KVLock, 2PC and DLock are
//! checked without a linearizability monitor, so the model keeps no history and is the same
//! state machine as the spec. KV, DVec and KVLockFree carry the monitor (linearizability is
//! stateright's check alone); on the configurations of `tla/AdoApps/` it adds no states, so
//! the counts are compared for them too, and a difference would show the monitor's states.

use super::ado;
use super::cfg::Cfg;
use super::wor::bfs;
use crate::cli::check::{CheckRun, Outcome, Symmetry};
use worm_models::ado::apps::{App, AppConfig};
use worm_models::ado::AdoBug;

/// The app bugs, with their constants in `AdoApps.tla` (which has the ADO's own too, through
/// `AdoCore.tla`).
pub const BUG_CONSTANTS: &[(AdoBug, &str)] = &[
    (AdoBug::KvlockReleaseEarly, "KvlockReleaseEarly"),
    (AdoBug::TmIgnoreFail, "TmIgnoreFail"),
];

/// The stateright configuration a configuration of `AdoApps.tla` sets.
pub fn config(cfg: &Cfg) -> Result<AppConfig, String> {
    let app: App = cfg.string("App")?.parse()?;
    let small = |name: &str| {
        let n = cfg.usize(name)?;
        u8::try_from(n).map_err(|_| format!("{name} = {n}"))
    };
    let bug = cfg.bug(ado::BUG_CONSTANTS.iter().chain(BUG_CONSTANTS).copied())?;
    let config = AppConfig {
        app,
        clients: cfg.usize("Clients")?,
        max_ts: small("MaxTs")?,
        max_try: small("MaxTry")?,
        bug,
    };
    config.validate()?;
    Ok(config)
}

/// `AdoApps.tla`'s counterpart: the app model.
pub fn apps(cfg: &Cfg) -> Result<Outcome, String> {
    CheckRun {
        name: "ado",
        model: config(cfg)?.into_model(),
        args: &bfs(),
        symmetry: Symmetry::None,
        explain: |_, _, _, _| None,
        predict: None,
    }
    .run()
}
