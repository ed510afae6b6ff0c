"""Drives the Sluice server with Debian's boto3 for the compatibility tests (Boto3CompatTests).

Usage: boto3_compat.py SCENARIO ENDPOINT [ARGS...]. Credentials and region come from AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE. Each scenario checks what it can byte for byte, raises on any mismatch (non-zero
exit) and prints one JSON object of observations for the C# test to check too.
"""
import concurrent.futures
import hashlib
import json
import sys
import urllib.error
import urllib.request

import boto3
import botocore.httpchecksum
from botocore.config import Config
from botocore.exceptions import ClientError


def client(endpoint, **config):
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, **config))


def error_of(call):
    """Runs call; returns (S3 error code, HTTP status) of the ClientError it must raise."""
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("expected an error")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def buckets(s3, args):
    s3.create_bucket(Bucket="boto-buckets")
    s3.head_bucket(Bucket="boto-buckets")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    location = s3.get_bucket_location(Bucket="boto-buckets")["LocationConstraint"]
    # The owner creating its bucket again in us-east-1: S3's legacy 200.
    again = s3.create_bucket(Bucket="boto-buckets")["ResponseMetadata"]["HTTPStatusCode"]
    s3.put_object(Bucket="boto-buckets", Key="k", Body=b"x")
    not_empty = error_of(lambda: s3.delete_bucket(Bucket="boto-buckets"))
    s3.delete_object(Bucket="boto-buckets", Key="k")
    s3.delete_bucket(Bucket="boto-buckets")
    gone = error_of(lambda: s3.head_bucket(Bucket="boto-buckets"))
    missing = error_of(lambda: s3.list_objects_v2(Bucket="boto-buckets"))
    return {"names": names, "location": location, "again": again, "notEmpty": not_empty, "gone": gone, "missing": missing}


def objects(s3, args):
    small_path, large_path, out_dir = args
    small, large = read(small_path), read(large_path)
    s3.create_bucket(Bucket="boto-objects")
    s3.put_object(Bucket="boto-objects", Key="small", Body=small, ContentType="application/x-test",
                  Metadata={"origin": "boto3"})
    got = s3.get_object(Bucket="boto-objects", Key="small")
    check(got["Body"].read() == small, "small GET differs")
    check(got["ContentType"] == "application/x-test" and got["Metadata"] == {"origin": "boto3"}, "headers lost")
    # upload_file: multipart above 8 MiB (s3transfer), parts sent concurrently; download_file: ranged GETs.
    s3.upload_file(large_path, "boto-objects", "large")
    s3.download_file("boto-objects", "large", out_dir + "/large.out")
    head = s3.head_object(Bucket="boto-objects", Key="large")
    ranges = {}
    for spec, lo, hi in [("bytes=0-0", 0, 1), ("bytes=12345-1048576", 12345, 1048577), ("bytes=-100", len(large) - 100, len(large))]:
        r = s3.get_object(Bucket="boto-objects", Key="large", Range=spec)
        check(r["Body"].read() == large[lo:hi], "range " + spec + " differs")
        ranges[spec] = r["ContentRange"]
    bad_range = error_of(lambda: s3.get_object(Bucket="boto-objects", Key="small", Range="bytes=%d-" % (len(small) + 10)))
    # copy_object (one request) and the managed copy (UploadPartCopy above the threshold).
    s3.copy_object(Bucket="boto-objects", Key="small-copy", CopySource={"Bucket": "boto-objects", "Key": "small"})
    check(s3.get_object(Bucket="boto-objects", Key="small-copy")["Body"].read() == small, "copy differs")
    s3.copy({"Bucket": "boto-objects", "Key": "large"}, "boto-objects", "large-copy")
    copy = s3.get_object(Bucket="boto-objects", Key="large-copy")["Body"].read()
    check(hashlib.sha256(copy).digest() == hashlib.sha256(large).digest(), "large copy differs")
    s3.delete_object(Bucket="boto-objects", Key="large-copy")
    deleted = s3.delete_objects(Bucket="boto-objects", Delete={"Objects": [{"Key": "small"}, {"Key": "small-copy"}, {"Key": "absent"}]})
    left = [o["Key"] for o in s3.list_objects_v2(Bucket="boto-objects").get("Contents", [])]
    return {"etag": head["ETag"], "length": head["ContentLength"], "ranges": ranges, "badRange": bad_range,
            "deleted": sorted(d["Key"] for d in deleted["Deleted"]), "errors": deleted.get("Errors", []), "left": left}


