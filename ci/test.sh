#!/usr/bin/env bash
# The project's test command: formatting, lints, and every test, optimised (the exhaustive
# model checks in the tests take seconds optimised and minutes without).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-tlc.sh  # Java and TLC for tests/tlc.rs, installed before any test runs
cargo fmt --all -- --check
cargo clippy --release --workspace --all-targets -- -D warnings
cargo test --release --workspace
# The seeded implementation bugs exist only with the `seeded-bugs` feature (never in a default
# build): lint that code too, and run the pinned tests that show trace validation and the
# history check catch each bug.
cargo clippy --release --workspace --all-targets --features worm/seeded-bugs,worm-trace/seeded-bugs -- -D warnings
cargo test --release --features seeded-bugs --test seeded_bugs
cargo test --release -p worm-trace --features seeded-bugs --test sim
