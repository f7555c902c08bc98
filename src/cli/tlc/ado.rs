//! The stateright counterpart of `Ado.tla`: a TLC configuration's constants read as an
//! [`AdoConfig`] and the KV methods, and the free-caller ADO model (which has no history
//! beyond the two ghosts the spec keeps too, so it is the same state machine).

use super::cfg::Cfg;
use super::wor::bfs;
use crate::cli::check::{CheckRun, Outcome, Symmetry};
use worm_models::ado::objects::{Kv, KvMethod};
use worm_models::ado::{AdoBug, AdoConfig, AdoModel};

/// The ADO's own bugs, with their constants in `Ado.tla` (the app bugs need an app, which the
/// spec does not describe).
pub const BUG_CONSTANTS: &[(AdoBug, &str)] = &[
    (AdoBug::PushWithoutPull, "PushWithoutPull"),
    (AdoBug::CommitStaleBranch, "CommitStaleBranch"),
    (AdoBug::PruneCommitted, "PruneCommitted"),
];

/// The stateright configuration and methods (`Set(0, v)` for each of `Values`, then `Get(0)`)
/// that a configuration of `Ado.tla` sets.
pub fn config(cfg: &Cfg) -> Result<(AdoConfig, Vec<KvMethod>), String> {
    let bug = cfg.bug(BUG_CONSTANTS.iter().copied())?;
    let max_ts = cfg.usize("MaxTs")?;
    let config = AdoConfig {
        nodes: cfg.usize("N")?,
        max_ts: u8::try_from(max_ts).map_err(|_| format!("MaxTs = {max_ts}"))?,
        max_entries: cfg.usize("MaxEntries")?,
        bug,
    };
    config.validate()?;
    let mut methods = Vec::new();
    for v in cfg.int_set("Values")? {
        match u8::try_from(v) {
            Ok(v @ 1..) => methods.push(KvMethod::Set(0, v)),
            _ => return Err(format!("Values: {v} is not 1 to 255")),
        }
    }
    methods.push(KvMethod::Get(0));
    Ok((config, methods))
}

/// `Ado.tla`'s counterpart: the free-caller model on a one-key KV store.
pub fn free(cfg: &Cfg) -> Result<Outcome, String> {
    let (config, methods) = config(cfg)?;
    CheckRun {
        name: "ado",
        model: AdoModel::new(config, Kv { keys: 1 }, methods),
        args: &bfs(),
        symmetry: Symmetry::None,
        explain: |_, _, _, _| None,
        predict: None,
    }
    .run()
}
