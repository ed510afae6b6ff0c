"""Drives the Sluice server's encryption at rest with Debian's boto3 (Boto3EncryptionCompatTests).

Usage: boto3_sse.py ENDPOINT BUCKET KMS_KEY_ID LARGE_FILE. Credentials and region come from AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE. Checks what it can byte for byte, raises on any mismatch (non-zero exit) and prints one
JSON object of observations for the C# test to check too.
"""
import hashlib
import json
import os
import random
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

KEY_A = b"A" * 16 + b"B" * 16
KEY_B = bytes(range(32))


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("expected an error")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def ssec(key):
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}


def main():
    endpoint, bucket, kms_key, large = sys.argv[1:5]
    s3 = boto3.session.Session().client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    out = {}
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(700_000)

    # SSE-C: put, get whole and by random ranges, head; missing and wrong keys.
    put = s3.put_object(Bucket=bucket, Key="c", Body=data, **ssec(KEY_A))
    out["ssecAlgorithm"] = put["SSECustomerAlgorithm"]
    check(put["ETag"] != '"%s"' % hashlib.md5(data).hexdigest(), "SSE-C ETag must not be the plaintext MD5")
    check(s3.get_object(Bucket=bucket, Key="c", **ssec(KEY_A))["Body"].read() == data, "SSE-C round trip")
    rng = random.Random(3)
    for _ in range(20):
        first = rng.randrange(len(data))
        last = min(len(data) - 1, first + rng.randrange(200_000))
        got = s3.get_object(Bucket=bucket, Key="c", Range="bytes=%d-%d" % (first, last), **ssec(KEY_A))["Body"].read()
        check(got == data[first:last + 1], "SSE-C range %d-%d" % (first, last))
    out["ssecHeadLength"] = s3.head_object(Bucket=bucket, Key="c", **ssec(KEY_A))["ContentLength"]
    out["ssecMissing"] = error_of(lambda: s3.get_object(Bucket=bucket, Key="c"))
    out["ssecWrong"] = error_of(lambda: s3.get_object(Bucket=bucket, Key="c", **ssec(KEY_B)))

    # CopyObject between SSE-C keys.
    s3.copy_object(Bucket=bucket, Key="c2", CopySource={"Bucket": bucket, "Key": "c"},
                   CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=KEY_A, **ssec(KEY_B))
    check(s3.get_object(Bucket=bucket, Key="c2", **ssec(KEY_B))["Body"].read() == data, "copied between SSE-C keys")
    out["copyOldKey"] = error_of(lambda: s3.get_object(Bucket=bucket, Key="c2", **ssec(KEY_A)))

    # SSE-S3 and SSE-KMS.
    put = s3.put_object(Bucket=bucket, Key="s3", Body=data, ServerSideEncryption="AES256")
    out["s3ETagIsMd5"] = put["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    out["s3Header"] = s3.get_object(Bucket=bucket, Key="s3")["ServerSideEncryption"]
    put = s3.put_object(Bucket=bucket, Key="kms", Body=data, ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key)
    out["kmsKey"] = put["SSEKMSKeyId"]
    check(s3.get_object(Bucket=bucket, Key="kms")["Body"].read() == data, "SSE-KMS round trip")
    out["kmsUnknown"] = error_of(lambda: s3.put_object(Bucket=bucket, Key="x", Body=b"x", ServerSideEncryption="aws:kms",
                                                       SSEKMSKeyId="missing"))

    # s3transfer: a multipart SSE-C upload, downloaded as parallel ranged GETs with the key.
    config = TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20, max_concurrency=4)
    s3.upload_file(large, bucket, "big", ExtraArgs=ssec(KEY_A), Config=config)
    target = large + ".back"
    s3.download_file(bucket, "big", target, ExtraArgs=ssec(KEY_A), Config=config)
    with open(large, "rb") as a, open(target, "rb") as b:
        check(a.read() == b.read(), "multipart SSE-C round trip")
    s3.upload_file(large, bucket, "big-s3", ExtraArgs={"ServerSideEncryption": "AES256"}, Config=config)
    s3.download_file(bucket, "big-s3", target, Config=config)
    with open(large, "rb") as a, open(target, "rb") as b:
        check(a.read() == b.read(), "multipart SSE-S3 round trip")
    out["bigSize"] = s3.head_object(Bucket=bucket, Key="big", **ssec(KEY_A))["ContentLength"]

    # Bucket default encryption.
    out["noConfig"] = error_of(lambda: s3.get_bucket_encryption(Bucket=bucket))
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    out["config"] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0][
        "ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
    out["defaulted"] = s3.put_object(Bucket=bucket, Key="d", Body=b"by default").get("ServerSideEncryption")
    s3.delete_bucket_encryption(Bucket=bucket)
    out["afterDelete"] = s3.put_object(Bucket=bucket, Key="e", Body=b"plain").get("ServerSideEncryption")
    print(json.dumps(out))


main()
