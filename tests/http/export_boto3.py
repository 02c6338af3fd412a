#!/usr/bin/python3
"""ExportTableToPointInTime, DescribeExport and ListExports through boto3
(tests/t/032_export.pl), and the export's files checked as an AWS export's
reader would: a table of every attribute type (a string holding U+0000
too) is exported while a writer keeps adding items; each of the writer's
steps is one TransactWriteItems that puts item w-N and sets the counter
item's n to N, so a point-in-time export must hold exactly w-0..w-n for
the counter's n, and nothing after.  manifest-files.json's md5Checksum
must be the base64 MD5 of each data file, etag its hex MD5; every line of
the gzip data files must parse as {"Item": {...}}; the item counts must
agree with manifest-summary.json and DescribeExport.  Then an
INCREMENTAL_EXPORT's refusals over the wire (InvalidExportTimeException,
HTTP 400, for a table without a stream; ValidationException without
ExportFromTime).

Prints 'ok - ...' / 'not ok - ...' lines; exits 1 on a failure.
Environment: DYNPG_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
DYNPG_EXPORT_DIR (the server's dynpg.export_directory).
"""
import base64
import datetime
import gzip
import hashlib
import json
import os
import sys
import threading
import time

import boto3
import botocore.config
from botocore.exceptions import ClientError

from tapcheck import check, finish

ENDPOINT = os.environ["DYNPG_ENDPOINT"]
EXPORT_DIR = os.environ["DYNPG_EXPORT_DIR"]


def client():
    return boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1",
                        config=botocore.config.Config(retries={"max_attempts": 1}))


ddb = client()
# the raw body of each response: Debian's botocore 1.29 predates ExportType
# (2023) and drops it from the parsed response
raw = {}


def keep_raw(http_response, model, **kwargs):
    raw[model.name] = json.loads(http_response.content or b"{}")


ddb.meta.events.register("after-call.dynamodb", keep_raw)
ddb.create_table(TableName="snap", BillingMode="PAY_PER_REQUEST",
                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
table_arn = ddb.describe_table(TableName="snap")["Table"]["TableArn"]

BASE = 300
for i in range(BASE):
    ddb.put_item(TableName="snap", Item={
        "pk": {"S": "base-%04d" % i}, "n": {"N": str(i)}, "s": {"S": "nul\u0000inside-%d" % i},
        "b": {"B": bytes([0, 1, 2, 255, i % 256])}, "t": {"BOOL": i % 2 == 0}, "z": {"NULL": True},
        "ss": {"SS": ["a", "b%d" % i]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"\x00", b"\x01"]},
        "m": {"M": {"deep": {"M": {"l": {"L": [{"S": "x"}, {"N": "-1e-3"}, {"L": []}]}}}}},
        "l": {"L": [{"B": b"\xff"}, {"M": {}}, {"NS": ["7"]}]}})
ddb.put_item(TableName="snap", Item={"pk": {"S": "counter"}, "n": {"N": "-1"}})

stop = threading.Event()
written = [0]


def writer():
    w = client()
    n = 0
    give_up = time.time() + 90
    while not stop.is_set() and time.time() < give_up:
        w.transact_write_items(TransactItems=[
            {"Put": {"TableName": "snap", "Item": {"pk": {"S": "w-%06d" % n}, "n": {"N": str(n)}}}},
            {"Update": {"TableName": "snap", "Key": {"pk": {"S": "counter"}},
                        "UpdateExpression": "SET n = :n", "ExpressionAttributeValues": {":n": {"N": str(n)}}}}])
        n += 1
        written[0] = n
        time.sleep(0.002)


t = threading.Thread(target=writer)
t.start()
time.sleep(0.5)

resp = ddb.export_table_to_point_in_time(TableArn=table_arn, S3Bucket="exports", S3Prefix="boto3/run1",
                                         ExportFormat="DYNAMODB_JSON")
d = resp["ExportDescription"]
arn = d["ExportArn"]
check(d["ExportStatus"] in ("IN_PROGRESS", "COMPLETED"), "export_table_to_point_in_time answers IN_PROGRESS")
check(arn.startswith(table_arn + "/export/") and len(arn.split("/export/")[1]) == 23,
      "ExportArn is <TableArn>/export/<14 digits>-<8 hex>")
