-- The security review of dynpg's SQL surface, as tests (README, "Security"):
--   1. SECURITY DEFINER functions pin search_path (there are none);
--   2. every function PUBLIC may call, with what it reads and writes: a
--      function PUBLIC can call that is not in the reviewed list below fails
--      this test until it is reviewed and added with its reason;
--   3. dynpg's own tables are closed to PUBLIC, its views open;
--   4. names with quotes, semicolons, control characters and SQL fragments
--      (table names where DynamoDB allows them, attribute, index, TTL and
--      expression names) are data, never SQL: everything works and nothing
--      else happens;
--   5. a role without privileges on a table learns nothing through errors,
--      DescribeTable, ListTables, streams, dynpg.verify or the views beyond
--      what pg_class and pg_constraint tell every role;
--   6. SQL dynpg runs as its own tables' owner ignores the caller's
--      search_path (an operator planted before pg_catalog never runs).
\set SHOW_CONTEXT never

\i sql/include/table_helpers.sql

--
-- 1. SECURITY DEFINER functions of the extension, and whether each pins
-- search_path (proconfig): none exist, and any added must pin it
--
SELECT p.oid::regprocedure AS security_definer_function, p.proconfig
  FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dynpg')
   AND d.deptype = 'e' AND p.prosecdef
 ORDER BY 1::text;
SELECT count(*) AS definer_functions_without_search_path
  FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dynpg')
   AND d.deptype = 'e' AND p.prosecdef
   AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%');

