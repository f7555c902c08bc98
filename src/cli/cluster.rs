//! `worm cluster up` and `worm cluster down`: a local cluster of wormservers on loopback.
//!
//! `up` starts `worm serve` for each node with its data in DIR/node<N>/ and writes
//! DIR/cluster.json. The servers pick free ports; each writes its pid and address into its data
//! directory, which is how `up` learns the addresses and how `down` finds the processes. An
//! existing DIR is started again on the ports its cluster file names, with its data.

use super::Error;
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};
use worm_wormspace::cluster::Cluster;

#[derive(Subcommand, Debug)]
pub enum ClusterCmd {
    /// Start a local cluster and write its cluster file (DIR/cluster.json).
    Up(UpArgs),
    /// Stop the local cluster in DIR.
    Down {
        #[arg(long)]
        data: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct UpArgs {
    #[arg(long, default_value_t = 3)]
    pub nodes: usize,
    #[arg(long, default_value_t = 1)]
    pub partitions: usize,
    /// Servers per partition (2F+1, odd, at most --nodes; default: all nodes up to 3).
    #[arg(long)]
    pub replicas: Option<usize>,
    #[arg(long)]
    pub data: PathBuf,
    /// Each server writes trace events to DIR/node<N>/trace.jsonl.
    #[arg(long)]
    pub trace: bool,
}

pub fn run(cmd: &ClusterCmd) -> Result<ExitCode, Error> {
    match cmd {
        ClusterCmd::Up(args) => up(args),
        ClusterCmd::Down { data } => {
            let stopped = down(data);
            println!("cluster down: stopped {stopped} servers");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn node_dir(data: &Path, node: usize) -> PathBuf {
    data.join(format!("node{node}"))
}

fn up(args: &UpArgs) -> Result<ExitCode, Error> {
    let replicas = args.replicas.unwrap_or(args.nodes.min(3));
    if args.nodes == 0 || args.partitions == 0 {
        return Err(Error::Usage(
            "--nodes and --partitions must be at least 1".into(),
        ));
    }
    if replicas.is_multiple_of(2) || replicas > args.nodes {
        return Err(Error::Usage(format!(
            "--replicas must be odd and at most --nodes ({}), not {replicas}",
            args.nodes
        )));
    }
    let file = args.data.join("cluster.json");
    let existing = file.exists().then(|| Cluster::load(&file)).transpose();
    let existing = existing.map_err(Error::Usage)?;
    if let Some(c) = &existing {
        if c.nodes.len() != args.nodes {
            return Err(Error::Usage(format!(
                "{} already holds a cluster of {} nodes",
                args.data.display(),
                c.nodes.len()
            )));
        }
    }
    let provisional = existing.clone().unwrap_or_else(|| {
        let any: SocketAddr = "127.0.0.1:0".parse().expect("an address");
        Cluster::spread(vec![any; args.nodes], args.partitions, replicas)
    });
    std::fs::create_dir_all(&args.data)
        .and_then(|_| provisional.save(&file))
        .map_err(|e| Error::Usage(format!("cannot write {}: {e}", file.display())))?;
    let mut addrs = Vec::new();
    for node in 0..args.nodes {
        let dir = node_dir(&args.data, node);
        match start(&file, node, &dir, provisional.nodes[node], args.trace) {
            Ok(addr) => addrs.push(addr),
            Err(e) => {
                down(&args.data);
                eprintln!("error: {e}");
                return Ok(ExitCode::from(1));
            }
        }
    }
    let cluster = Cluster {
        nodes: addrs,
        ..provisional
    };
    cluster
        .save(&file)
        .map_err(|e| Error::Usage(format!("cannot write {}: {e}", file.display())))?;
    println!(
        "cluster up: {} nodes, {} partitions, cluster file {}",
        args.nodes,
        cluster.partitions.len(),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Starts one server in the background and waits for the address it listens on.
fn start(
    file: &Path,
    node: usize,
    dir: &Path,
    bind: SocketAddr,
    trace: bool,
) -> Result<SocketAddr, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let addr_file = dir.join("serve.addr");
    let _ = std::fs::remove_file(&addr_file);
    let log = std::fs::File::create(dir.join("serve.log")).map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg("serve")
        .arg("--cluster")
        .arg(file)
        .arg("--node")
        .arg(node.to_string())
        .arg("--data")
        .arg(dir)
        .arg("--bind")
        .arg(bind.to_string());
    if trace {
        cmd.arg("--trace").arg(dir.join("trace.jsonl"));
    }
    // Its own process group: a Ctrl-C meant for a later command does not stop the cluster.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start node {node}: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(addr) = std::fs::read_to_string(&addr_file)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            return Ok(addr);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "node {node} exited ({status}); see {}",
                dir.join("serve.log").display()
            ));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(format!("node {node} did not start within 30 s"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Stops every server whose pid file is in DIR/node*/; returns how many were running.
pub fn down(data: &Path) -> usize {
    let mut stopped = 0;
    for node in 0.. {
        let dir = node_dir(data, node);
        if !dir.exists() {
            break;
        }
        let pid_file = dir.join("serve.pid");
        let Some(pid) = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
        else {
            continue;
        };
        if is_wormserver(pid) {
            signal(pid, "TERM");
            let deadline = Instant::now() + Duration::from_secs(5);
            while running(pid) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if running(pid) {
                signal(pid, "KILL");
                while running(pid) {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            stopped += 1;
        }
        let _ = std::fs::remove_file(&pid_file);
        let _ = std::fs::remove_file(dir.join("serve.addr"));
    }
    stopped
}

/// Whether `pid` is a live `worm serve` (not a stale pid file's recycled pid).
fn is_wormserver(pid: u32) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
    running(pid) && args.iter().any(|a| *a == b"serve") && args.iter().any(|a| a.ends_with(b"worm"))
}

/// Whether process `pid` exists and has not exited (a zombie, `Z`, or dead, `X`, process has
/// exited; only its parent's wait is missing).
fn running(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next())
        .is_some_and(|state| state != 'Z' && state != 'X')
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
