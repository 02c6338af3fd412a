#!/usr/bin/python3
"""DynamoDB Streams through boto3's own 'dynamodbstreams' client
(tests/t/027_http_streams.pl): 4 writers change items concurrently for a
while (puts, conditional puts that fail, updates, deletes, batches,
transactions, some cancelled), each keeping a ledger of what it changed,
while a consumer follows every shard through GetRecords; meanwhile the
stream's shards are rolled over twice (dynpg._roll_stream_shards, through
psql), and the consumer follows each closed shard to its children as the
KCL does (a shard whose iterator runs out: DescribeStream's CHILD_SHARDS
filter, each child from TRIM_HORIZON).  Then every committed change must
have come exactly once, per item in order, with the right images, and
nothing from a failed or cancelled write.

Prints 'ok - ...' / 'not ok - ...' lines; exits 1 on a failure.
Environment: DYNPG_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
DYNPG_STREAM_SECONDS (how long the writers run, default 5),
DYNPG_ROLL_CONNINFO (a superuser's libpq connection string for psql).
"""
import os
import random
import subprocess
import sys
import threading
import time

import boto3
import botocore.config
from botocore.exceptions import ClientError

from tapcheck import check, finish

ENDPOINT = os.environ["DYNPG_ENDPOINT"]
SECONDS = float(os.environ.get("DYNPG_STREAM_SECONDS", "5"))
ROLL_CONNINFO = os.environ["DYNPG_ROLL_CONNINFO"]


def client(service):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1",
                        config=botocore.config.Config(retries={"max_attempts": 1}))


ddb = client("dynamodb")
streams = client("dynamodbstreams")

desc = ddb.create_table(
    TableName="ledger", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "sk", "AttributeType": "N"}],
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})["TableDescription"]
arn = desc.get("LatestStreamArn")
check(arn is not None and arn.endswith("/stream/" + desc.get("LatestStreamLabel", "?")),
      "CreateTable reports LatestStreamArn and LatestStreamLabel")
check(desc.get("StreamSpecification") == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
      "CreateTable reports the StreamSpecification")

listed = streams.list_streams(TableName="ledger")["Streams"]
check([s["StreamArn"] for s in listed] == [arn], "ListStreams lists the table's stream")
sd = streams.describe_stream(StreamArn=arn)["StreamDescription"]
check(sd["StreamStatus"] == "ENABLED" and sd["StreamViewType"] == "NEW_AND_OLD_IMAGES"
      and sd["TableName"] == "ledger" and len(sd["Shards"]) >= 1,
      "DescribeStream: ENABLED, its view type, table and shards")
shards = [s["ShardId"] for s in sd["Shards"]]


def image(item):
    return {k: v for k, v in sorted(item.items())}


# ---- the writers: each owns its keys, and records what it changed ----
ledgers = {}
stop = threading.Event()


