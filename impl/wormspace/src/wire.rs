//! The messages between clients and wormservers, and their framing on TCP.
//!
//! Names follow the WOR model (`models/src/wor.rs`) so that traces of this code replay against
//! it: `Prepare`/`Promise` is phase 1 (capture), `Accept`/`Accepted` phase 2 (write), `Nack`
//! a capture that was stolen, `Read`/`ReadReply` a read. Every message names the WOR (or the
//! segment) it belongs to and the ballot, so a client can match replies and ignore stale ones.
//! The segment-level messages are WormSpace's additions: a batch capture of every data WOR of a
//! segment, trim, and write notifications.
//!
//! On TCP a frame is a 4-byte big-endian length, then a [`Frame`] encoded with postcard. A
//! frame carries several messages, so one round trip can batch many steps (a batch write is one
//! frame of `Accept`s); replies come back in a frame with the same `id`.

use crate::types::{Addr, Ballot, Proposal, SegId, Value};
use serde::{Deserialize, Serialize};

/// The largest frame a server accepts or a client sends, unless configured otherwise.
pub const MAX_FRAME: usize = 1 << 20;

/// One frame: messages with the id of the request they belong to, the sender's Lamport clock
/// (which orders events across processes' trace logs) and who sent it: a client's id, or a
/// server's index in the cluster file (so that trace events name both ends of a message).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub id: u64,
    pub lamport: u64,
    pub from: u64,
    pub msgs: Vec<Msg>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Msg {
    // Client to wormserver.
    /// Capture, phase 1a: "promise to ignore ballots below this one".
    Prepare { addr: Addr, ballot: Ballot },
    /// Write, phase 2a.
    Accept {
        addr: Addr,
        ballot: Ballot,
        value: Value,
    },
    /// Read: report your accepted proposal. Changes nothing; the ballot tags the reply.
    Read { addr: Addr, ballot: Ballot },
    /// Batch capture: `Prepare(ballot)` on every data WOR of the segment at once.
    BatchPrepare { seg: SegId, ballot: Ballot },
    /// Drop the segment (sent once its trim WOR is written).
    Trim { seg: SegId },
    /// Send me a `Notify` for every value accepted in the segment, now and from now on.
    Subscribe { seg: SegId },

    // Wormserver to client.
    /// Phase 1b: the promise, with the acceptor's last accepted proposal.
    Promise {
        addr: Addr,
        ballot: Ballot,
        accepted: Option<Proposal>,
    },
    /// The promise for a batch capture, with every accepted proposal of the segment's data WORs.
    BatchPromise {
        seg: SegId,
        ballot: Ballot,
        accepted: Vec<(u32, Proposal)>,
    },
    /// Phase 2b.
    Accepted { addr: Addr, ballot: Ballot },
    /// The acceptor promised `promised`, higher than `ballot`: the capture was stolen.
    Nack {
        addr: Addr,
        ballot: Ballot,
        promised: Ballot,
    },
    /// A batch capture refused: some data WOR of the segment promised a higher ballot.
    BatchNack {
        seg: SegId,
        ballot: Ballot,
        promised: Ballot,
    },
    ReadReply {
        addr: Addr,
        ballot: Ballot,
        accepted: Option<Proposal>,
    },
    /// The segment was trimmed: this server holds nothing for it any more.
    Trimmed { seg: SegId },
    /// The answer to `Trim`.
    TrimDone { seg: SegId },
    /// For subscribers: this acceptor accepted `proposal` at `addr`.
    Notify { addr: Addr, proposal: Proposal },
    /// The server could not take the request.
    Error { kind: ErrorKind, detail: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The frame did not decode; the connection stays open.
    Malformed,
    /// The frame's length is above the limit; the server closes the connection after this.
    TooLarge,
    /// The server could not persist the request (its storage failed).
    Storage,
}

impl Msg {
    /// The WOR the message is about, if it is about one.
    pub fn addr(&self) -> Option<Addr> {
        match self {
            Msg::Prepare { addr, .. }
            | Msg::Accept { addr, .. }
            | Msg::Read { addr, .. }
            | Msg::Promise { addr, .. }
            | Msg::Accepted { addr, .. }
            | Msg::Nack { addr, .. }
            | Msg::ReadReply { addr, .. }
            | Msg::Notify { addr, .. } => Some(*addr),
            _ => None,
        }
    }

    /// The segment the message is about.
    pub fn seg(&self) -> Option<SegId> {
        match self {
            Msg::BatchPrepare { seg, .. }
            | Msg::Trim { seg }
            | Msg::Subscribe { seg }
            | Msg::BatchPromise { seg, .. }
            | Msg::BatchNack { seg, .. }
            | Msg::Trimmed { seg }
            | Msg::TrimDone { seg } => Some(*seg),
            _ => self.addr().map(|a| a.seg),
        }
    }

    /// The message's name, as trace events report the step kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "Prepare",
            Msg::Accept { .. } => "Accept",
            Msg::Read { .. } => "Read",
            Msg::BatchPrepare { .. } => "BatchPrepare",
            Msg::Trim { .. } => "Trim",
            Msg::Subscribe { .. } => "Subscribe",
            Msg::Promise { .. } => "Promise",
            Msg::BatchPromise { .. } => "BatchPromise",
            Msg::Accepted { .. } => "Accepted",
            Msg::Nack { .. } => "Nack",
            Msg::BatchNack { .. } => "BatchNack",
            Msg::ReadReply { .. } => "ReadReply",
            Msg::Trimmed { .. } => "Trimmed",
            Msg::TrimDone { .. } => "TrimDone",
            Msg::Notify { .. } => "Notify",
            Msg::Error { .. } => "Error",
        }
    }
}

/// A frame's body, as sent after the length prefix.
pub fn encode(frame: &Frame) -> Vec<u8> {
    postcard::to_stdvec(frame).expect("frames always serialise")
}

pub fn decode(bytes: &[u8]) -> Result<Frame, postcard::Error> {
    postcard::from_bytes(bytes)
}

/// The length-prefixed framing both ends use.
pub fn codec(max_frame: usize) -> tokio_util::codec::LengthDelimitedCodec {
    tokio_util::codec::LengthDelimitedCodec::builder()
        .length_field_length(4)
        .max_frame_length(max_frame)
        .new_codec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_garbage_is_an_error() {
        let f = Frame {
            id: 9,
            lamport: 3,
            from: 1,
            msgs: vec![Msg::Accept {
                addr: Addr::data(4, 2),
                ballot: Ballot::new(1, 7),
                value: b"x".to_vec(),
            }],
        };
        assert_eq!(decode(&encode(&f)).unwrap(), f);
        assert!(decode(&[0xff, 0xff, 0xff]).is_err());
    }
}
