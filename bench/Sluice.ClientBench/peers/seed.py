#!/usr/bin/python3
"""Benchmark set-up through boto3 (independent of the clients under test).

  seed.py ENDPOINT bucket BUCKET                 create the bucket (if missing)
  seed.py ENDPOINT put BUCKET KEY FILE           upload a file (multipart, 8 MiB parts)
  seed.py ENDPOINT compose BUCKET SRC DST N      DST = N copies of SRC, by multipart UploadPartCopy (no data sent)
  seed.py ENDPOINT size BUCKET KEY               print the object's size
"""
import sys

import boto3
import botocore.config
from boto3.s3.transfer import TransferConfig


def main():
    endpoint, op, *args = sys.argv[1:]
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="sluice", aws_secret_access_key="sluice-dev-secret",
                      region_name="us-east-1",
                      # Completing a multi-GiB upload can take minutes on a busy machine: wait for it rather than retry
                      # (a retried CompleteMultipartUpload finds the upload already gone).
                      config=botocore.config.Config(s3={"addressing_style": "path"}, read_timeout=1800,
                                                    retries={"max_attempts": 1}))
    if op == "bucket":
        try:
            s3.head_bucket(Bucket=args[0])
        except s3.exceptions.ClientError:
            s3.create_bucket(Bucket=args[0])
    elif op == "put":
        bucket, key, path = args
        s3.upload_file(path, bucket, key, Config=TransferConfig(multipart_chunksize=8 << 20, max_concurrency=8))
    elif op == "compose":
        bucket, src, dst, n = args
        upload = s3.create_multipart_upload(Bucket=bucket, Key=dst)["UploadId"]
        parts = []
        for i in range(1, int(n) + 1):
            r = s3.upload_part_copy(Bucket=bucket, Key=dst, UploadId=upload, PartNumber=i,
                                    CopySource={"Bucket": bucket, "Key": src})
            parts.append({"PartNumber": i, "ETag": r["CopyPartResult"]["ETag"]})
        s3.complete_multipart_upload(Bucket=bucket, Key=dst, UploadId=upload, MultipartUpload={"Parts": parts})
    elif op == "size":
        print(s3.head_object(Bucket=args[0], Key=args[1])["ContentLength"])
    else:
        raise SystemExit(f"unknown operation {op}")


if __name__ == "__main__":
    main()
