//! The names the protocol is written in: ballots, addresses, values.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A capture id: a Paxos ballot, ordered by round, then by the client that owns it. Client
/// ids are unique, so two clients never share a ballot.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Ballot {
    pub round: u64,
    pub client: u64,
}

impl Ballot {
    /// Lower than every ballot a client uses (rounds start at 1).
    pub const ZERO: Ballot = Ballot {
        round: 0,
        client: 0,
    };

    pub fn new(round: u64, client: u64) -> Self {
        Ballot { round, client }
    }
}

impl fmt::Debug for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:x}", self.round, self.client)
    }
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl FromStr for Ballot {
    type Err = String;

    /// `ROUND.CLIENT`, the client in hex, as printed.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("a capture id is ROUND.CLIENT (client in hex), not '{s}'");
        let (round, client) = s.split_once('.').ok_or_else(bad)?;
        Ok(Ballot {
            round: round.parse().map_err(|_| bad())?,
            client: u64::from_str_radix(client, 16).map_err(|_| bad())?,
        })
    }
}

/// A segment id. Segment `s` lives on partition `s mod P`.
pub type SegId = u64;

/// A WOR within a segment: the metadata WOR (written by `alloc`), the trim WOR, or a data WOR.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Slot {
    Meta,
    Trim,
    Data(u32),
}

/// The address of one WOR.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Addr {
    pub seg: SegId,
    pub slot: Slot,
}

impl Addr {
    pub fn data(seg: SegId, offset: u32) -> Self {
        Addr {
            seg,
            slot: Slot::Data(offset),
        }
    }

    pub fn meta(seg: SegId) -> Self {
        Addr {
            seg,
            slot: Slot::Meta,
        }
    }

    pub fn trim(seg: SegId) -> Self {
        Addr {
            seg,
            slot: Slot::Trim,
        }
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.slot {
            Slot::Meta => write!(f, "{}:meta", self.seg),
            Slot::Trim => write!(f, "{}:trim", self.seg),
            Slot::Data(o) => write!(f, "{}:{o}", self.seg),
        }
    }
}

impl fmt::Debug for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Addr {
    type Err = String;

    /// `SEG:OFFSET`, `SEG:meta` or `SEG:trim`, as printed.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("a WOR address is SEG:OFFSET, SEG:meta or SEG:trim, not '{s}'");
        let (seg, slot) = s.split_once(':').ok_or_else(bad)?;
        let seg = seg.parse().map_err(|_| bad())?;
        let slot = match slot {
            "meta" => Slot::Meta,
            "trim" => Slot::Trim,
            o => Slot::Data(o.parse().map_err(|_| bad())?),
        };
        Ok(Addr { seg, slot })
    }
}

/// A register's contents: any bytes.
pub type Value = Vec<u8>;

/// An accepted proposal: the ballot it was accepted at, and its value.
pub type Proposal = (Ballot, Value);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_ballots_print_and_parse_back() {
        for a in [Addr::data(7, 3), Addr::meta(0), Addr::trim(u64::MAX)] {
            assert_eq!(a.to_string().parse::<Addr>(), Ok(a));
        }
        let b = Ballot::new(4, 0xbeef);
        assert_eq!(b.to_string(), "4.beef");
        assert_eq!("4.beef".parse::<Ballot>(), Ok(b));
        assert!("7".parse::<Addr>().unwrap_err().contains("'7'"));
        assert!("x.1".parse::<Ballot>().is_err());
    }
}
