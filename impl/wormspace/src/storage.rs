//! The wormserver's durable storage: an append-only log of acceptor [`Record`]s.
//!
//! Each record on disk is a 4-byte little-endian length, a 4-byte CRC-32 of the body, and the
//! body (postcard). Appends go to the end; `sync` calls `sync_data`, and the server sends no
//! reply that depends on a record before the record is synced. Opening the log replays it and
//! cuts a torn tail: the first record whose header or body is short, or whose checksum does not
//! match, ends the log (a crash in the middle of an append), and the file is truncated there.
//!
//! Compaction rewrites the log as a snapshot of the live state (trimmed segments' records are
//! gone) into a temporary file, syncs it, renames it over the log and syncs the directory, so a
//! crash at any point leaves either the old log or the new one.

use crate::acceptor::Record;
use crate::types::SegId;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const LOG: &str = "wor.log";
const HEADER: usize = 8;

pub struct Log {
    dir: PathBuf,
    file: File,
    /// Bytes of records appended but not yet written to the file.
    buf: Vec<u8>,
    len: u64,
    /// Bytes of records per segment, so a trim knows how much it made dead.
    seg_bytes: BTreeMap<SegId, u64>,
    dead: u64,
}

/// What opening a log found.
#[derive(Debug)]
pub struct Opened {
    pub records: Vec<Record>,
    /// Bytes cut off a torn tail.
    pub truncated: u64,
}

impl Log {
    /// Opens (or creates) the log in `dir`, returning its records.
    pub fn open(dir: &Path) -> io::Result<(Log, Opened)> {
        fs::create_dir_all(dir)?;
        let path = dir.join(LOG);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let mut log = Log {
            dir: dir.to_path_buf(),
            file,
            buf: Vec::new(),
            len: 0,
            seg_bytes: BTreeMap::new(),
            dead: 0,
        };
        let mut records = Vec::new();
        let mut at = 0;
        while let Some((record, size)) = parse(&bytes[at..]) {
            log.account(&record, size as u64);
            records.push(record);
            at += size;
        }
        let truncated = (bytes.len() - at) as u64;
        if truncated > 0 {
            log.file.set_len(at as u64)?;
            log.file.sync_data()?;
        }
        log.len = at as u64;
        log.file.seek(SeekFrom::End(0))?;
        Ok((log, Opened { records, truncated }))
    }

    /// Keeps the per-segment byte counts that decide when compaction pays.
    fn account(&mut self, record: &Record, size: u64) {
        if let Record::Trim { seg } = record {
            self.dead += self.seg_bytes.remove(seg).unwrap_or(0);
        } else {
            *self.seg_bytes.entry(record.seg()).or_default() += size;
        }
    }

    /// Adds a record to the next write (not durable until [`Log::sync`]).
    pub fn append(&mut self, record: &Record) {
        let start = self.buf.len();
        encode(record, &mut self.buf);
        self.account(record, (self.buf.len() - start) as u64);
    }

    /// Writes what was appended and makes it durable.
    pub fn sync(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.file.write_all(&self.buf)?;
            self.len += self.buf.len() as u64;
            self.buf.clear();
        }
        self.file.sync_data()
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of records of trimmed segments still in the file.
    pub fn dead_bytes(&self) -> u64 {
        self.dead
    }

    /// Replaces the log by `live`, the records of a snapshot of the state.
    pub fn compact(&mut self, live: &[Record]) -> io::Result<()> {
        self.sync()?;
        let tmp = self.dir.join(format!("{LOG}.compact"));
        let mut bytes = Vec::new();
        for r in live {
            encode(r, &mut bytes);
        }
        let mut f = File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, self.dir.join(LOG))?;
        File::open(&self.dir)?.sync_all()?;
        self.file = OpenOptions::new().append(true).open(self.dir.join(LOG))?;
        self.len = bytes.len() as u64;
        self.seg_bytes.clear();
        self.dead = 0;
        for r in live {
            let mut one = Vec::new();
            encode(r, &mut one);
            self.account(r, one.len() as u64);
        }
        self.dead = 0;
        Ok(())
    }
}

fn encode(record: &Record, out: &mut Vec<u8>) {
    let body = postcard::to_stdvec(record).expect("records always serialise");
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
}

/// The record at the start of `bytes` and its size on disk, unless it is torn or corrupt.
fn parse(bytes: &[u8]) -> Option<(Record, usize)> {
    let header = bytes.get(..HEADER)?;
    let len = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..].try_into().ok()?);
    let body = bytes.get(HEADER..HEADER.checked_add(len)?)?;
    if crc32fast::hash(body) != crc {
        return None;
    }
    let record = postcard::from_bytes(body).ok()?;
    Some((record, HEADER + len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Addr, Ballot};

    fn accept(seg: SegId, v: u8) -> Record {
        Record::Accept {
            addr: Addr::data(seg, 0),
            ballot: Ballot::new(1, 1),
            value: vec![v; 10],
        }
    }

    #[test]
    fn records_survive_reopening_and_a_torn_tail_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, opened) = Log::open(dir.path()).unwrap();
        assert!(opened.records.is_empty());
        log.append(&accept(1, 1));
        log.append(&accept(2, 2));
        log.sync().unwrap();
        let good = log.len();
        // Half of a third record: a crash in the middle of a write.
        let mut torn = Vec::new();
        encode(&accept(3, 3), &mut torn);
        drop(log);
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.path().join(LOG))
            .unwrap();
        f.write_all(&torn[..torn.len() / 2]).unwrap();
        drop(f);
        let (log, opened) = Log::open(dir.path()).unwrap();
        assert_eq!(opened.records, vec![accept(1, 1), accept(2, 2)]);
        assert_eq!(opened.truncated, (torn.len() / 2) as u64);
        assert_eq!(log.len(), good);
        assert_eq!(fs::metadata(dir.path().join(LOG)).unwrap().len(), good);
    }

    #[test]
    fn a_corrupt_record_ends_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, _) = Log::open(dir.path()).unwrap();
        log.append(&accept(1, 1));
        log.append(&accept(2, 2));
        log.sync().unwrap();
        drop(log);
        let path = dir.path().join(LOG);
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        fs::write(&path, bytes).unwrap();
        let (_, opened) = Log::open(dir.path()).unwrap();
        assert_eq!(opened.records, vec![accept(1, 1)]);
    }

    #[test]
    fn trims_count_dead_bytes_and_compaction_removes_them() {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, _) = Log::open(dir.path()).unwrap();
        for seg in 0..10 {
            log.append(&accept(seg, 1));
        }
        log.append(&Record::Trim { seg: 3 });
        log.sync().unwrap();
        assert!(log.dead_bytes() > 0);
        let before = log.len();
        let live: Vec<_> = (0..10)
            .filter(|&s| s != 3)
            .map(|s| accept(s, 1))
            .chain([Record::Trim { seg: 3 }])
            .collect();
        log.compact(&live).unwrap();
        assert_eq!(log.dead_bytes(), 0);
        assert!(log.len() < before);
        log.append(&accept(11, 1));
        log.sync().unwrap();
        drop(log);
        let (_, opened) = Log::open(dir.path()).unwrap();
        assert_eq!(opened.records.len(), live.len() + 1);
        assert_eq!(opened.records[..live.len()], live[..]);
    }
}
