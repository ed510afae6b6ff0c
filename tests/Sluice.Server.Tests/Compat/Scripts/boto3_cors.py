"""Drives the Sluice server's bucket CORS with Debian's boto3 (Boto3CorsCompatTests).

Usage: boto3_cors.py ENDPOINT BUCKET. Credentials and region come from AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE. Raises on any mismatch (non-zero exit) and prints one JSON object of observations.
"""
import json
import sys
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("expected an error")


def fetch(method, url, headers):
    """An unsigned request as a browser sends it: (status, response headers lower-cased)."""
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}


def main():
    endpoint, b = sys.argv[1], sys.argv[2]
    s3 = boto3.session.Session().client(
        "s3", endpoint_url=endpoint,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    s3.create_bucket(Bucket=b)
    before = error_of(lambda: s3.get_bucket_cors(Bucket=b))
    s3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": [
        {"ID": "site", "AllowedOrigins": ["https://site.example"], "AllowedMethods": ["GET", "PUT"],
         "AllowedHeaders": ["Content-Type"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 120},
    ]})
    rules = s3.get_bucket_cors(Bucket=b)["CORSRules"]
    s3.put_object(Bucket=b, Key="k", Body=b"data")
    preflight = fetch("OPTIONS", f"{endpoint}/{b}/k", {
        "Origin": "https://site.example", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type"})
    refused = fetch("OPTIONS", f"{endpoint}/{b}/k", {
        "Origin": "https://other.example", "Access-Control-Request-Method": "PUT"})
    # botocore 1.29 presigns with SigV2 unless told otherwise; the server takes SigV4 only.
    v4 = boto3.session.Session().client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
    url = v4.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "k"}, ExpiresIn=300)
    actual = fetch("GET", url, {"Origin": "https://site.example"})
    invalid = error_of(lambda: s3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["TRACE"]}]}))
    s3.delete_bucket_cors(Bucket=b)
    after = error_of(lambda: s3.get_bucket_cors(Bucket=b))
    print(json.dumps({
        "before": before, "rules": rules, "after": after, "invalid": invalid,
        "preflight": [preflight[0], preflight[1].get("access-control-allow-origin"),
                      preflight[1].get("access-control-allow-methods"), preflight[1].get("access-control-allow-headers"),
                      preflight[1].get("access-control-max-age")],
        "refused": [refused[0], refused[1].get("access-control-allow-origin")],
        "actual": [actual[0], actual[1].get("access-control-allow-origin"), actual[1].get("access-control-expose-headers")],
    }))


if __name__ == "__main__":
    main()
