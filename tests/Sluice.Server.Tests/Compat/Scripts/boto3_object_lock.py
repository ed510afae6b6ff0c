"""Drives the Sluice server's object lock with Debian's boto3 (ObjectLockCompatTests).

Usage: boto3_object_lock.py ENDPOINT BUCKET. Credentials and region come from AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE. Raises on any mismatch (non-zero exit) and prints one JSON object of observations.
"""
import datetime
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

FAR = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
FARTHER = datetime.datetime(2030, 1, 3, tzinfo=datetime.timezone.utc)


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
    b = sys.argv[2]
    s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
    versioning = s3.get_bucket_versioning(Bucket=b).get("Status")
    suspend = error_of(lambda: s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"}))
    default = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration=default)
    configuration = s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"]
    check(configuration == default, "the configuration reads back as set: %r" % configuration)
    both = error_of(lambda: s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}}))
    zero = error_of(lambda: s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}}))

    # The default retention on a plain put; a retention set, read back, enforced, extended, bypassed.
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"abc")["VersionId"]
    defaulted = s3.head_object(Bucket=b, Key="k", VersionId=v1)
    s3.put_object_retention(Bucket=b, Key="k", VersionId=v1, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": FAR})
    retention = s3.get_object_retention(Bucket=b, Key="k", VersionId=v1)["Retention"]
    check(retention == {"Mode": "GOVERNANCE", "RetainUntilDate": FAR}, "retention reads back: %r" % retention)
    denied = error_of(lambda: s3.delete_object(Bucket=b, Key="k", VersionId=v1))
    shorten = error_of(lambda: s3.put_object_retention(
        Bucket=b, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": datetime.datetime(2029, 1, 1, tzinfo=datetime.timezone.utc)}))
    s3.put_object_retention(Bucket=b, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": FARTHER})
    batch = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k", "VersionId": v1}]})
    batch_errors = [(e["Key"], e["VersionId"], e["Code"]) for e in batch.get("Errors", [])]
    bypassed = s3.delete_object(Bucket=b, Key="k", VersionId=v1, BypassGovernanceRetention=True)
    check(bypassed["ResponseMetadata"]["HTTPStatusCode"] == 204, "a bypassing delete answers 204")

    # Put with lock parameters; legal hold on and off.
    v2 = s3.put_object(Bucket=b, Key="held", Body=b"x", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=FAR,
                       ObjectLockLegalHoldStatus="ON")["VersionId"]
    head = s3.head_object(Bucket=b, Key="held")
    hold = s3.get_object_legal_hold(Bucket=b, Key="held")["LegalHold"]["Status"]
    compliance = error_of(lambda: s3.delete_object(Bucket=b, Key="held", VersionId=v2, BypassGovernanceRetention=True))
    to_governance = error_of(lambda: s3.put_object_retention(
        Bucket=b, Key="held", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": FARTHER}, BypassGovernanceRetention=True))
    s3.put_object_legal_hold(Bucket=b, Key="held", LegalHold={"Status": "OFF"})
    hold_off = s3.get_object_legal_hold(Bucket=b, Key="held")["LegalHold"]["Status"]
    marker = s3.delete_object(Bucket=b, Key="held")

    plain = b + "-plain"
    s3.create_bucket(Bucket=plain)
    print(json.dumps({
        "versioning": versioning, "suspend": suspend, "both": both, "zero": zero,
        "defaultMode": defaulted.get("ObjectLockMode"),
        "defaultUntil": defaulted["ObjectLockRetainUntilDate"].isoformat(),
        "denied": denied, "shorten": shorten, "batchErrors": batch_errors, "v1": v1,
        "mode": head.get("ObjectLockMode"), "until": head["ObjectLockRetainUntilDate"].isoformat(),
        "legalHold": head.get("ObjectLockLegalHoldStatus"), "hold": hold, "holdOff": hold_off,
        "compliance": compliance, "toGovernance": to_governance, "marker": marker.get("DeleteMarker"),
        "noConfiguration": error_of(lambda: s3.get_object_lock_configuration(Bucket=plain)),
        "noLockPut": error_of(lambda: s3.put_object(Bucket=plain, Key="k", Body=b"x", ObjectLockLegalHoldStatus="ON")),
        "noLockRetention": error_of(lambda: s3.get_object_retention(Bucket=plain, Key="k")),
    }))


main()
