#!/usr/bin/env bash
# Side-by-side benchmark of cognito-emulator against moto_server 5.2.5, cognito-local 5.3.0 and, on request, fakecloud 0.51.0.
#
# It installs the peers into a work folder (PyPI, npm, crates.io), starts each on loopback, and drives the same workloads
# with cognito-bench against each, interleaved (moto, emulator, cognito-local, fakecloud, then again, in reverse order on even rounds),
# so slow drifts of the machine hit every server alike. Each figure is then reported as a ratio to moto measured in the same run.
# Then it times start-up and reads resident memory idle and after signing up many users.
# The admin workloads (admin-create, admin-get, list-users, list-users-all) run over a pool of --users users made by AdminCreateUser;
# a server that fails their set-up is logged as skipped for that workload, one whose operations fail as failed, and the run goes on.
# Not part of CI (it installs from registries and runs for many minutes); CI runs conformance/bench/smoke.sh.
#
# Usage: conformance/bench/compare.sh [--with-fakecloud] [--rounds 3] [--duration 10s] [--warmup 2s] [--concurrency 16]
#            [--users 200] [--rss-users 10000] [--rss-max-time 4m] [--startup-repeat 5] [--servers moto,cognito-emulator,...]
#            [--workloads signup,login,...] [--skip-load] [--skip-process] [--no-build] [--workdir DIR]
# cognito-local rewrites its whole JSON file on every sign-up and slows as users grow, so the memory phase is bounded in time
# (--rss-max-time); a server that does not reach --rss-users in that time is reported with the count it reached.
# The work folder (default: a new temporary one) keeps the installs, so --workdir DIR makes a second run start at once.
# The Markdown report is printed at the end and kept as DIR/report-<time>.md beside the raw DIR/results-<time>.jsonl.
set -euo pipefail

rounds=3
duration=10s
warmup=2s
concurrency=16
users=200
rss_users=10000
rss_max_time=4m
startup_repeat=5
with_fakecloud=0
skip_process=0
skip_load=0
build=1
workdir=
servers=
workloads=signup,login,refresh,getuser,mixed,admin-create,admin-get,list-users,list-users-all

while [[ $# -gt 0 ]]; do
    case "$1" in
        --with-fakecloud) with_fakecloud=1 ;;
        --skip-process) skip_process=1 ;;
        --skip-load) skip_load=1 ;;
        --no-build) build=0 ;;
        --rounds) rounds=$2; shift ;;
        --duration) duration=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        --concurrency) concurrency=$2; shift ;;
        --users) users=$2; shift ;;
        --rss-users) rss_users=$2; shift ;;
        --rss-max-time) rss_max_time=$2; shift ;;
        --startup-repeat) startup_repeat=$2; shift ;;
        --servers) servers=$2; shift ;;
        --workloads) workloads=$2; shift ;;
        --workdir) workdir=$2; shift ;;
        -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -z "$workdir" ]]; then
    workdir=$(mktemp -d -t cognito-bench.XXXXXX)
fi
mkdir -p "$workdir/bin" "$workdir/logs"
workdir=$(cd "$workdir" && pwd)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$workdir/results-$stamp.jsonl"
report="$workdir/report-$stamp.md"
log() { echo "compare: $*" >&2; }

if [[ -z "$servers" ]]; then
    servers=moto,cognito-emulator,cognito-local
    if [[ $with_fakecloud == 1 ]]; then servers+=,fakecloud; fi
fi
IFS=, read -r -a server_list <<<"$servers"
IFS=, read -r -a workload_list <<<"$workloads"

# --- Build, then freeze the binaries: other builds on the machine must not swap them mid-run.
if [[ $build == 1 ]]; then
    log "building release binaries"
    (cd "$repo" && cargo build --release -p emulator --bin cognito-emulator && cargo build --release -p conformance --bin cognito-bench)
