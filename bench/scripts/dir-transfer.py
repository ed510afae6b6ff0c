#!/usr/bin/env python3
"""Directory transfers of many small files: sluice cp -r / sync against rclone and the AWS CLI (issue 19 item 4).

Usage: dir-transfer.py SLUICE [ROUNDS] [FILES] [SIZE_KIB]
  SLUICE    the sluice executable to measure (and to serve with): an installed one (install.sh) or a build's apphost
  ROUNDS    runs per command (default 5); FILES (default 2000) files of SIZE_KIB (default 64) KiB in 20 directories

Starts `sluice serve --memory` on loopback (so the server's disk is not what is measured; its limit sized to hold
every upload of the run), uploads the tree once as the
download source, then per round runs every command in turn (the order rotates each round, so machine noise falls on
all alike): each download into a new empty directory on the same disk, each upload to a new prefix. Per run: wall time,
the child's CPU time (user + system) and files/s; the medians per command, and each tool's files/s as a ratio to
rclone's and the AWS CLI's medians of the same run. sluice's downloads fdatasync every file and fsync every directory
before exiting 0; rclone and the AWS CLI fsync nothing. Nothing is written outside a temp directory.
"""
import os, resource, shutil, socket, statistics, subprocess, sys, tempfile, time

KEY, SECRET = 'AKIDDIRBENCH', 'dir-bench-secret'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        return None, (done.stderr.strip().splitlines() or ['(no message)'])[-1]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def count_files(root):
    # Only complete files under their final names count (a leftover .sluice-part would not).
    return sum(1 for _, _, files in os.walk(root) for f in files if '.sluice-part' not in f)


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    sluice = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    nfiles = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    size = (int(sys.argv[4]) if len(sys.argv) > 4 else 64) << 10
    work = tempfile.mkdtemp(prefix='sluice-dirbench-')
    port = free_port()
    endpoint = f'http://127.0.0.1:{port}'
    env = dict(os.environ)
    for name in ('AWS_PROFILE', 'AWS_CA_BUNDLE'):  # a CA bundle makes rclone refuse a plain-http endpoint
        env.pop(name, None)
    env.update({
        'AWS_ACCESS_KEY_ID': KEY, 'AWS_SECRET_ACCESS_KEY': SECRET, 'AWS_ENDPOINT_URL': endpoint, 'AWS_REGION': 'us-east-1',
        'AWS_CONFIG_FILE': os.path.join(work, 'none'), 'AWS_SHARED_CREDENTIALS_FILE': os.path.join(work, 'none'),
        'RCLONE_CONFIG': os.path.join(work, 'rclone.conf'),
        'RCLONE_CONFIG_BENCH_TYPE': 's3', 'RCLONE_CONFIG_BENCH_PROVIDER': 'Other', 'RCLONE_CONFIG_BENCH_ENDPOINT': endpoint,
        'RCLONE_CONFIG_BENCH_ACCESS_KEY_ID': KEY, 'RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY': SECRET,
        'RCLONE_CONFIG_BENCH_REGION': 'us-east-1',
    })
    open(env['RCLONE_CONFIG'], 'w').close()
    server = subprocess.Popen([sluice, 'serve', '--memory', '--listen', f'127.0.0.1:{port}', '--access-key', KEY,
                               '--secret-key', SECRET, '--memory-limit', f'{max(2, (rounds * 4 + 2) * nfiles * size // (1 << 30) + 1)}GiB'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        src = os.path.join(work, 'src')
        for i in range(nfiles):
            d = os.path.join(src, f'd{i % 20:02d}')
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f'f{i:05d}.bin'), 'wb') as f:
                f.write(os.urandom(size))
        subprocess.run([sluice, 'mb', 's3://bench'], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sluice, 'cp', '-r', '--no-progress', src, 's3://bench/src/'], env=env, check=True, stdout=subprocess.DEVNULL)

        def downloads(into):
            return {
                'sluice cp -r GET': [sluice, 'cp', '-r', '--no-progress', 's3://bench/src/', into],
                'sluice sync GET': [sluice, 'sync', '--no-progress', 's3://bench/src', into],
                'rclone copy GET': ['rclone', 'copy', 'bench:bench/src', into],
                'aws s3 cp GET': ['aws', 's3', 'cp', '--recursive', '--quiet', 's3://bench/src/', into],
            }

        def uploads(prefix):
            return {
                'sluice cp -r PUT': [sluice, 'cp', '-r', '--no-progress', src, f's3://bench/{prefix}/'],
                'sluice sync PUT': [sluice, 'sync', '--no-progress', src, f's3://bench/{prefix}'],
                'rclone copy PUT': ['rclone', 'copy', src, f'bench:bench/{prefix}'],
                'aws s3 cp PUT': ['aws', 's3', 'cp', '--recursive', '--quiet', src, f's3://bench/{prefix}/'],
            }

        names = list(downloads('x')) + list(uploads('x'))
        results = {n: [] for n in names}
        failures = {}
        print(f'load before: {os.getloadavg()}', flush=True)
        for r in range(rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for n in order:
                into = os.path.join(work, f'dst-{r}')
                shutil.rmtree(into, ignore_errors=True)
                os.sync()  # the previous run's dirty pages are not this one's cost
                cmd = downloads(into)[n] if n in downloads(into) else uploads(f'up-{r}-{names.index(n)}')[n]
                wall, cpu = run(cmd, env)
                if wall is None:
                    # A failed run is shown and left out of the medians (it is counted in the summary).
                    print(f'round {r + 1} {n:18s} FAILED: {cpu}', flush=True)
                    failures[n] = failures.get(n, 0) + 1
                    continue
                if n.endswith('GET'):
                    got = count_files(into)
                    if got != nfiles:
                        raise SystemExit(f'{n}: {got} files, expected {nfiles}')
                    shutil.rmtree(into)
                results[n].append((wall, cpu))
                print(f'round {r + 1} {n:18s} {wall:6.2f} s  {cpu:5.2f} CPU s  {nfiles / wall:7.0f} files/s', flush=True)
        print(f'load after: {os.getloadavg()}\n')
        print(f'{"command":18s} {"median s":>9s} {"files/s":>8s} {"CPU s":>6s} {"vs rclone":>9s} {"vs aws":>7s}')
        nan = float('nan')
        medians = {n: statistics.median(w for w, _ in results[n]) if results[n] else nan for n in names}
        cpus = {n: statistics.median(c for _, c in results[n]) if results[n] else nan for n in names}
        for n in names:
            way = n.split()[-1]
            rate = nfiles / medians[n]
            print(f'{n:18s} {medians[n]:9.2f} {rate:8.0f} {cpus[n]:6.2f} '
                  f'{medians[f"rclone copy {way}"] / medians[n]:8.2f}x {medians[f"aws s3 cp {way}"] / medians[n]:6.2f}x'
                  + (f'  ({failures[n]} run(s) failed)' if n in failures else ''))
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
