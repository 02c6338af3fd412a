#!/usr/bin/python3
"""The soak's HTTP load (tests/torture/README): CONNECTIONS clients against
dynpg's HTTP endpoint (dynpg.http_auth = trust), each opening a connection,
sending 1 to 4 requests on it (GetItem 50%, PutItem 35%, UpdateItem 10%,
a PutItem whose condition fails 5%), closing it, and opening the next, for
SECONDS seconds.  Prints one line per INTERVAL seconds:
  interval <n> <answered> <expected failures> <unexpected> <connections opened>
and the first few unexpected answers on stderr.

usage: http_load.py PORT SECONDS CONNECTIONS INTERVAL TABLE KEYS
"""
import asyncio
import json
import random
import sys
import time

port, seconds, conns, interval = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
table, keys = sys.argv[5], int(sys.argv[6])
counts = {"ok": 0, "expected": 0, "unexpected": 0, "opened": 0}
shown = 0


def request(op, body):
    data = json.dumps(body).encode()
    head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Amz-Target: DynamoDB_20120810.%s\r\n"
            "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Date: 20240101T000000Z\r\n"
            "Authorization: AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host;x-amz-date;x-amz-target, Signature=%s\r\n"
            "Content-Length: %d\r\n\r\n" % (port, op, "0" * 64, len(data)))
    return head.encode() + data


def next_request():
    k = "k%d" % random.randrange(keys)
    r = random.random()
    if r < 0.50:
        return "GetItem", {"TableName": table, "Key": {"p": {"S": k}}}, False
    item = {"p": {"S": k}, "g": {"S": "g%d" % random.randrange(100)}, "pad": {"S": "x" * random.randrange(50, 400)}}
    if r < 0.85:
        return "PutItem", {"TableName": table, "Item": item}, False
    if r < 0.95:
        return "UpdateItem", {"TableName": table, "Key": {"p": {"S": k}}, "UpdateExpression": "ADD n :one",
                              "ExpressionAttributeValues": {":one": {"N": "1"}}}, False
    return "PutItem", {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(p)"}, True


async def read_response(reader):
    status_line = await reader.readline()
    if not status_line:
        return None, None
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


async def client(deadline):
    global shown
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError as e:
            counts["unexpected"] += 1
            if shown < 10:
                shown += 1
                print("connect: %s" % e, file=sys.stderr)
            await asyncio.sleep(0.1)
            continue
        counts["opened"] += 1
        try:
            for _ in range(random.randint(1, 4)):
                if time.monotonic() >= deadline:
                    break
                op, body, fails = next_request()
                writer.write(request(op, body))
                await writer.drain()
                status, resp = await read_response(reader)
                if status == 200:
                    counts["ok"] += 1
                elif fails and status == 400 and b"ConditionalCheckFailedException" in resp:
                    counts["expected"] += 1
                elif status == 200 and fails:
                    counts["ok"] += 1
                else:
                    counts["unexpected"] += 1
                    if shown < 10:
                        shown += 1
                        print("%s: %s %s" % (op, status, (resp or b"")[:300]), file=sys.stderr)
                    if status is None:
                        break
        except (OSError, asyncio.IncompleteReadError) as e:
            counts["unexpected"] += 1
            if shown < 10:
                shown += 1
                print("connection: %r" % e, file=sys.stderr)
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


async def reporter(start, n):
    last = dict(counts)
    for i in range(1, n + 1):
        await asyncio.sleep(max(0, start + i * interval - time.monotonic()))
        now = dict(counts)
        print("interval %d %d %d %d %d" % (i, now["ok"] - last["ok"], now["expected"] - last["expected"],
                                           now["unexpected"] - last["unexpected"], now["opened"] - last["opened"]),
              flush=True)
        last = now


async def main():
    start = time.monotonic()
    deadline = start + seconds
    n = int(seconds // interval)
    await asyncio.gather(reporter(start, n), *(client(deadline) for _ in range(conns)))


asyncio.run(main())
