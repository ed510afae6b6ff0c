#!/usr/bin/python3
"""Runs one command and reports what the kernel accounted to it: wall time, user and system CPU of the command and
every descendant it waited for, and its peak resident set (wait4 rusage). The same wrapper measures every client, so
their numbers are comparable. If this wrapper's parent dies, the command is killed: nothing outlives the benchmark.

usage: measure.py [--stdout-null] COMMAND [ARGS...]
prints '@rusage wall=S user=S sys=S maxrss_kib=N exit=N' on stdout last; --stdout-null sends the command's standard
output to /dev/null (for a client that downloads to its stdout).
"""
import os
import signal
import subprocess
import sys
import threading
import time


def main():
    if len(sys.argv) < 2:
        print("usage: measure.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    command = sys.argv[1:]
    sink = None
    if command[0] == "--stdout-null":
        command = command[1:]
        sink = subprocess.DEVNULL
    parent = os.getppid()
    start = time.monotonic()
    child = subprocess.Popen(command, start_new_session=True, stdout=sink)

    def forward(signum, _frame):
        try:
            os.killpg(child.pid, signal.SIGKILL if signum == signal.SIGKILL else signum)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)

    def orphan_watch():
        # Reparented (the benchmark died): take the child's whole group down with us.
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                try:
                    os.killpg(child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return

    threading.Thread(target=orphan_watch, daemon=True).start()
    while True:
        try:
            _, status, usage = os.wait4(child.pid, 0)
            break
        except InterruptedError:
            continue
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    sys.stdout.flush()
    print(f"@rusage wall={wall:.6f} user={usage.ru_utime:.6f} sys={usage.ru_stime:.6f} "
          f"maxrss_kib={usage.ru_maxrss} exit={code}", flush=True)
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
