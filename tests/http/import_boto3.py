#!/usr/bin/python3
"""ImportTable, DescribeImport and ListImports through boto3
(tests/t/033_import.pl).  Writes, under DYNPG_EXPORT_DIR (the server's
dynpg.export_directory), an export in AWS's layout -- AWSDynamoDB/<id>/
with manifest-summary.json, manifest-files.json and data/<name>.json.gz
files of {"Item": ...} lines, as AWS documents them -- and imports it
unchanged: S3KeyPrefix at its data/ directory, then at the export itself
(the manifest files are not items); a truncated gzip file fails its
import and leaves no table.

Prints 'ok - ...' / 'not ok - ...' lines; exits 1 on a failure.
Environment: DYNPG_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
DYNPG_EXPORT_DIR.
"""
import base64
import gzip
import hashlib
import json
import time
import os
import sys

import boto3
import botocore.config
from botocore.exceptions import ClientError

from tapcheck import check, finish

ENDPOINT = os.environ["DYNPG_ENDPOINT"]
ROOT = os.environ["DYNPG_EXPORT_DIR"]


ddb = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1",
                   config=botocore.config.Config(retries={"max_attempts": 1}))

# the export: 2 data files of 3 and 2 items, every attribute type
EXPORT_ID = "01700000000000-abcdef12"
export_dir = os.path.join(ROOT, "bucket", "exports", "AWSDynamoDB", EXPORT_ID)
os.makedirs(os.path.join(export_dir, "data"), exist_ok=True)
files = [
    [{"pk": {"S": "u1"}, "sk": {"N": "1"}, "name": {"S": "Ann"}, "tags": {"SS": ["a", "b"]}},
     {"pk": {"S": "u1"}, "sk": {"N": "2"}, "blob": {"B": "AAEC"}, "ok": {"BOOL": False}},
     {"pk": {"S": "u2"}, "sk": {"N": "1"}, "m": {"M": {"x": {"L": [{"N": "1"}, {"NULL": True}]}}}}],
    [{"pk": {"S": "u3"}, "sk": {"N": "10"}, "ns": {"NS": ["1", "2.5"]}},
     {"pk": {"S": "u3"}, "sk": {"N": "11"}, "bs": {"BS": ["AQ=="]}}],
]
entries = []
for i, items in enumerate(files):
    name = "data/file%d.json.gz" % i
    body = "".join(json.dumps({"Item": it}) + "\n" for it in items).encode()
    raw = gzip.compress(body)
    with open(os.path.join(export_dir, name), "wb") as f:
        f.write(raw)
    entries.append({"itemCount": len(items), "md5": hashlib.md5(raw).hexdigest(),
                    "etag": hashlib.md5(raw).hexdigest(),
                    "dataFileS3Key": "exports/AWSDynamoDB/%s/%s" % (EXPORT_ID, name)})
with open(os.path.join(export_dir, "manifest-files.json"), "w") as f:
    f.write("".join(json.dumps(e) + "\n" for e in entries))
with open(os.path.join(export_dir, "manifest-summary.json"), "w") as f:
    json.dump({"version": "2020-06-30", "exportArn": "arn:aws:dynamodb:us-east-1:123456789012:table/src/export/" + EXPORT_ID,
               "startTime": "2023-11-14T22:13:20.000Z", "endTime": "2023-11-14T22:18:20.000Z",
               "tableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/src",
               "tableId": "00000000-0000-0000-0000-000000000000", "exportTime": "2023-11-14T22:13:20.000Z",
               "s3Bucket": "bucket", "s3Prefix": "exports", "s3SseAlgorithm": "AES256",
               "manifestFilesS3Key": "exports/AWSDynamoDB/%s/manifest-files.json" % EXPORT_ID,
               "billedSizeBytes": 0, "itemCount": 5, "outputFormat": "DYNAMODB_JSON", "exportType": "FULL_EXPORT"}, f)
with open(os.path.join(export_dir, "_started"), "w") as f:
    f.write("")
