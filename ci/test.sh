#!/usr/bin/env bash
# The project's test command: formatting, lints, and every test, optimised (the exhaustive
# model checks in the tests take seconds optimised and minutes without).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --release --workspace --all-targets -- -D warnings
cargo test --release --workspace
