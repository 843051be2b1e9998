#!/usr/bin/env bash
# Runs proxy/tests (the tutorial's request sequence and every error mapping) through
# `--cognito-endpoint` against the release cognito-emulator, started with --strict-credentials
# so the proxy's admin calls must carry valid STS session credentials. Used by .ci/run.
# COGNITO_EMULATOR_BIN: the emulator to run (default: the release build).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
if [[ -n "${COGNITO_EMULATOR_BIN:-}" ]]; then
  bin="$COGNITO_EMULATOR_BIN"
else
  cargo build --quiet --release -p emulator --bin cognito-emulator
  bin="${CARGO_TARGET_DIR:-$root/target}/release/cognito-emulator"
fi
"$bin" --port 0 --log warn --strict-credentials > "$work/banner.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  grep -q '^export ROOT_USER_CLIENT_ID=' "$work/banner.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/banner.log"; echo "emulator exited early" >&2; exit 1; }
  sleep 0.1
done
eval "$(grep '^export' "$work/banner.log")"
cd "$root"
# --workspace: the feature set of `cargo test --workspace`, so CI's test build is reused
# (`-p proxy` alone resolves features differently and rebuilds the SDK).
PROXY_TEST_COGNITO_ENDPOINT="$AWS_ENDPOINT_URL" cargo test --quiet --workspace --test tutorial