--
-- 2. The functions PUBLIC may execute, reviewed: what each reads and writes,
-- and which privilege guards it.  "pure": computes on its arguments only.
-- Item operations check the table privilege of PostgreSQL's own statement
-- (GetItem, Query, Scan: SELECT; PutItem: INSERT; UpdateItem: UPDATE and
-- INSERT; DeleteItem: DELETE; a condition or returned old values also
-- SELECT) and raise 42501 "permission denied for table <name>" otherwise.
--
CREATE TEMP TABLE reviewed (signature text PRIMARY KEY, access text NOT NULL);
INSERT INTO reviewed VALUES
-- the module
('dynpg._require_preload()', 'reads whether the library was preloaded'),
('dynpg.version()', 'pure: the library''s version'),
('dynpg.error_types()', 'pure: DynamoDB''s exception types and their SQLSTATEs'),
('dynpg.raise_error(text,text)', 'pure: raises the given DynamoDB exception'),
('dynpg.tableam_handler(internal)', 'the access method''s handler; takes internal, so not callable from SQL'),
('dynpg.page_reads()', 'this backend''s own page-read counters'),
('dynpg.page_changes()', 'this backend''s own counters of leaf splits and shifts'),
-- the item type, its operators and conversions
('dynpg.item_in(cstring)', 'pure: type input'),
('dynpg.item_out(dynpg.item)', 'pure: type output'),
('dynpg.item_recv(internal)', 'pure: binary input'),
('dynpg.item_send(dynpg.item)', 'pure: binary output'),
('dynpg.item_to_jsonb(dynpg.item)', 'pure: cast'),
('dynpg.item_from_jsonb(jsonb)', 'pure: cast'),
('dynpg.to_plain_json(dynpg.item)', 'pure: conversion'),
('dynpg.from_plain_json(jsonb)', 'pure: conversion'),
('dynpg.item_to_ion(dynpg.item)', 'pure: conversion'),
('dynpg.item_from_ion(text)', 'pure: conversion'),
('dynpg.attr(dynpg.item,text)', 'pure: operator ->'),
('dynpg.attr_text(dynpg.item,text)', 'pure: operator ->>'),
('dynpg.has_attr(dynpg.item,text)', 'pure: operator ?'),
('dynpg.get_path(dynpg.item,text,boolean)', 'pure: document path'),
('dynpg.get_path_text(dynpg.item,text)', 'pure: document path'),
('dynpg.path_exists(dynpg.item,text)', 'pure: document path'),
('dynpg.attribute_type(dynpg.item,text)', 'pure: document path'),
('dynpg.attribute_size(dynpg.item,text)', 'pure: DynamoDB size'),
('dynpg.item_size(dynpg.item)', 'pure: DynamoDB size'),
('dynpg.attribute_names(dynpg.item)', 'pure'),
('dynpg.item_cmp(dynpg.item,dynpg.item)', 'pure: btree support'),
('dynpg.item_eq(dynpg.item,dynpg.item)', 'pure: operator ='),
('dynpg.item_ne(dynpg.item,dynpg.item)', 'pure: operator <>'),
('dynpg.item_lt(dynpg.item,dynpg.item)', 'pure: operator <'),
('dynpg.item_le(dynpg.item,dynpg.item)', 'pure: operator <='),
('dynpg.item_gt(dynpg.item,dynpg.item)', 'pure: operator >'),
('dynpg.item_ge(dynpg.item,dynpg.item)', 'pure: operator >='),
('dynpg.item_hash(dynpg.item)', 'pure: hash support'),
('dynpg.item_hash_extended(dynpg.item,bigint)', 'pure: hash support'),
('dynpg.key_encode(jsonb)', 'pure: storage key encoding'),
('dynpg.partition_hash(jsonb)', 'pure: partition hash'),
('dynpg.item_partition_hash(dynpg.item,text)', 'pure: the partition hash of an item''s attribute'),
('dynpg.hash64(bytea)', 'pure: XXH64'),
('dynpg.extract_key(dynpg.item,text,text,text,text)', 'pure'),
('dynpg.storage_key(dynpg.item,text,text,text,text)', 'pure'),
('dynpg.conforms(dynpg.item,jsonb)', 'pure: the tables'' CHECK constraint'),
('dynpg._random_item_text(bigint)', 'pure: test data'),
('dynpg._jsonb_writer_check(dynpg.item)', 'pure: test check'),
('dynpg._random_item_jsonb(bigint)', 'pure: test data'),
('dynpg._random_key_value(bigint,text)', 'pure: test data'),
('dynpg._random_malformed_text(bigint)', 'pure: test data'),
-- tables: definitions are in pg_constraint, readable by every role
('dynpg.table_definition(regclass)', 'reads a relation''s CHECK constraint, as pg_constraint shows every role'),
('dynpg.create_table(jsonb)', 'writes a relation in schema dynamodb: needs CREATE on the schema'),
('dynpg.delete_table(jsonb)', 'drops a table: owner only'),
('dynpg.update_table(jsonb)', 'changes a definition: owner only'),
('dynpg.describe_table(jsonb)', 'reads the definition (pg_constraint); ItemCount and sizes exact with SELECT, else pg_class''s'),
('dynpg.list_tables(jsonb)', 'reads every table''s name, as pg_class shows every role'),
('dynpg.tag_resource(jsonb)', 'changes a definition: owner only'),
('dynpg.untag_resource(jsonb)', 'changes a definition: owner only'),
('dynpg.list_tags_of_resource(jsonb)', 'reads the definition (pg_constraint)'),
('dynpg.update_time_to_live(jsonb)', 'changes a definition: owner only'),
('dynpg.describe_time_to_live(jsonb)', 'reads the definition (pg_constraint)'),
('dynpg.describe_limits(jsonb)', 'pure: fixed limits'),
('dynpg.describe_endpoints(jsonb)', 'pure: the endpoint'),
('dynpg.execute(text,jsonb)', 'dispatches to the operation''s own function and its checks'),
('dynpg.execute_json(text,json)', 'as dynpg.execute, request and response as json text'),
('dynpg.get_item_json(json)', 'GetItem as json text: SELECT'),
('dynpg.query_json(json)', 'Query as json text: SELECT'),
('dynpg.scan_json(json)', 'Scan as json text: SELECT'),
('dynpg.batch_get_item_json(json)', 'BatchGetItem as json text: SELECT on each table'),
('dynpg.transact_get_items_json(json)', 'TransactGetItems as json text: SELECT on each table'),
-- items
('dynpg.get_item(jsonb)', 'reads items: SELECT'),
('dynpg.put_item(jsonb)', 'writes items: INSERT (SELECT with a condition or ALL_OLD)'),
('dynpg.update_item(jsonb)', 'writes items: UPDATE and INSERT (SELECT with a condition or returned values)'),
('dynpg.delete_item(jsonb)', 'writes items: DELETE (SELECT with a condition or ALL_OLD)'),
('dynpg.get(text,dynpg.item,text,jsonb)', 'GetItem: SELECT'),
('dynpg.get(text,jsonb,text,jsonb)', 'GetItem: SELECT'),
('dynpg.get(text,text,text,jsonb)', 'GetItem: SELECT'),
('dynpg.put(text,dynpg.item,text,jsonb,dynpg.item)', 'PutItem: INSERT and SELECT'),
('dynpg.put(text,jsonb,text,jsonb,jsonb)', 'PutItem: INSERT and SELECT'),
('dynpg.put(text,text,text,jsonb,text)', 'PutItem: INSERT and SELECT'),
('dynpg.update(text,dynpg.item,text,dynpg.item,text,jsonb)', 'UpdateItem: UPDATE, INSERT and SELECT'),
('dynpg.update(text,jsonb,text,jsonb,text,jsonb)', 'UpdateItem: UPDATE, INSERT and SELECT'),
('dynpg.update(text,text,text,text,text,jsonb)', 'UpdateItem: UPDATE, INSERT and SELECT'),
('dynpg.delete(text,dynpg.item,text,jsonb,dynpg.item)', 'DeleteItem: DELETE and SELECT'),
('dynpg.delete(text,jsonb,text,jsonb,jsonb)', 'DeleteItem: DELETE and SELECT'),
('dynpg.delete(text,text,text,jsonb,text)', 'DeleteItem: DELETE and SELECT'),
('dynpg.query(jsonb)', 'reads items: SELECT'),
('dynpg.scan(jsonb)', 'reads items: SELECT'),
('dynpg.query_request_items(jsonb)', 'reads items: SELECT'),
('dynpg.scan_request_items(jsonb)', 'reads items: SELECT'),
('dynpg.query_items(text,text,dynpg.item,text,text,jsonb,text,boolean)', 'reads items: SELECT'),
('dynpg.query_items(text,text,jsonb,text,text,jsonb,text,boolean)', 'reads items: SELECT'),
('dynpg.query_items(text,text,text,text,text,jsonb,text,boolean)', 'reads items: SELECT'),
('dynpg.scan_items(text,text,dynpg.item,text,jsonb,text,integer,integer)', 'reads items: SELECT'),
('dynpg.scan_items(text,text,jsonb,text,jsonb,text,integer,integer)', 'reads items: SELECT'),
('dynpg.scan_items(text,text,text,text,jsonb,text,integer,integer)', 'reads items: SELECT'),
('dynpg.batch_get_item(jsonb)', 'reads items: SELECT on each table'),
('dynpg.batch_write_item(jsonb)', 'writes items: INSERT or DELETE on each table'),
('dynpg.batch_put(text,jsonb[])', 'writes items: INSERT'),
('dynpg.transact_write_items(jsonb)', 'writes items: each action''s privileges; ClientRequestToken rows in dynpg.transaction_tokens as their owner, keyed by role'),
('dynpg.transact_get_items(jsonb)', 'reads items: SELECT on each table'),
('dynpg.execute_statement(jsonb)', 'PartiQL: the privileges of the operation it becomes'),
('dynpg.batch_execute_statement(jsonb)', 'PartiQL: the privileges of the operations it becomes'),
('dynpg.execute_transaction(jsonb)', 'PartiQL: the privileges of the operations it becomes'),
-- secondary indexes
('dynpg.wait_for_indexes(text,double precision)', 'waits for the change log of a table to drain; reads no item'),
('dynpg.index_backlog(text)', 'counts a table''s pending GSI changes (write activity, as pg_stat_user_tables shows every role)'),
('dynpg.index_lag(text)', 'the worker''s lag (write activity, as pg_stat_user_tables shows every role)'),
('dynpg._index_workers()', 'the workers'' state; their errors only to pg_read_all_stats'),
('dynpg._request_worker()', 'asks the launcher for this database''s worker (started anyway by the first GSI)'),
('dynpg._index_entries(text,text)', 'reads index entries: SELECT'),
('dynpg.verify_relation(regclass)', 'reads every page under a ShareLock: SELECT, checked before the lock'),
('dynpg.verify(text)', 'reads every page under a ShareLock: SELECT, checked before the lock'),
-- streams and time to live
('dynpg.stream_records(text,text,integer)', 'reads stream records: SELECT'),
('dynpg.list_streams(jsonb)', 'lists the streams of the tables the role may SELECT'),
('dynpg.describe_stream(jsonb)', 'reads a stream''s shards: SELECT'),
('dynpg.get_shard_iterator(jsonb)', 'reads a stream: SELECT'),
('dynpg.get_records(jsonb)', 'reads stream records: SELECT'),
('dynpg.ttl_backlog(text)', 'counts expired items: SELECT'),
-- imports and exports: dynpg.export_directory is one S3 bucket space shared by the cluster''s roles
('dynpg.import_table(jsonb)', 'reads files under dynpg.export_directory (the shared S3), creates a table: CREATE on schema dynamodb'),
('dynpg.cancel_import(text)', 'changes an import row: the table''s owner only'),
('dynpg.describe_import(jsonb)', 'reads an import''s description (table name, S3 location, counts)'),
('dynpg.list_imports(jsonb)', 'reads the imports'' descriptions'),
('dynpg.export_table_to_point_in_time(jsonb)', 'reads items (SELECT), writes files under dynpg.export_directory'),
('dynpg.export_table(text,text,text)', 'reads items (SELECT), writes files under dynpg.export_directory'),
('dynpg.describe_export(jsonb)', 'reads an export''s description'),
('dynpg.list_exports(jsonb)', 'reads the exports'' descriptions'),
-- the HTTP endpoint
('dynpg.create_access_key(regrole)', 'writes dynpg._access_keys as its owner: superusers and roles with ADMIN OPTION on the role'),
('dynpg.drop_access_key(text)', 'deletes from dynpg._access_keys as its owner: the same roles'),
('dynpg._http_status()', 'the HTTP workers'' counters'),
-- reads from standbys
('dynpg.replica_read(text,pg_lsn,double precision,text,text)', 'on a standby: the eventual read''s own function and its checks, as the caller (the primary''s SET ROLE)'),
-- a cluster: pure helpers, a node's side of a routed call, what a node tells the router
('dynpg.cluster_conninfo(text)', 'pure: a connection string without its password'),
('dynpg.cluster_hash_hex(numeric)', 'pure: a hash in hexadecimal'),
('dynpg.cluster_node_of(bigint,integer)', 'pure: the node of a partition hash'),
('dynpg.cluster_node_execute(text,text)', 'on a node: the operation''s own function and its checks, as the caller'),
('dynpg.cluster_node_info()', 'reads dynpg''s version and the count of DynamoDB tables, as pg_class shows every role');

