#!/usr/bin/env bash
# Drives the proxy's page (GET /) in headless Debian chromium through chromedriver: the
# tutorial's front-end steps, screenshots under target/browser-screenshots/. Used by .ci/run.
# COGNITO_PROXY_BIN: the proxy binary to run (default: the debug build `cargo test --workspace` makes).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [[ "${CI:-}" == true ]]; then
    # Debian's packages: the only browser CI may use (nothing is downloaded at run time).
    apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null; }
  else
    echo "chromium and chromedriver are needed (apt-get install chromium chromium-driver): skipping the browser test" >&2
    exit 0
  fi
fi

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"

if [[ -n "${COGNITO_PROXY_BIN:-}" ]]; then
  bin="$COGNITO_PROXY_BIN"
else
  # The binary `cargo test --workspace` builds for proxy/tests: reused as is in CI (a plain
  # `cargo build -p proxy` resolves features differently and rebuilds the SDK).
  (cd "$root" && cargo test --quiet --workspace --no-run)
  bin="${CARGO_TARGET_DIR:-$root/target}/debug/cognito-proxy"
fi
# The cross-origin run serves a copy of the page from this port, as the tutorial's front end.
front_end_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" --port 0 --emulator-port 0 --log warn --front-end-origin "http://localhost:$front_end_port" \
  > "$work/banner.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

proxy_url= emulator_url=
for _ in $(seq 1 100); do
  proxy_url=$(grep -o -m1 'listening on http://[0-9.:]*' "$work/banner.log" | sed 's/listening on //' || true)
  emulator_url=$(grep -o -m1 'embedded Cognito emulator on http://[0-9.:]*' "$work/banner.log" | sed 's/.* on //' || true)
  [[ -n "$proxy_url" && -n "$emulator_url" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/banner.log"; echo "cognito-proxy exited early" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$proxy_url" ]] || { cat "$work/banner.log"; echo "cognito-proxy printed no address" >&2; exit 1; }

screenshots="${CARGO_TARGET_DIR:-$root/target}/browser-screenshots"
rm -rf "$screenshots" && mkdir -p "$screenshots"
PROXY_URL="$proxy_url" EMULATOR_URL="$emulator_url" SCREENSHOTS="$screenshots" FRONT_END_PORT="$front_end_port" \
  "$work/venv/bin/python" "$here/test_page.py"
echo "screenshots in $screenshots"
