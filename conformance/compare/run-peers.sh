#!/usr/bin/env bash
# Scores the conformance suite against the emulator and its peers, for README's "Conformance" table.
# Installs moto[server] 5.2.5 (PyPI) and cognito-local 5.3.0 (npm) into a temporary folder, starts
# each, and a release cognito-emulator, on free loopback ports, runs `cognito-conformance --endpoint`
# against each, prints one table row per target and stops everything. Not part of CI.
#
# Usage: bash conformance/compare/run-peers.sh [folder for the full reports]
# Needs: cargo, python3 (venv), node/npm, curl. Every run of the suite is bounded by `timeout`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
reports="${1:-$root/target/conformance-peers}"
mkdir -p "$reports"
pids=()

stop_all() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap stop_all EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something answers HTTP on $1 (any status), for at most 30 s.
wait_http() {
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null --max-time 1 "$1"; then
      return 0
    fi
    sleep 0.1
  done
  echo "nothing answers at $1" >&2
  return 1
}

echo "== building cognito-emulator (release) and cognito-conformance" >&2
(cd "$root" && cargo build --quiet --release -p emulator --bin cognito-emulator)
(cd "$root" && cargo build --quiet -p conformance --bin cognito-conformance)
emulator="$root/target/release/cognito-emulator"
suite="$root/target/debug/cognito-conformance"

echo "== installing moto[server]==5.2.5 and cognito-local@5.3.0 into $work" >&2
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.5'
(cd "$work" && npm install --silent --no-audit --no-fund --no-save cognito-local@5.3.0 >/dev/null)

rows=()
# Runs the suite against $2 and records a row named $1.
score() {
  local name="$1" url="$2" file
  file="$reports/$(echo -n "$name" | tr -cs 'A-Za-z0-9.' '-').txt"
  echo "== $name at $url" >&2
  # Exit status 1 means "some scenario failed", which is what we measure; the totals line is the result.
  # One scenario at a time: no scenario sees another's pools come and go (moto's ListUserPools
  # tokens, for one, break when the pool they point at is deleted meanwhile).
  timeout 1200 "$suite" --endpoint "$url" --jobs 1 >"$file" 2>&1 || true
  local totals
  totals="$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$file" | tail -1 || true)"
  if [ -z "$totals" ]; then
    totals="no result (see $file)"
  fi
  echo "   $totals" >&2
  rows+=("| $name | $totals |")
}

port="$(free_port)"
# Strict credentials, as AWS: the credentials scenarios expect unknown keys refused.
"$emulator" --port "$port" --empty --log warn --strict-credentials >"$work/emulator.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$port/"
score "cognito-emulator $(cd "$root" && git rev-parse --short HEAD)" "http://127.0.0.1:$port"

port="$(free_port)"
"$work/venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$port/"
score "moto_server 5.2.5" "http://127.0.0.1:$port"

# cognito-local keeps its state and config in ./.cognito of its working directory.
# Sets $url (not echoed: a command substitution would lose the pid).
start_cognito_local() {
  local dir="$1" config="$2" port
  port="$(free_port)"
  mkdir -p "$dir/.cognito"
  echo "$config" >"$dir/.cognito/config.json"
  (cd "$dir" && HOST=127.0.0.1 PORT="$port" exec node "$work/node_modules/cognito-local/lib/bin/start.js") >"$dir.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$port/"
  url="http://127.0.0.1:$port"
}

start_cognito_local "$work/cognito-local" '{}'
score "cognito-local 5.3.0 (default config)" "$url"
# Its default UserPoolDefaults.UsernameAttributes is ["email"]; AWS's pools default to plain usernames.
start_cognito_local "$work/cognito-local-usernames" '{"UserPoolDefaults":{"UsernameAttributes":[]}}'
score "cognito-local 5.3.0 (UsernameAttributes: [])" "$url"

echo
echo "Measured $(date -u +%Y-%m-%d) on a $(nproc)-core $(uname -s); full reports in $reports"
echo
echo "| target | result |"
echo "| --- | --- |"
printf '%s\n' "${rows[@]}"
