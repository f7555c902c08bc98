//! `worm serve`: one wormserver.

use super::Error;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use worm_wormspace::cluster::Cluster;
use worm_wormspace::server::{ServerConfig, Wormserver};
use worm_wormspace::wire::MAX_FRAME;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The cluster file.
    #[arg(long)]
    pub cluster: PathBuf,
    /// This server's index in the cluster file's node list.
    #[arg(long)]
    pub node: usize,
    /// The data directory (the log, and the pid and address files).
    #[arg(long)]
    pub data: PathBuf,
    /// Where to listen (default: the node's address in the cluster file; loopback for local
    /// clusters). Port 0 picks a free port, written to DATA/serve.addr.
    #[arg(long)]
    pub bind: Option<SocketAddr>,
    /// Write trace events (JSON lines) to this file.
    #[arg(long)]
    pub trace: Option<PathBuf>,
    /// The largest request frame, in bytes.
    #[arg(long, default_value_t = MAX_FRAME)]
    pub max_frame: usize,
}

pub fn serve(args: &ServeArgs) -> Result<ExitCode, Error> {
    let cluster = Cluster::load(&args.cluster).map_err(Error::Usage)?;
    let Some(&listed) = cluster.nodes.get(args.node) else {
        return Err(Error::Usage(format!(
            "--node {} is not in the cluster file, which has {} nodes",
            args.node,
            cluster.nodes.len()
        )));
    };
    let trace = super::client::trace_file(args.trace.as_deref())?;
    worm_wormspace::trace::init(trace);
    let bind = args.bind.unwrap_or(listed);
    let cfg = ServerConfig {
        node: args.node,
        data: args.data.clone(),
        max_frame: args.max_frame,
    };
    let result = super::client::runtime().block_on(async {
        let (server, _) = Wormserver::open(cfg)?;
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let local = listener.local_addr()?;
        // Written once recovered and listening; the address last, so that whoever waits for
        // it finds the pid too.
        let pid = format!("{}\n", std::process::id());
        std::fs::write(args.data.join("serve.pid"), pid)?;
        std::fs::write(args.data.join("serve.addr"), format!("{local}\n"))?;
        server.serve(listener).await
    });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("error: wormserver {} on {bind}: {e}", args.node);
            Ok(ExitCode::from(1))
        }
    }
}
