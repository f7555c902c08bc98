use stateright::{Checker, Expectation, HasDiscoveries, Model};
use worm_models::caspaxos::model::parse_scripts;
use worm_models::caspaxos::{CasBug, CasConfig, Membership};
use worm_refinement::first_violation;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut cfg = match args.get(1).map(String::as_str) {
        Some("default") | None => CasConfig::default(),
        Some(bug) => bug.parse::<CasBug>().map(CasBug::config).unwrap_or_default(),
    };
    for a in &args[2..] {
        let (k, v) = a.split_once('=').unwrap();
        match k {
            "changes" => cfg.scripts = parse_scripts(v).unwrap(),
            "acceptors" => cfg.acceptors = v.parse().unwrap(),
            "membership" => cfg.membership = v.parse::<Membership>().unwrap(),
            "gc" => cfg.gc = v == "1",
            "rtt" => cfg.one_rtt = v == "1",
            "net" => cfg.network = v.parse().unwrap(),
            "crashes" => cfg.crashes = v.parse().unwrap(),
            "add" => cfg.add_proposer = v == "1",
            "remove" => cfg.remove_proposer = v == "1",
            _ => panic!("{k}"),
        }
    }
    println!("{cfg:?} valid: {:?}", cfg.validate());
    let t = std::time::Instant::now();
    let c = cfg.into_model().checker().finish_when(HasDiscoveries::AnyFailures).spawn_bfs();
    let limit: u64 = std::env::var("LIMIT").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    while !c.is_done() {
        std::thread::sleep(std::time::Duration::from_millis(500));
        if t.elapsed().as_secs() > limit { println!("gave up: {} unique, depth {}", c.unique_state_count(), c.max_depth()); std::process::exit(3); }
    }
    let c = c.join();
    let m = c.model();
    println!("{} unique, depth {}, {:.2}s", c.unique_state_count(), c.max_depth(), t.elapsed().as_secs_f64());
    for p in m.properties() {
        if let Some(path) = c.discovery(p.name) {
            if p.expectation == Expectation::Always {
                let steps = first_violation(m, p.name, path).unwrap();
                println!("VIOLATION {}:", p.name);
                for (_, a) in &steps { if let Some(a) = a { println!("  {}", m.format_action(a)); } }
            } else {
                println!("sometimes {}: {} steps", p.name, path.into_actions().len());
            }
        } else {
            println!("no discovery {}", p.name);
        }
    }
}
#[allow(dead_code)]
fn unused() {}