-- a function PUBLIC may execute that has not been reviewed (must be none)
WITH public_functions AS (
	SELECT p.oid::regprocedure::text AS signature
	  FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
	 WHERE d.refclassid = 'pg_extension'::regclass
	   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dynpg')
	   AND d.deptype = 'e'
	   AND EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
				   WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))
SELECT signature AS unreviewed_public_function FROM public_functions
 WHERE signature NOT IN (SELECT signature FROM reviewed) ORDER BY 1;
-- a reviewed function PUBLIC may no longer execute, or that is gone (must be none)
SELECT r.signature AS reviewed_but_not_public
  FROM reviewed r
 WHERE to_regprocedure(r.signature) IS NULL
    OR NOT has_function_privilege('public', to_regprocedure(r.signature), 'EXECUTE')
 ORDER BY 1;
SELECT count(*) AS reviewed_public_functions FROM reviewed;
-- and those PUBLIC may not execute: superuser-only maintenance and testing
SELECT p.oid::regprocedure AS not_for_public
  FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dynpg')
   AND d.deptype = 'e'
   AND NOT EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
				   WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
 ORDER BY 1::text;

--
-- 3. What PUBLIC may do with dynpg's relations: read the views, nothing on
-- the tables (change log, builds, streams, tokens, imports, exports, keys)
--
SELECT c.oid::regclass AS relation, c.relkind,
       coalesce((SELECT string_agg(a.privilege_type, ',' ORDER BY a.privilege_type)
                   FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
                  WHERE a.grantee = 0), '-') AS public_may
  FROM pg_depend d JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dynpg')
   AND d.deptype = 'e' AND c.relkind IN ('r', 'v', 'S')
 ORDER BY 1::text;
