#!/usr/bin/env bash
# CI: kill -9 the release emulator under load with --data-dir, restart it, and check that every
# acknowledged write is there (conformance/src/bin/cognito-crash-test.rs). Three rounds, since
# where the kill lands differs each time; any loss fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
# The release emulator (as the walkthrough builds it) and the driver in the test step's debug
# build: `cargo build -p conformance` resolves features as `cargo test --workspace` did.
cargo build --quiet --release -p emulator --bin cognito-emulator
cargo build --quiet -p conformance --bin cognito-crash-test
for round in 1 2 3; do
    echo "-- round $round"
    "$target_dir/debug/cognito-crash-test" --emulator "$target_dir/release/cognito-emulator" --seconds 3
done
