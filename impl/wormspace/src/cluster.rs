//! The cluster file: where the wormservers are and which of them replicate which partition.
//!
//! ```json
//! { "nodes": ["127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"],
//!   "partitions": [[0, 1, 2], [1, 2, 0]] }
//! ```
//!
//! Segment `s` lives on partition `s mod P`, whose replica set is a list of 2F+1 node indices.

use crate::types::SegId;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub nodes: Vec<SocketAddr>,
    pub partitions: Vec<Vec<usize>>,
}

impl Cluster {
    /// `partitions` partitions over `nodes`, each replicated on `replicas` consecutive nodes
    /// (partition `p` starts at node `p mod n`, so the load spreads).
    pub fn spread(nodes: Vec<SocketAddr>, partitions: usize, replicas: usize) -> Self {
        let n = nodes.len();
        let partitions = (0..partitions)
            .map(|p| (0..replicas).map(|i| (p + i) % n).collect())
            .collect();
        Cluster { nodes, partitions }
    }

    /// The node indices replicating segment `seg`.
    pub fn replicas(&self, seg: SegId) -> &[usize] {
        &self.partitions[(seg % self.partitions.len() as u64) as usize]
    }

    /// A message naming the first thing wrong with the file, if anything is.
    pub fn validate(&self) -> Result<(), String> {
        if self.nodes.is_empty() {
            return Err("the cluster has no nodes".into());
        }
        if self.partitions.is_empty() {
            return Err("the cluster has no partitions".into());
        }
        for (p, set) in self.partitions.iter().enumerate() {
            if set.len().is_multiple_of(2) || set.len() > 63 {
                return Err(format!(
                    "partition {p} has {} replicas; it needs an odd number (2F+1), at most 63",
                    set.len()
                ));
            }
            if let Some(bad) = set.iter().find(|&&i| i >= self.nodes.len()) {
                return Err(format!(
                    "partition {p} names node {bad}, but there are {} nodes",
                    self.nodes.len()
                ));
            }
            let mut sorted = set.clone();
            sorted.sort_unstable();
            sorted.dedup();
            if sorted.len() != set.len() {
                return Err(format!("partition {p} names a node twice"));
            }
        }
        Ok(())
    }

    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read cluster file {}: {e}", path.display()))?;
        let cluster: Cluster = serde_json::from_str(&text)
            .map_err(|e| format!("bad cluster file {}: {e}", path.display()))?;
        cluster
            .validate()
            .map_err(|e| format!("bad cluster file {}: {e}", path.display()))?;
        Ok(cluster)
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).expect("a cluster always serialises");
        std::fs::write(path, text + "\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_spread_and_validate() {
        let nodes: Vec<SocketAddr> = (0..3)
            .map(|i| format!("127.0.0.1:{}", 7000 + i).parse().unwrap())
            .collect();
        let c = Cluster::spread(nodes.clone(), 2, 3);
        assert_eq!(c.partitions, vec![vec![0, 1, 2], vec![1, 2, 0]]);
        assert_eq!(c.replicas(5), &[1, 2, 0]);
        assert_eq!(c.validate(), Ok(()));
        let even = Cluster::spread(nodes, 1, 2);
        assert!(even.validate().unwrap_err().contains("odd"));
    }
}
