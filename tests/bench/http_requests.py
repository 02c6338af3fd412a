#!/usr/bin/python3
"""Pre-signed DynamoDB requests for wrk (tests/bench/http.sh).

    http_requests.py OP HOST:PORT COUNT ITEMS PARTITIONS OUT.lua

Writes a Lua file returning COUNT raw HTTP/1.1 requests of operation OP
(GetItem, PutItem; the reads Query -- a whole 100-item partition --, Query10
-- the first 10 items of a partition, Limit 10 -- and Scan -- one 1 MB page
from a random ExclusiveStartKey) on random keys of the 'bench' table (item i
in partition
'user' || i mod PARTITIONS, sort key 'item' || i, as tests/bench/lib.sh loads
it), each signed with SigV4 by botocore as of now (so valid for 15 minutes)
with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.  wrk sends them in turn on
keep-alive connections (tests/bench/http.lua).
"""
import hashlib
import json
import random
import os
import sys

import botocore.auth
import botocore.awsrequest
import botocore.credentials


def lua_quote(b):
    out = ['"']
    for c in b:
        if c in (0x22, 0x5C):
            out.append("\\" + chr(c))
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append("\\%03d" % c)
    out.append('"')
    return "".join(out)


def main():
    op, hostport, count, items, parts, path = sys.argv[1:7]
    count, items, parts = int(count), int(items), int(parts)
    creds = botocore.credentials.Credentials(os.environ["AWS_ACCESS_KEY_ID"],
                                             os.environ["AWS_SECRET_ACCESS_KEY"])
    signer = botocore.auth.SigV4Auth(creds, "dynamodb", "us-east-1")
    rnd = random.Random(42)
    with open(path, "w") as f:
        f.write("return {\n")
        for _ in range(count):
            op_name = op
            i = rnd.randint(1, items)
            key = {"pk": {"S": "user%d" % (i % parts)}, "sk": {"S": "item%d" % i}}
            if op == "GetItem":
                body = {"TableName": "bench", "Key": key}
            elif op in ("Query", "Query10"):
                body = {"TableName": "bench", "KeyConditionExpression": "pk = :p",
                        "ExpressionAttributeValues": {":p": key["pk"]}}
                if op == "Query10":
                    body["Limit"] = 10
                op_name = "Query"
            elif op == "Scan":
                body = {"TableName": "bench", "ExclusiveStartKey": key}
            else:
                v = rnd.randint(1, 1000000000)
                a = "".join(hashlib.md5(str(v + k).encode()).hexdigest() for k in range(3))
                item = dict(key, a={"S": a}, n={"N": str(v)}, flag={"BOOL": v % 2 == 0})
                body = {"TableName": "bench", "Item": item}
            data = json.dumps(body, separators=(",", ":")).encode()
            req = botocore.awsrequest.AWSRequest(
                method="POST", url="http://%s/" % hostport, data=data,
                headers={"X-Amz-Target": "DynamoDB_20120810." + op_name,
                         "Content-Type": "application/x-amz-json-1.0",
                         "Host": hostport})
            signer.add_auth(req)
            lines = ["POST / HTTP/1.1"]
            lines += ["%s: %s" % (k, v) for k, v in req.headers.items()]
            lines.append("Content-Length: %d" % len(data))
            raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + data
            f.write(lua_quote(raw) + ",\n")
        f.write("}\n")


if __name__ == "__main__":
    main()
