#!/usr/bin/env python3
"""Seed corpora for scripts/fuzz.sh, taken from the test suites (sql/*.sql).

    scripts/fuzz-seeds.py            rewrites tests/fuzz/corpus/<target>/suite-*

Each target gets the inputs of its parser that the pg_regress suites use:
items (dynpg.item literals), numbers ("N" values, in pairs for the order
checks), base64 ("B" values), key values, expressions (by their member
name, with the harness's language byte), PartiQL statements, and request
JSON passed to the API functions.  Inputs are kept small (at most 2 KB) and
at most 60 per target; crash regressions (tests/fuzz/corpus/<target>/crash-*)
and hand-written seeds are left alone.
"""
import glob
import hashlib
import json
import os
import re

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sql = {p: open(p, encoding="utf-8", errors="replace").read()
       for p in sorted(glob.glob(os.path.join(top, "sql", "*.sql")))
       if not os.path.basename(p).startswith("dynpg--")}
text = "\n".join(sql.values())
LIMIT = 60
MAXLEN = 2048
seeds = {}


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    if 0 < len(data) <= MAXLEN:
        s = seeds.setdefault(target, [])
        if data not in s and len(s) < LIMIT:
            s.append(data)


def sqlstr(s):
    return s.replace("''", "'")


# items: '...'::dynpg.item literals
for m in re.finditer(r"'(\{(?:[^']|'')*\})'::dynpg\.item", text):
    add("item_json", sqlstr(m.group(1)))
# numbers, in pairs
nums = re.findall(r'"N"\s*:\s*"([^"]*)"', text)
for a, b in zip(nums, nums[1:]):
    add("number", a + "," + b)
    add("key", b"N" + a.encode() + b"\0" + b.encode())
# base64
for m in re.findall(r'"B"\s*:\s*"([^"]*)"', text):
    add("base64", m)
strs = re.findall(r'"S"\s*:\s*"([^"\\]*)"', text)
for a, b in zip(strs, strs[1:]):
    add("key", b"S" + a.encode() + b"\0" + b.encode())
b64 = re.findall(r'"B"\s*:\s*"([^"]*)"', text)
for a, b in zip(b64, b64[1:]):
    add("key", b"B" + a.encode() + b"\0" + b.encode())
# expressions: the harness's first byte picks the language
lang = {"ConditionExpression": 0, "FilterExpression": 0, "ProjectionExpression": 1,
        "UpdateExpression": 2, "KeyConditionExpression": 3}
for m in re.finditer(r'"(ConditionExpression|FilterExpression|ProjectionExpression|UpdateExpression|'
                     r'KeyConditionExpression)"\s*:\s*"((?:[^"\\]|\\.)*)"', text):
    try:
        expr = json.loads('"' + sqlstr(m.group(2)) + '"')
    except ValueError:
        continue
    add("expr", bytes([lang[m.group(1)]]) + expr.encode())
# PartiQL: "Statement": "..." and pg_temp.pq($$...$$)
for m in re.finditer(r'"Statement"\s*:\s*"((?:[^"\\]|\\.)*)"', text):
    try:
        add("partiql", json.loads('"' + sqlstr(m.group(1)) + '"'))
    except ValueError:
        pass
for m in re.finditer(r"\$\$((?:SELECT|INSERT|UPDATE|DELETE|EXISTS)\b[^$]*)\$\$", text):
    add("partiql", m.group(1))
# requests: JSON text passed to dynpg's API functions
for m in re.finditer(r"dynpg\.(?:put_item|get_item|update_item|delete_item|query|scan)\('((?:[^']|'')*)'", text):
    add("request", sqlstr(m.group(1)))

for target, items in sorted(seeds.items()):
    d = os.path.join(top, "tests", "fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    for old in glob.glob(os.path.join(d, "suite-*")):
        os.remove(old)
    for data in items:
        name = "suite-" + hashlib.sha1(data).hexdigest()[:12]
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{target}: {len(items)} seeds")
