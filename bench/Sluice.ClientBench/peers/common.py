"""Shared by the Python peer runners: argument parsing, phase timing with in-process CPU, result lines."""
import argparse
import resource
import time


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("mode", choices=["get", "put", "small"])
    p.add_argument("--endpoint", required=True, help="http://127.0.0.1:PORT")
    p.add_argument("--bucket", required=True)
    p.add_argument("--key", help="object key (get/put)")
    p.add_argument("--file", help="get: destination file (omit for /dev/null); put: source file")
    p.add_argument("--part-size", type=int, default=8 << 20)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--prefix", help="small: key prefix")
    p.add_argument("--count", type=int, default=2000, help="small: objects")
    p.add_argument("--object-size", type=int, default=4096, help="small: bytes per object")
    p.add_argument("--access-key", default="sluice")
    p.add_argument("--secret-key", default="sluice-dev-secret")
    p.add_argument("--region", default="us-east-1")
    return p.parse_args()


class Phase:
    """Wall time and this process's CPU (all threads) across one phase of work."""

    def __enter__(self):
        self._ru = resource.getrusage(resource.RUSAGE_SELF)
        self._t = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self._t
        ru = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu = (ru.ru_utime - self._ru.ru_utime) + (ru.ru_stime - self._ru.ru_stime)
        return False


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


def report(phase_name, phase, nbytes=None, ops=None, latencies=None):
    fields = [f"phase={phase_name}", f"seconds={phase.seconds:.6f}", f"cpu={phase.cpu:.6f}"]
    if nbytes is not None:
        fields.append(f"bytes={nbytes}")
    if ops is not None:
        fields.append(f"ops={ops}")
    if latencies:
        s = sorted(latencies)
        fields.append(f"p50_ms={percentile(s, 0.50) * 1000:.3f}")
        fields.append(f"p99_ms={percentile(s, 0.99) * 1000:.3f}")
    print("@result " + " ".join(fields), flush=True)


def small_payload(size):
    # Not all zeros, so no layer can shortcut it; the same bytes for every object, as for every client.
    return bytes((i * 131 + 7) & 0xFF for i in range(size))