SELECT n.nspname, coalesce((SELECT string_agg(a.privilege_type, ',' ORDER BY a.privilege_type)
                              FROM aclexplode(n.nspacl) a WHERE a.grantee = 0), '-') AS public_may
  FROM pg_namespace n WHERE n.nspname IN ('dynpg', 'dynamodb') ORDER BY 1;

--
-- 4. Names are data.  A canary table and the catalog's size before.
--
SELECT pg_temp.api('CreateTable', '{"TableName": "canary", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}') ~ 'ACTIVE' AS created;
SELECT dynpg.put_item('{"TableName": "canary", "Item": {"k": {"S": "alive"}}}');
CREATE TEMP TABLE catalog_before AS
SELECT (SELECT count(*) FROM pg_proc) AS functions,
       (SELECT count(*) FROM pg_roles) AS roles, (SELECT count(*) FROM pg_namespace) AS schemas;
CREATE TEMP TABLE relations_before AS SELECT oid FROM pg_class;
-- table names: DynamoDB allows [a-zA-Z0-9_.-], 3 to 255 characters; quotes,
-- semicolons, spaces and control characters are refused with its message
SELECT pg_temp.api('CreateTable', jsonb_build_object('TableName', name, 'BillingMode', 'PAY_PER_REQUEST',
  'KeySchema', '[{"AttributeName": "k", "KeyType": "HASH"}]'::jsonb,
  'AttributeDefinitions', '[{"AttributeName": "k", "AttributeType": "S"}]'::jsonb)) AS refused
  FROM (VALUES ('x"; DROP TABLE dynamodb.canary; --'), ('abc'';DROP TABLE dynamodb.canary'),
               ('a b c'), (E'tab\tle'), ('canary)'), ('$$canary$$')) AS v(name);
SELECT pg_temp.api('DescribeTable', '{"TableName": "canary\"; DROP TABLE dynamodb.canary; --"}');
SELECT pg_temp.api('GetItem', '{"TableName": "canary''; DELETE FROM dynamodb.canary; --", "Key": {"k": {"S": "alive"}}}');
-- the names DynamoDB allows that SQL would misread unquoted: a comment
-- marker, dots (schema.table), mixed case, a catalog's name, all dots
SELECT name, pg_temp.api('CreateTable', jsonb_build_object('TableName', name, 'BillingMode', 'PAY_PER_REQUEST',
  'KeySchema', '[{"AttributeName": "k", "KeyType": "HASH"}]'::jsonb,
  'AttributeDefinitions', '[{"AttributeName": "k", "AttributeType": "S"}]'::jsonb)) ~ 'ACTIVE' AS created
  FROM (VALUES ('x--y'), ('dynamodb.canary'), ('Canary'), ('pg_class'), ('...'), ('-1.e5')) AS v(name);
SELECT name, dynpg.put_item(jsonb_build_object('TableName', name, 'Item', jsonb_build_object('k', jsonb_build_object('S', name)))),
       dynpg.get_item(jsonb_build_object('TableName', name, 'Key', jsonb_build_object('k', jsonb_build_object('S', name)))),
       (dynpg.verify(name) ->> 'ok') AS verify_ok, relation
  FROM (VALUES ('x--y'), ('dynamodb.canary'), ('Canary'), ('pg_class'), ('...'), ('-1.e5')) AS v(name)
  JOIN dynpg.tables t ON t.table_name = v.name
 ORDER BY name COLLATE "C";
-- attribute names may hold anything but NUL: key attributes, an LSI, a GSI
-- and its projection, time to live and expression names with quotes,
-- semicolons, SQL, format directives and control characters
SELECT pg_temp.api('CreateTable', jsonb_build_object('TableName', 'hostile_names', 'BillingMode', 'PAY_PER_REQUEST',
  'KeySchema', jsonb_build_array(
    jsonb_build_object('AttributeName', 'p"; DROP TABLE dynamodb.canary; --', 'KeyType', 'HASH'),
    jsonb_build_object('AttributeName', E's''); DELETE FROM dynamodb.canary; --', 'KeyType', 'RANGE')),
  'AttributeDefinitions', jsonb_build_array(
    jsonb_build_object('AttributeName', 'p"; DROP TABLE dynamodb.canary; --', 'AttributeType', 'S'),
    jsonb_build_object('AttributeName', E's''); DELETE FROM dynamodb.canary; --', 'AttributeType', 'S'),
    jsonb_build_object('AttributeName', E'g\x01\x1f%s%n$1\\', 'AttributeType', 'S'),
    jsonb_build_object('AttributeName', E'l $$ ; SELECT pg_sleep(10) ; $$', 'AttributeType', 'N')),
  'LocalSecondaryIndexes', jsonb_build_array(jsonb_build_object('IndexName', 'by-l.x--y',
    'KeySchema', jsonb_build_array(
      jsonb_build_object('AttributeName', 'p"; DROP TABLE dynamodb.canary; --', 'KeyType', 'HASH'),
      jsonb_build_object('AttributeName', E'l $$ ; SELECT pg_sleep(10) ; $$', 'KeyType', 'RANGE')),
    'Projection', jsonb_build_object('ProjectionType', 'INCLUDE', 'NonKeyAttributes', jsonb_build_array(E'v\n'';--')))),
  'GlobalSecondaryIndexes', jsonb_build_array(jsonb_build_object('IndexName', 'by_g--drop',
    'KeySchema', jsonb_build_array(jsonb_build_object('AttributeName', E'g\x01\x1f%s%n$1\\', 'KeyType', 'HASH')),
    'Projection', jsonb_build_object('ProjectionType', 'INCLUDE', 'NonKeyAttributes', jsonb_build_array(E'v\n'';--'))))))
  ~ 'ACTIVE' AS created;
