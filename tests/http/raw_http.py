#!/usr/bin/python3
"""dynpg's HTTP endpoint under bad and unusual input, over raw sockets.

Run by tests/t/021_http_raw.pl with DYNPG_HOST, DYNPG_PORT, AWS_ACCESS_KEY_ID
and AWS_SECRET_ACCESS_KEY set (the endpoint verifies SigV4).  Prints "ok - what"
or "not ok - what: why" per check; exits 1 if any failed.  Every check ends by
asking the endpoint for a normal response, so a check that broke a worker
shows as a failure of the next.
"""
import datetime
import gzip
import json
import os
import socket
import sys
import threading
import time
import traceback

import botocore.auth
import botocore.awsrequest
import botocore.credentials

HOST = os.environ.get("DYNPG_HOST", "127.0.0.1")
PORT = int(os.environ["DYNPG_PORT"])
KEY = os.environ["AWS_ACCESS_KEY_ID"]
SECRET = os.environ["AWS_SECRET_ACCESS_KEY"]
failures = 0
# seconds a check waits for an answer; DYNPG_SLOW (the server under valgrind) stretches them
SLOW = 20 if os.environ.get("DYNPG_SLOW") else 1


def report(ok, what, why=""):
    global failures
    if ok:
        print("ok - %s" % what)
    else:
        failures += 1
        print("not ok - %s: %s" % (what, why))
    sys.stdout.flush()


