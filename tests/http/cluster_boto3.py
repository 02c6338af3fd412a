"""boto3 against the HTTP endpoint of a cluster's router (tests/t/040_cluster.pl):
one DynamoDB to the client, the items spread over the nodes behind it.

Needs DYNPG_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (a key of a
role that may create tables).  Prints "ok - ..." / "not ok - ..." lines
(tapcheck.py) and exits 1 if any check failed.
"""
import os

import boto3
import botocore
from botocore.config import Config

from tapcheck import check, finish

ddb = boto3.client("dynamodb", endpoint_url=os.environ["DYNPG_ENDPOINT"], region_name="us-east-1",
                   config=Config(retries={"max_attempts": 0}))


def error_code(fn):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    return None, None


ddb.create_table(TableName="Boto", BillingMode="PAY_PER_REQUEST",
                 KeySchema=[{"AttributeName": "id", "KeyType": "HASH"},
                            {"AttributeName": "n", "KeyType": "RANGE"}],
                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                       {"AttributeName": "n", "AttributeType": "N"}])
check("Boto" in ddb.list_tables()["TableNames"], "CreateTable and ListTables through the router")

for i in range(120):
    ddb.put_item(TableName="Boto", Item={"id": {"S": "id%d" % (i % 30)}, "n": {"N": str(i)},
                                          "v": {"S": "value %d" % i}})
got = ddb.get_item(TableName="Boto", Key={"id": {"S": "id7"}, "n": {"N": "37"}})
check(got.get("Item", {}).get("v") == {"S": "value 37"}, "PutItem then GetItem")

q = ddb.query(TableName="Boto", KeyConditionExpression="id = :i",
              ExpressionAttributeValues={":i": {"S": "id3"}})
check(q["Count"] == 4 and [int(x["n"]["N"]) for x in q["Items"]] == [3, 33, 63, 93],
      "Query: one partition, in sort key order")

# a paginator follows LastEvaluatedKey across the nodes
pages = list(ddb.get_paginator("scan").paginate(TableName="Boto", PaginationConfig={"PageSize": 7}))
items = [(x["id"]["S"], int(x["n"]["N"])) for p in pages for x in p["Items"]]
check(len(items) == 120 and len(set(items)) == 120, "Scan paged by 7: all 120 items once (%d)" % len(items))
check(len(pages) >= 18, "... in %d pages" % len(pages))
seg = sum(ddb.scan(TableName="Boto", Segment=s, TotalSegments=2)["Count"] for s in range(2))
check(seg == 120, "Scan in 2 segments: 120 items")

w = ddb.batch_write_item(RequestItems={"Boto": [
    {"PutRequest": {"Item": {"id": {"S": "b%d" % i}, "n": {"N": "0"}}}} for i in range(20)]})
check(w["UnprocessedItems"] == {}, "BatchWriteItem over the nodes")
g = ddb.batch_get_item(RequestItems={"Boto": {"Keys": [{"id": {"S": "b%d" % i}, "n": {"N": "0"}}
                                                        for i in range(20)]}})
check(len(g["Responses"]["Boto"]) == 20 and g["UnprocessedKeys"] == {}, "BatchGetItem over the nodes")

code, msg = error_code(lambda: ddb.put_item(
    TableName="Boto", Item={"id": {"S": "id1"}, "n": {"N": "1"}},
    ConditionExpression="attribute_not_exists(id)"))
check(code == "ConditionalCheckFailedException" and msg == "The conditional request failed",
      "a failed condition on a node: ConditionalCheckFailedException (%s)" % code)
code, msg = error_code(lambda: ddb.get_item(TableName="Nope", Key={"id": {"S": "x"}}))
check(code == "ResourceNotFoundException", "a missing table: ResourceNotFoundException (%s)" % code)
ddb.transact_write_items(TransactItems=[
    {"Put": {"TableName": "Boto", "Item": {"id": {"S": "id%d" % i}, "n": {"N": "999"}}}}
    for i in range(8)])
got = ddb.batch_get_item(RequestItems={"Boto": {"Keys": [{"id": {"S": "id%d" % i}, "n": {"N": "999"}}
                                                          for i in range(8)]}})
check(len(got["Responses"]["Boto"]) == 8, "TransactWriteItems across nodes commits all 8 items")
try:
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Boto", "Item": {"id": {"S": "id%d" % i}, "n": {"N": "998"}}}}
        for i in range(7)] + [
        {"ConditionCheck": {"TableName": "Boto", "Key": {"id": {"S": "id7"}, "n": {"N": "999"}},
                            "ConditionExpression": "attribute_not_exists(id)"}}])
    reasons = None
