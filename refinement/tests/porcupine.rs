//! The porcupine checker's key-value histories (testdata/porcupine-kv, MIT): each gets the
//! verdict its README gives, and a failing one a small sub-history.

use worm_refinement::lin::{check, specs::Kv, Format, History, Report};

fn run(file: &str) -> Report {
    let path = format!(
        "{}/testdata/porcupine-kv/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("test data present");
    let kv = Kv::default();
    assert_eq!(Format::detect(&text), Format::Edn);
    let history = History::parse(&kv, &text, Format::Edn).expect("reads");
    let t = std::time::Instant::now();
    let r = check(&kv, &history);
    eprintln!("{file}: {:?} {:?}", t.elapsed(), r.states);
    if let Some(v) = &r.violation {
        eprintln!("{v}");
    }
    r
}

#[test]
fn all() {
    for f in [
        "c01-ok.txt",
        "c01-bad.txt",
        "c10-ok.txt",
        "c10-bad.txt",
        "c50-ok.txt",
        "c50-bad.txt",
    ] {
        let r = run(f);
        assert_eq!(r.linearizable(), f.contains("ok"));
    }
}