check(d["TableArn"] == table_arn and d["S3Bucket"] == "exports" and d["S3Prefix"] == "boto3/run1"
      and d["ExportFormat"] == "DYNAMODB_JSON"
      and raw["ExportTableToPointInTime"]["ExportDescription"]["ExportType"] == "FULL_EXPORT",
      "the description echoes the request")

deadline = time.time() + 60
while True:
    d = ddb.describe_export(ExportArn=arn)["ExportDescription"]
    if d["ExportStatus"] != "IN_PROGRESS" or time.time() > deadline:
        break
    time.sleep(0.1)
time.sleep(0.3)
stop.set()
t.join()
check(d["ExportStatus"] == "COMPLETED", "describe_export: COMPLETED (%s)" % d.get("FailureMessage"))
check(isinstance(d["StartTime"], datetime.datetime) and isinstance(d["EndTime"], datetime.datetime)
      and isinstance(d["ExportTime"], datetime.datetime)
      and d["StartTime"] <= d["ExportTime"] <= d["EndTime"],
      "StartTime <= ExportTime <= EndTime, as timestamps")
check(written[0] > 0, "the writer wrote during the export (%d steps)" % written[0])

ls = ddb.list_exports(TableArn=table_arn)["ExportSummaries"]
check([e["ExportArn"] for e in ls] == [arn] and ls[0]["ExportStatus"] == "COMPLETED"
      and raw["ListExports"]["ExportSummaries"][0]["ExportType"] == "FULL_EXPORT", "list_exports by TableArn")
try:
    ddb.describe_export(ExportArn=table_arn + "/export/00000000000000-00000000")
    check(False, "describe_export of no export fails")
except ClientError as e:
    check(e.response["Error"]["Code"] == "ExportNotFoundException", "describe_export of no export: ExportNotFoundException")
try:
    ddb.export_table_to_point_in_time(TableArn=table_arn.replace("/snap", "/nosuch"), S3Bucket="exports")
    check(False, "an export of no table fails")
except ClientError as e:
    check(e.response["Error"]["Code"] == "TableNotFoundException", "an export of no table: TableNotFoundException")

# the files
export_id = arn.split("/export/")[1]
root = os.path.join(EXPORT_DIR, "exports")
base = os.path.join(root, "boto3/run1/AWSDynamoDB", export_id)
names = sorted(os.listdir(base))
check(names == ["_started", "data", "manifest-files.checksum", "manifest-files.json",
                "manifest-summary.checksum", "manifest-summary.json"], "the export's files: %s" % names)
summary_bytes = open(os.path.join(base, "manifest-summary.json"), "rb").read()
summary = json.loads(summary_bytes)
check(open(os.path.join(base, "manifest-summary.checksum")).read() == hashlib.md5(summary_bytes).hexdigest(),
      "manifest-summary.checksum is its MD5")
check(summary["version"] == "2020-06-30" and summary["exportArn"] == arn and summary["tableArn"] == table_arn
      and summary["s3Bucket"] == "exports" and summary["s3Prefix"] == "boto3/run1"
      and summary["outputFormat"] == "DYNAMODB_JSON" and summary["exportType"] == "FULL_EXPORT"
      and summary["manifestFilesS3Key"] == "boto3/run1/AWSDynamoDB/%s/manifest-files.json" % export_id,
      "manifest-summary.json's members")
files_bytes = open(os.path.join(base, "manifest-files.json"), "rb").read()
check(open(os.path.join(base, "manifest-files.checksum")).read() == hashlib.md5(files_bytes).hexdigest(),
      "manifest-files.checksum is its MD5")