def force_trailers():
    """botocore sends flexible checksums as aws-chunked trailers (STREAMING-UNSIGNED-PAYLOAD-TRAILER) only over
    TLS and this endpoint is plain HTTP: flip its decision so the same encoder runs here."""
    original = botocore.httpchecksum.resolve_request_checksum_algorithm

    def resolve(request, operation_model, params, supported_algorithms=None):
        original(request, operation_model, params, supported_algorithms)
        algorithm = request["context"].get("checksum", {}).get("request_algorithm")
        if isinstance(algorithm, dict) and operation_model.has_streaming_input:
            algorithm["in"] = "trailer"

    botocore.httpchecksum.resolve_request_checksum_algorithm = resolve


def checksums(s3, args):
    (path,) = args
    data = read(path)
    s3.create_bucket(Bucket="boto-sums")
    seen = {}
    for algorithm in ["CRC32", "CRC32C", "SHA1", "SHA256"]:
        key = "header-" + algorithm
        put = s3.put_object(Bucket="boto-sums", Key=key, Body=data, ChecksumAlgorithm=algorithm)
        # ChecksumMode ENABLED: botocore validates the body against the returned checksum (raises if wrong).
        got = s3.get_object(Bucket="boto-sums", Key=key, ChecksumMode="ENABLED")
        check(got["Body"].read() == data, key + " differs")
        check(got["Checksum" + algorithm] == put["Checksum" + algorithm], key + " checksum differs")
        seen[key] = put["Checksum" + algorithm]
    bad = error_of(lambda: s3.put_object(Bucket="boto-sums", Key="bad", Body=data, ChecksumCRC32="AAAAAA=="))

    # The same algorithms as aws-chunked trailers on an unsigned body, single PUT and multipart parts.
    force_trailers()
    t = client(sys.argv[2])
    for algorithm in ["CRC32", "CRC32C", "SHA256"]:
        key = "trailer-" + algorithm
        put = t.put_object(Bucket="boto-sums", Key=key, Body=data, ChecksumAlgorithm=algorithm)
        got = t.get_object(Bucket="boto-sums", Key=key, ChecksumMode="ENABLED")
        check(got["Body"].read() == data, key + " differs")
        check(got["Checksum" + algorithm] == put["Checksum" + algorithm] == seen.get("header-" + algorithm, put["Checksum" + algorithm]),
              key + " checksum differs")
        seen[key] = put["Checksum" + algorithm]
    upload = t.create_multipart_upload(Bucket="boto-sums", Key="mpu", ChecksumAlgorithm="CRC32")
    part_size = 5 * 1024 * 1024
    body = data * (2 * part_size // len(data) + 1)
    parts = []
    for n, offset in enumerate(range(0, len(body), part_size), start=1):
        r = t.upload_part(Bucket="boto-sums", Key="mpu", UploadId=upload["UploadId"], PartNumber=n,
                          Body=body[offset:offset + part_size], ChecksumAlgorithm="CRC32")
        parts.append({"PartNumber": n, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
    done = t.complete_multipart_upload(Bucket="boto-sums", Key="mpu", UploadId=upload["UploadId"],
                                       MultipartUpload={"Parts": parts})
    got = t.get_object(Bucket="boto-sums", Key="mpu", ChecksumMode="ENABLED")
    check(got["Body"].read() == body, "multipart body differs")
    return {"seen": seen, "bad": bad, "parts": len(parts), "mpuChecksum": done.get("ChecksumCRC32"),
            "mpuGetChecksum": got.get("ChecksumCRC32")}


def conditions(s3, args):
    s3.create_bucket(Bucket="boto-cond")
    etag = s3.put_object(Bucket="boto-cond", Key="k", Body=b"first")["ETag"]

    # botocore 1.29's model has no IfNoneMatch on PutObject: add the header the way a caller would.
    def create_only(params, **kwargs):
        params["headers"]["If-None-Match"] = "*"
    s3.meta.events.register("before-call.s3.PutObject", create_only)
    exists = error_of(lambda: s3.put_object(Bucket="boto-cond", Key="k", Body=b"second"))
    s3.put_object(Bucket="boto-cond", Key="new", Body=b"created")
    s3.meta.events.unregister("before-call.s3.PutObject", create_only)
    check(s3.get_object(Bucket="boto-cond", Key="k")["Body"].read() == b"first", "create-only PUT overwrote")

    match = s3.get_object(Bucket="boto-cond", Key="k", IfMatch=etag)["Body"].read()
    mismatch = error_of(lambda: s3.get_object(Bucket="boto-cond", Key="k", IfMatch='"0123456789abcdef0123456789abcdef"'))
    not_modified = error_of(lambda: s3.get_object(Bucket="boto-cond", Key="k", IfNoneMatch=etag))
    head_mismatch = error_of(lambda: s3.head_object(Bucket="boto-cond", Key="k", IfMatch='"00"'))
    copy_fail = error_of(lambda: s3.copy_object(Bucket="boto-cond", Key="c", CopySource="boto-cond/k",
                                                CopySourceIfMatch='"00"'))
    return {"exists": exists, "match": match.decode(), "mismatch": mismatch, "notModified": not_modified,
            "headMismatch": head_mismatch, "copyFail": copy_fail}


def presigned(s3, args):
    (path,) = args
    data = read(path)
    s3.create_bucket(Bucket="boto-presign")
    # botocore 1.29 presigns S3 URLs with SigV2 (AWSAccessKeyId/Expires/Signature) unless told otherwise: a PUT and a
    # GET through such URLs, and the GET URL for another key refused.
    v2_put = s3.generate_presigned_url("put_object", Params={"Bucket": "boto-presign", "Key": "v2"}, ExpiresIn=300)
    check("AWSAccessKeyId=" in v2_put and "X-Amz-" not in v2_put, "not a SigV2 URL: " + v2_put)
    # urllib would add a form Content-Type the URL did not sign (SigV2 signs Content-Type): send none.
    try:
        with urllib.request.urlopen(urllib.request.Request(v2_put, data=data, method="PUT",
                                                           headers={"Content-Type": ""})) as r:
            v2_put_status = r.status
    except urllib.error.HTTPError as e:
        raise AssertionError("SigV2 presigned PUT: %d %s" % (e.code, e.read().decode().replace("\n", " "))) from e
    v2_url = s3.generate_presigned_url("get_object", Params={"Bucket": "boto-presign", "Key": "v2"}, ExpiresIn=300)
    with urllib.request.urlopen(v2_url) as r:
        check(r.read() == data, "SigV2 presigned GET differs")
    try:
        urllib.request.urlopen(v2_url.replace("/v2?", "/p?"))
        raise AssertionError("a SigV2 URL for another key was accepted")
    except urllib.error.HTTPError as e:
        v2_error = [e.code, e.read().decode()]
    s3 = client(sys.argv[2], signature_version="s3v4")
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "boto-presign", "Key": "p"}, ExpiresIn=300)
    try:
        with urllib.request.urlopen(urllib.request.Request(put_url, data=data, method="PUT")) as r:
            put_status = r.status
    except urllib.error.HTTPError as e:
        raise AssertionError("presigned PUT: %d %s" % (e.code, e.read().decode().replace("\n", " "))) from e
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "boto-presign", "Key": "p"}, ExpiresIn=300)
    with urllib.request.urlopen(get_url) as r:
        check(r.read() == data, "presigned GET differs")
    check(s3.get_object(Bucket="boto-presign", Key="p")["Body"].read() == data, "presigned PUT stored other bytes")
    return {"putStatus": put_status, "getUrl": get_url, "v2PutStatus": v2_put_status, "v2Error": v2_error}


