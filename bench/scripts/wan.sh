#!/usr/bin/env bash
# The client benchmark over an emulated WAN: `bench/scripts/wan.sh PROFILE [SCENARIO] [options...]`
#   PROFILE   wan-RTTms-RATE, e.g. wan-20ms-1g, wan-80ms-1g, wan-20ms-10g (loss 0.01 % each way; --wan-loss to change)
#   SCENARIO  large | small | all (default all: 1 GiB get/put, then 2,000 × 64 KiB put/get)
#   options   passed to Sluice.ClientBench (--runs, --clients, --size, --out, ...; see its usage)
# Needs root: the server runs in its own network namespace (sluice-wan-PID), reached through a pair of TUN devices
# and the harness's packet wire on a private /30; all of it is removed when the run ends, fails or is interrupted.
set -euo pipefail
if [ $# -lt 1 ]; then
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
profile=$1
shift
scenario=all
case "${1:-}" in large|small|all) scenario=$1; shift ;; esac
if [ "$(id -u)" -ne 0 ]; then
    echo "wan.sh: needs root (network namespaces and TUN devices)" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
dotnet build -c Release bench/Sluice.ClientBench -v quiet -nologo
bench=bench/Sluice.ClientBench/bin/Release/net10.0/Sluice.ClientBench.dll
# The harness removes its namespace itself (also on SIGINT/SIGTERM); this catches the case where it is killed outright.
cleanup() {
    for ns in $(ip netns list | awk '/^sluice-wan-[0-9]+/ {print $1}'); do
        [ -d "/proc/${ns#sluice-wan-}" ] || ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT
# Preflight: the profile's network comes up, delays, carries data intact and goes away again.
dotnet "$bench" wan-check "$profile"
dotnet "$bench" "$scenario" --profile "$profile" --small-sizes 64K "$@"
