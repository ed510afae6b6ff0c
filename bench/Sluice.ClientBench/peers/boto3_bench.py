#!/usr/bin/python3
"""boto3 with s3transfer (Debian's python3-boto3) as a benchmark peer.

get: TransferConfig download (ranged parts in --concurrency threads) to a file, or to /dev/null through
download_fileobj; put: multipart upload_file; small: put_object then get_object of --count objects from a pool of
--concurrency threads sharing one client (max_pool_connections = --concurrency).
"""
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.config
from boto3.s3.transfer import TransferConfig

from common import Phase, parse_args, report, small_payload


def main():
    a = parse_args(__doc__)
    client = boto3.client(
        "s3", endpoint_url=a.endpoint, aws_access_key_id=a.access_key, aws_secret_access_key=a.secret_key,
        region_name=a.region,
        config=botocore.config.Config(s3={"addressing_style": "path"}, max_pool_connections=max(10, a.concurrency),
                                      retries={"max_attempts": 1}))
    transfer = TransferConfig(multipart_threshold=a.part_size, multipart_chunksize=a.part_size,
                              max_concurrency=a.concurrency, use_threads=True)
    if a.mode == "get":
        with Phase() as ph:
            if a.file:
                client.download_file(a.bucket, a.key, a.file, Config=transfer)
            else:
                with open(os.devnull, "wb") as sink:
                    client.download_fileobj(a.bucket, a.key, sink, Config=transfer)
        size = client.head_object(Bucket=a.bucket, Key=a.key)["ContentLength"]
        if a.file and os.path.getsize(a.file) != size:
            raise SystemExit("boto3 get: file size differs from the object's")
        report("get", ph, nbytes=size)
    elif a.mode == "put":
        size = os.path.getsize(a.file)
        with Phase() as ph:
            client.upload_file(a.file, a.bucket, a.key, Config=transfer)
        report("put", ph, nbytes=size)
    else:
        payload = small_payload(a.object_size)
        lock = threading.Lock()
        for phase_name in ("put", "get"):
            latencies = []

            def one(i, phase_name=phase_name, latencies=latencies):
                key = f"{a.prefix}/{i:06d}"
                start = time.monotonic()
                if phase_name == "put":
                    client.put_object(Bucket=a.bucket, Key=key, Body=payload)
                else:
                    body = client.get_object(Bucket=a.bucket, Key=key)["Body"].read()
                    if len(body) != len(payload):
                        raise RuntimeError(f"{key}: {len(body)} bytes")
                elapsed = time.monotonic() - start
                with lock:
                    latencies.append(elapsed)
            with Phase() as ph:
                with ThreadPoolExecutor(max_workers=a.concurrency) as pool:
                    for f in [pool.submit(one, i) for i in range(a.count)]:
                        f.result()
            report(phase_name, ph, ops=a.count, latencies=latencies)


if __name__ == "__main__":
    main()