def listing(s3, args):
    (keys_path,) = args
    keys = open(keys_path).read().split("\n")
    s3.create_bucket(Bucket="boto-list")
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket="boto-list", Key=k, Body=k.encode()), keys))
    result = {}
    for op in ["list_objects", "list_objects_v2"]:
        for page_size in [1000, 300]:
            for delimiter in ["", "/"]:
                contents, prefixes, pages = [], [], 0
                kwargs = {"Bucket": "boto-list", "Prefix": "tree/", "PaginationConfig": {"PageSize": page_size}}
                if delimiter:
                    kwargs["Delimiter"] = delimiter
                for page in s3.get_paginator(op).paginate(**kwargs):
                    pages += 1
                    contents += [c["Key"] for c in page.get("Contents", [])]
                    prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
                result["%s/%d/%s" % (op, page_size, "slash" if delimiter else "none")] = {"keys": contents, "prefixes": prefixes, "pages": pages}
    return result


def tagging(s3, args):
    """Object tags through put_object(Tagging=...), get/put/delete_object_tagging, copy_object's TaggingDirective and
    the managed multipart upload's ExtraArgs; bucket tags through get/put/delete_bucket_tagging."""
    (large_path,) = args
    b = "boto-tags"
    s3.create_bucket(Bucket=b)
    tags = lambda key: [(t["Key"], t["Value"]) for t in s3.get_object_tagging(Bucket=b, Key=key)["TagSet"]]
    s3.put_object(Bucket=b, Key="k", Body=b"tagged", Tagging="team=blue&cost%20center=4 2")
    result = {"put": tags("k"), "count": s3.get_object(Bucket=b, Key="k").get("TagCount")}
    before = s3.head_object(Bucket=b, Key="k")
    s3.put_object_tagging(Bucket=b, Key="k", Tagging={"TagSet": [{"Key": "only", "Value": "one"}]})
    after = s3.head_object(Bucket=b, Key="k")
    check(before["ETag"] == after["ETag"] and before["LastModified"] == after["LastModified"], "retagging changed the object")
    result["replaced"] = tags("k")
    s3.copy_object(Bucket=b, Key="copied", CopySource={"Bucket": b, "Key": "k"})
    s3.copy_object(Bucket=b, Key="retagged", CopySource={"Bucket": b, "Key": "k"}, TaggingDirective="REPLACE", Tagging="fresh=yes")
    result["copied"], result["retagged"] = tags("copied"), tags("retagged")
    result["tooMany"] = error_of(lambda: s3.put_object_tagging(Bucket=b, Key="k", Tagging={
        "TagSet": [{"Key": "k%d" % i, "Value": "v"} for i in range(11)]}))
    result["afterRefusal"] = tags("k")
    s3.delete_object_tagging(Bucket=b, Key="k")
    result["deleted"] = tags("k")
    s3.upload_file(large_path, b, "large", ExtraArgs={"Tagging": "stage=raw"})
    result["multipart"] = tags("large")
    result["multipartETag"] = s3.head_object(Bucket=b, Key="large")["ETag"]
    result["noBucketTags"] = error_of(lambda: s3.get_bucket_tagging(Bucket=b))
    s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "owner", "Value": "ci"}, {"Key": "env", "Value": "test"}]})
    result["bucket"] = [(t["Key"], t["Value"]) for t in s3.get_bucket_tagging(Bucket=b)["TagSet"]]
    s3.delete_bucket_tagging(Bucket=b)
    result["bucketDeleted"] = error_of(lambda: s3.get_bucket_tagging(Bucket=b))
    return result


