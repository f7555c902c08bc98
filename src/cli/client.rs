//! `worm wor ...` and `worm wos ...`: the client library from the command line.

use super::Error;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use worm_wormspace::client::Client;
use worm_wormspace::cluster::Cluster;
use worm_wormspace::proposer::OpConfig;
use worm_wormspace::types::{Addr, SegId};

#[derive(Args, Debug)]
pub struct Connect {
    /// The cluster file (as `worm cluster up` writes it).
    #[arg(long)]
    pub cluster: PathBuf,
    /// Write trace events (JSON lines) to this file.
    #[arg(long)]
    pub trace: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum WorCmd {
    /// Capture a WOR; prints the capture id (and a value a write must complete, if any).
    Capture {
        addr: Addr,
        #[command(flatten)]
        connect: Connect,
    },
    /// Write a WOR: capture it, then write (a capture id serves only the process that made
    /// it, so each write captures anew).
    Write {
        addr: Addr,
        value: String,
        #[command(flatten)]
        connect: Connect,
    },
    /// Read a WOR.
    Read {
        addr: Addr,
        #[command(flatten)]
        connect: Connect,
    },
}

#[derive(Subcommand, Debug)]
pub enum WosCmd {
    /// Allocate a segment.
    Alloc {
        seg: SegId,
        /// The segment's metadata.
        #[arg(long, default_value = "")]
        meta: String,
        #[command(flatten)]
        connect: Connect,
    },
    /// Trim a segment: its WORs are gone, and operations on it answer "trimmed".
    Trim {
        seg: SegId,
        #[command(flatten)]
        connect: Connect,
    },
}

/// The runtime every networked command runs in (two workers: the machines have two cores).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

pub fn trace_file(path: Option<&Path>) -> Result<Option<std::fs::File>, Error> {
    path.map(|p| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .map_err(|e| Error::Usage(format!("cannot open --trace {}: {e}", p.display())))
    })
    .transpose()
}

fn connect(c: &Connect) -> Result<Cluster, Error> {
    let cluster = Cluster::load(&c.cluster).map_err(Error::Usage)?;
    worm_wormspace::trace::init(trace_file(c.trace.as_deref())?);
    Ok(cluster)
}

fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

/// Prints a call's outcome: exit 0 on success, 1 with the typed error on stderr otherwise.
fn report(result: Result<String, worm_wormspace::proposer::Error>) -> ExitCode {
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

pub fn wor(cmd: &WorCmd) -> Result<ExitCode, Error> {
    let c = match cmd {
        WorCmd::Capture { connect: c, .. }
        | WorCmd::Write { connect: c, .. }
        | WorCmd::Read { connect: c, .. } => c,
    };
    let cluster = connect(c)?;
    let result = runtime().block_on(async {
        let client = Client::new(cluster, OpConfig::default());
        match cmd {
            WorCmd::Capture { addr, .. } => {
                let ballot = client.capture(*addr).await?;
                Ok(format!("captured {addr}: capture id {ballot}"))
            }
            WorCmd::Write { addr, value, .. } => {
                client.capture(*addr).await?;
                client.write(*addr, value.as_bytes().to_vec()).await?;
                Ok(format!("written {addr}"))
            }
            WorCmd::Read { addr, .. } => Ok(match client.read(*addr).await? {
                Some(v) => text(&v),
                None => "(empty)".to_string(),
            }),
        }
    });
    Ok(report(result))
}

pub fn wos(cmd: &WosCmd) -> Result<ExitCode, Error> {
    let c = match cmd {
        WosCmd::Alloc { connect: c, .. } | WosCmd::Trim { connect: c, .. } => c,
    };
    let cluster = connect(c)?;
    let result = runtime().block_on(async {
        let client = Client::new(cluster, OpConfig::default());
        match cmd {
            WosCmd::Alloc { seg, meta, .. } => {
                client.alloc(*seg, meta.as_bytes().to_vec()).await?;
                Ok(format!("allocated segment {seg}"))
            }
            WosCmd::Trim { seg, .. } => {
                client.trim(*seg).await?;
                Ok(format!("trimmed segment {seg}"))
            }
        }
    });
    Ok(report(result))
}