SELECT pg_temp.api('UpdateTimeToLive', jsonb_build_object('TableName', 'hostile_names',
  'TimeToLiveSpecification', jsonb_build_object('Enabled', true, 'AttributeName', E'ttl"); TRUNCATE dynamodb.canary; --')));
SELECT dynpg.put_item(jsonb_build_object('TableName', 'hostile_names', 'Item', jsonb_build_object(
  'p"; DROP TABLE dynamodb.canary; --', jsonb_build_object('S', 'P'),
  E's''); DELETE FROM dynamodb.canary; --', jsonb_build_object('S', 'S' || i),
  E'g\x01\x1f%s%n$1\\', jsonb_build_object('S', 'G' || (i % 2)),
  E'l $$ ; SELECT pg_sleep(10) ; $$', jsonb_build_object('N', i::text),
  E'v\n'';--', jsonb_build_object('S', E'value ''); DROP TABLE dynamodb.canary; --'),
  E'ttl"); TRUNCATE dynamodb.canary; --', jsonb_build_object('N', '4102444800'))))
  FROM generate_series(1, 3) AS i;
SELECT dynpg.wait_for_indexes('hostile_names');
-- reads through the table, the LSI and the GSI, with the names as expression attribute names
SELECT dynpg.execute('Query', jsonb_build_object('TableName', 'hostile_names',
  'KeyConditionExpression', '#p = :p AND #s > :s', 'ProjectionExpression', '#s, #v',
  'ExpressionAttributeNames', jsonb_build_object('#p', 'p"; DROP TABLE dynamodb.canary; --',
    '#s', E's''); DELETE FROM dynamodb.canary; --', '#v', E'v\n'';--'),
  'ExpressionAttributeValues', '{":p": {"S": "P"}, ":s": {"S": "S1"}}'::jsonb));
SELECT dynpg.execute('Query', jsonb_build_object('TableName', 'hostile_names', 'IndexName', 'by-l.x--y',
  'KeyConditionExpression', '#p = :p AND #l >= :l', 'Select', 'COUNT',
  'ExpressionAttributeNames', jsonb_build_object('#p', 'p"; DROP TABLE dynamodb.canary; --',
    '#l', E'l $$ ; SELECT pg_sleep(10) ; $$'),
  'ExpressionAttributeValues', '{":p": {"S": "P"}, ":l": {"N": "2"}}'::jsonb));
SELECT dynpg.execute('Query', jsonb_build_object('TableName', 'hostile_names', 'IndexName', 'by_g--drop',
  'KeyConditionExpression', '#g = :g', 'Select', 'COUNT',
  'ExpressionAttributeNames', jsonb_build_object('#g', E'g\x01\x1f%s%n$1\\'),
  'ExpressionAttributeValues', '{":g": {"S": "G1"}}'::jsonb));
-- an update and a condition naming them; PartiQL with a quoted name
SELECT dynpg.execute('UpdateItem', jsonb_build_object('TableName', 'hostile_names',
  'Key', jsonb_build_object('p"; DROP TABLE dynamodb.canary; --', jsonb_build_object('S', 'P'),
    E's''); DELETE FROM dynamodb.canary; --', jsonb_build_object('S', 'S1')),
  'UpdateExpression', 'SET #v = :v', 'ConditionExpression', 'attribute_exists(#v)',
  'ExpressionAttributeNames', jsonb_build_object('#v', E'v\n'';--'),
  'ExpressionAttributeValues', '{":v": {"S": "updated"}}'::jsonb, 'ReturnValues', 'UPDATED_NEW'));
SELECT dynpg.execute('ExecuteStatement', jsonb_build_object('Statement',
  'SELECT "v' || E'\n' || ''';--" FROM "hostile_names" WHERE "p""; DROP TABLE dynamodb.canary; --" = ''P'''));
SELECT pg_temp.api('ExecuteStatement', jsonb_build_object('Statement',
  'SELECT * FROM "canary""; DROP TABLE dynamodb.canary; --"'));
-- the definition keeps the names exactly (JSON escapes for the control characters)
SELECT jsonb_pretty(dynpg.execute('DescribeTable', '{"TableName": "hostile_names"}') -> 'Table' -> 'AttributeDefinitions');
SELECT dynpg.execute('DescribeTimeToLive', '{"TableName": "hostile_names"}');
SELECT (dynpg.verify('hostile_names') ->> 'ok') AS verify_ok;
-- nothing else happened: the canary and its item are there, no function,
-- role or schema appeared, and the new relations are the new tables (each
-- with its TOAST table and index) and nothing else
SELECT dynpg.get_item('{"TableName": "canary", "Key": {"k": {"S": "alive"}}}');
SELECT (SELECT count(*) FROM pg_proc) - functions AS new_functions,
       (SELECT count(*) FROM pg_roles) - roles AS new_roles,
       (SELECT count(*) FROM pg_namespace) - schemas AS new_schemas
  FROM catalog_before;
SELECT c.relnamespace::regnamespace AS schema, c.relkind, count(*) AS new_relations
  FROM pg_class c WHERE c.oid NOT IN (SELECT oid FROM relations_before) AND c.relpersistence <> 't'
 GROUP BY 1, 2 ORDER BY 1::text, 2;
SELECT c.relname AS new_table FROM pg_class c
 WHERE c.relnamespace = 'dynamodb'::regnamespace AND c.relkind = 'r'
   AND c.oid NOT IN (SELECT oid FROM relations_before)
 ORDER BY c.relname COLLATE "C";

