-- DROP EXTENSION dynpg refuses while DynamoDB tables exist, as PostgreSQL
-- does for any dependent object; with CASCADE it removes them all.  (Last in
-- the schedule: it drops the extension.)
\set VERBOSITY terse

SELECT dynpg.create_table('{"TableName": "users", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "PersonID", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PersonID", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS created;
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "101"}, "LastName": {"S": "Smith"}}}');

-- the item operators are in pg_catalog, as members of the extension
SELECT count(*) AS operators_in_pg_catalog FROM pg_operator WHERE oprnamespace = 'pg_catalog'::regnamespace \gset
SELECT o.oprname, o.oprnamespace::regnamespace AS schema
  FROM pg_depend d JOIN pg_operator o ON d.classid = 'pg_operator'::regclass AND d.objid = o.oid
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dynpg')
 ORDER BY o.oprname COLLATE "C";

DROP EXTENSION dynpg;
SELECT extname FROM pg_extension WHERE extname = 'dynpg';
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "101"}}}');

-- CASCADE drops the tables, schema dynamodb and dynpg's objects.  Schema
-- dynpg stays: CREATE EXTENSION made it for the control file's 'schema', and
-- PostgreSQL never makes such a schema a member of the extension.
SET client_min_messages = warning;
DROP EXTENSION dynpg CASCADE;
RESET client_min_messages;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'dynpg';
SELECT nspname FROM pg_namespace WHERE nspname IN ('dynpg', 'dynamodb');
SELECT to_regclass('dynamodb.users') AS users_relation;
SELECT amname FROM pg_am WHERE amname = 'dynpg';
-- and its operators went from pg_catalog with it
SELECT :operators_in_pg_catalog - count(*) AS operators_dropped
  FROM pg_operator WHERE oprnamespace = 'pg_catalog'::regnamespace;

-- and it comes back empty
CREATE EXTENSION dynpg;
SELECT dynpg.list_tables();
-- without tables, a plain DROP EXTENSION works
DROP EXTENSION dynpg;
CREATE EXTENSION dynpg;
SELECT count(*) AS tables FROM dynpg.tables;
