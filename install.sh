#!/usr/bin/env bash
# Installs the `sluice` command: publishes src/Sluice.Cli precompiled (self-contained, one ReadyToRun composite image
# of Sluice and the runtime, linux-x64; the settings in src/Sluice.Cli/Publish.props) into a directory and links
# `sluice` into a directory on PATH.
#
#   bash install.sh                       # into ~/.local/lib/sluice, linked as ~/.local/bin/sluice
#   bash install.sh --prefix DIR --bin DIR
#
# Needs the .NET 10 SDK to publish; the result carries its own runtime (about 95 MB).
set -euo pipefail
cd "$(dirname "$0")"

prefix="${HOME}/.local/lib/sluice"
bin="${HOME}/.local/bin"
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
        --bin) bin="${2:?--bin needs a directory}"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ! command -v dotnet >/dev/null 2>&1; then
    echo "install.sh: the .NET 10 SDK (dotnet) is required on PATH" >&2
    exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# A fresh directory each time, so files of an older install do not linger beside the new ones.
staging="${prefix}.new"
rm -rf "$staging"
log=$(mktemp)
# Intermediate and build output go to a scratch directory, not the source tree's obj/ and bin/: the publish restores
# for linux-x64 and rebuilds every project, which must not disturb builds or test runs using the tree meanwhile.
build=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$staging" "$build"' EXIT
if ! dotnet publish src/Sluice.Cli/Sluice.Cli.csproj -c Release -o "$staging" --artifacts-path "$build" -nodeReuse:false >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "install.sh: dotnet publish failed" >&2
    exit 1
fi
rm -rf "$prefix"
mv "$staging" "$prefix"
mkdir -p "$bin"
rm -f "$bin/sluice"
ln -s "$prefix/sluice" "$bin/sluice" # self-contained: it finds its own runtime, wherever .NET is installed

"$bin/sluice" --version >/dev/null
echo "installed: $bin/sluice -> $prefix/sluice (ReadyToRun, $("$bin/sluice" --version))"
case ":$PATH:" in
    *":$bin:"*) ;;
    *) echo "note: $bin is not on PATH; add it, e.g. export PATH=\"$bin:\$PATH\"" ;;
esac
