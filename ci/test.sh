#!/usr/bin/env bash
# The project's test command: formatting, lints, and every test, optimised (the exhaustive
# model checks in the tests take seconds optimised and minutes without).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-tlc.sh  # Java and TLC for tests/tlc.rs, installed before any test runs
cargo fmt --all -- --check
cargo clippy --release --workspace --all-targets -- -D warnings
cargo test --release --workspace