--
-- 5. A role without privileges on a table.  Its definition is public
-- (pg_constraint), as is its name (pg_class): ListTables and DescribeTable
-- answer, with pg_class's estimates for ItemCount and TableSizeBytes.  Its
-- items, stream and structure are not: each read, write or check fails with
-- PostgreSQL's 42501 naming the table, and no error shows an item.
--
SELECT pg_temp.api('CreateTable', '{"TableName": "secrets", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"}}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}') ~ 'ACTIVE' AS created;
SELECT pg_temp.api('UpdateTimeToLive', '{"TableName": "secrets", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}');
SELECT dynpg.put_item(jsonb_build_object('TableName', 'secrets', 'Item', jsonb_build_object(
  'k', jsonb_build_object('S', 'key' || i), 'g', jsonb_build_object('S', 'group'),
  'secret', jsonb_build_object('S', 'TOP-SECRET-' || i)))) FROM generate_series(1, 5) AS i;
SELECT dynpg.wait_for_indexes('secrets');
-- exports on, so that ExportTableToPointInTime reaches its privilege check
SELECT set_config('dynpg.export_directory', current_setting('data_directory') || '/dynpg_exports', false) IS NOT NULL AS exports_on;
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
	EXECUTE sql INTO r;
	RETURN r;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE ROLE regress_dynpg_nobody;
SET ROLE regress_dynpg_nobody;
-- the catalogs every role reads show the name and the definition
SELECT relname FROM pg_class WHERE relname = 'secrets';
SELECT pg_get_constraintdef(oid) ~ '"TableName": "secrets"' AS definition_in_pg_constraint
  FROM pg_constraint WHERE conrelid = 'dynamodb.secrets'::regclass;
-- ListTables and DescribeTable: names and definitions; counts from pg_class (no VACUUM yet: 0)
SELECT pg_temp.api('ListTables', '{}') ~ '"secrets"' AS listed;
SELECT r -> 'Table' ->> 'TableName' AS table_name, r -> 'Table' -> 'ItemCount' AS item_count,
       r -> 'Table' -> 'TableSizeBytes' AS table_size_bytes,
       r -> 'Table' -> 'GlobalSecondaryIndexes' -> 0 -> 'ItemCount' AS gsi_item_count,
       r -> 'Table' ->> 'LatestStreamArn' IS NOT NULL AS names_stream
  FROM dynpg.execute('DescribeTable', '{"TableName": "secrets"}') AS r;
-- the views: the definition, as pg_constraint; ttl_status only tables the role may read
SELECT table_name, key_schema FROM dynpg.tables WHERE table_name = 'secrets';
SELECT table_name, index_name, status FROM dynpg.indexes WHERE table_name = 'secrets';
SELECT count(*) AS ttl_status_rows FROM dynpg.ttl_status WHERE table_name = 'secrets';
SELECT count(*) AS access_keys_rows FROM dynpg.access_keys;
-- items, through every operation that reads or writes them
SELECT op, pg_temp.api(op, req::jsonb) AS result
  FROM (VALUES
    ('GetItem', '{"TableName": "secrets", "Key": {"k": {"S": "key1"}}}'),
    ('Query', '{"TableName": "secrets", "KeyConditionExpression": "k = :k", "ExpressionAttributeValues": {":k": {"S": "key1"}}}'),
    ('Query', '{"TableName": "secrets", "IndexName": "by-g", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "group"}}}'),
    ('Scan', '{"TableName": "secrets"}'),
    ('Scan', '{"TableName": "secrets", "Select": "COUNT"}'),
    ('BatchGetItem', '{"RequestItems": {"secrets": {"Keys": [{"k": {"S": "key1"}}]}}}'),
    ('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "secrets", "Key": {"k": {"S": "key1"}}}}]}'),
    ('ExecuteStatement', '{"Statement": "SELECT * FROM secrets"}'),
    ('PutItem', '{"TableName": "secrets", "Item": {"k": {"S": "key1"}, "secret": {"S": "overwritten"}}}'),
    ('PutItem', '{"TableName": "secrets", "Item": {"k": {"S": "key9"}}, "ReturnValues": "ALL_OLD"}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key1"}}, "UpdateExpression": "SET x = :x", "ExpressionAttributeValues": {":x": {"S": "x"}}}'),
    ('DeleteItem', '{"TableName": "secrets", "Key": {"k": {"S": "key1"}}}'),
    ('DeleteItem', '{"TableName": "secrets", "Key": {"k": {"S": "key1"}}, "ConditionExpression": "begins_with(secret, :s)", "ExpressionAttributeValues": {":s": {"S": "TOP"}}}'),
    ('BatchWriteItem', '{"RequestItems": {"secrets": [{"DeleteRequest": {"Key": {"k": {"S": "key1"}}}}]}}'),
    ('TransactWriteItems', '{"TransactItems": [{"ConditionCheck": {"TableName": "secrets", "Key": {"k": {"S": "key1"}}, "ConditionExpression": "attribute_exists(secret)"}}]}'),
    ('ExecuteStatement', '{"Statement": "UPDATE secrets SET x = 1 WHERE k = ''key1''"}'),
    ('UpdateTable', '{"TableName": "secrets", "BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}'),
    ('TagResource', '{"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000:table/secrets", "Tags": [{"Key": "k", "Value": "v"}]}'),
    ('UpdateTimeToLive', '{"TableName": "secrets", "TimeToLiveSpecification": {"Enabled": false, "AttributeName": "exp"}}'),
    ('DeleteTable', '{"TableName": "secrets"}'),
    ('ExportTableToPointInTime', '{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/secrets", "S3Bucket": "regress-bucket"}'),
    ('CreateTable', '{"TableName": "nobodys", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}')
  ) AS v(op, req);
