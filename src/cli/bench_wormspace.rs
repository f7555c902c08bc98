//! `worm bench wormspace`: latency and durable throughput of a running cluster, with the
//! disk's own fsync latency measured in the same run for scale.

use super::Error;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use worm_wormspace::client::Client;
use worm_wormspace::cluster::Cluster;
use worm_wormspace::proposer::OpConfig;
use worm_wormspace::types::{Addr, SegId};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The cluster file.
    #[arg(long)]
    pub cluster: PathBuf,
    /// Seconds for each of the two measurements.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Concurrent clients of the throughput measurement.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// WORs per write call in the throughput measurement (above 1: `batch_write`).
    #[arg(long, default_value_t = 1)]
    pub batch: u32,
}

/// The `q`-quantile of sorted samples.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// Appends 4 KiB and `sync_data`s, `n` times on each of `threads` files at once, in the
/// directory of the cluster file (the cluster's disk, for a cluster made by `worm cluster up`).
/// Three threads is what three servers syncing together look like to the disk.
fn fsync_latency(
    dir: &std::path::Path,
    n: usize,
    threads: usize,
) -> std::io::Result<Vec<Duration>> {
    let run = |t: usize| -> std::io::Result<Vec<Duration>> {
        let path = dir.join(format!("bench-fsync-{}-{t}.tmp", std::process::id()));
        let mut f = std::fs::File::create(&path)?;
        let block = vec![7u8; 4096];
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let start = Instant::now();
            f.write_all(&block)?;
            f.sync_data()?;
            samples.push(start.elapsed());
        }
        drop(f);
        std::fs::remove_file(&path)?;
        Ok(samples)
    };
    let mut all = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|t| s.spawn(move || run(t))).collect();
        for h in handles {
            all.extend(h.join().expect("an fsync thread ends")?);
        }
        Ok::<_, std::io::Error>(())
    })?;
    all.sort();
    Ok(all)
}

pub fn run(args: &BenchArgs) -> Result<ExitCode, Error> {
    let cluster = Cluster::load(&args.cluster).map_err(Error::Usage)?;
    if args.seconds == 0 || args.clients == 0 {
        return Err(Error::Usage(
            "--seconds and --clients must be at least 1".into(),
        ));
    }
    let dir = args
        .cluster
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    for threads in [1, 3] {
        let fsync = fsync_latency(dir, 200, threads)
            .map_err(|e| Error::Usage(format!("cannot measure fsync in {}: {e}", dir.display())))?;
        println!(
            "disk fsync (4 KiB append + sync_data, {threads} thread(s), {} samples): p50 {}, p90 {}",
            fsync.len(),
            ms(quantile(&fsync, 0.5)),
            ms(quantile(&fsync, 0.9))
        );
    }
    let secs = Duration::from_secs(args.seconds);
    let result = super::client::runtime().block_on(async {
        let cfg = OpConfig::default();
        // Fresh segments for every run: a random base far from small ids.
        let base: SegId = (Client::new(cluster.clone(), cfg).id() >> 24) | (1 << 40);
        let one = Client::new(cluster.clone(), cfg);
        one.alloc(base, b"bench".to_vec()).await?;
        let (mut writes, mut reads) = (Vec::new(), Vec::new());
        let start = Instant::now();
        let mut offset = 0;
        while start.elapsed() < secs {
            let addr = Addr::data(base, offset);
            offset += 1;
            let t = Instant::now();
            one.capture(addr).await?;
            one.write(addr, offset.to_le_bytes().to_vec()).await?;
            let written = t.elapsed();
            let t = Instant::now();
            let v = one.read(addr).await?;
            reads.push(t.elapsed());
            writes.push(written);
            assert_eq!(v, Some(offset.to_le_bytes().to_vec()), "read back at {addr}");
        }
        writes.sort();
        reads.sort();
        println!(
            "(a) 1 client, {} s: {} capture+write, p50 {}, p99 {}; read p50 {}, p99 {}",
            args.seconds,
            writes.len(),
            ms(quantile(&writes, 0.5)),
            ms(quantile(&writes, 0.99)),
            ms(quantile(&reads, 0.5)),
            ms(quantile(&reads, 0.99))
        );
        let mut tasks = Vec::new();
        for c in 0..args.clients {
            let client = Client::new(cluster.clone(), cfg);
            let seg = base + 1 + c as u64;
            tasks.push(tokio::spawn(async move {
                client.alloc(seg, b"bench".to_vec()).await?;
                client.batch_capture(seg).await?;
                Ok::<_, worm_wormspace::proposer::Error>((client, seg))
            }));
        }
        let mut ready = Vec::new();
        for t in tasks {
            ready.push(t.await.expect("a setup task ends")?);
        }
        let start = Instant::now();
        let mut tasks = Vec::new();
        let batch = args.batch;
        for (client, seg) in ready {
            tasks.push(tokio::spawn(async move {
                let mut n = 0u32;
                while start.elapsed() < secs {
                    if batch == 1 {
                        client.write(Addr::data(seg, n), n.to_le_bytes().to_vec()).await?;
                    } else {
                        let writes = (n..n + batch).map(|o| (o, o.to_le_bytes().to_vec()));
                        for (_, r) in client.batch_write(seg, writes.collect()).await? {
                            r?;
                        }
                    }
                    n += batch;
                }
                Ok::<_, worm_wormspace::proposer::Error>(n as u64)
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.expect("a writer task ends")?;
        }
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "(b) {} clients, {:.1} s: {total} durable WOR writes (batch-captured segments, {} WOR(s) per write call), {:.0} writes/s",
            args.clients,
            elapsed,
            args.batch,
            total as f64 / elapsed
        );
        let p50 = quantile(&writes, 0.5);
        let rate = total as f64 / elapsed;
        println!(
            "targets: capture+write p50 <= 1 ms: {}; >= 10000 durable writes/s: {}",
            if p50 <= Duration::from_millis(1) { "met" } else { "NOT met" },
            if rate >= 10_000.0 { "met" } else { "NOT met" }
        );
        Ok::<_, worm_wormspace::proposer::Error>(())
    });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
