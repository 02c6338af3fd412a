#!/usr/bin/python3
"""dynpg's HTTP endpoint driven by a real DynamoDB client: Debian's boto3.

Run by tests/t/020_http_boto3.pl with DYNPG_ENDPOINT, AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY set (a key of a role that may create tables), and
DYNPG_LIMITED_KEY / DYNPG_LIMITED_SECRET (a key of a role without privileges
on the tables).  Prints one line per check, "ok - what" or
"not ok - what: why", and exits 1 if any check failed.
"""
import os
import sys
import time
import traceback
import concurrent.futures

import boto3
import botocore
from botocore.config import Config

ENDPOINT = os.environ["DYNPG_ENDPOINT"]
failures = 0


def report(ok, what, why=""):
    global failures
    if ok:
        print("ok - %s" % what)
    else:
        failures += 1
        print("not ok - %s: %s" % (what, why))
    sys.stdout.flush()


def check(what, cond, why=""):
    report(bool(cond), what, why)


def client(key=None, secret=None, retries=0):
    kw = {}
    if key:
        kw = {"aws_access_key_id": key, "aws_secret_access_key": secret}
    # no client-side parameter validation: the server's own checks are tested
    return boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1",
                        config=Config(retries={"max_attempts": retries + 1, "mode": "standard"},
                                      parameter_validation=False,
                                      # DYNPG_SLOW: the server runs under valgrind
                                      read_timeout=600 if os.environ.get("DYNPG_SLOW") else 60),
                        **kw)


def raw_call(operation, body, key=None, secret=None):
    """A signed request built by hand (for members this boto3 does not model):
    returns (HTTP status, parsed body)."""
    import json
    import urllib.request
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    creds = botocore.credentials.Credentials(key or os.environ["AWS_ACCESS_KEY_ID"],
                                             secret or os.environ["AWS_SECRET_ACCESS_KEY"])
    req = botocore.awsrequest.AWSRequest(method="POST", url=ENDPOINT + "/", data=json.dumps(body).encode(),
                                         headers={"X-Amz-Target": "DynamoDB_20120810." + operation,
                                                  "Content-Type": "application/x-amz-json-1.0"})
    botocore.auth.SigV4Auth(creds, "dynamodb", "us-east-1").add_auth(req)
    prepared = req.prepare()
    data = prepared.body if isinstance(prepared.body, bytes) else prepared.body.encode()
    r = urllib.request.Request(prepared.url, data=data, headers=dict(prepared.headers), method="POST")
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def expect_error(what, fn, code, message=None):
    """fn() must raise ClientError with error code 'code' (and message, if given)."""
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        err = e.response["Error"]
        ok = err.get("Code") == code and (message is None or err.get("Message") == message)
        report(ok, what, "got %s: %s" % (err.get("Code"), err.get("Message")))
        return e
    except Exception as e:  # noqa: BLE001
        report(False, what, "raised %r" % e)
        return None
    report(False, what, "no error")
    return None


def run(what, fn):
    try:
        fn()
    except Exception:  # noqa: BLE001
        report(False, what, traceback.format_exc().replace("\n", " | "))


db = client()


def tables():
    # --- control plane
    r = db.create_table(TableName="users", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "PersonID", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "PersonID", "AttributeType": "N"}])
    check("CreateTable returns the TableDescription", r["TableDescription"]["TableName"] == "users"
          and r["TableDescription"]["TableStatus"] == "ACTIVE")
    db.create_table(TableName="Music", BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"},
                               {"AttributeName": "SongTitle", "KeyType": "RANGE"}],
                    AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"},
                                          {"AttributeName": "SongTitle", "AttributeType": "S"}])
    d = db.describe_table(TableName="Music")["Table"]
    check("DescribeTable reports the key schema",
          [k["AttributeName"] for k in d["KeySchema"]] == ["Artist", "SongTitle"], d["KeySchema"])
    names = db.list_tables()["TableNames"]
    check("ListTables lists both", names == ["Music", "users"], names)
    page = db.list_tables(Limit=1)
    check("ListTables pages", page["TableNames"] == ["Music"] and page["LastEvaluatedTableName"] == "Music", page)
    expect_error("CreateTable of an existing table: ResourceInUseException",
                 lambda: db.create_table(TableName="users", BillingMode="PAY_PER_REQUEST",
                                         KeySchema=[{"AttributeName": "PersonID", "KeyType": "HASH"}],
                                         AttributeDefinitions=[{"AttributeName": "PersonID", "AttributeType": "N"}]),
                 "ResourceInUseException")
    e = expect_error("DescribeTable of a missing table: ResourceNotFoundException",
                     lambda: db.describe_table(TableName="nope"), "ResourceNotFoundException")
    if e is not None:
        check("... as boto3's own exception class",
              isinstance(e, db.exceptions.ResourceNotFoundException), type(e))
    expect_error("a bad TableName: ValidationException with DynamoDB's message",
                 lambda: db.describe_table(TableName="a;"), "ValidationException",
                 "2 validation errors detected: Value at 'TableName' failed to satisfy constraint: "
                 "Member must have length greater than or equal to 3; Value at 'TableName' failed "
                 "to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")