items = {}
lines_ok = True
md5_ok = True
total = 0
for line in files_bytes.decode().splitlines():
    entry = json.loads(line)
    data = open(os.path.join(root, entry["dataFileS3Key"]), "rb").read()
    md5 = hashlib.md5(data)
    md5_ok = md5_ok and entry["md5Checksum"] == base64.b64encode(md5.digest()).decode() \
        and entry["etag"] == md5.hexdigest()
    n = 0
    for l in gzip.decompress(data).decode("utf-8").splitlines():
        rec = json.loads(l)
        lines_ok = lines_ok and list(rec.keys()) == ["Item"]
        items[rec["Item"]["pk"]["S"]] = rec["Item"]
        n += 1
    md5_ok = md5_ok and n == entry["itemCount"]
    total += n
check(md5_ok, "md5Checksum is base64(MD5), etag hex MD5 of each data file; itemCount its lines")
check(lines_ok, "every data line is {\"Item\": {...}}")
check(total == summary["itemCount"] == d["ItemCount"] == len(items),
      "item counts agree: files %d, summary %d, DescribeExport %d" % (total, summary["itemCount"], d["ItemCount"]))

# the point in time: w-0..w-n exactly, n the counter's value
n = int(items["counter"]["n"]["N"])
ws = sorted(k for k in items if k.startswith("w-"))
check(ws == ["w-%06d" % i for i in range(n + 1)],
      "the export is one point in time: w-0..w-%d and nothing after (%d written in all)" % (n, written[0]))
check(all("base-%04d" % i in items for i in range(BASE)), "every item written before the export is in it")
b7 = items["base-0007"]
check(b7["s"] == {"S": "nul\u0000inside-7"}, "a string holding U+0000 is exported whole")
check(base64.b64decode(b7["b"]["B"]) == bytes([0, 1, 2, 255, 7]) and b7["t"] == {"BOOL": False}
      and b7["z"] == {"NULL": True} and sorted(b7["ss"]["SS"]) == ["a", "b7"]
      and sorted(b7["ns"]["NS"]) == ["1", "2.5"] and b7["m"]["M"]["deep"]["M"]["l"]["L"][2] == {"L": []}
      and b7["l"]["L"][1] == {"M": {}}, "every attribute type round-trips in DynamoDB JSON")
# what DynamoDB's own reader does: the export's items read back through the API are the table's
got = ddb.get_item(TableName="snap", Key={"pk": {"S": "base-0007"}})["Item"]
check(got["s"]["S"] == b7["s"]["S"] and got["b"]["B"] == base64.b64decode(b7["b"]["B"]),
      "the exported item equals GetItem's")

# INCREMENTAL_EXPORT: this botocore's model has no IncrementalExportSpecification,
# so the members are added to the request's body before it is signed.  The
# table has no stream: no history covers the window (as a table without
# point-in-time recovery on AWS).
extra = {}


def add_members(params, **kwargs):
    if extra:
        body = json.loads(params["body"] or b"{}")
        body.update(extra)
        params["body"] = json.dumps(body).encode()


ddb.meta.events.register("before-call.dynamodb.ExportTableToPointInTime", add_members)
now = int(time.time())
extra.update({"ExportType": "INCREMENTAL_EXPORT",
              "IncrementalExportSpecification": {"ExportFromTime": now - 1800, "ExportToTime": now - 600}})
try:
    ddb.export_table_to_point_in_time(TableArn=table_arn, S3Bucket="exports", S3Prefix="boto3/incr")
    check(False, "an incremental export of a table without a stream fails")
except ClientError as e:
    check(e.response["Error"]["Code"] == "InvalidExportTimeException"
          and e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
          and e.response["Error"]["Message"] ==
          "Incremental export period from time cannot be less than the table creation time : "
          + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 1800)),
          "an incremental export of a table without a stream: InvalidExportTimeException, 400 (%s)"
          % e.response["Error"])
extra["IncrementalExportSpecification"] = {"ExportViewType": "NEW_IMAGE"}
try:
    ddb.export_table_to_point_in_time(TableArn=table_arn, S3Bucket="exports", S3Prefix="boto3/incr")
    check(False, "an incremental export without ExportFromTime fails")
except ClientError as e:
    check(e.response["Error"]["Code"] == "ValidationException"
          and e.response["Error"]["Message"] ==
          "Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification",
          "an incremental export without ExportFromTime: ValidationException")
extra.clear()

finish()
