#!/usr/bin/python3
"""PartiQL through the HTTP endpoint with boto3 (tests/t/030_http_partiql.pl):
ExecuteStatement (INSERT, SELECT by key and by partition, paging with
NextToken and its replay rule, UPDATE with RETURNING, DELETE, the errors
boto3 raises as their exception classes), BatchExecuteStatement (per-statement
errors), ExecuteTransaction (reads, writes, cancellation reasons, the
idempotency token).

Prints 'ok - ...' / 'not ok - ...' lines; exits 1 on a failure.
Environment: DYNPG_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
"""
import os
import sys

import boto3
import botocore.config
from botocore.exceptions import ClientError

from tapcheck import check, finish

ENDPOINT = os.environ["DYNPG_ENDPOINT"]


def error_of(fn, **kw):
    """(code, message, response) of the ClientError fn raises, or (None, None, result)"""
    try:
        return None, None, fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"], e.response


ddb = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1",
                   config=botocore.config.Config(retries={"max_attempts": 1}))
ddb.create_table(
    TableName="songs", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "artist", "KeyType": "HASH"}, {"AttributeName": "title", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "artist", "AttributeType": "S"},
                          {"AttributeName": "title", "AttributeType": "S"}])

# ---- ExecuteStatement ----
for i in range(7):
    r = ddb.execute_statement(Statement="INSERT INTO songs VALUE {'artist': ?, 'title': ?, 'plays': ?}",
                              Parameters=[{"S": "band"}, {"S": "t%d" % i}, {"N": str(i)}])
check(r.get("Items") == [], "INSERT answers Items: []")
code, msg, _ = error_of(ddb.execute_statement,
                        Statement="INSERT INTO songs VALUE {'artist': 'band', 'title': 't0'}")
check(code == "DuplicateItemException" and msg == "Duplicate primary key exists in table",
      "INSERT of an existing key: DuplicateItemException")
r = ddb.execute_statement(Statement="SELECT plays FROM songs WHERE artist = 'band' AND title = 't3'")
check(r["Items"] == [{"plays": {"N": "3"}}], "SELECT by the full key: the item, projected")
r = ddb.execute_statement(Statement='SELECT title FROM "songs" WHERE artist = ? ORDER BY title DESC',
                          Parameters=[{"S": "band"}])
check([i["title"]["S"] for i in r["Items"]] == ["t%d" % i for i in range(6, -1, -1)],
      "SELECT of a partition, ORDER BY the sort key DESC")

# paging: 3 items per page, resumed with NextToken
titles, token, pages = [], None, 0
while True:
    kw = {"Statement": "SELECT title FROM songs WHERE artist = 'band'", "Limit": 3}
    if token:
        kw["NextToken"] = token
    r = ddb.execute_statement(**kw)
    pages += 1
    titles += [i["title"]["S"] for i in r["Items"]]
    token = r.get("NextToken")
    if not token or pages > 10:
        break
check(titles == ["t%d" % i for i in range(7)] and pages == 3, "paging by Limit and NextToken: 3 pages, every item once")
r = ddb.execute_statement(Statement="SELECT title FROM songs WHERE artist = 'band'", Limit=2)
code, msg, _ = error_of(ddb.execute_statement, Statement="SELECT title FROM songs WHERE artist = 'other'",
                        NextToken=r["NextToken"])
check(code == "ValidationException" and msg == "NextToken does not match request",
      "a NextToken replayed with another statement: ValidationException")

r = ddb.execute_statement(Statement="UPDATE songs SET plays = plays + 10 WHERE artist = 'band' AND title = 't1' RETURNING MODIFIED NEW *")
check(r["Items"] == [{"plays": {"N": "11"}}], "UPDATE ... RETURNING MODIFIED NEW *")
# (Debian's botocore predates ReturnValuesOnConditionCheckFailure on ExecuteStatement)
code, msg, resp = error_of(ddb.execute_statement,
                           Statement="UPDATE songs SET plays = 0 WHERE artist = 'band' AND title = 't1' AND plays = 1")
check(code == "ConditionalCheckFailedException" and msg == "The conditional request failed",
      "UPDATE with a failed condition: ConditionalCheckFailedException")
r = ddb.execute_statement(Statement="DELETE FROM songs WHERE artist = 'band' AND title = 't6' RETURNING ALL OLD *")
check(r["Items"] == [{"artist": {"S": "band"}, "title": {"S": "t6"}, "plays": {"N": "6"}}],
      "DELETE ... RETURNING ALL OLD *")
code, msg, _ = error_of(ddb.execute_statement, Statement="SELECT * FROM nosuch")
check(code == "ResourceNotFoundException", "an unknown table: ResourceNotFoundException")
code, msg, _ = error_of(ddb.execute_statement, Statement="SELEKT * FROM songs")
check(code == "ValidationException" and msg.startswith("Statement wasn't well formed, can't be processed"),
      "a statement not well formed: ValidationException")