def signed(op, body, key=KEY, secret=SECRET, extra=None, when=None, host=None):
    """The headers of a SigV4-signed request (botocore's signer) and its body bytes."""
    if not isinstance(body, (bytes, bytearray)):
        body = json.dumps(body).encode()
    headers = {"X-Amz-Target": "DynamoDB_20120810." + op,
               "Content-Type": "application/x-amz-json-1.0",
               "Host": host or "%s:%d" % (HOST, PORT)}
    headers.update(extra or {})
    req = botocore.awsrequest.AWSRequest(method="POST", url="http://%s:%d/" % (HOST, PORT),
                                         data=body, headers=headers)
    signer = botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), "dynamodb", "us-east-1")
    if when is not None:
        # sign as of another time
        orig = datetime.datetime

        class Frozen(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return when
        botocore.auth.datetime.datetime = Frozen
        try:
            signer.add_auth(req)
        finally:
            botocore.auth.datetime.datetime = orig
    else:
        signer.add_auth(req)
    return dict(req.headers), body


def raw_request(headers, body, path="/", method="POST"):
    lines = ["%s %s HTTP/1.1" % (method, path)]
    for k, v in headers.items():
        lines.append("%s: %s" % (k, v))
    if "Content-Length" not in headers and body is not None:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def read_response(sock, timeout=10):
    timeout *= SLOW
    """One HTTP response: (status, headers dict, body bytes), or None when the peer closed."""
    sock.settimeout(timeout)
    buf, sock.pending = sock.pending, b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        hdrs[k.strip().lower()] = v.strip()
    n = int(hdrs.get("content-length", "0"))
    while len(rest) < n:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    body, extra = rest[:n], rest[n:]
    sock.pending = extra  # a pipelined response may follow
    return status, hdrs, body


class Conn(socket.socket):
    """A client socket that keeps what followed the last response read."""
    pending = b""


def connect():
    s = socket.create_connection((HOST, PORT), timeout=10 * SLOW)
    c = Conn(s.family, s.type, s.proto, fileno=s.detach())
    c.settimeout(10 * SLOW)
    return c


def call(op, body, **kw):
    h, b = signed(op, body, **kw)
    s = connect()
    try:
        s.sendall(raw_request(h, b))
        return read_response(s)
    finally:
        s.close()


def alive(what):
    r = call("ListTables", {})
    report(r is not None and r[0] == 200, "%s: the endpoint still answers" % what, r)


def error_type(r):
    try:
        return json.loads(r[2]).get("__type", "").split("#")[-1]
    except Exception:  # noqa: BLE001
        return None


def check(what, fn):
    try:
        fn()
    except Exception:  # noqa: BLE001
        report(False, what, traceback.format_exc().replace("\n", " | "))


def basics():
    r = call("ListTables", {})
    report(r[0] == 200 and "x-amzn-requestid" in r[1] and "x-amz-crc32" in r[1],
           "a signed request: 200 with x-amzn-RequestId and x-amz-crc32", r[:2])
    import zlib
    report(int(r[1]["x-amz-crc32"]) == zlib.crc32(r[2]), "x-amz-crc32 is the body's CRC32")
    s = connect()
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    r = read_response(s)
    s.close()
    report(r[0] == 200 and r[2].startswith(b"healthy"), "GET / answers a health line", r)


def garbage():
    s = connect()
    s.sendall(os.urandom(4096))
    try:
        r = read_response(s, 5)
        report(r is None or r[0] >= 400, "garbage bytes: an error or a closed connection", r and r[0])
    except socket.timeout:
        report(True, "garbage bytes: no answer, connection held")
    s.close()
    alive("after garbage")


def truncated():
    h, b = signed("PutItem", {"TableName": "raw", "Item": {"k": {"S": "x"}}})
    s = connect()
    data = raw_request(h, b)
    s.sendall(data[:-10])
    s.close()
    report(True, "a truncated body, then a close")
    alive("after a truncated body")


def lying_length():
    h, b = signed("ListTables", {})
    h["Content-Length"] = str(len(b) + 5)
    s = connect()
    s.sendall(raw_request(h, b) + b"garbage")
    r = read_response(s, 10)
    report(r is not None and r[0] >= 400, "a Content-Length that overstates: an error", r and r[:1])
    s.close()
    h, b = signed("ListTables", {"Limit": 10})
    h["Content-Length"] = "2"
    s = connect()
    s.sendall(raw_request(h, b))
    try:
        r = read_response(s, 10)
        report(r is not None and r[0] >= 400, "a Content-Length that understates: an error", r and r[:1])
    except socket.timeout:
        report(False, "a Content-Length that understates: an error", "timeout")
    s.close()
    alive("after lying lengths")


def too_large():
    body = b'{"TableName":"raw","Item":{"k":{"S":"' + b"x" * (17 * 1024 * 1024) + b'"}}}'
    h = {"X-Amz-Target": "DynamoDB_20120810.PutItem", "Content-Type": "application/x-amz-json-1.0",
         "Host": "x", "Content-Length": str(len(body))}
    s = connect()
    s.sendall(raw_request(h, b"")[:-0 or None])
    try:
        # the server may answer before it reads the body
        r = read_response(s, 20)
        report(r is not None and r[0] == 413, "a 17 MB body: 413", r and r[:1])
    except (socket.timeout, ConnectionResetError, BrokenPipeError) as e:
        report(False, "a 17 MB body: 413", repr(e))
    s.close()
    alive("after a 17 MB body")


def big_headers():
    h, b = signed("ListTables", {})
    h["X-Padding"] = "p" * (20 * 1024)
    s = connect()
    s.sendall(raw_request(h, b))
    r = read_response(s, 10)
    report(r is not None and r[0] in (400, 431), "20 KB of headers: 400", r and r[:1])
    s.close()
    alive("after 20 KB of headers")


def split_packets():
    h, b = signed("ListTables", {})
    data = raw_request(h, b)
    s = connect()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(0, len(data), 7):
        s.sendall(data[i:i + 7])
        time.sleep(0.002)
    r = read_response(s)
    report(r is not None and r[0] == 200, "a request split into 7-byte packets", r and r[:1])
    s.close()


def silent_client():
    idle = [connect() for _ in range(4)]
    t0 = time.time()
    r = call("ListTables", {})
    dt = time.time() - t0
    report(r[0] == 200 and dt < 5, "clients that connect and say nothing do not block others (%.2fs)" % dt)
    for s in idle:
        s.close()


def concurrent():
    results = []
    lock = threading.Lock()

    def one(i):
        try:
            h, b = signed("ListTables", {})
            s = connect()
            s.sendall(raw_request(h, b))
            r = read_response(s, 30)
            s.close()
            with lock:
                results.append(r is not None and r[0] == 200)
        except Exception:  # noqa: BLE001
            with lock:
                results.append(False)
    socks = [connect() for _ in range(200)]  # 200 connections open at once
    threads = [threading.Thread(target=one, args=(i,)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in socks:
        s.close()
    report(len(results) == 200 and all(results), "200 concurrent connections, 200 requests answered",
           "%d of %d" % (sum(results), len(results)))


def pipelined():
    data = b""
    for _ in range(3):
        h, b = signed("ListTables", {})
        data += raw_request(h, b)
    s = connect()
    s.sendall(data)
    got = []
    buf_sock = s
    for _ in range(3):
        if buf_sock.pending:
            # a response already received: feed it back
            break
        r = read_response(buf_sock)
        got.append(r and r[0])
    s.close()
    report(len(got) >= 1 and all(x == 200 for x in got), "pipelined requests are answered in order", got)


def keep_alive():
    s = connect()
    codes = []
    for _ in range(5):
        h, b = signed("ListTables", {})
        s.sendall(raw_request(h, b))
        r = read_response(s)
        codes.append(r and r[0])
    s.close()
    report(codes == [200] * 5, "five requests on one keep-alive connection", codes)


def gzip_body():
    body = gzip.compress(json.dumps({}).encode())
    h, b = signed("ListTables", body, extra={"Content-Encoding": "gzip"})
    s = connect()
    s.sendall(raw_request(h, b))
    r = read_response(s)
    s.close()
    report(r[0] == 200 and b"TableNames" in r[2], "a gzip request body", r[:1])


def expect_continue():
    h, b = signed("ListTables", {}, extra={"Expect": "100-continue"})
    s = connect()
    s.sendall(raw_request(h, b"")[:-0 or None].replace(b"Content-Length: 0", b"Content-Length: %d" % len(b)))
    s.settimeout(10 * SLOW)
    first = s.recv(1024)
    ok_continue = first.startswith(b"HTTP/1.1 100")
    s.sendall(b)
    r = read_response(s)
    s.close()
    report(ok_continue and r is not None and r[0] == 200, "Expect: 100-continue", first[:40])


def chunked():
    h, b = signed("ListTables", {})
    h["Transfer-Encoding"] = "chunked"
    lines = ["POST / HTTP/1.1"] + ["%s: %s" % kv for kv in h.items()]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode()
    data += b"%x\r\n%s\r\n0\r\n\r\n" % (len(b), b)
    s = connect()
    s.sendall(data)
    r = read_response(s)
    s.close()
    report(r is not None and r[0] == 200, "a chunked request body", r and r[:1])


def protocol_errors():
    s = connect()
    s.sendall(raw_request({"Host": "x", "Content-Type": "application/x-amz-json-1.0"}, b"{}"))
    r = read_response(s)
    s.close()
    report(r[0] == 400 and error_type(r) == "UnknownOperationException", "no X-Amz-Target: UnknownOperationException", r)
    r = call("NoSuchThing", {})
    report(r[0] == 400 and error_type(r) == "UnknownOperationException", "an unknown operation: UnknownOperationException")
    h, b = signed("ListTables", b"{not json")
    s = connect()
    s.sendall(raw_request(h, b))
    r = read_response(s)
    s.close()
    report(r[0] == 400 and error_type(r) == "SerializationException", "malformed JSON: SerializationException", r)
    deep = b'{"a":' * 5000 + b'1' + b'}' * 5000
    h, b = signed("PutItem", deep)
    s = connect()
    s.sendall(raw_request(h, b))
    r = read_response(s)
    s.close()
    report(r[0] == 400 and error_type(r) == "ValidationException", "JSON nested 5,000 deep: 400 ValidationException, not 500", r and r[:1])
    h, b = signed("ListTables", {})
    h["Content-Type"] = "text/plain"
    s = connect()
    s.sendall(raw_request(h, b))
    r = read_response(s)
    s.close()
    report(r[0] == 404, "another Content-Type: 404", r[:1])
    s = connect()
    s.sendall(raw_request({"Host": "x", "X-Amz-Target": "DynamoDB_20120810.ListTables",
                           "Content-Type": "application/x-amz-json-1.0"}, b"{}"))
    r = read_response(s)
    s.close()
    report(r[0] == 400 and error_type(r) == "MissingAuthenticationTokenException",
           "no Authorization: MissingAuthenticationTokenException", r)


def auth():
    r = call("ListTables", {}, secret="x" * 40)
    report(error_type(r) == "InvalidSignatureException", "a wrong secret: InvalidSignatureException", r)
    r = call("ListTables", {}, key="DYNPUNKNOWN000000000")
    report(error_type(r) == "UnrecognizedClientException", "an unknown key: UnrecognizedClientException", r)
    old = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    r = call("ListTables", {}, when=old)
    body = json.loads(r[2])
    report(error_type(r) == "InvalidSignatureException" and body["message"].startswith("Signature expired: "),
           "a request signed 20 minutes ago: Signature expired", body)
    future = datetime.datetime.utcnow() + datetime.timedelta(minutes=20)
    r = call("ListTables", {}, when=future)
    report(error_type(r) == "InvalidSignatureException" and "not yet current" in json.loads(r[2])["message"],
           "a request signed 20 minutes ahead: Signature not yet current", r[2])
    # a header named as signed but absent: the signature cannot match
    h, b = signed("ListTables", {}, extra={"X-Custom": "v"})
    h["Authorization"] = h["Authorization"].replace("SignedHeaders=", "SignedHeaders=x-custom;", 1) \
        if "x-custom" not in h["Authorization"] else h["Authorization"]
    del h["X-Custom"]
    s = connect()
    s.sendall(raw_request(h, b))
    r = read_response(s)
    s.close()
    report(error_type(r) == "InvalidSignatureException", "a signed header missing from the request: InvalidSignatureException", r)
    # host not signed
    h, b = signed("ListTables", {})
    h["Authorization"] = h["Authorization"].replace("host;", "")
    s = connect()
    s.sendall(raw_request(h, b))
    r = read_response(s)
    s.close()
    report(error_type(r) == "InvalidSignatureException" and b"'Host' must be a 'SignedHeader'" in r[2],
           "host not signed: DynamoDB's message", r)
    # a replay with a changed body
    h, b = signed("ListTables", {"Limit": 5})
    s = connect()
    s.sendall(raw_request(h, b'{"Limit": 6}'))
    r = read_response(s)
    s.close()
    report(error_type(r) == "InvalidSignatureException", "a replayed request with a changed body: InvalidSignatureException", r)
    h, b = signed("ListTables", {})
    h["Authorization"] = "AWS4-HMAC-SHA256 Credential=a/b/c/d"
    s = connect()
    s.sendall(raw_request(h, b))
    r = read_response(s)
    s.close()
    m = json.loads(r[2]).get("message", "")
    report(error_type(r) == "IncompleteSignatureException" and "requires 'Signature' parameter" in m
           and "requires 'SignedHeaders' parameter" in m, "an incomplete Authorization header: IncompleteSignatureException", m)


for step in (basics, garbage, truncated, lying_length, too_large, big_headers, split_packets,
             silent_client, concurrent, pipelined, keep_alive, gzip_body, expect_continue, chunked,
             protocol_errors, auth):
    check(step.__name__, step)
alive("at the end")
sys.exit(1 if failures else 0)