except botocore.exceptions.ClientError as e:
    reasons = [r["Code"] for r in e.response.get("CancellationReasons", [])]
check(reasons == ["None"] * 7 + ["ConditionalCheckFailed"],
      "TransactWriteItems across nodes canceled: CancellationReasons %s" % reasons)
got = ddb.batch_get_item(RequestItems={"Boto": {"Keys": [{"id": {"S": "id%d" % i}, "n": {"N": "998"}}
                                                          for i in range(7)]}})
check(len(got["Responses"]["Boto"]) == 0, "... and writes none of its items")
ddb.transact_write_items(TransactItems=[
    {"Put": {"TableName": "Boto", "Item": {"id": {"S": "id5"}, "n": {"N": "1000"}}}},
    {"Update": {"TableName": "Boto", "Key": {"id": {"S": "id5"}, "n": {"N": "5"}},
                "UpdateExpression": "SET t = :t", "ExpressionAttributeValues": {":t": {"S": "x"}}}}])
got = ddb.get_item(TableName="Boto", Key={"id": {"S": "id5"}, "n": {"N": "5"}}, ConsistentRead=True)
check(got["Item"].get("t") == {"S": "x"}, "TransactWriteItems within one partition commits")
# PartiQL: the router runs the statement, its operations go to the nodes
ddb.execute_statement(Statement="INSERT INTO Boto VALUE {'id': 'pq', 'n': 1, 'v': 'partiql'}")
got = ddb.execute_statement(Statement="SELECT v FROM Boto WHERE id = 'pq' AND n = 1")
check(got["Items"] == [{"v": {"S": "partiql"}}], "ExecuteStatement INSERT, then SELECT by key")
got = ddb.execute_statement(Statement="SELECT n FROM Boto WHERE id = ?", Parameters=[{"S": "id7"}])
got_n = [int(x["n"]["N"]) for x in got["Items"]]
want_n = [int(x["n"]["N"]) for x in ddb.query(TableName="Boto", KeyConditionExpression="id = :i",
                                               ExpressionAttributeValues={":i": {"S": "id7"}})["Items"]]
check(got_n == want_n and [7, 37, 67, 97] == [n for n in got_n if n < 120],
      "ExecuteStatement SELECT of a partition: Query's items (%s)" % got_n)
code, msg = error_code(lambda: ddb.execute_statement(
    Statement="INSERT INTO Boto VALUE {'id': 'pq', 'n': 1}"))
check(code == "DuplicateItemException", "a duplicate INSERT: DuplicateItemException (%s)" % code)
r = ddb.batch_execute_statement(Statements=[
    {"Statement": "SELECT v FROM Boto WHERE id = 'pq' AND n = 1"},
    {"Statement": "SELECT v FROM Boto WHERE id = 'id7' AND n = 37"}])["Responses"]
check([x.get("Item") for x in r] == [{"v": {"S": "partiql"}}, {"v": {"S": "value 37"}}],
      "BatchExecuteStatement over the nodes")
# Streams: one stream to the client, every node's shards behind it
streams = boto3.client("dynamodbstreams", endpoint_url=os.environ["DYNPG_ENDPOINT"], region_name="us-east-1",
                       config=Config(retries={"max_attempts": 0}))
ddb.create_table(TableName="BotoStream", BillingMode="PAY_PER_REQUEST",
                 KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                 StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
for i in range(30):
    ddb.put_item(TableName="BotoStream", Item={"id": {"S": "s%d" % i}})
arn = streams.list_streams(TableName="BotoStream")["Streams"][0]["StreamArn"]
shards, start = [], None
while True:
    kw = {"StreamArn": arn, "Limit": 5}
    if start:
        kw["ExclusiveStartShardId"] = start
    d = streams.describe_stream(**kw)["StreamDescription"]
    shards += [sh["ShardId"] for sh in d["Shards"]]
    start = d.get("LastEvaluatedShardId")
    if not start:
        break
seen = []
for sh in shards:
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    for _ in range(20):
        r = streams.get_records(ShardIterator=it)
        if not r["Records"]:
            break
        seen += [x["dynamodb"]["Keys"]["id"]["S"] for x in r["Records"]]
        it = r.get("NextShardIterator")
        if not it:
            break
check(sorted(seen) == sorted("s%d" % i for i in range(30)),
      "Streams through the router: %d shards, every record once (%d)" % (len(shards), len(seen)))
ddb.delete_table(TableName="BotoStream")
d = ddb.describe_table(TableName="Boto")["Table"]
check(d["KeySchema"][0]["AttributeName"] == "id" and d["TableStatus"] in ("ACTIVE", "CREATING"),
      "DescribeTable through the router")

finish()
