//! The address the explorer binds.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};

/// Resolves `--bind`. Port 0 means "any free port": one is picked here so that it can be
/// printed (the explorer itself does not report the port it bound).
pub fn bind_address(bind: &str) -> Result<SocketAddr, String> {
    let addr = bind
        .to_socket_addrs()
        .map_err(|e| format!("bad --bind address {bind:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("bad --bind address {bind:?}: it resolves to nothing"))?;
    let listener = TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {addr}: {e}"))
}
