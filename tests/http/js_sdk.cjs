// dynpg's HTTP endpoint through the AWS SDK for JavaScript v3: the founding
// examples through the DocumentClient with plain values (a users table keyed
// by PersonID, two people, a scan and a query), then get/update/delete, a
// failed condition and an unknown table as the SDK's own exception classes.
//
// Run by tests/t/023_http_js_sdk.pl with NODE_PATH holding
// @aws-sdk/client-dynamodb and @aws-sdk/lib-dynamodb (scripts/npm-deps.sh
// tests/http/js), DYNPG_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
// Prints "ok - what" or "not ok - what: why" per check; exits 1 if any failed.
'use strict';

const assert = require('node:assert');
const {
  DynamoDBClient, CreateTableCommand, DeleteTableCommand, DescribeTableCommand,
} = require('@aws-sdk/client-dynamodb');
const {
  DynamoDBDocumentClient, PutCommand, GetCommand, ScanCommand, QueryCommand,
  UpdateCommand, DeleteCommand,
} = require('@aws-sdk/lib-dynamodb');

let failures = 0;
function report(ok, what, why) {
  if (ok) console.log(`ok - ${what}`);
  else { failures++; console.log(`not ok - ${what}: ${why}`); }
}
async function check(what, fn) {
  try { await fn(); report(true, what); } catch (e) { report(false, what, String(e && e.stack || e).replace(/\n/g, ' | ')); }
}

const client = new DynamoDBClient({
  endpoint: process.env.DYNPG_ENDPOINT,
  region: 'us-east-1',
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  },
  maxAttempts: 1,
});
const doc = DynamoDBDocumentClient.from(client);

const fred = { PersonID: 101, LastName: 'Smith', FirstName: 'Fred', Phone: '555-4321' };
const mary = {
  PersonID: 102, LastName: 'Jones', FirstName: 'Mary', Phone: '555-8765',
  Address: { Street: '123 Main', City: 'Anytown', State: 'OH', ZIPCode: 12345 },
};

async function main() {
  await check('CreateTable users keyed by PersonID (N)', async () => {
    const r = await client.send(new CreateTableCommand({
      TableName: 'users',
      KeySchema: [{ AttributeName: 'PersonID', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'PersonID', AttributeType: 'N' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    assert.strictEqual(r.TableDescription.TableName, 'users');
    assert.strictEqual(r.TableDescription.TableStatus, 'ACTIVE');
    const d = await client.send(new DescribeTableCommand({ TableName: 'users' }));
    assert.deepStrictEqual(d.Table.KeySchema, [{ AttributeName: 'PersonID', KeyType: 'HASH' }]);
  });
  await check('DocumentClient put of the two founding items (plain values)', async () => {
    await doc.send(new PutCommand({ TableName: 'users', Item: fred }));
    await doc.send(new PutCommand({ TableName: 'users', Item: mary }));
  });
  await check('scan({TableName: "users"}) returns both, as plain values', async () => {
    const r = await doc.send(new ScanCommand({ TableName: 'users' }));
    assert.strictEqual(r.Count, 2);
    assert.strictEqual(r.ScannedCount, 2);
    const items = r.Items.slice().sort((a, b) => a.PersonID - b.PersonID);
    assert.deepStrictEqual(items, [fred, mary]);
  });
  await check('query PersonID = :id with :id 101 returns Fred', async () => {
    const r = await doc.send(new QueryCommand({
      TableName: 'users',
      KeyConditionExpression: 'PersonID = :id',
      ExpressionAttributeValues: { ':id': 101 },
    }));
    assert.strictEqual(r.Count, 1);
    assert.deepStrictEqual(r.Items, [fred]);
  });
  await check('get with a projection of a nested attribute', async () => {
    const r = await doc.send(new GetCommand({
      TableName: 'users', Key: { PersonID: 102 },
      ProjectionExpression: 'FirstName, Address.City',
      ConsistentRead: true,
    }));
    assert.deepStrictEqual(r.Item, { FirstName: 'Mary', Address: { City: 'Anytown' } });
  });
  await check('update with SET and ADD, ReturnValues ALL_NEW', async () => {
    const r = await doc.send(new UpdateCommand({
      TableName: 'users', Key: { PersonID: 101 },
      UpdateExpression: 'SET Phone = :p ADD Visits :one',
      ExpressionAttributeValues: { ':p': '555-0000', ':one': 1 },
      ReturnValues: 'ALL_NEW',
    }));
    assert.deepStrictEqual(r.Attributes, { ...fred, Phone: '555-0000', Visits: 1 });
  });
  await check('a failed condition is ConditionalCheckFailedException', async () => {
    await assert.rejects(
      doc.send(new PutCommand({
        TableName: 'users', Item: { PersonID: 101 },
        ConditionExpression: 'attribute_not_exists(PersonID)',
      })),
      (e) => e.name === 'ConditionalCheckFailedException' &&
        e.message === 'The conditional request failed' && e.$metadata.httpStatusCode === 400);
  });
  await check('an unknown table is ResourceNotFoundException', async () => {
    await assert.rejects(doc.send(new GetCommand({ TableName: 'nope', Key: { PersonID: 1 } })),
      (e) => e.name === 'ResourceNotFoundException' &&
        e.message === 'Requested resource not found');
  });
  await check('a bad expression is ValidationException with DynamoDB\'s message', async () => {
    await assert.rejects(doc.send(new QueryCommand({
      TableName: 'users', KeyConditionExpression: 'PersonID = ',
      ExpressionAttributeValues: { ':id': 101 },
    })), (e) => e.name === 'ValidationException' &&
      e.message.startsWith('Invalid KeyConditionExpression: Syntax error; token: "<EOF>"'));
  });
  await check('delete with ReturnValues ALL_OLD, then the item is gone', async () => {
    const r = await doc.send(new DeleteCommand({
      TableName: 'users', Key: { PersonID: 102 }, ReturnValues: 'ALL_OLD',
    }));
    assert.deepStrictEqual(r.Attributes, mary);
    const g = await doc.send(new GetCommand({ TableName: 'users', Key: { PersonID: 102 } }));
    assert.strictEqual(g.Item, undefined);
  });
  await check('DeleteTable users', async () => {
    const r = await client.send(new DeleteTableCommand({ TableName: 'users' }));
    assert.strictEqual(r.TableDescription.TableName, 'users');
  });
}

main().then(() => process.exit(failures ? 1 : 0),
  (e) => { console.log(`not ok - the run: ${e}`); process.exit(1); });
