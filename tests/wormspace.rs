//! End-to-end tests of WormSpace: real `worm serve` processes on loopback, the client library,
//! raw frames, `kill -9` and restarts, and `worm cluster up/down`.
//!
//! No test asserts timing: timeouts are generous so that a loaded two-core machine passes.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use worm_wormspace::client::Client;
use worm_wormspace::cluster::Cluster;
use worm_wormspace::proposer::{Error, OpConfig};
use worm_wormspace::types::{Addr, Ballot, Value};
use worm_wormspace::wire::{self, ErrorKind, Frame, Msg};

const WORM: &str = env!("CARGO_BIN_EXE_worm");

/// Three `worm serve` children on ephemeral loopback ports; killed when dropped.
struct TestCluster {
    dir: tempfile::TempDir,
    file: PathBuf,
    cluster: Cluster,
    children: Vec<Option<Child>>,
}

impl TestCluster {
    fn start(nodes: usize, partitions: usize) -> TestCluster {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cluster.json");
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let mut cluster = Cluster::spread(vec![any; nodes], partitions, nodes);
        cluster.save(&file).unwrap();
        let mut tc = TestCluster {
            dir,
            file,
            cluster: cluster.clone(),
            children: (0..nodes).map(|_| None).collect(),
        };
        for node in 0..nodes {
            cluster.nodes[node] = tc.spawn(node, any);
        }
        cluster.save(&tc.file).unwrap();
        tc.cluster = cluster;
        tc
    }

    fn data(&self, node: usize) -> PathBuf {
        self.dir.path().join(format!("node{node}"))
    }

