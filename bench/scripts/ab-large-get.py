#!/usr/bin/env python3
"""A/B of the io_uring front's large GET between two builds of `sluice serve`.

Usage: ab-large-get.py BEFORE/sluice.dll AFTER/sluice.dll [ROUNDS]

Starts both servers at once (own temp data directories, loopback, unsigned requests allowed), PUTs the same 1 GiB object into
each, reads it once to warm the page cache, then GETs it from each in turn, ROUNDS times (the order alternates each
round), with curl -o /dev/null. Per GET: the server process's CPU (utime + stime from /proc) and the wall time.
Prints medians per build. Both servers run the whole time, so machine noise falls on both alike.
"""
import os, re, shutil, statistics, subprocess, sys, tempfile, time

SIZE = 1 << 30


def cpu_seconds(pid):
    fields = open(f'/proc/{pid}/stat').read().split(')')[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def curl(*args):
    return subprocess.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', *args],
                          check=True, capture_output=True, text=True).stdout


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    builds = {'before': sys.argv[1], 'after': sys.argv[2]}
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    work = tempfile.mkdtemp(prefix='sluice-ab-')
    body = os.path.join(work, 'body.bin')
    with open(body, 'wb') as f:
        for _ in range(SIZE >> 20):
            f.write(os.urandom(1 << 20))
    servers, ports = {}, {}
    try:
        for side, dll in builds.items():
            data = os.path.join(work, side)
            # Unsigned curl requests need the development switch: --anonymous-full-access since users and ACLs,
            # --anonymous in builds from before.
            flags = subprocess.run(['dotnet', dll, 'serve', '--help'], capture_output=True, text=True).stdout
            anonymous = '--anonymous-full-access' if '--anonymous-full-access' in flags else '--anonymous'
            p = subprocess.Popen(['dotnet', dll, 'serve', '--data', data, '--listen', '127.0.0.1:0', anonymous,
                                  '--engine', 'uring'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            servers[side] = p
            ports[side] = int(re.search(r'127\.0\.0\.1:(\d+)', p.stdout.readline()).group(1))
            url = f'http://127.0.0.1:{ports[side]}/abbucket'
            assert curl('-X', 'PUT', url).startswith('200'), side
            assert curl('-T', body, url + '/big').startswith('200'), side
            assert curl(url + '/big') == f'200 {SIZE}', side
        results = {side: ([], []) for side in builds}
        for r in range(rounds):
            for side in (list(builds) if r % 2 == 0 else list(reversed(list(builds)))):
                pid = servers[side].pid
                c0, t0 = cpu_seconds(pid), time.monotonic()
                assert curl(f'http://127.0.0.1:{ports[side]}/abbucket/big') == f'200 {SIZE}', side
                t1, c1 = time.monotonic(), cpu_seconds(pid)
                results[side][0].append(c1 - c0)
                results[side][1].append(t1 - t0)
        for side, (cpu, wall) in results.items():
            print(f'{side:6} GET 1 GiB: {1 / statistics.median(wall):.2f} GiB/s, server CPU {statistics.median(cpu):.3f} s/GiB '
                  f'(medians of {rounds}; CPU per GET {", ".join(f"{c:.2f}" for c in cpu)})')
    finally:
        for p in servers.values():
            p.terminate()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