def items():
    db.put_item(TableName="users", Item={"PersonID": {"N": "101"}, "LastName": {"S": "Smith"},
                                         "FirstName": {"S": "Fred"}, "Phone": {"S": "555-4321"}})
    r = db.get_item(TableName="users", Key={"PersonID": {"N": "101"}})
    check("PutItem then GetItem", r["Item"]["LastName"] == {"S": "Smith"}, r)
    r = db.get_item(TableName="users", Key={"PersonID": {"N": "101"}},
                    ProjectionExpression="#f", ExpressionAttributeNames={"#f": "FirstName"})
    check("GetItem with a projection", r["Item"] == {"FirstName": {"S": "Fred"}}, r)
    r = db.get_item(TableName="users", Key={"PersonID": {"N": "999"}})
    check("GetItem of a missing item has no Item", "Item" not in r, r)
    e = expect_error("a failed condition: ConditionalCheckFailedException",
                     lambda: db.put_item(TableName="users", Item={"PersonID": {"N": "101"}},
                                         ConditionExpression="attribute_not_exists(PersonID)"),
                     "ConditionalCheckFailedException", "The conditional request failed")
    if e is not None:
        check("... as boto3's own exception class",
              isinstance(e, db.exceptions.ConditionalCheckFailedException), type(e))
    # (Debian's boto3 predates ReturnValuesOnConditionCheckFailure: sent by hand)
    status, body = raw_call("PutItem", {"TableName": "users", "Item": {"PersonID": {"N": "101"}},
                                        "ConditionExpression": "attribute_not_exists(PersonID)",
                                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    check("ReturnValuesOnConditionCheckFailure ALL_OLD returns the item with the error",
          status == 400 and body.get("__type", "").endswith("#ConditionalCheckFailedException")
          and body.get("Item", {}).get("LastName") == {"S": "Smith"}, (status, body))
    r = db.update_item(TableName="users", Key={"PersonID": {"N": "101"}},
                       UpdateExpression="SET visits = if_not_exists(visits, :z) + :one ADD tags :t",
                       ExpressionAttributeValues={":z": {"N": "0"}, ":one": {"N": "1"}, ":t": {"SS": ["a"]}},
                       ReturnValues="UPDATED_NEW")
    check("UpdateItem with an update expression", r["Attributes"] == {"visits": {"N": "1"}, "tags": {"SS": ["a"]}}, r)
    r = db.delete_item(TableName="users", Key={"PersonID": {"N": "101"}}, ReturnValues="ALL_OLD")
    check("DeleteItem returns the old item", r["Attributes"]["visits"] == {"N": "1"}, r)
    check("... and it is gone", "Item" not in db.get_item(TableName="users", Key={"PersonID": {"N": "101"}}))
    expect_error("a key of the wrong type: ValidationException",
                 lambda: db.get_item(TableName="users", Key={"PersonID": {"S": "x"}}),
                 "ValidationException", "The provided key element does not match the schema")
    expect_error("a missing table: ResourceNotFoundException",
                 lambda: db.put_item(TableName="nope", Item={"k": {"S": "x"}}),
                 "ResourceNotFoundException", "Requested resource not found")


def query_and_scan():
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        list(ex.map(lambda i: db.put_item(TableName="Music", Item={
            "Artist": {"S": "A%d" % (i % 3)}, "SongTitle": {"S": "song%03d" % i},
            "Year": {"N": str(2000 + i % 20)}}), range(150)))
    got = []
    kw = {"TableName": "Music", "KeyConditionExpression": "Artist = :a",
          "ExpressionAttributeValues": {":a": {"S": "A1"}}, "Limit": 7}
    pages = 0
    while True:
        r = db.query(**kw)
        pages += 1
        got += [i["SongTitle"]["S"] for i in r["Items"]]
        if "LastEvaluatedKey" not in r:
            break
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
    want = sorted("song%03d" % i for i in range(150) if i % 3 == 1)
    check("Query paged by LastEvaluatedKey returns the partition in order", got == want and pages > 7,
          "%d items in %d pages" % (len(got), pages))
    r = db.query(TableName="Music", KeyConditionExpression="Artist = :a AND begins_with(SongTitle, :p)",
                 FilterExpression="#y >= :y", ExpressionAttributeNames={"#y": "Year"},
                 ExpressionAttributeValues={":a": {"S": "A0"}, ":p": {"S": "song01"}, ":y": {"N": "2010"}},
                 ScanIndexForward=False)
    titles = [i["SongTitle"]["S"] for i in r["Items"]]
    want = sorted(["song%03d" % i for i in range(10, 20) if i % 3 == 0 and 2000 + i % 20 >= 2010], reverse=True)
    check("Query with begins_with, a filter, backwards", titles == want, (titles, want))
    paginator = db.get_paginator("scan")

    def segment(s):
        return [i for p in paginator.paginate(TableName="Music", Segment=s, TotalSegments=4,
                                              PaginationConfig={"PageSize": 10}) for i in p["Items"]]
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        parts = list(ex.map(segment, range(4)))
    keys = sorted((i["Artist"]["S"], i["SongTitle"]["S"]) for p in parts for i in p)
    check("parallel Scan: 4 segments in 4 threads cover the table once", len(keys) == 150 and len(set(keys)) == 150,
          len(keys))
    r = db.scan(TableName="Music", Select="COUNT")
    check("Scan with Select COUNT", r["Count"] == 150 and "Items" not in r, r)


def batches():
    r = db.batch_write_item(RequestItems={"users": [
        {"PutRequest": {"Item": {"PersonID": {"N": str(i)}, "n": {"S": "x" * i}}}} for i in range(1, 26)]})
    check("BatchWriteItem of 25 puts", r["UnprocessedItems"] == {}, r)
    r = db.batch_get_item(RequestItems={"users": {"Keys": [{"PersonID": {"N": str(i)}} for i in range(1, 31)],
                                                  "ProjectionExpression": "PersonID"}})
    got = sorted(int(i["PersonID"]["N"]) for i in r["Responses"]["users"])
    check("BatchGetItem returns the 25 that exist", got == list(range(1, 26)), got)
    expect_error("BatchWriteItem with 26 entries: ValidationException",
                 lambda: db.batch_write_item(RequestItems={"users": [
                     {"DeleteRequest": {"Key": {"PersonID": {"N": str(i)}}}} for i in range(26)]}),
                 "ValidationException")


def transactions():
    db.put_item(TableName="users", Item={"PersonID": {"N": "500"}, "balance": {"N": "10"}})
    db.transact_write_items(TransactItems=[
        {"Update": {"TableName": "users", "Key": {"PersonID": {"N": "500"}},
                    "UpdateExpression": "SET balance = balance - :x", "ConditionExpression": "balance >= :x",
                    "ExpressionAttributeValues": {":x": {"N": "4"}}}},
        {"Put": {"TableName": "users", "Item": {"PersonID": {"N": "501"}, "balance": {"N": "4"}}}}])
    r = db.transact_get_items(TransactItems=[{"Get": {"TableName": "users", "Key": {"PersonID": {"N": str(k)}}}}
                                             for k in (500, 501)])
    check("TransactWriteItems then TransactGetItems", [x["Item"]["balance"]["N"] for x in r["Responses"]] == ["6", "4"], r)
    e = expect_error("TransactWriteItems with a failed condition: TransactionCanceledException",
                     lambda: db.transact_write_items(TransactItems=[
                         {"Put": {"TableName": "users", "Item": {"PersonID": {"N": "502"}}}},
                         {"ConditionCheck": {"TableName": "users", "Key": {"PersonID": {"N": "500"}},
                                             "ConditionExpression": "balance > :big",
                                             "ExpressionAttributeValues": {":big": {"N": "100"}}}}]),
                     "TransactionCanceledException")
    if e is not None:
        reasons = e.response.get("CancellationReasons")
        check("... as boto3's own class, with its CancellationReasons",
              isinstance(e, db.exceptions.TransactionCanceledException)
              and [x.get("Code") for x in reasons or []] == ["None", "ConditionalCheckFailed"], reasons)
        check("... and nothing written", "Item" not in db.get_item(TableName="users", Key={"PersonID": {"N": "502"}}))


def gsi():
    db.update_table(TableName="Music", AttributeDefinitions=[{"AttributeName": "Year", "AttributeType": "N"},
                                                             {"AttributeName": "SongTitle", "AttributeType": "S"}],
                    GlobalSecondaryIndexUpdates=[{"Create": {
                        "IndexName": "by_year", "Projection": {"ProjectionType": "ALL"},
                        "KeySchema": [{"AttributeName": "Year", "KeyType": "HASH"},
                                      {"AttributeName": "SongTitle", "KeyType": "RANGE"}]}}])
    deadline = time.time() + (1200 if os.environ.get("DYNPG_SLOW") else 60)
    status = None
    while time.time() < deadline:
        idx = db.describe_table(TableName="Music")["Table"]["GlobalSecondaryIndexes"][0]
        status = idx["IndexStatus"]
        if status == "ACTIVE":
            break
        time.sleep(0.2)
    check("a GSI created by UpdateTable becomes ACTIVE after its backfill", status == "ACTIVE", status)
    r = db.query(TableName="Music", IndexName="by_year", KeyConditionExpression="#y = :y",
                 ExpressionAttributeNames={"#y": "Year"}, ExpressionAttributeValues={":y": {"N": "2005"}})
    want = sorted("song%03d" % i for i in range(150) if i % 20 == 5)
    check("Query of the GSI", sorted(i["SongTitle"]["S"] for i in r["Items"]) == want, r["Count"])
    expect_error("ConsistentRead on a GSI: ValidationException",
                 lambda: db.query(TableName="Music", IndexName="by_year", ConsistentRead=True,
                                  KeyConditionExpression="#y = :y", ExpressionAttributeNames={"#y": "Year"},
                                  ExpressionAttributeValues={":y": {"N": "2005"}}),
                 "ValidationException", "Consistent reads are not supported on global secondary indexes")


def strings():
    nul = "a\u0000b"
    db.put_item(TableName="Music", Item={"Artist": {"S": nul}, "SongTitle": {"S": "x\u0000"},
                                         "v": {"S": "\u0000value\u0000"}, "ss": {"SS": ["\u0000", "a"]}})
    r = db.get_item(TableName="Music", Key={"Artist": {"S": nul}, "SongTitle": {"S": "x\u0000"}})
    check("a key and values holding U+0000 round-trip", r.get("Item", {}).get("v") == {"S": "\u0000value\u0000"}
          and sorted(r["Item"]["ss"]["SS"]) == ["\u0000", "a"], r)
    name = "".join(chr(c) for c in range(1, 256))
    db.put_item(TableName="users", Item={"PersonID": {"N": "900"}, name: {"S": "v"}})
    r = db.get_item(TableName="users", Key={"PersonID": {"N": "900"}})
    check("an attribute name made of code points 1-255", r.get("Item", {}).get(name) == {"S": "v"}, r)
    r = db.get_item(TableName="users", Key={"PersonID": {"N": "900"}}, ProjectionExpression="#n",
                    ExpressionAttributeNames={"#n": name})
    check("... projected by an expression attribute name", list(r.get("Item", {}).keys()) == [name], r)
    deep = {"S": "x"}
    for _ in range(40):
        deep = {"M": {"a": deep}}
    expect_error("an item nested deeper than DynamoDB allows: ValidationException (400)",
                 lambda: db.put_item(TableName="users", Item={"PersonID": {"N": "901"}, "d": deep}),
                 "ValidationException")


def settings():
    arn = db.describe_table(TableName="users")["Table"]["TableArn"]
    db.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "db"}, {"Key": "env", "Value": ""}])
    r = db.list_tags_of_resource(ResourceArn=arn)
    check("TagResource then ListTagsOfResource", r["Tags"] == [{"Key": "env", "Value": ""}, {"Key": "team", "Value": "db"}], r)
    db.untag_resource(ResourceArn=arn, TagKeys=["env"])
    r = db.list_tags_of_resource(ResourceArn=arn)
    check("UntagResource", r["Tags"] == [{"Key": "team", "Value": "db"}], r)
    expect_error("TagResource with an aws: key: ValidationException",
                 lambda: db.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "v"}]),
                 "ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:x")
    expect_error("TagResource of an unknown table: ResourceNotFoundException",
                 lambda: db.tag_resource(ResourceArn=arn + "x", Tags=[{"Key": "k", "Value": "v"}]),
                 "ResourceNotFoundException", "Requested resource not found: ResourceArn: %sx not found" % arn)
    r = db.describe_time_to_live(TableName="users")
    check("DescribeTimeToLive of a new table: DISABLED", r["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}, r)
    r = db.update_time_to_live(TableName="users", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    check("UpdateTimeToLive echoes the specification",
          r["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}, r)
    r = db.describe_time_to_live(TableName=arn)
    check("DescribeTimeToLive (by the table's ARN): ENABLED",
          r["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}, r)
    expect_error("UpdateTimeToLive again: ValidationException",
                 lambda: db.update_time_to_live(TableName="users",
                                                TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}),
                 "ValidationException", "TimeToLive is already enabled")
    r = db.get_item(TableName=arn, Key={"PersonID": {"N": "1"}})
    check("GetItem by the table's ARN", "ResponseMetadata" in r, r)
    r = db.describe_limits()
    check("DescribeLimits", r["TableMaxReadCapacityUnits"] == 40000, r)
    other = "arn:aws:dynamodb:us-east-1:000000000000:table/users"
    expect_error("another region's table ARN: ValidationException",
                 lambda: db.describe_table(TableName=other),
                 "ValidationException", "1 validation error detected: Invalid AWS region in '%s'" % other)
    expect_error("... as a ResourceArn: Invalid TableArn",
                 lambda: db.list_tags_of_resource(ResourceArn=other),
                 "ValidationException", "Invalid TableArn: Invalid ResourceArn provided as input " + other)


def privileges():
    limited = client(os.environ["DYNPG_LIMITED_KEY"], os.environ["DYNPG_LIMITED_SECRET"])
    e = expect_error("a role without SELECT: AccessDeniedException",
                     lambda: limited.get_item(TableName="users", Key={"PersonID": {"N": "1"}}),
                     "AccessDeniedException")
    if e is not None:
        check("... names the action", "dynamodb:GetItem" in e.response["Error"]["Message"], e.response)
    arn = "arn:aws:dynamodb:ddblocal:000000000000:table/users"
    e = expect_error("a role that does not own the table: TagResource is AccessDeniedException",
                     lambda: limited.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}]),
                     "AccessDeniedException")
    if e is not None:
        check("... naming the table by its ResourceArn",
              "dynamodb:TagResource on resource: " + arn + " (" in e.response["Error"]["Message"], e.response)
    bad = client(os.environ["AWS_ACCESS_KEY_ID"], "wrong" + os.environ["AWS_SECRET_ACCESS_KEY"][5:])
    expect_error("a wrong secret: InvalidSignatureException", lambda: bad.list_tables(),
                 "InvalidSignatureException")
    unknown = client("DYNPUNKNOWNKEY000000", "x" * 40)
    expect_error("an unknown key: UnrecognizedClientException", lambda: unknown.list_tables(),
                 "UnrecognizedClientException", "The security token included in the request is invalid.")


def cleanup():
    r = db.delete_table(TableName="users")
    check("DeleteTable", r["TableDescription"]["TableStatus"] == "DELETING", r)
    expect_error("... then it is gone", lambda: db.describe_table(TableName="users"), "ResourceNotFoundException")


for step in (tables, items, query_and_scan, batches, transactions, gsi, strings, settings, privileges, cleanup):
    run(step.__name__, step)
sys.exit(1 if failures else 0)