def writer(w):
    c = client("dynamodb")
    rnd = random.Random(w)
    current = {}          # key -> item (or absent)
    ledger = {}           # key -> [(event, new, old)]
    keys = [("w%d-%d" % (w, i % 5), i) for i in range(20)]
    n = 0
    while not stop.is_set():
        n += 1
        pk, sk = rnd.choice(keys)
        key = (pk, sk)
        kattr = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
        old = current.get(key)
        op = rnd.random()
        try:
            if op < 0.35:
                item = dict(kattr, v={"N": str(n)}, w={"S": "x" * rnd.randint(0, 50)})
                c.put_item(TableName="ledger", Item=item)
                current[key] = item
                if old != item:
                    ledger.setdefault(key, []).append(("MODIFY" if old else "INSERT", image(item),
                                                       image(old) if old else None))
            elif op < 0.45:
                # a conditional put that fails when the item exists: no record then
                item = dict(kattr, v={"N": str(n)}, created={"BOOL": True})
                try:
                    c.put_item(TableName="ledger", Item=item,
                               ConditionExpression="attribute_not_exists(pk)")
                    current[key] = item
                    ledger.setdefault(key, []).append(("INSERT", image(item), None))
                except ClientError as e:
                    if e.response["Error"]["Code"] != "ConditionalCheckFailedException" or old is None:
                        raise
            elif op < 0.65:
                r = c.update_item(TableName="ledger", Key=kattr, UpdateExpression="ADD c :one SET v = :v",
                                  ExpressionAttributeValues={":one": {"N": "1"}, ":v": {"N": str(n)}},
                                  ReturnValues="ALL_NEW")
                item = r["Attributes"]
                current[key] = item
                ledger.setdefault(key, []).append(("MODIFY" if old else "INSERT", image(item),
                                                   image(old) if old else None))
            elif op < 0.8:
                c.delete_item(TableName="ledger", Key=kattr)
                if old is not None:
                    del current[key]
                    ledger.setdefault(key, []).append(("REMOVE", None, image(old)))
            elif op < 0.9:
                # a transaction of two items; half of them cancelled by a failing condition
                pk2, sk2 = rnd.choice(keys)
                key2 = (pk2, sk2)
                if key2 == key:
                    continue
                fail = rnd.random() < 0.5
                item = dict(kattr, v={"N": str(n)}, t={"S": "tx"})
                item2 = dict({"pk": {"S": pk2}, "sk": {"N": str(sk2)}}, v={"N": str(n)}, t={"S": "tx2"})
                old2 = current.get(key2)
                try:
                    c.transact_write_items(TransactItems=[
                        {"Put": {"TableName": "ledger", "Item": item}},
                        {"Put": {"TableName": "ledger", "Item": item2,
                                 "ConditionExpression": "attribute_not_exists(nothere)" if not fail
                                 else "attribute_exists(nothere)"}}])
                    for k, it, o in ((key, item, old), (key2, item2, old2)):
                        current[k] = it
                        if o != it:
                            ledger.setdefault(k, []).append(("MODIFY" if o else "INSERT", image(it),
                                                             image(o) if o else None))
                except ClientError as e:
                    if not fail or e.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
            else:
                # a batch: one put and one delete
                pk2, sk2 = rnd.choice(keys)
                key2 = (pk2, sk2)
                if key2 == key:
                    continue
                item = dict(kattr, v={"N": str(n)}, b={"BOOL": True})
                old2 = current.get(key2)
                c.batch_write_item(RequestItems={"ledger": [
                    {"PutRequest": {"Item": item}},
                    {"DeleteRequest": {"Key": {"pk": {"S": pk2}, "sk": {"N": str(sk2)}}}}]})
                current[key] = item
                if old != item:
                    ledger.setdefault(key, []).append(("MODIFY" if old else "INSERT", image(item),
                                                       image(old) if old else None))
                if old2 is not None:
                    del current[key2]
                    ledger.setdefault(key2, []).append(("REMOVE", None, image(old2)))
        except ClientError as e:
            print("# writer %d: %s" % (w, e), file=sys.stderr)
            raise
    ledgers[w] = ledger


# ---- the consumer: follows every shard, and their children, while the writers run ----
seen = []
consumer_error = []
drained = threading.Event()
parent_of = {}          # shard -> its parent, as the consumer learnt it
ended = []              # the shards read to their end