# a truncated gzip file elsewhere
os.makedirs(os.path.join(ROOT, "bucket", "broken"), exist_ok=True)
whole = gzip.compress(b"".join(b'{"Item": {"pk": {"S": "k%d"}, "sk": {"N": "1"}}}\n' % i for i in range(500)))
with open(os.path.join(ROOT, "bucket", "broken", "part.json.gz"), "wb") as f:
    f.write(whole[: len(whole) // 2])

PARAMS = {"BillingMode": "PAY_PER_REQUEST",
          "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
          "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                   {"AttributeName": "sk", "AttributeType": "N"}]}


def start_import(table, prefix, token=None):
    kw = {"S3BucketSource": {"S3Bucket": "bucket", "S3KeyPrefix": prefix},
          "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "GZIP",
          "TableCreationParameters": dict(PARAMS, TableName=table)}
    if token:
        kw["ClientToken"] = token
    return ddb.import_table(**kw)["ImportTableDescription"]


def import_table(table, prefix, token=None):
    """ImportTable answers IN_PROGRESS; the description once the import has ended"""
    d = start_import(table, prefix, token)
    check(d["ImportStatus"] == "IN_PROGRESS" and "EndTime" not in d,
          "ImportTable of %s answers IN_PROGRESS, no EndTime" % table)
    for _ in range(600):
        d = ddb.describe_import(ImportArn=d["ImportArn"])["ImportTableDescription"]
        if d["ImportStatus"] != "IN_PROGRESS":
            break
        time.sleep(0.1)
    return d


def plain(v):
    """boto3's decoded values (bytes, sets) as the export's JSON writes them"""
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, (set, frozenset)):
        return sorted(plain(x) for x in v)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def all_items(table):
    return sorted(json.dumps(plain(i), sort_keys=True) for i in ddb.scan(TableName=table)["Items"])


expected = sorted(json.dumps(i, sort_keys=True) for items in files for i in items)

d = import_table("from_data_dir", "exports/AWSDynamoDB/%s/data/" % EXPORT_ID, token="t-1")
check(d["ImportStatus"] == "COMPLETED", "the export's data/ imports: COMPLETED")
check(d["ImportedItemCount"] == 5 and d["ProcessedItemCount"] == 5 and d["ErrorCount"] == 0,
      "5 items processed and imported, no errors")
check(d["ImportArn"].startswith(d["TableArn"] + "/import/"), "ImportArn is the table's ARN /import/<id>")
check(all_items("from_data_dir") == expected, "the table holds the export's items, every type")
again = start_import("from_data_dir", "exports/AWSDynamoDB/%s/data/" % EXPORT_ID, token="t-1")
check(again["ImportArn"] == d["ImportArn"] and again["ImportStatus"] == "COMPLETED",
      "the same ClientToken and request: the same import")
try:
    start_import("from_data_dir", "exports/", token="t-1")
    check(False, "the same ClientToken, another request: refused")
except ClientError as e:
    check(e.response["Error"]["Code"] == "IdempotentParameterMismatchException",
          "the same ClientToken, another request: IdempotentParameterMismatchException")

d2 = import_table("from_export", "exports/AWSDynamoDB/%s/" % EXPORT_ID)
check(d2["ImportStatus"] == "COMPLETED" and d2["ErrorCount"] == 0 and d2["ImportedItemCount"] == 5,
      "the export's own directory imports: manifest files skipped")

d3 = import_table("from_broken", "broken/")
check(d3["ImportStatus"] == "FAILED" and d3.get("FailureCode") == "InvalidCompressedFile",
      "a truncated gzip file: FAILED, InvalidCompressedFile")
try:
    ddb.describe_table(TableName="from_broken")
    check(False, "a failed import leaves no table")
except ClientError as e:
    check(e.response["Error"]["Code"] == "ResourceNotFoundException", "a failed import leaves no table")

desc = ddb.describe_import(ImportArn=d["ImportArn"])["ImportTableDescription"]
check(desc["ImportArn"] == d["ImportArn"] and desc["ImportStatus"] == "COMPLETED"
      and desc["InputFormat"] == "DYNAMODB_JSON" and desc["InputCompressionType"] == "GZIP"
      and desc["S3BucketSource"]["S3Bucket"] == "bucket"
      and desc["TableCreationParameters"]["TableName"] == "from_data_dir"
      and hasattr(desc["StartTime"], "year") and hasattr(desc["EndTime"], "year"),
      "DescribeImport answers the import, times as timestamps")
try:
    ddb.describe_import(ImportArn=d["TableArn"] + "/import/01234567890123-00000000")
    check(False, "DescribeImport of no import: ImportNotFoundException")
except ClientError as e:
    check(e.response["Error"]["Code"] == "ImportNotFoundException",
          "DescribeImport of no import: ImportNotFoundException")

listed = ddb.list_imports()["ImportSummaryList"]
check([s["ImportArn"] for s in listed] == [d["ImportArn"], d2["ImportArn"], d3["ImportArn"]],
      "ListImports lists the 3 imports")
check([s["ImportStatus"] for s in listed] == ["COMPLETED", "COMPLETED", "FAILED"], "with their status")
page = ddb.list_imports(PageSize=2)
rest = ddb.list_imports(PageSize=2, NextToken=page["NextToken"])
check(len(page["ImportSummaryList"]) == 2 and len(rest["ImportSummaryList"]) == 1 and "NextToken" not in rest,
      "ListImports pages with PageSize and NextToken")
mine = ddb.list_imports(TableArn=d2["TableArn"])["ImportSummaryList"]
check([s["ImportArn"] for s in mine] == [d2["ImportArn"]], "ListImports of one table")

finish()
