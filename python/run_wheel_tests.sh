#!/usr/bin/env bash
# Builds the wheel with maturin, installs it into a fresh virtual environment and runs the
# pytest suite there with no Rust toolchain on PATH; prints the wheel's size, the install
# time and the fixture's start-up. Used by .ci/run after the release emulator is built (the
# wheel's build then reuses it, relinking only the stripped binary).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/build"
# maturin from PyPI, pinned; it calls the toolchain's cargo.
"$work/build/bin/pip" install --quiet --disable-pip-version-check maturin==1.16.0
rm -rf "$target/wheels"
(cd "$here" && "$work/build/bin/maturin" build --quiet --release --out "$target/wheels")
wheel=$(ls "$target"/wheels/cognito_emulator-*.whl)
echo "wheel: $(basename "$wheel"), $(stat -c %s "$wheel") bytes"

# A reader's environment: the test libraries first, then the wheel alone, timed.
python3 -m venv "$work/reader"
"$work/reader/bin/pip" install --quiet --disable-pip-version-check -r "$here/tests/requirements.txt"
began=$(date +%s.%N)
"$work/reader/bin/pip" install --quiet --disable-pip-version-check --no-deps "$wheel"
installed=$(date +%s.%N)
# No cargo, no rustc, no repository binaries: only the environment's own bin and the system's.
clean=(env -i "PATH=$work/reader/bin:/usr/bin:/bin" "HOME=$work" "LANG=C.UTF-8")
if "${clean[@]}" sh -c 'command -v cargo || command -v rustc' >/dev/null; then
  echo "a Rust toolchain is on the reader's PATH" >&2
  exit 1
fi
(cd "$work" && "${clean[@]}" "$work/reader/bin/python" -m pytest -q -p no:cacheprovider \
  "$here/tests/test_tutorial.py::test_the_session_emulator_has_the_default_pool")
first=$(date +%s.%N)
python3 -c 'import sys; b, i, f = map(float, sys.argv[1:]); print(f"pip install of the wheel: {i - b:.2f} s; to the first passing test: {f - b:.2f} s")' "$began" "$installed" "$first"
(cd "$work" && "${clean[@]}" "$work/reader/bin/python" -m pytest -q -p no:cacheprovider "$here/tests")
(cd "$work" && "${clean[@]}" "$work/reader/bin/python" "$here/bench_startup.py" 10)