code, msg, _ = error_of(ddb.execute_statement, Statement="UPDATE songs SET plays = 1 WHERE artist = 'band'")
check(code == "ValidationException" and msg == "Where clause does not contain a mandatory equality on all key attributes",
      "a write without the full key: ValidationException")

# ---- BatchExecuteStatement ----
r = ddb.batch_execute_statement(Statements=[
    {"Statement": "UPDATE songs SET plays = 100 WHERE artist = 'band' AND title = 't0'"},
    {"Statement": "INSERT INTO songs VALUE {'artist': 'band', 'title': 't2'}"},
    {"Statement": "UPDATE songs SET plays = 100 WHERE artist = 'band' AND title = 't2' AND plays = 99"},
    {"Statement": "INSERT INTO songs VALUE {'artist': 'band', 'title': 't9'}"}])
codes = [x.get("Error", {}).get("Code") for x in r["Responses"]]
check(codes == [None, "DuplicateItem", "ConditionalCheckFailed", None],
      "BatchExecuteStatement: each statement's own error in Responses")
r = ddb.batch_execute_statement(Statements=[
    {"Statement": "SELECT plays FROM songs WHERE artist = 'band' AND title = 't0'"},
    {"Statement": "SELECT plays FROM songs WHERE artist = 'band' AND title = 'none'"},
    {"Statement": "SELECT plays FROM songs WHERE artist = ? AND title = ?", "Parameters": [{"S": "band"}, {"S": "t9"}]}])
check([x.get("Item") for x in r["Responses"]] == [{"plays": {"N": "100"}}, None, {}]
      and all(x.get("TableName") == "songs" for x in r["Responses"]),
      "BatchExecuteStatement reads: the items found, TableName in each response")
code, msg, _ = error_of(ddb.batch_execute_statement, Statements=[
    {"Statement": "SELECT * FROM songs WHERE artist = 'band' AND title = 't%d'" % i} for i in range(26)])
check(code == "ValidationException" and msg == "Too many statements in BatchExecuteStatement; limit is 25",
      "BatchExecuteStatement of 26 statements: ValidationException")

# ---- ExecuteTransaction ----
r = ddb.execute_transaction(TransactStatements=[
    {"Statement": "UPDATE songs SET plays = plays - 50 WHERE artist = 'band' AND title = 't0' AND plays >= 50"},
    {"Statement": "UPDATE songs SET plays = plays + 50 WHERE artist = 'band' AND title = 't2'"},
    {"Statement": "EXISTS(SELECT * FROM songs WHERE artist = 'band' AND title = 't9')"}],
    ClientRequestToken="partiql-boto3-1")
check(len(r.get("Responses", [])) == 3, "ExecuteTransaction of writes")
r = ddb.execute_transaction(TransactStatements=[
    {"Statement": "UPDATE songs SET plays = plays - 50 WHERE artist = 'band' AND title = 't0' AND plays >= 50"},
    {"Statement": "UPDATE songs SET plays = plays + 50 WHERE artist = 'band' AND title = 't2'"},
    {"Statement": "EXISTS(SELECT * FROM songs WHERE artist = 'band' AND title = 't9')"}],
    ClientRequestToken="partiql-boto3-1")
r = ddb.execute_transaction(TransactStatements=[
    {"Statement": "SELECT plays FROM songs WHERE artist = 'band' AND title = 't0'"},
    {"Statement": "SELECT plays FROM songs WHERE artist = 'band' AND title = 't2'"}])
check([x.get("Item") for x in r["Responses"]] == [{"plays": {"N": "50"}}, {"plays": {"N": "52"}}],
      "ExecuteTransaction of reads; the replayed token ran the writes once")
try:
    ddb.execute_transaction(TransactStatements=[
        {"Statement": "UPDATE songs SET plays = 0 WHERE artist = 'band' AND title = 't0'"},
        {"Statement": "INSERT INTO songs VALUE {'artist': 'band', 'title': 't9'}"}])
    check(False, "a cancelled ExecuteTransaction raises TransactionCanceledException")
except ddb.exceptions.TransactionCanceledException as e:
    reasons = [x["Code"] for x in e.response.get("CancellationReasons", [])]
    check(reasons == ["None", "DuplicateItem"],
          "a cancelled ExecuteTransaction raises TransactionCanceledException with its reasons")
code, msg, _ = error_of(ddb.execute_transaction, TransactStatements=[
    {"Statement": "UPDATE songs SET plays = 7 WHERE artist = 'band' AND title = 't0'"}],
    ClientRequestToken="partiql-boto3-1")
check(code == "IdempotentParameterMismatchException", "the token with another request: IdempotentParameterMismatchException")

finish()
