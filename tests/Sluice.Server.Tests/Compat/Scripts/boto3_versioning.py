"""Drives the Sluice server's versioning with Debian's boto3 (Boto3VersioningCompatTests).

Usage: boto3_versioning.py ENDPOINT. Credentials and region come from AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE. Raises on any mismatch (non-zero exit) and prints one JSON object of observations.
"""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("expected an error")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    s3 = boto3.session.Session().client(
        "s3", endpoint_url=sys.argv[1],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    b = "boto-versions"
    s3.create_bucket(Bucket=b)
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    status = s3.get_bucket_versioning(Bucket=b).get("Status")
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
    old = s3.get_object(Bucket=b, Key="k", VersionId=v1)
    check(old["Body"].read() == b"one" and old["VersionId"] == v1, "reading v1")
    marker = s3.delete_object(Bucket=b, Key="k")
    check(marker["DeleteMarker"] is True, "a delete marker")
    missing = error_of(lambda: s3.get_object(Bucket=b, Key="k"))
    # boto3's paginator walks versions and markers a page at a time.
    listed = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=b, PaginationConfig={"PageSize": 1}):
        listed += [("Version", v["Key"], v["VersionId"], v["IsLatest"]) for v in page.get("Versions", [])]
        listed += [("DeleteMarker", m["Key"], m["VersionId"], m["IsLatest"]) for m in page.get("DeleteMarkers", [])]
    # Undelete by removing the marker; restore v1 by copying it over the key.
    s3.delete_object(Bucket=b, Key="k", VersionId=marker["VersionId"])
    after_undelete = s3.get_object(Bucket=b, Key="k")["Body"].read().decode()
    copied = s3.copy_object(Bucket=b, Key="k", CopySource={"Bucket": b, "Key": "k", "VersionId": v1})
    restored = s3.get_object(Bucket=b, Key="k")["Body"].read().decode()
    batch = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k", "VersionId": v2}, {"Key": "k"}]})
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
    suspended = s3.put_object(Bucket=b, Key="s", Body=b"x").get("VersionId")
    print(json.dumps({
        "status": status, "v1": v1, "v2": v2, "marker": marker["VersionId"], "missing": missing,
        "listed": listed, "afterUndelete": after_undelete, "copySourceVersion": copied.get("CopySourceVersionId"),
        "restored": restored, "batchDeleted": sorted(d.get("VersionId", "") for d in batch.get("Deleted", [])),
        "batchMarker": [d.get("DeleteMarker", False) for d in batch.get("Deleted", [])],
        "suspended": suspended,
        "mfa": error_of(lambda: s3.put_bucket_versioning(
            Bucket=b, MFA="arn:aws:iam::1:mfa/root 123456",
            VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"})),
    }))


main()
