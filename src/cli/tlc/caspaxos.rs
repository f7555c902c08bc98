//! The stateright counterparts of the CASPaxos TLA+ specs: a TLC configuration's constants
//! read as a [`CasConfig`], and the checks to compare with.

use super::cfg::Cfg;
use super::wor::bfs;
use crate::cli::check::{CheckRun, Outcome, Symmetry};
use crate::cli::RunArgs;
use std::collections::BTreeMap;
use worm_models::caspaxos::model::parse_scripts;
use worm_models::caspaxos::{CasBug, CasConfig};

/// Every bug of the model, with its constant in `CASPaxos.tla`: the core's two and the
/// operator's four (membership change, GC).
pub const BUG_CONSTANTS: &[(CasBug, &str)] = &[
    (CasBug::ExpandWithoutIdentity, "ExpandWithoutIdentity"),
    (CasBug::EvenExpandWithoutRescan, "EvenExpandWithoutRescan"),
    (CasBug::GcWithoutAgeCheck, "GcWithoutAgeCheck"),
    (CasBug::GcWithoutFastForward, "GcWithoutFastForward"),
    (CasBug::PickLowestBallot, "PickLowestBallot"),
    (CasBug::AcceptLowerBallot, "AcceptLowerBallot"),
];

/// The scripts of `Scripts = {"A1 init=1", "B1 k1:cas=0:2"}`: proposer letter and position,
/// then the change in the syntax of `--changes`.
fn scripts(entries: &[String]) -> Result<String, String> {
    let mut by_proposer: BTreeMap<char, BTreeMap<usize, &str>> = BTreeMap::new();
    for entry in entries {
        let bad = || format!("script entry {entry:?} is not like \"A1 init=1\"");
        let (head, change) = entry.split_once(' ').ok_or_else(bad)?;
        let mut chars = head.chars();
        let letter = chars
            .next()
            .filter(char::is_ascii_uppercase)
            .ok_or_else(bad)?;
        let position: usize = chars.as_str().parse().map_err(|_| bad())?;
        by_proposer
            .entry(letter)
            .or_default()
            .insert(position, change);
    }
    let mut scripts = Vec::new();
    for (i, (letter, changes)) in by_proposer.iter().enumerate() {
        if *letter != (b'A' + i as u8) as char || !changes.keys().copied().eq(1..=changes.len()) {
            return Err(format!(
                "the scripts must number proposers A, B, .. and their changes 1, 2, ..: {entries:?}"
            ));
        }
        scripts.push(changes.values().copied().collect::<Vec<_>>().join(","));
    }
    Ok(scripts.join("/"))
}

/// The stateright configuration that a configuration of `CASPaxos.tla` sets.
pub fn config(cfg: &Cfg) -> Result<CasConfig, String> {
    let bug = cfg.bug(BUG_CONSTANTS.iter().copied())?;
    let acceptors = cfg.usize("N")?;
    let majority = acceptors / 2 + 1;
    let quorum = |name: &str| -> Result<Option<usize>, String> {
        let q = cfg.usize(name)?;
        Ok((q != majority).then_some(q))
    };
    let attempts = cfg.usize("Attempts")?;
    let config = CasConfig {
        acceptors,
        scripts: parse_scripts(&scripts(&cfg.string_set("Scripts")?)?)?,
        attempts: u8::try_from(attempts).map_err(|_| format!("Attempts = {attempts}"))?,
        one_rtt: cfg.bool("OneRtt")?,
        prepare_quorum: quorum("PrepareQuorum")?,
        accept_quorum: quorum("AcceptQuorum")?,
        membership: cfg.string("Membership")?.parse()?,
        add_proposer: cfg.bool("AddProposer")?,
        remove_proposer: cfg.bool("RemoveProposer")?,
        gc: cfg.bool("Gc")?,
        crashes: cfg.usize("MaxCrashes")?,
        network: cfg.string("Network")?.parse()?,
        bug,
        ..CasConfig::default()
    };
    config.validate()?;
    Ok(config)
}

/// `CASPaxos.tla`'s counterpart: the protocol without history, the same state machine.
pub fn mirror(cfg: &Cfg) -> Result<Outcome, String> {
    mirror_check(config(cfg)?, &bfs())
}

/// Checks the protocol without history (`worm check caspaxos --mirror`).
pub fn mirror_check(config: CasConfig, args: &RunArgs) -> Result<Outcome, String> {
    CheckRun {
        name: "caspaxos mirror",
        model: config.into_mirror(),
        args,
        symmetry: Symmetry::None,
        explain: |_, _, _, _| None,
        predict: None,
    }
    .run()
}

/// `CASPaxosChain.tla`'s counterpart: the full model, history and refinement check included.
pub fn full(cfg: &Cfg) -> Result<Outcome, String> {
    super::super::caspaxos::run_check(config(cfg)?, false, &bfs())
        .map_err(|crate::cli::Error::Usage(e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_read_back_in_order() {
        let entries = ["B1 cas=0:2", "A2 read", "A1 k1:init=1"].map(String::from);
        assert_eq!(scripts(&entries).unwrap(), "k1:init=1,read/cas=0:2");
        assert!(scripts(&["B1 read".into()]).is_err());
        assert!(scripts(&["A2 read".into()]).is_err());
        assert!(scripts(&["A1read".into()]).is_err());
    }
}
