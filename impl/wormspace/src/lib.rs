pub mod types;
pub mod acceptor;
pub mod proposer;
pub mod wire;
pub mod storage;
