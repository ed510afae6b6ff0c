#!/usr/bin/python3
"""aws-c-s3 (through Debian's python3-awscrt, awscrt.s3.S3Client) as a benchmark peer.

get: auto-ranged parallel GET to a file (recv_filepath) or to /dev/null; put: multipart upload from a file
(send_filepath); small: PUT then GET of --count objects of --object-size bytes, --concurrency in flight.
aws-c-s3 sizes its own connection pool from throughput_target_gbps; part_size is set like every other client's.
This awscrt connects to port 80 whatever the Host header says, so the server must listen on 127.0.0.1:80.
"""
import threading
import time
from urllib.parse import urlparse

from awscrt import auth, http, io, s3

from common import Phase, parse_args, report, small_payload

# aws-c-s3 derives its connection count from this target; 10 Gbit/s is above what loopback on 2 cores reaches, so
# the pool is not what limits it.
THROUGHPUT_TARGET_GBPS = 10.0


def main():
    a = parse_args(__doc__)
    host = urlparse(a.endpoint).hostname
    elg = io.EventLoopGroup(0)
    bootstrap = io.ClientBootstrap(elg, io.DefaultHostResolver(elg))
    creds = auth.AwsCredentialsProvider.new_static(a.access_key, a.secret_key)
    client = s3.S3Client(bootstrap=bootstrap, region=a.region, tls_mode=s3.S3RequestTlsMode.DISABLED,
                         credential_provider=creds, part_size=a.part_size,
                         throughput_target_gbps=THROUGHPUT_TARGET_GBPS)

    def request(method, key, length=None):
        headers = [("Host", host)]
        if length is not None:
            headers.append(("Content-Length", str(length)))
            headers.append(("Content-Type", "application/octet-stream"))
        return http.HttpRequest(method, f"/{a.bucket}/{key}", http.HttpHeaders(headers))

    def check(status):
        def on_done(error=None, status_code=None, **_):
            status["error"] = error
            status["code"] = status_code
        return on_done

    if a.mode == "get":
        status = {}
        received = [0]

        def on_body(chunk, **_):
            received[0] += len(chunk)
        with Phase() as ph:
            if a.file:
                r = client.make_request(request=request("GET", a.key), type=s3.S3RequestType.GET_OBJECT,
                                        recv_filepath=a.file, on_done=check(status))
            else:
                r = client.make_request(request=request("GET", a.key), type=s3.S3RequestType.GET_OBJECT,
                                        on_body=on_body, on_done=check(status))
            r.finished_future.result()
        if status.get("error"):
            raise SystemExit(f"awscrt get failed: {status['error']} (status {status.get('code')})")
        size = received[0] if not a.file else __import__("os").path.getsize(a.file)
        report("get", ph, nbytes=size)
    elif a.mode == "put":
        import os
        size = os.path.getsize(a.file)
        status = {}
        with Phase() as ph:
            r = client.make_request(request=request("PUT", a.key, size), type=s3.S3RequestType.PUT_OBJECT,
                                    send_filepath=a.file, on_done=check(status))
            r.finished_future.result()
        if status.get("error"):
            raise SystemExit(f"awscrt put failed: {status['error']} (status {status.get('code')})")
        report("put", ph, nbytes=size)
    else:
        small(a, client, request)


def small(a, client, request):
    payload = small_payload(a.object_size)
    for phase_name in ("put", "get"):
        slots = threading.Semaphore(a.concurrency)
        latencies = []
        errors = []
        lock = threading.Lock()
        pending = []
        with Phase() as ph:
            for i in range(a.count):
                slots.acquire()
                key = f"{a.prefix}/{i:06d}"
                start = time.monotonic()

                def on_done(error=None, status_code=None, start=start, **_):
                    with lock:
                        latencies.append(time.monotonic() - start)
                        if error is not None:
                            errors.append(f"{error} ({status_code})")
                    slots.release()
                if phase_name == "put":
                    req = request("PUT", key, len(payload))
                    req.body_stream = __import__("io").BytesIO(payload)
                    r = client.make_request(request=req, type=s3.S3RequestType.PUT_OBJECT, on_done=on_done)
                else:
                    r = client.make_request(request=request("GET", key), type=s3.S3RequestType.GET_OBJECT,
                                            on_body=lambda chunk, **_: None, on_done=on_done)
                pending.append(r)
            for r in pending:
                r.finished_future.result()
        if errors:
            raise SystemExit(f"awscrt small {phase_name}: {len(errors)} failed, first: {errors[0]}")
        report(phase_name, ph, ops=a.count, latencies=latencies)


if __name__ == "__main__":
    main()
