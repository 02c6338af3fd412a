# pg_dump -Fc and pg_restore -j 4 reproduce every dynpg table and item: each
# table's definition travels in its CHECK constraint, which pg_dump emits with
# CREATE TABLE (pre-data), so the restore knows every key schema before any
# data arrives, whatever order the parallel jobs load the tables in.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump_restore');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'dynpg'");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', 'CREATE EXTENSION dynpg');

# Tables of every kind: the README's users (N partition key), a sort-key
# table, a binary key, and a name longer than a PostgreSQL identifier.
my $long_name = 'Orders.by-customer_' . ('x' x 60) . '.v2';
my %tables = (
	users => '[{"AttributeName": "PersonID", "KeyType": "HASH"}]',
	chat  => '[{"AttributeName": "chat_id", "KeyType": "HASH"}, {"AttributeName": "sent", "KeyType": "RANGE"}]',
	blobs => '[{"AttributeName": "k", "KeyType": "HASH"}]',
	$long_name => '[{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "order", "KeyType": "RANGE"}]',
);
my %definitions = (
	users => '[{"AttributeName": "PersonID", "AttributeType": "N"}]',
	chat  => '[{"AttributeName": "chat_id", "AttributeType": "S"}, {"AttributeName": "sent", "AttributeType": "N"}]',
	blobs => '[{"AttributeName": "k", "AttributeType": "B"}]',
	$long_name => '[{"AttributeName": "customer", "AttributeType": "S"}, {"AttributeName": "order", "AttributeType": "S"}]',
);
for my $t (sort keys %tables)
{
	$node->safe_psql('source', qq{SELECT dynpg.create_table('{"TableName": "$t", "BillingMode": "PAY_PER_REQUEST",
		"KeySchema": $tables{$t}, "AttributeDefinitions": $definitions{$t}}')});
}
ok(length($long_name) > 64, 'one table name is longer than 64 characters');

# A table with secondary indexes: their definitions travel in the same
# constraint; their entries are not dumped (COPY reads the table's items
# only): the restore's writes make them again (src/index/README).
$node->safe_psql('source', q{SELECT dynpg.create_table('{"TableName": "threads",
	"AttributeDefinitions": [{"AttributeName": "forum", "AttributeType": "S"}, {"AttributeName": "subject", "AttributeType": "S"},
		{"AttributeName": "posted", "AttributeType": "N"}, {"AttributeName": "author", "AttributeType": "B"}],
	"KeySchema": [{"AttributeName": "forum", "KeyType": "HASH"}, {"AttributeName": "subject", "KeyType": "RANGE"}],
	"LocalSecondaryIndexes": [{"IndexName": "by-posted", "KeySchema": [{"AttributeName": "forum", "KeyType": "HASH"},
		{"AttributeName": "posted", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["tags"]}}],
	"GlobalSecondaryIndexes": [{"IndexName": "by-author", "KeySchema": [{"AttributeName": "author", "KeyType": "HASH"}],
		"Projection": {"ProjectionType": "KEYS_ONLY"}, "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 2}},
		{"IndexName": "by-forum-author", "KeySchema": [{"AttributeName": "forum", "KeyType": "HASH"},
			{"AttributeName": "author", "KeyType": "HASH"}, {"AttributeName": "posted", "KeyType": "RANGE"},
			{"AttributeName": "subject", "KeyType": "RANGE"}],
		"Projection": {"ProjectionType": "ALL"}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}],
	"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}')});

# A table's settings travel in the same constraint: tags, time to live,
# deletion protection, table class, encryption, on-demand and warm throughput.
$node->safe_psql('source', q{SELECT dynpg.create_table('{"TableName": "settings", "BillingMode": "PAY_PER_REQUEST",
	"KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
	"Tags": [{"Key": "team", "Value": "db"}, {"Key": "env", "Value": "test"}], "DeletionProtectionEnabled": true,
	"TableClass": "STANDARD_INFREQUENT_ACCESS", "SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "alias/k"},
	"OnDemandThroughput": {"MaxReadRequestUnits": 100}, "WarmThroughput": {"ReadUnitsPerSecond": 13000}}')});
$node->safe_psql('source', q{SELECT dynpg.update_time_to_live('{"TableName": "settings",
	"TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}');
	SELECT dynpg.tag_resource('{"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000:table/users",
	"Tags": [{"Key": "owner", "Value": "fred"}]}')});

# Items through the API, enough that the parallel restore has work to share.
$node->safe_psql('source', q{
	SELECT dynpg.put_item(jsonb_build_object('TableName', 'threads', 'Item',
		jsonb_build_object('forum', jsonb_build_object('S', 'f' || (i % 7)), 'subject', jsonb_build_object('S', 's' || i))
		|| CASE WHEN i % 3 = 0 THEN jsonb_build_object('posted', jsonb_build_object('N', (i * 10)::text)) ELSE '{}' END
		|| CASE WHEN i % 4 = 0 THEN jsonb_build_object('author', jsonb_build_object('B', encode(convert_to('a' || (i % 5), 'UTF8'), 'base64'))) ELSE '{}' END
		|| jsonb_build_object('tags', jsonb_build_object('SS', jsonb_build_array('t' || (i % 3))))))
	  FROM generate_series(1, 100) AS i;
	SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "101"}, "LastName": {"S": "Smith"}, "FirstName": {"S": "Fred"}, "Phone": {"S": "555-4321"}}}');
	SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "102"}, "LastName": {"S": "Jones"}, "FirstName": {"S": "Mary"}, "Address": {"M": {"Street": {"S": "123 Main"}, "City": {"S": "Anytown"}, "State": {"S": "OH"}, "ZIPCode": {"N": "12345"}}}}}');
	SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "103"}, "LastName": {"S": "Stephens"}, "FirstName": {"S": "Howard"}, "Address": {"M": {"Street": {"S": "123 Main"}, "City": {"S": "London"}, "PostalCode": {"S": "ER3 5K8"}}}, "FavoriteColor": {"S": "Blue"}}}');
	SELECT dynpg.put_item(jsonb_build_object('TableName', 'users', 'Item', jsonb_build_object(
		'PersonID', jsonb_build_object('N', (1000 + i)::text), 'tags', jsonb_build_object('SS', jsonb_build_array('a' || i, 'b')),
		'score', jsonb_build_object('N', (i * 1.5)::text)))) FROM generate_series(1, 300) AS i;
	SELECT dynpg.put_item(jsonb_build_object('TableName', 'chat', 'Item', jsonb_build_object(
		'chat_id', jsonb_build_object('S', 'c' || (i % 7)), 'sent', jsonb_build_object('N', i::text),
		'text', jsonb_build_object('S', repeat('message ', i % 20))))) FROM generate_series(1, 500) AS i;
	SELECT dynpg.put_item(jsonb_build_object('TableName', 'blobs', 'Item', jsonb_build_object(
		'k', jsonb_build_object('B', encode(int4send(i), 'base64')), 'big', jsonb_build_object('S', repeat(md5(i::text), 300)))))
	  FROM generate_series(1, 50) AS i;
});
$node->safe_psql('source', qq{
	SELECT dynpg.put_item(jsonb_build_object('TableName', '$long_name', 'Item', jsonb_build_object(
		'customer', jsonb_build_object('S', 'cust' || (i % 10)), 'order', jsonb_build_object('S', 'o' || i),
		'total', jsonb_build_object('N', (i * 3.25)::text)))) FROM generate_series(1, 200) AS i;
});

# Every table's items as sorted text, and every table's key schema as
# DescribeTable reports it (with its TableId and CreationDateTime).
my $content_sql = q{
	CREATE FUNCTION pg_temp.contents() RETURNS SETOF text LANGUAGE plpgsql AS $$
	DECLARE t record;
	BEGIN
		FOR t IN SELECT table_name, relation FROM dynpg.tables ORDER BY table_name COLLATE "C" LOOP
			RETURN QUERY EXECUTE format('SELECT %L || '' '' || item::text FROM %s ORDER BY item::text COLLATE "C"',
										t.table_name, t.relation);
		END LOOP;
	END $$;
	SELECT string_agg(c, E'\n') FROM pg_temp.contents() AS c;
};
my $schema_sql = q{
	SELECT string_agg(d::text, E'\n' ORDER BY table_name COLLATE "C")
	  FROM (SELECT table_name, jsonb_build_object(
				'TableName', r -> 'Table' -> 'TableName', 'KeySchema', r -> 'Table' -> 'KeySchema',
				'AttributeDefinitions', r -> 'Table' -> 'AttributeDefinitions', 'TableId', r -> 'Table' -> 'TableId',
				'LocalSecondaryIndexes', r -> 'Table' -> 'LocalSecondaryIndexes',
				'GlobalSecondaryIndexes', r -> 'Table' -> 'GlobalSecondaryIndexes',
				'CreationDateTime', r -> 'Table' -> 'CreationDateTime', 'ItemCount', r -> 'Table' -> 'ItemCount',
				'TableSizeBytes', r -> 'Table' -> 'TableSizeBytes') AS d
			  FROM dynpg.tables, dynpg.describe_table(jsonb_build_object('TableName', table_name)) AS r) s;
};
# Every table's settings as the API reports them.
my $settings_sql = q{
	SELECT string_agg(d::text, E'\n' ORDER BY table_name COLLATE "C")
	  FROM (SELECT table_name, jsonb_build_object('TableName', table_name,
				'Tags', dynpg.list_tags_of_resource(jsonb_build_object('ResourceArn', r -> 'Table' ->> 'TableArn')) -> 'Tags',
				'TimeToLive', dynpg.describe_time_to_live(jsonb_build_object('TableName', table_name)),
				'DeletionProtectionEnabled', r -> 'Table' -> 'DeletionProtectionEnabled',
				'TableClassSummary', r -> 'Table' -> 'TableClassSummary', 'SSEDescription', r -> 'Table' -> 'SSEDescription',
				'OnDemandThroughput', r -> 'Table' -> 'OnDemandThroughput', 'WarmThroughput', r -> 'Table' -> 'WarmThroughput') AS d
			  FROM dynpg.tables, dynpg.describe_table(jsonb_build_object('TableName', table_name)) AS r) s;
};
my $source_settings = $node->safe_psql('source', $settings_sql);
like($source_settings, qr/"Tags": \[\{"Key": "env", "Value": "test"\}, \{"Key": "team", "Value": "db"\}\].*"TimeToLive": \{"TimeToLiveDescription": \{"AttributeName": "expires", "TimeToLiveStatus": "ENABLED"\}\}.*"TableClassSummary": \{"TableClass": "STANDARD_INFREQUENT_ACCESS"\}.*"DeletionProtectionEnabled": true/s,
	'the settings compared include tags, time to live, table class and deletion protection');
like($source_settings, qr/"Tags": \[\{"Key": "owner", "Value": "fred"\}\]/, 'and tags added by TagResource');
my $source_content = $node->safe_psql('source', $content_sql);
my $source_schemas = $node->safe_psql('source', $schema_sql);
my $source_items = () = $source_content =~ /\n/g;
cmp_ok($source_items + 1, '==', 3 + 300 + 500 + 50 + 200 + 100, 'the source holds every item');

# The export and import history (dynpg.exports, dynpg.imports) is dumped
# too: an export of users, imported into a table deleted again (its import
# stays in the history).
my $s3 = $node->basedir . '/s3';
my $export_arn = $node->safe_psql('source', qq{
	SET dynpg.export_directory = '$s3';
	SELECT dynpg.export_table('users', 'bkt/hist') #>> '{ExportDescription,ExportArn}'});
like($export_arn, qr{^arn:aws:dynamodb:ddblocal:000000000000:table/users/export/\d{14}-[0-9a-f]{8}$},
	'an export of users');
my $export_id = (split m{/export/}, $export_arn)[1];
$node->safe_psql('source', qq{
	SELECT dynpg.import_table('$s3/bkt/hist/AWSDynamoDB/$export_id', '{"TableName": "users_copy",
		"BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "PersonID", "KeyType": "HASH"}],
		"AttributeDefinitions": [{"AttributeName": "PersonID", "AttributeType": "N"}]}');
	SELECT dynpg.delete_table('{"TableName": "users_copy"}')});
my $history_sql = q{SELECT dynpg.list_exports() || dynpg.list_imports()
	|| jsonb_build_object('describe', dynpg.describe_export(jsonb_build_object('ExportArn',
		dynpg.list_exports() #>> '{ExportSummaries,0,ExportArn}')))
	|| jsonb_build_object('import', dynpg.describe_import(jsonb_build_object('ImportArn',
		dynpg.list_imports() #>> '{ImportSummaryList,0,ImportArn}')))};
my $source_history = $node->safe_psql('source', $history_sql);
like($source_history, qr/"ExportStatus": "COMPLETED".*"ImportStatus": "COMPLETED"/s,
	'the source has a completed export and a completed import');

my $dump = $node->basedir . '/dynpg.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', 'source' ], 'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->command_ok([ 'pg_restore', '-j', '4', '-d', 'target', $dump ], 'pg_restore -j 4');

is($node->safe_psql('target', $content_sql), $source_content,
	'the restored tables hold the same items');
is($node->safe_psql('target', $schema_sql), $source_schemas,
	'DescribeTable reports the same key schemas, TableIds and sizes after the restore');
is($node->safe_psql('target', $settings_sql), $source_settings,
	'every table keeps its tags and settings after the restore');
like($source_schemas, qr/"LocalSecondaryIndexes": \[\{[^]]*"IndexName": "by-posted".*"GlobalSecondaryIndexes": \[\{[^]]*"IndexName": "by-author"/s,
	'the schemas compared include the secondary indexes');
is($node->safe_psql('target', q{SELECT string_agg(index_name || ' ' || index_kind, ', ' ORDER BY index_name) FROM dynpg.indexes}),
	'by-author GSI, by-forum-author GSI, by-posted LSI', 'dynpg.indexes lists the restored indexes');
is($node->safe_psql('target', 'SELECT dynpg.list_tables()'),
	$node->safe_psql('source', 'SELECT dynpg.list_tables()'), 'ListTables lists the same tables');
is($node->safe_psql('target', $history_sql), $source_history,
	'ListExports, ListImports, DescribeExport and DescribeImport answer the same after the restore');
# the imports' sequence was dumped too: a new import gets a new place
$node->safe_psql('target', qq{
	SELECT dynpg.import_table('$s3/bkt/hist/AWSDynamoDB/$export_id', '{"TableName": "users_again",
		"BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "PersonID", "KeyType": "HASH"}],
		"AttributeDefinitions": [{"AttributeName": "PersonID", "AttributeType": "N"}]}');
	SELECT dynpg.delete_table('{"TableName": "users_again"}')});
is($node->safe_psql('target', q{SELECT count(*) FROM dynpg.imports}), '2',
	'a new import after the restore is recorded beside the restored one');

# dynpg's item operators are in pg_catalog (members of the extension, made by
# its CREATE EXTENSION, so the dump holds no definition of them): the restored
# database reads items with them whatever its search_path, here PostgreSQL's
# default, which does not hold schema dynpg.
my ($listing) = run_command([ 'pg_restore', '-f', '-', '-s', $dump ]);
ok($listing =~ /CREATE EXTENSION IF NOT EXISTS dynpg/ && $listing !~ /CREATE OPERATOR/,
	'the dump creates the extension and no operator of its own');
is($node->safe_psql('target', q{SHOW search_path}), '"$user", public',
	'the restored database has the default search_path');
is($node->safe_psql('target', q{SELECT string_agg(item ->> 'LastName', ',' ORDER BY item ->> 'LastName')
		FROM dynamodb.users WHERE item ? 'LastName' AND item -> 'PersonID' ->> 'N' <> '101'}),
	'Jones,Stephens', 'the item operators ->>, -> and ? work in the restored database');
is($node->safe_psql('target', q{SELECT count(*) FROM dynamodb.users a JOIN dynamodb.users b ON a.item = b.item
		WHERE a.item <= b.item AND a.item >= b.item AND NOT (a.item < b.item OR a.item > b.item OR a.item <> b.item)}),
	'303', 'and so do the comparison operators');

# The restored tables work through the API, and keep enforcing their keys.
is($node->safe_psql('target',
		q{SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "102"}}}') -> 'Item' ->> 'LastName'}),
	'{"S": "Jones"}', 'GetItem reads a restored item');
is($node->safe_psql('target',
		qq{SELECT dynpg.get_item('{"TableName": "$long_name", "Key": {"customer": {"S": "cust3"}, "order": {"S": "o13"}}}') -> 'Item' ->> 'total'}),
	'{"N": "42.25"}', 'GetItem reads the long-named table');
is($node->safe_psql('target',
		q{SELECT dynpg.put_item('{"TableName": "chat", "Item": {"chat_id": {"S": "c1"}, "sent": {"N": "1"}}, "ReturnValues": "ALL_OLD"}') -> 'Attributes' -> 'text'}),
	'{"S": "message "}', 'PutItem replaces a restored item');
my ($ret, $stdout, $stderr) = $node->psql('target',
	q{INSERT INTO dynamodb.chat VALUES ('{"chat_id": {"S": "c1"}}')});
like($stderr, qr/Missing the key sent in the item/, 'the restored CHECK constraint still enforces the key schema');
# Writes to the restored table with indexes maintain them: the LSI at once,
# the GSI through the change log (applied here by the test helper).
$node->safe_psql('target', q{
	SELECT dynpg.put_item('{"TableName": "threads", "Item": {"forum": {"S": "f"}, "subject": {"S": "s"},
		"posted": {"N": "7"}, "author": {"B": "YQ=="}, "tags": {"S": "t"}}}');
	SELECT dynpg._apply_index_changes();});
is($node->safe_psql('target',
		q{SELECT dynpg.query('{"TableName": "threads", "IndexName": "by-posted", "KeyConditionExpression": "forum = :f AND posted = :p",
			"ExpressionAttributeValues": {":f": {"S": "f"}, ":p": {"N": "7"}}}') -> 'Items'}),
	'[{"tags": {"S": "t"}, "forum": {"S": "f"}, "posted": {"N": "7"}, "subject": {"S": "s"}}]',
	'a write to the restored table maintains its LSI');
is($node->safe_psql('target',
		q{SELECT dynpg.query('{"TableName": "threads", "IndexName": "by-author", "KeyConditionExpression": "author = :a",
			"ExpressionAttributeValues": {":a": {"B": "YQ=="}}}') ->> 'Count'}),
	'1', 'and its GSI');
# the multi-attribute GSI (forum, author; posted, subject): the restored items
# 84 (f0, a4) and, for (f, a), the one just written
is($node->safe_psql('target',
		q{SELECT dynpg.query('{"TableName": "threads", "IndexName": "by-forum-author",
			"KeyConditionExpression": "forum = :f AND author = :a AND posted > :p",
			"ExpressionAttributeValues": {":f": {"S": "f0"}, ":a": {"B": "YTQ="}, ":p": {"N": "0"}}}') -> 'Items' -> 0 ->> 'subject'}),
	'{"S": "s84"}', 'a multi-attribute GSI is rebuilt by the restore');
is($node->safe_psql('target',
		q{SELECT dynpg.query('{"TableName": "threads", "IndexName": "by-forum-author",
			"KeyConditionExpression": "forum = :f AND author = :a", "ExpressionAttributeValues": {":f": {"S": "f"}, ":a": {"B": "YQ=="}}}') ->> 'Count'}),
	'1', 'and maintained after it');
is($node->safe_psql('target', q{SELECT dynpg.verify('threads') ->> 'ok'}), 'true',
	'dynpg.verify finds the restored indexes complete');
is($node->safe_psql('target',
		q{SELECT dynpg.put_item('{"TableName": "threads", "Item": {"forum": {"S": "f"}, "subject": {"S": "s"}, "posted": {"N": "1"}}}')}),
	'{}', 'the restored table with indexes takes writes');
($ret, $stdout, $stderr) = $node->psql('target',
	q{SELECT dynpg.put_item('{"TableName": "threads", "Item": {"forum": {"S": "f"}, "subject": {"S": "s"}, "posted": {"S": "1"}}}')});
like($stderr, qr/Type mismatch for Index Key posted Expected: N Actual: S IndexName: by-posted/,
	'the restored indexes check their key types');

$node->stop;
done_testing();
