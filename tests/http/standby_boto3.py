#!/usr/bin/python3
"""Reads from standbys through boto3 (tests/t/045_standby_reads.pl).

The table 'ledger' (pk S, sk N; GSI 'by_v' on v) holds the items a/1, a/2,
a/3, each with v = "one" or, after the primary updated them, "two".

  standby <v>   DYNPG_ENDPOINT is a standby's endpoint: every write and
                every strongly consistent read is refused with 503
                ServiceUnavailable and its message; eventually consistent
                reads (and DescribeTable, ListTables, ...) are served and see v.
  forward <eventual> <consistent>
                DYNPG_ENDPOINT is the primary's, with dynpg.read_replicas
                naming the standby: eventually consistent reads (GetItem,
                Query, Scan, BatchGetItem, a GSI Query) see <eventual>
                (polled up to 20 s: the HTTP workers read the setting on
                reload), strongly consistent ones always <consistent>.

Prints 'ok - ...' / 'not ok - ...' lines; exits 1 on a failure.
Environment: DYNPG_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
"""
import os
import sys
import time

import boto3
import botocore.config
from botocore.exceptions import ClientError

from tapcheck import check, finish

ENDPOINT = os.environ["DYNPG_ENDPOINT"]
ddb = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1",
                   config=botocore.config.Config(retries={"total_max_attempts": 1}))
TABLE = "ledger"
ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/ledger"
TAIL = ("cannot be served by a read replica: this server is a PostgreSQL standby (in recovery), "
        "which serves eventually consistent reads only; send the request to the primary")
KEY1 = {"pk": {"S": "a"}, "sk": {"N": "1"}}


def refused(what, fn, subject):
    """fn() must get 503 ServiceUnavailable with the standby's message about 'subject'."""
    try:
        fn()
    except ClientError as e:
        err = e.response["Error"]
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        want = subject + " " + TAIL
        check(status == 503 and err.get("Code") == "ServiceUnavailable" and err.get("Message") == want,
              "%s: 503 ServiceUnavailable (got %s %s: %s)" % (what, status, err.get("Code"), err.get("Message")))
        return
    check(False, "%s: refused (it was served)" % what)


def reads(consistent):
    """What each read sees: v of every item it returns, as lists."""
    kw = {"ConsistentRead": True} if consistent else {}
    out = {}
    item = ddb.get_item(TableName=TABLE, Key=KEY1, **kw).get("Item")
    out["GetItem"] = [item["v"]["S"]] if item else []
    out["Query"] = [i["v"]["S"] for i in ddb.query(
        TableName=TABLE, KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}}, **kw)["Items"]]
    out["Scan"] = sorted(i["v"]["S"] for i in ddb.scan(
        TableName=TABLE, FilterExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}, **kw)["Items"])
    req = {"Keys": [KEY1, {"pk": {"S": "a"}, "sk": {"N": "2"}}]}
    req.update(kw)
    out["BatchGetItem"] = sorted(i["v"]["S"] for i in ddb.batch_get_item(
        RequestItems={TABLE: req})["Responses"][TABLE])
    return out


def gsi_count(v):
    return ddb.query(TableName=TABLE, IndexName="by_v", KeyConditionExpression="v = :v",
                     ExpressionAttributeValues={":v": {"S": v}})["Count"]


def expect_reads(got, v, what):
    want = {"GetItem": [v], "Query": [v] * 3, "Scan": [v] * 3, "BatchGetItem": [v] * 2}
    for op in sorted(want):
        check(got[op] == want[op], "%s %s sees v = %s (got %s)" % (what, op, v, got[op]))