def post_form(url, fields, file_name, data):
    """POSTs a multipart/form-data upload with requests (which Debian's botocore itself imports)."""
    import requests
    r = requests.post(url, data=fields, files={"file": (file_name, data)})
    return r.status_code, r.text


def presigned_post(s3, args):
    """generate_presigned_post (SigV2 fields by default in botocore 1.29, SigV4 with s3v4), uploaded as a form."""
    (path,) = args
    data = read(path)
    s3.create_bucket(Bucket="boto-post")
    result = {}
    for name, signer in (("v2", s3), ("v4", client(sys.argv[2], signature_version="s3v4"))):
        post = signer.generate_presigned_post(
            "boto-post", name + "/${filename}", Fields={"Content-Type": "image/png", "x-amz-meta-by": "boto3"},
            Conditions=[{"Content-Type": "image/png"}, {"x-amz-meta-by": "boto3"}, ["content-length-range", 1, len(data)]],
            ExpiresIn=300)
        status, text = post_form(post["url"], post["fields"], "picture.png", data)
        check(status == 204, "%s POST: %d %s" % (name, status, text))
        head = s3.head_object(Bucket="boto-post", Key=name + "/picture.png")
        check(s3.get_object(Bucket="boto-post", Key=name + "/picture.png")["Body"].read() == data, name + " POST stored other bytes")
        # One byte more than content-length-range allows: refused, nothing stored.
        too_large = post_form(post["url"], post["fields"], "large.png", data + b"!")
        result[name] = {"fields": sorted(post["fields"]), "contentType": head["ContentType"], "metadata": head["Metadata"],
                        "tooLarge": list(too_large)}
        check(error_of(lambda: s3.head_object(Bucket="boto-post", Key=name + "/large.png"))[1] == 404, "refused POST stored")
    return result


def main():
    scenario, endpoint, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    s3 = client(endpoint)
    print(json.dumps(globals()[scenario](s3, args)))


if __name__ == "__main__":
    main()
