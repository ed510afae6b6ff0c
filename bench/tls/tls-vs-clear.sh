#!/usr/bin/env bash
# TLS against cleartext on the io_uring HTTP/1.1 front: two `sluice serve` processes (one with --tls-cert/--tls-key,
# a throwaway self-signed P-256 certificate from openssl), the same `sluice bench` workload against each, runs
# interleaved (clear, tls, clear, tls, ...). Prints each run's bench table line and the server's CPU per request
# (utime + stime from /proc/PID/stat around the whole bench command, so it includes the bench preparing its objects;
# the bench's own server-CPU column is empty for a remote endpoint). Usage: bench/tls/tls-vs-clear.sh [RUNS] [SMALL_DURATION] [LARGE_DURATION]   (from the repo root,
# after `dotnet build -c Release`)
set -euo pipefail
runs=${1:-2}; small_duration=${2:-10s}; large_duration=${3:-20s}
sluice=(dotnet src/Sluice.Cli/bin/Release/net10.0/sluice.dll)
dir=$(mktemp -d /var/tmp/sluice-tls-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
export AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=benchsecret AWS_REGION=us-east-1 AWS_CA_BUNDLE="$dir/cert.pem"

start() { # name, extra serve args...; sets endpoint_NAME and pid_NAME
    local name=$1; shift
    "${sluice[@]}" serve --data "$dir/data-$name" --listen 127.0.0.1:0 --engine uring --reactors 2 \
        --access-key benchkey --secret-key benchsecret "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
    local pid=$!; pids+=("$pid")
    for _ in $(seq 600); do grep -q 'serving S3 at' "$dir/$name.out" 2>/dev/null && break; sleep 0.1; done
    local url; url=$(grep -o 'serving S3 at [^ ]*' "$dir/$name.out" | awk '{print $4}'); url=${url%/}
    [ -n "$url" ] || { cat "$dir/$name.err" >&2; exit 1; }
    printf -v "endpoint_$name" '%s' "$url"; printf -v "pid_$name" '%s' "$pid"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start clear
start tls --tls-cert "$dir/cert.pem" --tls-key "$dir/key.pem"
echo "clear: $endpoint_clear   tls: $endpoint_tls   load: $(cut -d' ' -f1-3 /proc/loadavg)"

bench() { # name, label, bench args...
    local name=$1 label=$2; shift 2
    local endpoint_var="endpoint_$name" pid_var="pid_$name"
    local before; before=$(cpu_ticks "${!pid_var}")
    "${sluice[@]}" bench --endpoint "${!endpoint_var}" --io uring --json "$dir/r.json" -q "$@" >/dev/null
    local after; after=$(cpu_ticks "${!pid_var}")
    python3 - "$dir/r.json" "$name" "$label" "$((after - before))" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys
path, name, label, ticks, load = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
r = json.load(open(path))
w = [x for x in r["results"] if x["workload"] == "get"][0]
ops = w["operations"]
gib = w["bytes"] / w["seconds"] / 2**30
print(f"{label:9} {name:5}  ops/s {w['opsPerSecond']:9.1f}  GiB/s {gib:6.3f}  p50 ms {w['latency']['p50']:7.2f}  "
      f"p99 ms {w['latency']['p99']:8.2f}  errors {sum(w['errors'].values())}  "
      f"server CPU ms/op {ticks * 10 / max(ops, 1):7.3f}  load {load}")
PY
}
for i in $(seq "$runs"); do
    for name in clear tls; do bench "$name" "get 4KiB" -w get -s 4KiB -c 32 -d "$small_duration"; done
done
for i in $(seq "$runs"); do
    for name in clear tls; do bench "$name" "get 1GiB" -w get -s 1GiB --objects 1 -c 1 -d "$large_duration"; done
done
