# Helpers shared by dynpg's TAP tests: a preloaded node, tables and items
# through dynpg's wire API, and a content digest.
package DynpgTest;

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use Exporter 'import';

our @EXPORT = qw(dynpg_node create_hash_table create_range_table put_sql digest verify_ok);

# A node that preloads dynpg, with the extension created in 'postgres'.
sub dynpg_node
{
	my ($name, %opts) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%{ $opts{init} || {} });
	$node->append_conf('postgresql.conf', "shared_preload_libraries = 'dynpg'");
	$node->append_conf('postgresql.conf', $opts{conf}) if $opts{conf};
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION dynpg') unless $opts{no_extension};
	return $node;
}

# CreateTable with a string partition key 'p'
sub create_hash_table
{
	my ($node, $table) = @_;
	$node->safe_psql('postgres', qq{SELECT dynpg.create_table('{"TableName":"$table","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}]}')});
}

# CreateTable with a string partition key 'p' and a string sort key 's'
sub create_range_table
{
	my ($node, $table) = @_;
	$node->safe_psql('postgres', qq{SELECT dynpg.create_table('{"TableName":"$table","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}]}')});
}

# SQL that puts the plain-JSON item built by the SQL expression $itemexpr (jsonb)
sub put_sql
{
	my ($table, $itemexpr) = @_;
	return "SELECT dynpg.put_item(jsonb_build_object('TableName', '$table', 'Item', dynpg.from_plain_json($itemexpr)::jsonb))";
}

# count and md5 of the table's items in canonical text, order-independent
sub digest
{
	my ($node, $table, $db) = @_;
	return $node->safe_psql($db || 'postgres',
		"SELECT count(*) || ' ' || coalesce(md5(string_agg(item::text, ',' ORDER BY item::text)), '-') FROM dynamodb.\"$table\"");
}

# dynpg.verify() of a table: ok, and its report
sub verify_ok
{
	my ($node, $table, $db) = @_;
	my $report = $node->safe_psql($db || 'postgres', "SELECT dynpg.verify('$table')");
	my $ok = $node->safe_psql($db || 'postgres', "SELECT (dynpg.verify('$table') ->> 'ok')::boolean");
	return ($ok eq 't', $report);
}

1;
