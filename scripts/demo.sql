-- dynpg demo, run by scripts/dynpg-run.sh in database dynpg after
-- CREATE EXTENSION dynpg.  It runs on every start, so it is safe to rerun.

-- No search_path needed: dynpg's functions are called by their schema
-- (dynpg.), and its item operators (->, ->>, ?, =) are in pg_catalog.

\echo
\echo 'The sample users as dynpg.item values (DynamoDB JSON, canonical order):'
CREATE TEMP TABLE users_demo AS
SELECT dynpg.from_plain_json(j) AS item FROM (VALUES
 ('{"PersonID": 101, "LastName": "Smith", "FirstName": "Fred", "Phone": "555-4321"}'::jsonb),
 ('{"PersonID": 102, "LastName": "Jones", "FirstName": "Mary", "Address": {"Street": "123 Main", "City": "Anytown", "State": "OH", "ZIPCode": 12345}}'),
 ('{"PersonID": 103, "LastName": "Stephens", "FirstName": "Howard", "Address": {"Street": "123 Main", "City": "London", "PostalCode": "ER3 5K8"}, "FavoriteColor": "Blue"}')
) AS t(j);
SELECT item FROM users_demo ORDER BY item ->> 'PersonID';

\echo 'Attributes by name and by document path, and DynamoDB item sizes:'
SELECT item ->> 'PersonID' AS person_id,
       item ->> 'LastName' AS last_name,
       dynpg.get_path_text(item, 'Address.City') AS city,
       dynpg.item_size(item) AS dynamodb_size
  FROM users_demo ORDER BY 1;
DROP TABLE users_demo;

\echo
\echo 'A DynamoDB table, users, keyed by PersonID (a number); created on the first run only:'
SELECT dynpg.create_table('{"TableName": "users", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "PersonID", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PersonID", "AttributeType": "N"}]}') -> 'TableDescription' ->> 'TableStatus' AS created
 WHERE NOT EXISTS (SELECT FROM dynpg.tables WHERE table_name = 'users');
SELECT table_name, relation, key_schema, billing_mode FROM dynpg.tables ORDER BY table_name;

\echo 'PutItem, as a DynamoDB client sends it (a put replaces the item, so reruns change nothing):'
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "101"}, "LastName": {"S": "Smith"},
  "FirstName": {"S": "Fred"}, "Phone": {"S": "555-4321"}}}');
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "102"}, "LastName": {"S": "Jones"},
  "FirstName": {"S": "Mary"}, "Address": {"M": {"Street": {"S": "123 Main"}, "City": {"S": "Anytown"},
  "State": {"S": "OH"}, "ZIPCode": {"N": "12345"}}}}}');
SELECT dynpg.execute('PutItem', '{"TableName": "users", "Item": {"PersonID": {"N": "103"}, "LastName": {"S": "Stephens"},
  "FirstName": {"S": "Howard"}, "Address": {"M": {"Street": {"S": "123 Main"}, "City": {"S": "London"},
  "PostalCode": {"S": "ER3 5K8"}}}, "FavoriteColor": {"S": "Blue"}}}');

\echo 'The table is a relation: SQL reads it.'
SELECT item FROM dynamodb.users ORDER BY (item ->> 'PersonID')::numeric;

\echo 'GetItem:'
SELECT jsonb_pretty(dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "102"}}}')) AS get_item;