def consumer():
    c = client("dynamodbstreams")
    try:
        its = {s: c.get_shard_iterator(StreamArn=arn, ShardId=s, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
               for s in shards}
        quiet = 0
        while True:
            got = 0
            for s in list(its):
                r = c.get_records(ShardIterator=its[s], Limit=100)
                for rec in r["Records"]:
                    seen.append((s, rec))
                got += len(r["Records"])
                if "NextShardIterator" in r:
                    its[s] = r["NextShardIterator"]
                    continue
                # the shard is closed and read: its children go on from their start
                del its[s]
                ended.append(s)
                got += 1
                kids = children(c, s)
                if len(kids) != 1:
                    raise Exception("shard %s has %d children" % (s, len(kids)))
                for k in kids:
                    parent_of[k["ShardId"]] = k.get("ParentShardId")
                    its[k["ShardId"]] = c.get_shard_iterator(StreamArn=arn, ShardId=k["ShardId"],
                                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            if stop.is_set() and got == 0:
                quiet += 1
                if quiet >= 3:
                    break
            else:
                quiet = 0
    except Exception as e:      # reported below
        consumer_error.append(repr(e))
    drained.set()


def children(c, s):
    """DescribeStream with ShardFilter CHILD_SHARDS: through boto3 when its
    model has ShardFilter (newer botocore), else as a request signed by
    botocore, as boto3 would send it"""
    req = {"StreamArn": arn, "ShardFilter": {"Type": "CHILD_SHARDS", "ShardId": s}}
    if "ShardFilter" in c.meta.service_model.operation_model("DescribeStream").input_shape.members:
        return c.describe_stream(**req)["StreamDescription"]["Shards"]
    import http.client
    import json
    import urllib.parse
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    aws = AWSRequest(method="POST", url=ENDPOINT + "/", data=json.dumps(req),
                     headers={"X-Amz-Target": "DynamoDBStreams_20120810.DescribeStream",
                              "Content-Type": "application/x-amz-json-1.0"})
    SigV4Auth(c._request_signer._credentials.get_frozen_credentials(), "dynamodb", "us-east-1").add_auth(aws)
    u = urllib.parse.urlparse(ENDPOINT)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request("POST", "/", body=aws.body, headers=dict(aws.headers.items()))
        resp = conn.getresponse()
        body = json.loads(resp.read() or b"{}")
    finally:
        conn.close()
    if resp.status != 200:
        raise Exception("DescribeStream with ShardFilter: %d %s" % (resp.status, body))
    return body["StreamDescription"]["Shards"]


def roll():
    """Roll the stream's shards over now, as the worker does on its schedule"""
    out = subprocess.run(["psql", "-X", "-At", "-d", ROLL_CONNINFO, "-c",
                          "SELECT dynpg._roll_stream_shards('ledger')"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        print("# psql: %s" % out.stderr, file=sys.stderr)
    return out.stdout.strip()


threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
cons = threading.Thread(target=consumer)
cons.start()
for t in threads:
    t.start()
time.sleep(SECONDS / 3)
generations = [roll()]
time.sleep(SECONDS / 3)
generations.append(roll())
time.sleep(SECONDS / 3)
stop.set()
for t in threads:
    t.join()
cons.join(timeout=120)
check(not consumer_error, "the consumer read without an error %s" % consumer_error)
check(len(ledgers) == 4, "4 writers finished")
check(generations == ["1", "2"], "the shards rolled over twice while the writers ran (%s)" % generations)
check(len(ended) == 8 and sorted(set(ended)) == sorted(ended) and set(shards) <= set(ended),
      "the consumer read the 8 closed shards to their end (%d)" % len(ended))
check(len(parent_of) == 8 and all(p in ended for p in parent_of.values()),
      "each closed shard had one child, whose ParentShardId is that shard")


def lineage_root(s):
    while s in parent_of:
        s = parent_of[s]
    return s


sd = streams.describe_stream(StreamArn=arn)["StreamDescription"]
listed = {x["ShardId"]: x for x in sd["Shards"]}
check(len(listed) == 12 and sum("EndingSequenceNumber" in x["SequenceNumberRange"] for x in listed.values()) == 8
      and all(listed[k].get("ParentShardId") == p for k, p in parent_of.items())
      and all(len(k) <= 65 for k in listed),
      "DescribeStream lists 3 generations of 4 shards, 8 closed, with their parents")

# ---- compare ----
expected = {}
for led in ledgers.values():
    for k, events in led.items():
        expected.setdefault(k, []).extend(events)
total = sum(len(v) for v in expected.values())
got = {}
seqs = []
shard_of = {}
for s, rec in seen:
    d = rec["dynamodb"]
    k = (d["Keys"]["pk"]["S"], int(d["Keys"]["sk"]["N"]))
    got.setdefault(k, []).append((rec["eventName"], image(d["NewImage"]) if "NewImage" in d else None,
                                  image(d["OldImage"]) if "OldImage" in d else None))
    seqs.append(d["SequenceNumber"])
    shard_of.setdefault(k, set()).add(lineage_root(s))
check(total > 50, "the writers changed items (%d changes)" % total)
check(len(seqs) == len(set(seqs)), "no record came twice (%d records)" % len(seqs))
check(len(seen) == total, "as many records as committed changes (%d, ledger %d)" % (len(seen), total))
bad = [k for k in expected if got.get(k) != expected[k]]
check(not bad, "every item's records: the ledger's changes, in order, with both images%s"
      % ("" if not bad else " (first differing key %s: got %s, expected %s)"
         % (bad[0], got.get(bad[0]), expected[bad[0]])))
check(not [k for k in got if k not in expected], "no record for an item nothing committed to")
check(all(len(v) == 1 for v in shard_of.values()), "each item's records are in one shard's lineage (hash range)")
check(sum(1 for s, rec in seen if s in parent_of) > 0 and sum(1 for s, rec in seen if s in shards) > 0,
      "records came from parents and from children")
r0 = seen[0][1] if seen else {}
check(r0.get("eventSource") == "aws:dynamodb" and r0.get("eventVersion") == "1.1"
      and r0.get("dynamodb", {}).get("StreamViewType") == "NEW_AND_OLD_IMAGES"
      and r0.get("dynamodb", {}).get("SizeBytes", 0) > 0
      and len(r0.get("dynamodb", {}).get("SequenceNumber", "")) >= 21
      and r0.get("eventName") in ("INSERT", "MODIFY", "REMOVE"),
      "a record has DynamoDB's shape")
check(hasattr(r0.get("dynamodb", {}).get("ApproximateCreationDateTime"), "year"),
      "boto3 reads ApproximateCreationDateTime as a time")

# ---- LATEST, AT/AFTER_SEQUENCE_NUMBER ----
s0 = shards[0]
latest = streams.get_shard_iterator(StreamArn=arn, ShardId=s0, ShardIteratorType="LATEST")["ShardIterator"]
check(streams.get_records(ShardIterator=latest)["Records"] == [], "LATEST: nothing yet")
first = next((rec for s, rec in seen if s == s0), None)
if first is not None:
    seq = first["dynamodb"]["SequenceNumber"]
    at = streams.get_shard_iterator(StreamArn=arn, ShardId=s0, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    SequenceNumber=seq)["ShardIterator"]
    check(streams.get_records(ShardIterator=at, Limit=1)["Records"][0]["dynamodb"]["SequenceNumber"] == seq,
          "AT_SEQUENCE_NUMBER starts at that record")
    after = streams.get_shard_iterator(StreamArn=arn, ShardId=s0, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                       SequenceNumber=seq)["ShardIterator"]
    r = streams.get_records(ShardIterator=after, Limit=1)["Records"]
    check(not r or r[0]["dynamodb"]["SequenceNumber"] > seq, "AFTER_SEQUENCE_NUMBER starts after it")

# ---- errors as boto3's classes ----
try:
    streams.get_records(ShardIterator=latest[:-16] + "0" * 16)
    check(False, "an expired iterator is refused")
except streams.exceptions.ExpiredIteratorException as e:
    check("Iterator expired" in str(e), "ExpiredIteratorException for an expired iterator")
try:
    streams.describe_stream(StreamArn=arn + "x")
    check(False, "an unknown stream is refused")
except streams.exceptions.ResourceNotFoundException:
    check(True, "ResourceNotFoundException for an unknown stream")
try:
    ddb.update_table(TableName="ledger", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    check(False, "enabling an enabled stream is refused")
except ClientError as e:
    check(e.response["Error"]["Code"] == "ValidationException"
          and e.response["Error"]["Message"] == "Table already has an enabled stream: TableName: ledger",
          "ValidationException for a second stream")
# each service's target serves only its own operations (checked before any signature)
import http.client
import json
import urllib.parse
u = urllib.parse.urlparse(ENDPOINT)
for target in ("DynamoDB_20120810.ListStreams", "DynamoDBStreams_20120810.PutItem"):
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("POST", "/", body="{}", headers={"X-Amz-Target": target,
                                                 "Content-Type": "application/x-amz-json-1.0"})
    resp = conn.getresponse()
    body = json.loads(resp.read() or b"{}")
    check(resp.status == 400 and body.get("__type", "").endswith("UnknownOperationException"),
          "%s is an unknown operation" % target)
    conn.close()

# ---- disable: the stream closes, drains, a new one opens on enable ----
ddb.update_table(TableName="ledger", StreamSpecification={"StreamEnabled": False})
sd = streams.describe_stream(StreamArn=arn)["StreamDescription"]
check(sd["StreamStatus"] == "DISABLED"
      and all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in sd["Shards"]),
      "disabled: the stream is DISABLED, its shards have an end")
it = streams.get_shard_iterator(StreamArn=arn, ShardId=s0, ShardIteratorType="LATEST")["ShardIterator"]
check("NextShardIterator" not in streams.get_records(ShardIterator=it),
      "a closed shard read to its end has no NextShardIterator")
d2 = ddb.update_table(TableName="ledger",
                      StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]
check(d2["LatestStreamArn"] != arn, "re-enabling opens a new stream")
check(len(streams.list_streams(TableName="ledger")["Streams"]) == 2, "ListStreams lists both")

print("# %d changes, %d records" % (total, len(seen)), file=sys.stderr)
finish()