SELECT count(*) AS exports_of_secrets
  FROM jsonb_array_elements(coalesce(dynpg.execute('ListExports', '{}') -> 'ExportSummaries', '[]')) AS e
 WHERE e ->> 'ExportArn' LIKE '%/table/secrets/%';
-- the stream, the structure checks and the SQL relation
SELECT pg_temp.api('DescribeStream', jsonb_build_object('StreamArn', dynpg.execute('DescribeTable', '{"TableName": "secrets"}') -> 'Table' ->> 'LatestStreamArn')) AS describe_stream;
SELECT pg_temp.api('ListStreams', '{"TableName": "secrets"}') AS list_streams;
SELECT sql, pg_temp.try(sql) AS result
  FROM (VALUES ('SELECT count(*)::text FROM dynpg.stream_records(''secrets'')'),
               ('SELECT dynpg.verify(''secrets'')::text'),
               ('SELECT dynpg.verify_relation(''dynamodb.secrets'')::text'),
               ('SELECT count(*)::text FROM dynpg._index_entries(''secrets'', ''by-g'')'),
               ('SELECT dynpg.ttl_backlog(''secrets'')::text'),
               ('SELECT dynpg.execute_json(''GetItem'', ''{"TableName": "secrets", "Key": {"k": {"S": "key1"}}}'')::text'),
               ('SELECT dynpg.scan_json(''{"TableName": "secrets"}'')::text'),
               ('SELECT dynpg.batch_get_item_json(''{"RequestItems": {"secrets": {"Keys": [{"k": {"S": "key1"}}]}}}'')::text'),
               ('SELECT count(*)::text FROM dynamodb.secrets'),
               ('SELECT count(*)::text FROM dynpg.index_changes'),
               ('SELECT count(*)::text FROM dynpg.stream_records'),
               ('SELECT count(*)::text FROM dynpg._access_keys'),
               ('SELECT count(*)::text FROM dynpg.transaction_tokens')) AS v(sql);
-- verify waits for no lock: the privilege check comes first, so a role
-- without SELECT cannot block the table's writers
RESET ROLE;
BEGIN;
SELECT dynpg.put_item('{"TableName": "secrets", "Item": {"k": {"S": "in-flight"}}}');
SET LOCAL ROLE regress_dynpg_nobody;
SET LOCAL lock_timeout = '1s';
SELECT pg_temp.try('SELECT dynpg.verify(''secrets'')::text') AS verify_without_select;
ROLLBACK;
-- with INSERT, UPDATE and DELETE but not SELECT the role writes blind:
-- whatever would show an existing item (old values, a condition, an update
-- reading an attribute) needs SELECT, as UPDATE ... SET a = a + 1 does in SQL
GRANT INSERT, UPDATE, DELETE ON dynamodb.secrets TO regress_dynpg_nobody;
SET ROLE regress_dynpg_nobody;
SELECT op, pg_temp.api(op, req::jsonb) AS result
  FROM (VALUES
    ('PutItem', '{"TableName": "secrets", "Item": {"k": {"S": "blind1"}, "g": {"S": "group"}}}'),
    ('PutItem', '{"TableName": "secrets", "Item": {"k": {"S": "key2"}}, "ReturnValues": "ALL_OLD"}'),
    ('PutItem', '{"TableName": "secrets", "Item": {"k": {"S": "key2"}}, "ConditionExpression": "attribute_not_exists(k)"}'),
    ('PutItem', '{"TableName": "secrets", "Item": {"k": {"S": "key2"}}, "ConditionExpression": "attribute_not_exists(k)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "blind1"}}, "UpdateExpression": "SET x = :x", "ExpressionAttributeValues": {":x": {"S": "x"}}}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "SET x = :x", "ExpressionAttributeValues": {":x": {"S": "x"}}, "ReturnValues": "ALL_OLD"}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "SET x = :x", "ExpressionAttributeValues": {":x": {"S": "x"}}, "ReturnValues": "UPDATED_NEW"}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "SET x = secret", "ReturnValues": "NONE"}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "SET x = secret + :n", "ExpressionAttributeValues": {":n": {"N": "1"}}}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "ADD secret :n", "ExpressionAttributeValues": {":n": {"N": "1"}}}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "SET x = if_not_exists(secret, :x)", "ExpressionAttributeValues": {":x": {"S": "x"}}}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "SET x = list_append(secret, :l)", "ExpressionAttributeValues": {":l": {"L": []}}}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "SET secret.part = :x", "ExpressionAttributeValues": {":x": {"S": "x"}}}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "DELETE secret :s", "ExpressionAttributeValues": {":s": {"SS": ["a"]}}}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "REMOVE secret[0]"}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "UpdateExpression": "REMOVE x"}'),
    ('DeleteItem', '{"TableName": "secrets", "Key": {"k": {"S": "key4"}}, "ReturnValues": "ALL_OLD"}'),
    ('DeleteItem', '{"TableName": "secrets", "Key": {"k": {"S": "blind1"}}}'),
    ('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "secrets", "Item": {"k": {"S": "key5"}}, "ConditionExpression": "attribute_exists(k)"}}]}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "AttributeUpdates": {"secret": {"Action": "ADD", "Value": {"N": "1"}}}}'),
    ('UpdateItem', '{"TableName": "secrets", "Key": {"k": {"S": "key3"}}, "AttributeUpdates": {"x": {"Action": "PUT", "Value": {"S": "legacy"}}}}'),
    ('TransactWriteItems', '{"TransactItems": [{"Update": {"TableName": "secrets", "Key": {"k": {"S": "key5"}}, "UpdateExpression": "SET x = secret"}}]}'),
    ('TransactWriteItems', '{"TransactItems": [{"Update": {"TableName": "secrets", "Key": {"k": {"S": "key5"}}, "UpdateExpression": "SET y = :y", "ExpressionAttributeValues": {":y": {"S": "y"}}}}]}'),
    ('ExecuteStatement', '{"Statement": "UPDATE secrets SET x = secret WHERE k = ''key3''"}'),
    ('ExecuteStatement', '{"Statement": "INSERT INTO secrets VALUE {''k'': ''blind2''}"}')
  ) AS v(op, req);