    /// Starts node `node` on `bind` and waits for the address it listens on.
    fn spawn(&mut self, node: usize, bind: SocketAddr) -> SocketAddr {
        let data = self.data(node);
        let _ = std::fs::remove_file(data.join("serve.addr"));
        std::fs::create_dir_all(&data).unwrap();
        let child = Command::new(WORM)
            .args([
                "serve",
                "--node",
                &node.to_string(),
                "--bind",
                &bind.to_string(),
            ])
            .arg("--cluster")
            .arg(&self.file)
            .arg("--data")
            .arg(&data)
            .arg("--trace")
            .arg(data.join("trace.jsonl"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(data.join(format!("stderr{}", now_ms()))).unwrap())
            .spawn()
            .expect("worm serve starts");
        self.children[node] = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(addr) = std::fs::read_to_string(data.join("serve.addr"))
                .ok()
                .and_then(|s| s.trim().parse().ok())
            {
                return addr;
            }
            assert!(Instant::now() < deadline, "node {node} did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill9(&mut self, node: usize) {
        let mut child = self.children[node].take().expect("node is running");
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }

    fn restart(&mut self, node: usize) {
        let addr = self.cluster.nodes[node];
        assert_eq!(self.spawn(node, addr), addr);
    }

    fn client(&self) -> Client {
        Client::new(self.cluster.clone(), patient())
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        for child in self.children.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

/// Timeouts for a loaded machine: a call gives up only after about 30 s of silence.
/// (With the `seeded-bugs` feature `OpConfig` has one more field, `bug`, left at none.)
#[allow(clippy::needless_update)]
fn patient() -> OpConfig {
    OpConfig {
        timeout: Duration::from_secs(1),
        max_timeouts: 30,
        attempts: 20,
        backoff: Duration::from_millis(5),
        ..OpConfig::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A raw connection speaking frames, for what the client library never sends.
struct Raw(TcpStream);

impl Raw {
    fn connect(addr: SocketAddr) -> Raw {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        Raw(s)
    }

    fn send_bytes(&mut self, body: &[u8]) {
        self.0
            .write_all(&(body.len() as u32).to_be_bytes())
            .unwrap();
        self.0.write_all(body).unwrap();
    }

    fn send(&mut self, msgs: Vec<Msg>) {
        let frame = Frame {
            id: 42,
            lamport: 1,
            from: 0x5,
            msgs,
        };
        self.send_bytes(&wire::encode(&frame));
    }

    /// The next frame, or `None` at the end of the stream.
    fn recv(&mut self) -> Option<Frame> {
        let mut len = [0; 4];
        self.0.read_exact(&mut len).ok()?;
        let mut body = vec![0; u32::from_be_bytes(len) as usize];
        self.0.read_exact(&mut body).ok()?;
        Some(wire::decode(&body).expect("servers send frames that decode"))
    }
}

/// Each server's accepted value for each address, read one server at a time.
fn per_server(cluster: &Cluster, addrs: &[Addr]) -> Vec<BTreeMap<Addr, Value>> {
    cluster
        .nodes
        .iter()
        .map(|&node| {
            let mut raw = Raw::connect(node);
            let reads = addrs
                .iter()
                .map(|&addr| Msg::Read {
                    addr,
                    ballot: Default::default(),
                })
                .collect();
            raw.send(reads);
            let reply = raw.recv().expect("a reply");
            reply
                .msgs
                .into_iter()
                .filter_map(|m| match m {
                    Msg::ReadReply {
                        addr,
                        accepted: Some((_, v)),
                        ..
                    } => Some((addr, v)),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_api_call_on_a_real_cluster() {
    let mut tc = TestCluster::start(3, 2);
    runtime().block_on(async {
        let a = tc.client();
        let b = tc.client();
        // Unknown segment; write without capture.
        assert_eq!(a.read(Addr::data(8, 0)).await, Err(Error::NotAllocated));
        assert_eq!(a.capture(Addr::data(8, 0)).await, Err(Error::NotAllocated));
        assert_eq!(
            a.write(Addr::data(8, 0), b"x".to_vec()).await,
            Err(Error::NotCaptured)
        );
        // Alloc succeeds once.
        a.alloc(8, b"mine".to_vec()).await.unwrap();
        assert_eq!(
            b.alloc(8, b"theirs".to_vec()).await,
            Err(Error::AlreadyWritten(b"mine".to_vec()))
        );
        assert_eq!(b.metadata(8).await, Ok(Some(b"mine".to_vec())));
        let mut sub = b.subscribe(8).await.unwrap();
        // Capture, write, read; a second writer learns the value that won.
        let x = Addr::data(8, 0);
        let first = a.capture(x).await.unwrap();
        let second = b.capture(x).await.unwrap();
        assert!(second > first);
        // a's capture was stolen before it wrote.
        assert_eq!(a.write(x, b"from a".to_vec()).await, Err(Error::Preempted));
        b.write(x, b"from b".to_vec()).await.unwrap();
        assert_eq!(a.read(x).await, Ok(Some(b"from b".to_vec())));
        a.capture(x).await.unwrap();
        assert_eq!(
            a.write(x, b"late".to_vec()).await,
            Err(Error::AlreadyWritten(b"from b".to_vec()))
        );
        assert_eq!(a.read(Addr::data(8, 1)).await, Ok(None));
        // A capture serves one write.
        let y = Addr::data(8, 1);
        a.capture(y).await.unwrap();
        a.write(y, b"by id".to_vec()).await.unwrap();
        assert_eq!(a.write(y, b"twice".to_vec()).await, Err(Error::NotCaptured));
        assert_eq!(b.read(y).await, Ok(Some(b"by id".to_vec())));
        // Batch capture and batch write; one data WOR already holds a value.
        b.batch_capture(8).await.unwrap();
        let results = b
            .batch_write(
                8,
                vec![
                    (0, b"b0".to_vec()),
                    (2, b"b2".to_vec()),
                    (3, b"b3".to_vec()),
                ],
            )
            .await
            .unwrap();
        assert_eq!(
            results,
            vec![
                (0, Err(Error::AlreadyWritten(b"from b".to_vec()))),
                (2, Ok(())),
                (3, Ok(()))
            ]
        );
        b.write(Addr::data(8, 4), b"b4".to_vec()).await.unwrap();
        // The batch capture served those WORs once each; a WOR named twice is refused too.
        assert_eq!(
            b.write(Addr::data(8, 2), b"again".to_vec()).await,
            Err(Error::NotCaptured)
        );
        assert_eq!(
            b.batch_write(8, vec![(5, vec![1]), (5, vec![2])]).await,
            Err(Error::NotCaptured)
        );
        // Notifications: each written WOR once, whatever the order.
        let mut told = BTreeMap::new();
        while told.len() < 5 {
            let (addr, v) = tokio::time::timeout(Duration::from_secs(60), sub.next())
                .await
                .expect("a notification")
                .unwrap()
                .unwrap();
            assert!(told.insert(addr, v).is_none());
        }
        assert_eq!(told[&Addr::data(8, 3)], b"b3".to_vec());
        assert_eq!(told[&Addr::data(8, 1)], b"by id".to_vec());
        // Trim: every call on the segment answers Trimmed, and so does the subscription.
        a.trim(8).await.unwrap();
        a.trim(8).await.unwrap();
        assert_eq!(b.read(x).await, Err(Error::Trimmed));
        assert_eq!(b.capture(Addr::data(8, 9)).await, Err(Error::Trimmed));
        assert_eq!(b.batch_capture(8).await, Err(Error::Trimmed));
        let fresh = tc.client();
        assert_eq!(fresh.read(x).await, Err(Error::Trimmed));
        let end = tokio::time::timeout(Duration::from_secs(60), sub.next()).await;
        assert_eq!(end.unwrap(), Some(Err(Error::Trimmed)));
        // The other partition is untouched.
        a.alloc(9, Vec::new()).await.unwrap();
        a.capture(Addr::data(9, 0)).await.unwrap();
        a.write(Addr::data(9, 0), b"nine".to_vec()).await.unwrap();
        assert_eq!(
            fresh.read(Addr::data(9, 0)).await,
            Ok(Some(b"nine".to_vec()))
        );
    });
    // A restart compacts the trimmed segment out of the log and still knows it was trimmed.
    // (Node 0 may not have been among the quorum that trimmed: tell it, as the trim did.)
    let mut raw = Raw::connect(tc.cluster.nodes[0]);
    raw.send(vec![Msg::Trim { seg: 8 }]);
    assert_eq!(raw.recv().unwrap().msgs, vec![Msg::TrimDone { seg: 8 }]);
    let log = tc.data(0).join("wor.log");
    let before = std::fs::metadata(&log).unwrap().len();
    tc.kill9(0);
    tc.restart(0);
    let after = std::fs::metadata(&log).unwrap().len();
    assert!(after < before, "{after} >= {before}");
    let mut raw = Raw::connect(tc.cluster.nodes[0]);
    raw.send(vec![Msg::Read {
        addr: Addr::data(8, 0),
        ballot: Default::default(),
    }]);
    assert_eq!(raw.recv().unwrap().msgs, vec![Msg::Trimmed { seg: 8 }]);
    // Every server traced its steps as JSON lines with the documented fields.
    let trace = std::fs::read_to_string(tc.data(0).join("trace.jsonl")).unwrap();
    let events: Vec<serde_json::Value> = trace
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    let prepare = events
        .iter()
        .find(|e| e["step"] == "Prepare" && e["changed"]["promised"].is_object())
        .expect("a traced promise");
    assert_eq!(prepare["node"], "s0");
    assert!(prepare["from"].as_str().unwrap().starts_with('c'));
    assert_eq!(prepare["msg_out"][0]["to"], prepare["from"]);
    assert_eq!(prepare["role"], "acceptor");
    assert!(prepare["lamport"].as_u64().unwrap() > 0);
    assert!(prepare["msg_in"]["Prepare"]["ballot"]["round"].is_u64());
    assert_eq!(
        prepare["msg_out"][0]["msg"]["Promise"]["addr"],
        prepare["msg_in"]["Prepare"]["addr"]
    );
    assert!(events
        .iter()
        .any(|e| e["step"] == "Trim" && e["changed"]["trimmed"] == true));
}

#[test]
fn kill_9_during_a_write_load_loses_no_acknowledged_write() {
    let mut tc = TestCluster::start(3, 1);
    let rt = runtime();
    let _in_runtime = rt.enter();
    let acked: Arc<Mutex<BTreeMap<Addr, Value>>> = Arc::default();
    let unknown: Arc<Mutex<BTreeMap<Addr, Value>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..8u64)
        .map(|w| {
            let (client, acked, unknown, stop) =
                (tc.client(), acked.clone(), unknown.clone(), stop.clone());
            rt.spawn(async move {
                let seg = 100 + w;
                client.alloc(seg, Vec::new()).await.unwrap();
                client.batch_capture(seg).await.unwrap();
                let mut o = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let addr = Addr::data(seg, o);
                    let v = format!("w{w}.{o}").into_bytes();
                    match client.write(addr, v.clone()).await {
                        Ok(()) => acked.lock().unwrap().insert(addr, v),
                        Err(_) => unknown.lock().unwrap().insert(addr, v),
                    };
                    o += 1;
                }
                o
            })
        })
        .collect();
    let count = || acked.lock().unwrap().len();
    let wait_for = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(120);
        while count() < n {
            assert!(
                Instant::now() < deadline,
                "the load stalled at {} writes",
                count()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_for(200);
    tc.kill9(1);
    wait_for(count() + 200);
    tc.restart(1);
    wait_for(count() + 200);
    // Now the restarted server is needed: with node 2 down, node 1's log makes the quorum.
    tc.kill9(2);
    wait_for(count() + 200);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let written: u32 = rt.block_on(async {
        let mut n = 0;
        for w in writers {
            n += w.await.unwrap();
        }
        n
    });
    let acked = acked.lock().unwrap().clone();
    let unknown = unknown.lock().unwrap().clone();
    assert!(acked.len() >= 800 && written as usize == acked.len() + unknown.len());
    // Every acknowledged write reads back with node 2 still down.
    rt.block_on(async {
        let reader = tc.client();
        for (addr, v) in &acked {
            assert_eq!(
                reader.read(*addr).await.as_ref(),
                Ok(&Some(v.clone())),
                "{addr}"
            );
        }
    });
    tc.restart(2);
    // No server holds a value for a WOR other than the one written there.
    let addrs: Vec<Addr> = acked.keys().chain(unknown.keys()).copied().collect();
    for (node, values) in per_server(&tc.cluster, &addrs).iter().enumerate() {
        for (addr, v) in values {
            let expected = acked.get(addr).or_else(|| unknown.get(addr)).unwrap();
            assert_eq!(v, expected, "node {node} at {addr}");
        }
    }
}

#[test]
fn subscriptions_survive_server_restarts() {
    let mut tc = TestCluster::start(3, 1);
    let rt = runtime();
    let _in_runtime = rt.enter();
    let client = tc.client();
    let mut sub = rt.block_on(async {
        client.alloc(1, Vec::new()).await.unwrap();
        client.subscribe(1).await.unwrap()
    });
    // Two of the three servers forget their subscribers: only a quorum of notifications tells
    // a write, so the client must subscribe again when it reconnects.
    for node in [1, 2] {
        tc.kill9(node);
        tc.restart(node);
    }
    rt.block_on(async {
        let x = Addr::data(1, 0);
        client.capture(x).await.unwrap();
        client.write(x, b"after".to_vec()).await.unwrap();
        let told = tokio::time::timeout(Duration::from_secs(60), sub.next()).await;
        assert_eq!(told.unwrap(), Some(Ok((x, b"after".to_vec()))));
    });
}

#[test]
fn bad_frames_get_typed_errors_and_the_server_keeps_serving() {
    let tc = TestCluster::start(3, 1);
    let server = tc.cluster.nodes[0];
    // A frame that does not decode: an error reply, and the connection goes on.
    let mut raw = Raw::connect(server);
    raw.send_bytes(&[0xff; 5]);
    let reply = raw.recv().unwrap();
    assert!(
        matches!(
            &reply.msgs[..],
            [Msg::Error {
                kind: ErrorKind::Malformed,
                ..
            }]
        ),
        "{reply:?}"
    );
    raw.send(vec![Msg::Read {
        addr: Addr::data(1, 0),
        ballot: Default::default(),
    }]);
    assert!(matches!(
        raw.recv().unwrap().msgs[..],
        [Msg::ReadReply { .. }]
    ));
    // A frame above the limit: an error reply, then the connection closes.
    let mut big = Raw::connect(server);
    big.0
        .write_all(&((wire::MAX_FRAME + 1) as u32).to_be_bytes())
        .unwrap();
    big.0.write_all(&[0; 64]).unwrap();
    let reply = big.recv().unwrap();
    assert!(
        matches!(
            &reply.msgs[..],
            [Msg::Error {
                kind: ErrorKind::TooLarge,
                ..
            }]
        ),
        "{reply:?}"
    );
    assert!(big.recv().is_none(), "the connection is closed");
    // The first connection, and new clients, are served as before.
    raw.send(vec![Msg::Prepare {
        addr: Addr::data(1, 0),
        ballot: Ballot::new(1, 5),
    }]);
    assert!(matches!(
        raw.recv().unwrap().msgs[..],
        [Msg::Promise { .. }]
    ));
    runtime().block_on(async {
        let c = tc.client();
        c.alloc(2, Vec::new()).await.unwrap();
        c.capture(Addr::data(2, 0)).await.unwrap();
        c.write(Addr::data(2, 0), b"ok".to_vec()).await.unwrap();
    });
    let log = std::fs::read_dir(tc.data(0))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("stderr"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect::<String>();
    assert!(log.contains("malformed frame"), "{log}");
    assert!(log.contains("closing the connection"), "{log}");
}

fn worm(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = Command::new(WORM)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("worm runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Stops a `worm cluster up` cluster however the test ends.
struct Down(PathBuf);

impl Drop for Down {
    fn drop(&mut self) {
        let _ = Command::new(WORM)
            .args(["cluster", "down", "--data"])
            .arg(&self.0)
            .output();
    }
}

#[test]
fn cluster_up_client_commands_and_down() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("c");
    let d = data.to_str().unwrap();
    let (code, out, err) = worm(
        &[
            "cluster",
            "up",
            "--nodes",
            "3",
            "--partitions",
            "2",
            "--data",
            d,
        ],
        dir.path(),
    );
    let _down = Down(data.clone());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("cluster up: 3 nodes, 2 partitions"), "{out}");
    let file = format!("{d}/cluster.json");
    let c = ["--cluster", file.as_str()];
    let run = |args: &[&str]| worm(&[args, &c[..]].concat(), dir.path());
    let (code, _, err) = run(&["wor", "read", "4:0"]);
    assert_eq!(
        (code, err.trim()),
        (1, "error: the segment is not allocated")
    );
    assert_eq!(
        run(&["wos", "alloc", "4", "--meta", "m"]).1,
        "allocated segment 4\n"
    );
    let (code, out, _) = run(&["wor", "capture", "4:0"]);
    assert_eq!(code, 0);
    let id: Ballot = out.trim().rsplit(' ').next().unwrap().parse().unwrap();
    assert_eq!(out, format!("captured 4:0: capture id {id}\n"));
    assert_eq!(run(&["wor", "write", "4:0", "hello"]).1, "written 4:0\n");
    let (code, _, err) = run(&["wor", "write", "4:0", "other"]);
    assert_eq!((code, err.trim()), (1, "error: already written: hello"));
    assert_eq!(run(&["wor", "read", "4:0"]).1, "hello\n");
    assert_eq!(run(&["wor", "read", "4:1"]).1, "(empty)\n");
    assert_eq!(run(&["wos", "trim", "4"]).1, "trimmed segment 4\n");
    let (code, _, err) = run(&["wor", "read", "4:0"]);
    assert_eq!((code, err.trim()), (1, "error: the segment was trimmed"));
    let (code, _, err) = run(&["wor", "read", "nonsense"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("SEG:OFFSET"), "{err}");
    // The benchmark runs (its figures are for docs/BENCHMARKS.md, not for asserting).
    let (code, out, err) = run(&["bench", "wormspace", "--seconds", "1", "--clients", "4"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("disk fsync (4 KiB append + sync_data, 3 thread(s)"),
        "{out}"
    );
    assert!(
        out.contains("(a) 1 client, 1 s: ") && out.contains("(b) 4 clients, "),
        "{out}"
    );
    let pids: Vec<u32> = (0..3)
        .map(|n| {
            std::fs::read_to_string(data.join(format!("node{n}/serve.pid")))
                .unwrap()
                .trim()
                .parse()
                .unwrap()
        })
        .collect();
    let (code, out, _) = worm(&["cluster", "down", "--data", d], dir.path());
    assert_eq!(
        (code, out.as_str()),
        (0, "cluster down: stopped 3 servers\n")
    );
    for pid in pids {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| {
                s.rsplit_once(')')
                    .unwrap()
                    .1
                    .trim_start()
                    .chars()
                    .next()
                    .unwrap()
            })
            .unwrap_or('X');
        let alive = state != 'Z' && state != 'X';
        assert!(!alive, "server {pid} still running");
    }
    // Up again on the same data: the value is still there, on the same ports.
    let (code, out, err) = worm(&["cluster", "up", "--nodes", "3", "--data", d], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(run(&["wos", "alloc", "6"]).1, "allocated segment 6\n");
    let (code, _, err) = run(&["wor", "read", "4:0"]);
    assert_eq!((code, err.trim()), (1, "error: the segment was trimmed"));
}

#[test]
fn bad_arguments_to_the_wormspace_commands_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, _, err) = worm(
        &[
            "serve",
            "--cluster",
            "nope.json",
            "--node",
            "0",
            "--data",
            d,
        ],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot read cluster file nope.json"), "{err}");
    let file = dir.path().join("c.json");
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    Cluster::spread(vec![any; 3], 1, 3).save(&file).unwrap();
    let f = file.to_str().unwrap();
    let (code, _, err) = worm(
        &["serve", "--cluster", f, "--node", "7", "--data", d],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--node 7 is not in the cluster file, which has 3 nodes"),
        "{err}"
    );
    std::fs::write(
        &file,
        r#"{"nodes": ["127.0.0.1:1"], "partitions": [[0, 0]]}"#,
    )
    .unwrap();
    let (code, _, err) = worm(&["wor", "read", "1:0", "--cluster", f], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("partition 0 has 2 replicas"), "{err}");
    let (code, _, err) = worm(&["cluster", "up", "--nodes", "2", "--data", d], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("--replicas must be odd"), "{err}");
    Cluster::spread(vec![any; 3], 1, 3).save(&file).unwrap();
    let (code, _, err) = worm(
        &["bench", "wormspace", "--cluster", f, "--clients", "0"],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--clients"), "{err}");
}

/// The CI gate's real run: three `worm serve` processes and three contending clients doing
/// capture + write and reads on four WORs, one server killed with `kill -9` in the middle of
/// the load and restarted. The servers' traces and the clients' (merged by Lamport clock)
/// replay against the WOS model, and the client history is linearizable per WOR.
#[test]
fn a_cluster_run_with_a_kill_9_has_a_valid_trace_and_a_linearizable_history() {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::prelude::*;
    use worm_wormspace::history::Recorder;
    use worm_wormspace::proposer::{Done, Kind};
    use worm_wormspace::trace::{JsonLines, TARGET};

    let mut tc = TestCluster::start(3, 1);
    // The clients' trace events: this thread's subscriber (the runtime below runs every task
    // on this thread), so that other tests' clients stay out of it.
    let client_trace = tc.dir.path().join("clients.jsonl");
    let layer = JsonLines::new(std::fs::File::create(&client_trace).unwrap())
        .with_filter(Targets::new().with_target(TARGET, tracing::Level::INFO));
    let _traced = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _in_runtime = rt.enter();
    let history = Arc::new(Mutex::new(Recorder::new(Vec::new())));
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<Client> = (0..3).map(|_| tc.client()).collect();
    rt.block_on(clients[0].alloc(1, b"gate".to_vec())).unwrap();
    let load: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(c, client)| {
            let (history, done, stop) = (history.clone(), done.clone(), stop.clone());
            rt.spawn(async move {
                let id = client.id();
                let record = |kind: &Kind, ballot, result: Option<Result<Done, Error>>| {
                    let mut h = history.lock().unwrap();
                    match result {
                        None => h.invoke(id, kind, ballot),
                        Some(r) => h.complete(id, kind, &r),
                    }
                };
                let mut i = 0u32;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let addr = Addr::data(1, (i * 7 + c as u32 * 3) % 4);
                    if i % 3 == 2 {
                        let kind = Kind::Read(addr);
                        record(&kind, None, None);
                        let r = client.read(addr).await.map(Done::Value);
                        record(&kind, None, Some(r));
                    } else {
                        let kind = Kind::Capture(addr);
                        record(&kind, None, None);
                        let captured = client.capture(addr).await;
                        let r = captured.clone().map(|ballot| Done::Captured {
                            ballot,
                            pending: None,
                        });
                        record(&kind, None, Some(r));
                        if let Ok(ballot) = captured {
                            let value = format!("c{c}.{i}").into_bytes();
                            let kind = Kind::Write {
                                addr,
                                value: value.clone(),
                                pending: None,
                            };
                            record(&kind, Some(ballot), None);
                            let r = client.write(addr, value).await.map(|()| Done::Written);
                            record(&kind, None, Some(r));
                        }
                    }
                    done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    i += 1;
                }
            })
        })
        .collect();
    let wait_for = |n: usize| {
        rt.block_on(async {
            let deadline = Instant::now() + Duration::from_secs(120);
            while done.load(std::sync::atomic::Ordering::SeqCst) < n {
                assert!(Instant::now() < deadline, "the load stalled");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    wait_for(60);
    tc.kill9(1); // while the clients' calls are in flight
    wait_for(120);
    tc.restart(1);
    wait_for(180);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    rt.block_on(async {
        for task in load {
            task.await.unwrap();
        }
    });
    drop(_in_runtime);
    drop(rt);

    let history = history.lock().unwrap().lines().join("\n");
    let spec = worm_refinement::lin::specs::Wor;
    let parsed =
        worm_refinement::lin::History::parse(&spec, &history, worm_refinement::lin::Format::Json)
            .unwrap();
    let verdict = worm_refinement::lin::check(&spec, &parsed);
    assert!(verdict.linearizable(), "{:?}", verdict.violation);
    assert!(verdict.operations >= 200, "{}", verdict.operations);

    let read = |path: PathBuf| {
        let text = std::fs::read(&path).unwrap();
        worm_trace::parse_trace(&text[..]).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let mut logs: Vec<_> = (0..3)
        .map(|n| read(tc.data(n).join("trace.jsonl")))
        .collect();
    logs.push(read(client_trace));
    let events = worm_trace::merge(logs);
    let report = worm_trace::validate(
        &events,
        &worm_trace::Options::new(worm_trace::ModelKind::Wos),
    )
    .unwrap_or_else(|f| panic!("{f}"));
    assert!(!report.explicit_durability);
    assert!(report.events > 500, "{report:?}");
    eprintln!(
        "{} operations ({} of unknown outcome), {} trace events on {} WORs",
        verdict.operations, verdict.unknown, report.events, report.addresses
    );
}
