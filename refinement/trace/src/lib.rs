//! # Trace validation: the implementation's steps replayed against the protocol model
//!
//! WormSpace's servers, clients and simulator write one JSON line per protocol step (the
//! schema is in `impl/README.md`, "Trace events"). This crate reads those lines
//! ([`parse_trace`]), merges several processes' logs by Lamport clock ([`merge`]), and
//! replays them against the WOR or WOS model ([`validate`]): each event must be an enabled
//! action of the model, and the model's state after it must agree with the fields the event
//! reports.
//!
//! - An **acceptor** step handles one message: the message must have been sent to it (and
//!   never mind how often, or whether others were lost), and the model's
//!   [`worm_models::wor::acceptor_step`] in the acceptor's state must send the same reply and
//!   change the same fields to the same values. Segment-level steps (batch capture, trim,
//!   subscribe; WOS only) apply the model's per-WOR rules to every WOR of the segment.
//! - A **client** step handles one reply, which must have been sent to it; in a single-WOR
//!   phase (capture, write, read) the model's [`worm_models::wor::phase_step`] must take the
//!   client to the phase it reports, or end with the same capture or value. What clients are
//!   told must agree: one value per WOR, whether chosen (a quorum of `Accepted` for one
//!   ballot) or returned, and a read in the simulator's real-time order finds a value
//!   returned before it began.
//! - Steps a log cannot see (lost and duplicated messages, an unlogged crash and restart)
//!   are explained by a set of candidate model states per acceptor and WOR; see [`replay`].
//!
//! The crate sits beside `worm-refinement` rather than in it: `worm-models` depends on
//! `worm-refinement`, and the validator needs the models (and the implementation's wire
//! types), so putting it there would make a cycle.

pub mod event;
pub mod model;
pub mod replay;

pub use event::{merge, parse_line, parse_trace, Event, ParseError, Role, Sent};
pub use replay::{validate, Failure, ModelKind, Options, Report};