fi
# Where cargo put them: CARGO_TARGET_DIR moves its output (a relative one is relative to the repository, where cargo ran).
target_dir=${CARGO_TARGET_DIR:-$repo/target}
[[ "$target_dir" == /* ]] || target_dir="$repo/$target_dir"
cp "$target_dir/release/cognito-emulator" "$target_dir/release/cognito-bench" "$workdir/bin/"
bench="$workdir/bin/cognito-bench"
commit=$(git -C "$repo" rev-parse --short HEAD)
if ! git -C "$repo" diff --quiet HEAD -- emulator; then commit+=" (with uncommitted emulator changes)"; fi

# --- Install the peers, each at the version the figures are about.
wants() { [[ ",$servers," == *",$1,"* ]]; }
if wants moto && [[ ! -x "$workdir/moto-venv/bin/moto_server" ]]; then
    log "installing moto[server]==5.2.5 from PyPI"
    python3 -m venv "$workdir/moto-venv"
    "$workdir/moto-venv/bin/pip" install --quiet 'moto[server]==5.2.5'
fi
if wants cognito-local && [[ ! -f "$workdir/cognito-local/node_modules/cognito-local/lib/bin/start.js" ]]; then
    log "installing cognito-local@5.3.0 from npm"
    mkdir -p "$workdir/cognito-local"
    npm install --prefix "$workdir/cognito-local" --no-audit --no-fund --silent cognito-local@5.3.0
fi
if wants cognito-local; then
    # cognito-local makes every pool use e-mail usernames unless its config says otherwise; the bench pool has plain usernames.
    rm -rf "$workdir/cognito-local/.cognito"
    mkdir -p "$workdir/cognito-local/.cognito"
    echo '{"UserPoolDefaults": {"UsernameAttributes": []}}' >"$workdir/cognito-local/.cognito/config.json"
fi
if wants fakecloud && [[ ! -x "$workdir/fakecloud/bin/fakecloud" ]]; then
    if ! cargo info fakecloud@0.51.0 >/dev/null 2>&1; then
        echo "compare: fakecloud 0.51.0 is not on crates.io; run without --with-fakecloud" >&2
        exit 1
    fi
    log "building fakecloud 0.51.0 from crates.io (about half an hour on 2 cores)"
    cargo install fakecloud --version 0.51.0 --root "$workdir/fakecloud" --locked
fi

# The command that starts a server on a port, in the array CMD. Each logs as little as it lets us, to a file.
command_for() {
    local name=$1 port=$2
    case "$name" in
        moto) CMD=("$workdir/moto-venv/bin/moto_server" -H 127.0.0.1 -p "$port") ;;
        cognito-emulator) CMD=("$workdir/bin/cognito-emulator" --port "$port" --empty --log warn) ;;
        cognito-local) CMD=(env "PORT=$port" HOST=127.0.0.1 node "$workdir/cognito-local/node_modules/cognito-local/lib/bin/start.js") ;;
        fakecloud) CMD=("$workdir/fakecloud/bin/fakecloud" --addr "127.0.0.1:$port" --log-level warn) ;;
        *) echo "compare: unknown server $name" >&2; exit 2 ;;
    esac
}

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

# A number from a JSON line of cognito-bench; the first match is the run's own, per-operation figures come after it.
figure() { grep -o "\"$1\":[0-9.]*" <<<"$2" | head -1 | cut -d: -f2; }

declare -A pid_of url_of
cleanup() {
    for name in "${!pid_of[@]}"; do kill "${pid_of[$name]}" 2>/dev/null || true; done
}
trap cleanup EXIT

# cognito-local keeps its data in ./.cognito, so every server runs from its folder (the others do not care).
cd "$workdir/cognito-local" 2>/dev/null || cd "$workdir"

{
    echo "Run $stamp on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), Linux $(uname -r)), emulator at commit $commit."
    echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Workloads: $workloads; concurrency $concurrency; $rounds rounds of $duration after $warmup warm-up; $users seeded users; interleaved over: ${server_list[*]}."
} >"$report"

# --- Load rounds against long-running servers.
if [[ $skip_load == 0 ]]; then
    for name in "${server_list[@]}"; do
        port=$(free_port)
        command_for "$name" "$port"
        "${CMD[@]}" >"$workdir/logs/$name.log" 2>&1 &
        pid_of[$name]=$!
        url_of[$name]="http://127.0.0.1:$port"
        up=0
        for _ in $(seq 1 1200); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
            sleep 0.1
        done
        if [[ $up == 0 ]]; then
            echo "compare: $name did not start; its log:" >&2
            tail -20 "$workdir/logs/$name.log" >&2
            exit 1
        fi
        log "$name listening at ${url_of[$name]} (pid ${pid_of[$name]})"
    done

    # --- Load rounds: for each workload, every server in turn; even rounds in reverse order.
    for round in $(seq 1 "$rounds"); do
        order=("${server_list[@]}")
        if ((round % 2 == 0)); then
            order=()
            for ((index = ${#server_list[@]} - 1; index >= 0; index--)); do order+=("${server_list[$index]}"); done
        fi
        for workload in "${workload_list[@]}"; do
            for name in "${order[@]}"; do
                line=$("$bench" run --url "${url_of[$name]}" --label "$name" --server-pid "${pid_of[$name]}" \
                    --workload "$workload" --concurrency "$concurrency" --duration "$duration" --warmup "$warmup" \
                    --users "$users" --allow-errors --progress 0s --json 2>"$workdir/logs/bench-last.log") || true
                cat "$workdir/logs/bench-last.log" >>"$workdir/logs/bench.log"
                if [[ -z "$line" ]]; then
                    # No record: set-up failed (say, a server without AdminCreateUser cannot be prefilled); nothing was measured.
                    why=$(grep -m1 '^cognito-bench:' "$workdir/logs/bench-last.log" || echo "see $workdir/logs/bench.log")
                    log "round $round/$rounds $workload $name: skipped, no result ($why)"
                    continue
                fi
                echo "$line" >>"$results"
                ops=$(figure ops_per_s "$line")
                ok=$(figure ok "$line")
                errors=$(figure errors "$line")
                p99=$(figure p99_ms "$line")
                if [[ "$ok" == 0 ]]; then
                    kinds=$(grep -o '"error_kinds":{[^}]*}' <<<"$line" | cut -d: -f2-)
                    log "round $round/$rounds $workload $name: failed, all $errors operations were errors: $kinds"
                    continue
                fi
                log "round $round/$rounds $workload $name: $(printf '%.0f' "$ops") ops/s, p99 $(printf '%.2f' "$p99") ms, $errors errors (load $(cut -d' ' -f1 /proc/loadavg))"
            done
        done
    done

    for name in "${server_list[@]}"; do kill "${pid_of[$name]}" 2>/dev/null || true; done
    pid_of=()
    echo "Load average after the load rounds: $(cut -d' ' -f1-3 /proc/loadavg)." >>"$report"
fi

# --- Start-up and memory, each server started afresh by the driver.
if [[ $skip_process == 0 ]]; then
    for name in "${server_list[@]}"; do
        [[ "$name" == cognito-local ]] && rm -rf "$workdir/cognito-local/.cognito/db"
        port=$(free_port)
        command_for "$name" "$port"
        log "start-up of $name"
        "$bench" startup --url "http://127.0.0.1:$port" --label "$name" --repeat "$startup_repeat" --json \
            -- "${CMD[@]}" >>"$results" 2>>"$workdir/logs/bench.log" || log "start-up of $name failed (see logs/bench.log)"
        [[ "$name" == cognito-local ]] && rm -rf "$workdir/cognito-local/.cognito/db"
        port=$(free_port)
        command_for "$name" "$port"
        log "resident memory of $name, idle and after $rss_users sign-ups"
        "$bench" rss --url "http://127.0.0.1:$port" --label "$name" --users "$rss_users" --max-time "$rss_max_time" \
            --concurrency "$concurrency" --json \
            -- "${CMD[@]}" >>"$results" 2>>"$workdir/logs/bench.log" || log "rss of $name failed or had errors (see logs/bench.log)"
    done
fi

columns=$(IFS=,; echo "${server_list[*]}")
anchor=moto
wants moto || anchor=${server_list[0]}
{
    echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    "$bench" report --anchor "$anchor" --columns "$columns" "$results"
} >>"$report"
cat "$report"
log "raw results: $results; report: $report"