RESET ROLE;
-- the items the role could not read are as they were, but for what it wrote:
-- key3's x (set, removed, set by AttributeUpdates) and key5's y.  (PartiQL's
-- INSERT fails on an existing item, so it reads, as a condition does.)
SELECT dynpg.scan('{"TableName": "secrets"}') -> 'Items' AS items_after_blind_writes;
REVOKE INSERT, UPDATE, DELETE ON dynamodb.secrets FROM regress_dynpg_nobody;
-- with SELECT the role reads, counts exactly and verifies; writes still need their own privileges
GRANT SELECT ON dynamodb.secrets TO regress_dynpg_nobody;
SET ROLE regress_dynpg_nobody;
SELECT dynpg.execute('DescribeTable', '{"TableName": "secrets"}') -> 'Table' -> 'ItemCount' AS item_count_with_select;
SELECT dynpg.get_item('{"TableName": "secrets", "Key": {"k": {"S": "key1"}}}');
SELECT dynpg.verify('secrets') ->> 'ok' AS verify_with_select;
SELECT pg_temp.api('PutItem', '{"TableName": "secrets", "Item": {"k": {"S": "key1"}}}') AS put_with_select_only;
RESET ROLE;
-- after ANALYZE pg_class has an estimate, and DescribeTable reports it to the role without SELECT
REVOKE SELECT ON dynamodb.secrets FROM regress_dynpg_nobody;
ANALYZE dynamodb.secrets;
SET ROLE regress_dynpg_nobody;
SELECT (r -> 'Table' -> 'ItemCount')::bigint = (SELECT reltuples::bigint FROM pg_class WHERE oid = 'dynamodb.secrets'::regclass) AS item_count_is_reltuples,
       (r -> 'Table' -> 'TableSizeBytes')::bigint = pg_relation_size('dynamodb.secrets') AS size_is_relation_size
  FROM dynpg.execute('DescribeTable', '{"TableName": "secrets"}') AS r;
RESET ROLE;

--
-- 6. search_path: SQL that dynpg runs as the owner of its own tables
-- (ClientRequestToken records, access keys, streams, imports, exports)
-- resolves operators in pg_catalog, whatever the caller's search_path.  A
-- role plants operators before pg_catalog that would report whom they run
-- as; none of them ever runs.
--
GRANT SELECT, INSERT, UPDATE, DELETE ON dynamodb.canary TO regress_dynpg_nobody;
CREATE SCHEMA regress_trap AUTHORIZATION regress_dynpg_nobody;
SET ROLE regress_dynpg_nobody;
CREATE FUNCTION regress_trap.ts_minus(timestamptz, interval) RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'trap (timestamptz - interval) ran as %', current_user;
	RETURN $1 OPERATOR(pg_catalog.-) $2;
END $$;
CREATE OPERATOR regress_trap.- (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = regress_trap.ts_minus);
CREATE FUNCTION regress_trap.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'trap (text = text) ran as %', current_user;
	RETURN $1 OPERATOR(pg_catalog.=) $2;
END $$;
CREATE OPERATOR regress_trap.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_trap.text_eq);
CREATE FUNCTION regress_trap.bytea_eq(bytea, bytea) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'trap (bytea = bytea) ran as %', current_user;
	RETURN $1 OPERATOR(pg_catalog.=) $2;
END $$;
CREATE OPERATOR regress_trap.= (LEFTARG = bytea, RIGHTARG = bytea, FUNCTION = regress_trap.bytea_eq);
SET search_path = regress_trap, pg_catalog, public;
-- the trap works for the role's own statements
SELECT 'a'::text = 'a'::text AS trap_armed;
-- TransactWriteItems with a ClientRequestToken: its record, then its replay
SELECT dynpg.transact_write_items('{"ClientRequestToken": "regress-token-1", "TransactItems": [
  {"Put": {"TableName": "canary", "Item": {"k": {"S": "token"}}}}]}');
SELECT dynpg.transact_write_items('{"ClientRequestToken": "regress-token-1", "TransactItems": [
  {"Put": {"TableName": "canary", "Item": {"k": {"S": "token"}}}}]}');
-- access keys: dropping one looks it up as the keys table's owner
SELECT dynpg.drop_access_key('DYNPNOSUCHKEY0000000');
-- streams, imports and exports as seen by the role
SELECT dynpg.execute('ListStreams', '{}') IS NOT NULL AS list_streams;
SELECT dynpg.execute('ListImports', '{}') IS NOT NULL AS list_imports;
SELECT dynpg.execute('ListExports', '{}') IS NOT NULL AS list_exports;
RESET search_path;
RESET ROLE;
DROP SCHEMA regress_trap CASCADE;

-- clean up
REVOKE ALL ON dynamodb.canary FROM regress_dynpg_nobody;
DROP ROLE regress_dynpg_nobody;
SELECT table_name, pg_temp.api('DeleteTable', jsonb_build_object('TableName', table_name)) ~ 'DELETING' AS deleted
  FROM dynpg.tables
 WHERE table_name IN ('canary', 'hostile_names', 'secrets', 'x--y', 'dynamodb.canary', 'Canary', 'pg_class', '...', '-1.e5')
 ORDER BY table_name COLLATE "C";
