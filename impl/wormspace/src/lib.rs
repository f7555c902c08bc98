pub mod types;
pub mod acceptor;
pub mod proposer;
pub mod wire;
pub mod storage;
pub mod cluster;
pub mod server;
pub mod trace;
