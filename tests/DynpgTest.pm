# Helpers shared by dynpg's TAP tests: a preloaded node, tables and items
# through dynpg's wire API, and a content digest.
package DynpgTest;

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use Exporter 'import';

our @EXPORT = qw(dynpg_node create_hash_table create_range_table put_sql digest verify_ok
  http_call http_send http_read);

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

# The HTTP endpoint in trust mode (dynpg.http_auth = 'trust'): a request
# with a well-formed Authorization header whose signature nobody checks.
# http_send($sock, $op, $body) writes one; http_read($sock) reads one
# response as (status, body), or () when the connection closed or timed out.
sub http_send
{
	my ($sock, $port, $op, $body) = @_;
	my $req = "POST / HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
	  . "X-Amz-Target: DynamoDB_20120810.$op\r\n"
	  . "Content-Type: application/x-amz-json-1.0\r\n"
	  . "X-Amz-Date: 20240101T000000Z\r\n"
	  . "Authorization: AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, "
	  . "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" . ('0' x 64) . "\r\n"
	  . "Content-Length: " . length($body) . "\r\n\r\n" . $body;
	print $sock $req;
}

sub http_read
{
	my ($sock, $timeout) = @_;
	$timeout //= 60;
	my $buf = '';
	my $deadline = time() + $timeout;
	my ($status, $len);
	while (time() <= $deadline)
	{
		if (!defined $status && $buf =~ /\A(HTTP\/1\.1 (\d+)[^\r\n]*\r\n(.*?)\r\n\r\n)/s)
		{
			my ($head, $st, $hdrs) = ($1, $2, $3);
			$status = $st;
			$len = $hdrs =~ /^content-length:\s*(\d+)/mi ? $1 : 0;
			$buf = substr($buf, length($head));
		}
		return ($status, substr($buf, 0, $len)) if defined $status && length($buf) >= $len;
		my $rin = '';
		vec($rin, fileno($sock), 1) = 1;
		my $n = select(my $rout = $rin, undef, undef, 1);
		next if $n <= 0;
		my $got = sysread($sock, my $chunk, 65536);
		return () if !$got;
		$buf .= $chunk;
	}
	return ();
}

# One request on a new connection: (status, body), or () on no answer.
sub http_call
{
	my ($port, $op, $body, $timeout) = @_;
	require IO::Socket::INET;
	my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp')
	  or return ();
	$sock->autoflush(1);
	http_send($sock, $port, $op, $body);
	my @r = http_read($sock, $timeout);
	close($sock);
	return @r;
}

1;
