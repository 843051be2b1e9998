#!/usr/bin/env bash
# Runs the tutorial's boto3 walkthrough against the release cognito-emulator (or $COGNITO_EMULATOR_BIN)
# on a free loopback port, in a fresh virtualenv with the pinned requirements. Used by .ci/run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"

# amazon-cognito-identity-js and aws-jwt-verify (pinned by conformance/js/package-lock.json), for the
# SRP and MFA sign-ins browser apps make and the token checks a Node.js API makes. Required in CI;
# skipped with a note where npm is missing.
if command -v npm >/dev/null 2>&1; then
  mkdir "$work/js"
  cp "$root/conformance/js/package.json" "$root/conformance/js/package-lock.json" "$root/conformance/js/sign_in.js" \
    "$root/conformance/js/verify_jwt.js" "$work/js/"
  (cd "$work/js" && npm ci --silent --no-audit --no-fund)
  export ACIJ_DIR="$work/js"
elif [[ "${CI:-}" == true ]]; then
  echo "npm is needed for the amazon-cognito-identity-js checks" >&2
  exit 1
else
  echo "npm not found: the amazon-cognito-identity-js checks will be skipped" >&2
fi

# COGNITO_EMULATOR_BIN, if set, is the emulator binary to run; otherwise the release build.
if [[ -n "${COGNITO_EMULATOR_BIN:-}" ]]; then
  bin="$COGNITO_EMULATOR_BIN"
else
  cargo build --quiet --release -p emulator --bin cognito-emulator
  bin="$root/target/release/cognito-emulator"
fi
# --strict-credentials: a call signed with a key the emulator does not know fails, as on AWS.
# The extra key is an IAM user (root may not assume roles), for the AssumeRole checks.
"$bin" --port 0 --seed 1 --log warn --strict-credentials \
  --credentials AKIAWALKTHROUGH01:walkthrough-secret:user/walkthrough > "$work/banner.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 100); do
  grep -q '^export ROOT_USER_CLIENT_ID=' "$work/banner.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/banner.log"; echo "emulator exited early"; exit 1; }
  sleep 0.1
done
eval "$(grep '^export' "$work/banner.log")"
"$work/venv/bin/python" "$here/tutorial_walkthrough.py"
