#!/usr/bin/env bash
# CI smoke of the load driver: proves `cognito-bench` works against the emulator, in a few seconds.
# It measures nothing worth keeping: each workload runs ~1 s at concurrency 4, and any error fails the script.
# The admin workloads run on their own, over a pool of 200 users created by AdminCreateUser.
# The real comparison is conformance/bench/compare.sh, which CI does not run.
set -euo pipefail

cd "$(dirname "$0")/../.."
# SMOKE_PROFILE=debug reuses what `cargo test` built (CI does, to stay fast); release by default.
profile=${SMOKE_PROFILE:-release}
if [[ "$profile" == release ]]; then
    cargo build --release -p emulator --bin cognito-emulator
    cargo build --release -p conformance --bin cognito-bench
else
    cargo build -p emulator --bin cognito-emulator
    cargo build -p conformance --bin cognito-bench
fi
# Where cargo put them: CARGO_TARGET_DIR moves its output, and the binaries run must be the ones just built.
target_dir=${CARGO_TARGET_DIR:-target}
emulator=$target_dir/$profile/cognito-emulator
bench=$target_dir/$profile/cognito-bench

workdir=$(mktemp -d)
emulator_pid=
cleanup() {
    if [[ -n "$emulator_pid" ]]; then kill "$emulator_pid" 2>/dev/null || true; fi
    rm -rf "$workdir"
}
trap cleanup EXIT

# A port nothing listens on, for the modes that start the server themselves.
free_port() {
    # Below the kernel's ephemeral range: a port picked inside it may be the source port of a client connection
    # (moto closes every connection, leaving thousands in TIME_WAIT), and binding it then fails.
    local low port
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    for _ in $(seq 1 100); do
        port=$((10000 + RANDOM % (low - 10000)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}

"$emulator" --port 0 --empty --log warn >"$workdir/emulator.out" 2>&1 &
emulator_pid=$!
url=
for _ in $(seq 1 300); do
    url=$(grep -o -m1 'http://127\.0\.0\.1:[0-9]*' "$workdir/emulator.out" || true)
    [[ -n "$url" ]] && break
    sleep 0.1
done
if [[ -z "$url" ]]; then
    echo "smoke: the emulator printed no address:" >&2
    cat "$workdir/emulator.out" >&2
    exit 1
fi

echo "smoke: workloads against $url"
"$bench" run --url "$url" --label cognito-emulator --server-pid "$emulator_pid" \
    --workload signup,login,refresh,getuser,mixed --concurrency 4 --duration 1s --users 20 \
    --json >"$workdir/run.jsonl"
"$bench" run --url "$url" --label cognito-emulator --server-pid "$emulator_pid" \
    --workload admin-create,admin-get,list-users,list-users-all --concurrency 4 --duration 1s --users 200 \
    --json >>"$workdir/run.jsonl"

# Every workload left one JSON line with successes and no error.
for workload in signup login refresh getuser mixed admin-create admin-get list-users list-users-all; do
    line=$(grep "\"workload\":\"$workload\"" "$workdir/run.jsonl" || true)
    if [[ -z "$line" || "$line" != *'"errors":0,'* || "$line" == *'"ok":0,'* ]]; then
        echo "smoke: $workload did not report clean successes: ${line:-nothing}" >&2
        exit 1
    fi
done

port=$(free_port)
echo "smoke: startup and rss modes on port $port"
"$bench" startup --url "http://127.0.0.1:$port" --label cognito-emulator --repeat 2 \
    -- "$emulator" --port "$port" --empty --log warn
"$bench" rss --url "http://127.0.0.1:$port" --label cognito-emulator --users 200 --settle 200ms \
    -- "$emulator" --port "$port" --empty --log warn

"$bench" report --anchor cognito-emulator "$workdir/run.jsonl" >/dev/null
echo "smoke: ok"
