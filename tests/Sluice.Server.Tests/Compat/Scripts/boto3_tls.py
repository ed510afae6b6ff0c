"""Drives the Sluice server's TLS front with Debian's boto3 (TlsCompatTests).

Usage: boto3_tls.py ENDPOINT CA_BUNDLE SMALL LARGE OUT_DIR. The endpoint is https://; certificates are verified
against CA_BUNDLE only (verify=path). Raises on any mismatch (non-zero exit) and prints one JSON object of
observations for the C# test to check too.
"""
import hashlib
import json
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import SSLError

from boto3_compat import check, read  # this script's directory is on sys.path


def client(endpoint, verify):
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, verify=verify,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def main():
    endpoint, ca, small, large, out = sys.argv[1:6]
    check(endpoint.startswith("https://"), "the endpoint must be https: " + endpoint)
    s3 = client(endpoint, ca)
    s3.create_bucket(Bucket="boto-tls")

    small_data = read(small)
    s3.put_object(Bucket="boto-tls", Key="small", Body=small_data)
    got = s3.get_object(Bucket="boto-tls", Key="small")["Body"].read()
    check(got == small_data, "small object differs")

    # A flexible checksum as an aws-chunked trailer: botocore sends trailers over TLS.
    crc = s3.put_object(Bucket="boto-tls", Key="trailer", Body=small_data, ChecksumAlgorithm="CRC32")
    got = s3.get_object(Bucket="boto-tls", Key="trailer")["Body"].read()
    check(got == small_data, "trailer-checksummed object differs")

    # s3transfer: multipart upload in 8 MiB parts, then a ranged parallel download of the same size.
    transfer = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)
    s3.upload_file(large, "boto-tls", "large", Config=transfer)
    large_out = os.path.join(out, "large.out")
    s3.download_file("boto-tls", "large", large_out, Config=transfer)
    check(hashlib.sha256(read(large_out)).digest() == hashlib.sha256(read(large)).digest(), "large object differs")
    etag = s3.head_object(Bucket="boto-tls", Key="large")["ETag"]

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="boto-tls")["Contents"]]

    # Without the test CA the server's certificate is not trusted: the check is real.
    try:
        client(endpoint, True).list_buckets()
        untrusted = "accepted"
    except SSLError as e:
        untrusted = "refused: " + str(e)[:200]

    print(json.dumps({"keys": keys, "etag": etag, "crc32": crc.get("ChecksumCRC32"), "untrusted": untrusted}))


if __name__ == "__main__":
    main()