def standby(v):
    other = "two" if v == "one" else "one"
    # writes: items, batches, transactions, PartiQL
    refused("PutItem", lambda: ddb.put_item(TableName=TABLE, Item={"pk": {"S": "b"}, "sk": {"N": "1"}}), "PutItem")
    refused("UpdateItem", lambda: ddb.update_item(TableName=TABLE, Key=KEY1, UpdateExpression="SET w = :w",
                                                  ExpressionAttributeValues={":w": {"N": "1"}}), "UpdateItem")
    refused("DeleteItem", lambda: ddb.delete_item(TableName=TABLE, Key=KEY1), "DeleteItem")
    refused("BatchWriteItem", lambda: ddb.batch_write_item(
        RequestItems={TABLE: [{"DeleteRequest": {"Key": KEY1}}]}), "BatchWriteItem")
    refused("TransactWriteItems", lambda: ddb.transact_write_items(
        TransactItems=[{"Delete": {"TableName": TABLE, "Key": KEY1}}]), "TransactWriteItems")
    refused("ExecuteStatement UPDATE", lambda: ddb.execute_statement(
        Statement="UPDATE ledger SET w = 1 WHERE pk = 'a' AND sk = 1"), "A PartiQL INSERT, UPDATE or DELETE")
    refused("ExecuteStatement INSERT", lambda: ddb.execute_statement(
        Statement="INSERT INTO ledger VALUE {'pk': 'c', 'sk': 1}"), "A PartiQL INSERT, UPDATE or DELETE")
    refused("BatchExecuteStatement with a DELETE", lambda: ddb.batch_execute_statement(
        Statements=[{"Statement": "SELECT * FROM ledger WHERE pk = 'a' AND sk = 1"},
                    {"Statement": "DELETE FROM ledger WHERE pk = 'a' AND sk = 2"}]),
        "A PartiQL INSERT, UPDATE or DELETE")
    refused("ExecuteTransaction", lambda: ddb.execute_transaction(
        TransactStatements=[{"Statement": "SELECT * FROM ledger WHERE pk = 'a' AND sk = 1"}]),
        "ExecuteTransaction")
    # the control plane, tags, time to live, imports and exports
    refused("CreateTable", lambda: ddb.create_table(
        TableName="other", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}]), "CreateTable")
    refused("UpdateTable", lambda: ddb.update_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST"), "UpdateTable")
    refused("DeleteTable", lambda: ddb.delete_table(TableName=TABLE), "DeleteTable")
    refused("TagResource", lambda: ddb.tag_resource(ResourceArn=ARN, Tags=[{"Key": "k", "Value": "v"}]),
            "TagResource")
    refused("UntagResource", lambda: ddb.untag_resource(ResourceArn=ARN, TagKeys=["k"]), "UntagResource")
    refused("UpdateTimeToLive", lambda: ddb.update_time_to_live(
        TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}), "UpdateTimeToLive")
    refused("ImportTable", lambda: ddb.import_table(
        S3BucketSource={"S3Bucket": "bucket"}, InputFormat="DYNAMODB_JSON",
        TableCreationParameters={"TableName": "imported", "BillingMode": "PAY_PER_REQUEST",
                                 "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                                 "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}),
            "ImportTable")
    refused("ExportTableToPointInTime", lambda: ddb.export_table_to_point_in_time(
        TableArn=ARN, S3Bucket="bucket"), "ExportTableToPointInTime")
    # strongly consistent reads
    strong = "A strongly consistent read (ConsistentRead: true)"
    refused("GetItem ConsistentRead", lambda: ddb.get_item(TableName=TABLE, Key=KEY1, ConsistentRead=True), strong)
    refused("Query ConsistentRead", lambda: ddb.query(
        TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}},
        ConsistentRead=True), strong)
    refused("Scan ConsistentRead", lambda: ddb.scan(TableName=TABLE, ConsistentRead=True), strong)
    refused("BatchGetItem ConsistentRead", lambda: ddb.batch_get_item(
        RequestItems={TABLE: {"Keys": [KEY1], "ConsistentRead": True}}), strong)
    refused("ExecuteStatement SELECT ConsistentRead", lambda: ddb.execute_statement(
        Statement="SELECT * FROM ledger WHERE pk = 'a'", ConsistentRead=True), strong)
    refused("TransactGetItems", lambda: ddb.transact_get_items(
        TransactItems=[{"Get": {"TableName": TABLE, "Key": KEY1}}]), "TransactGetItems")
    # served: eventually consistent reads and what only reads definitions
    expect_reads(reads(False), v, "the standby's")
    check(gsi_count(v) == 3 and gsi_count(other) == 0, "the standby's GSI Query sees v = %s" % v)
    got = ddb.execute_statement(Statement="SELECT * FROM ledger WHERE pk = 'a'")["Items"]
    check([i["v"]["S"] for i in got] == [v] * 3, "the standby's PartiQL SELECT sees v = %s" % v)
    got = ddb.batch_execute_statement(Statements=[
        {"Statement": "SELECT * FROM ledger WHERE pk = 'a' AND sk = 1"}])["Responses"]
    check(len(got) == 1 and got[0]["Item"]["v"]["S"] == v, "the standby's BatchExecuteStatement SELECT is served")
    check(ddb.describe_table(TableName=TABLE)["Table"]["TableStatus"] == "ACTIVE",
          "the standby serves DescribeTable")
    check(TABLE in ddb.list_tables()["TableNames"], "the standby serves ListTables")
    check(ddb.list_tags_of_resource(ResourceArn=ARN)["Tags"] == [], "the standby serves ListTagsOfResource")
    check(ddb.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED",
          "the standby serves DescribeTimeToLive")
    check("ExportSummaries" in ddb.list_exports(), "the standby serves ListExports")


def forward(eventual, consistent):
    deadline = time.time() + 20
    got = reads(False)
    while got["GetItem"] != [eventual] and time.time() < deadline:
        time.sleep(0.2)
        got = reads(False)
    expect_reads(got, eventual, "the primary's eventually consistent")
    check(gsi_count(eventual) == 3, "the primary's GSI Query (never consistent) sees v = %s" % eventual)
    expect_reads(reads(True), consistent, "the primary's strongly consistent")


if sys.argv[1] == "standby":
    standby(sys.argv[2])
else:
    forward(sys.argv[2], sys.argv[3])
finish()
