# Helpers shared by dynpg's TAP tests: a preloaded node, tables and items
# through dynpg's wire API, and a content digest.
package DynpgTest;

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use Test::More ();
use Exporter 'import';

our @EXPORT = qw(dynpg_node things_table numbers_table create_hash_table create_range_table create_load_table put_sql digest verify_ok
  http_call http_send http_read http_node access_key client_env run_client_checks);

# A node serving the HTTP endpoint on a free port for database 'postgres'
# (with 'workers' HTTP workers, 'conf' added), a role 'role' that may create
# tables, and an access key for it; passes once the workers run.  Returns
# (node, port, key id, secret).
sub http_node
{
	my ($name, %opts) = @_;
	my $workers = $opts{workers} // 1;
	my $role = $opts{role} // 'app';
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	my $node = dynpg_node($name, conf => qq{
dynpg.http_port = $port
dynpg.http_workers = $workers
dynpg.http_database = 'postgres'
max_worker_processes = 16
} . ($opts{conf} // ''));
	$node->safe_psql('postgres', qq{
		CREATE ROLE $role;
		GRANT CREATE ON SCHEMA dynamodb TO $role;
	});
	my ($key, $secret) = access_key($node, $role);
	Test::More::ok($node->poll_query_until('postgres', "SELECT count(*) = $workers FROM dynpg.http_status"),
		"$workers HTTP worker(s) run");
	return ($node, $port, $key, $secret);
}

# A new access key of 'role': (key id, secret)
sub access_key
{
	my ($node, $role) = @_;
	return split /\|/, $node->safe_psql('postgres',
		"SELECT access_key_id || '|' || secret_access_key FROM dynpg.create_access_key('$role')");
}

# The environment an AWS client needs for the endpoint on 'port' with that
# key, and nothing from the user's own AWS configuration: set with local %ENV
sub client_env
{
	my ($port, $key, $secret) = @_;
	return (DYNPG_ENDPOINT => "http://127.0.0.1:$port", DYNPG_HOST => '127.0.0.1',
		DYNPG_PORT => $port, AWS_ACCESS_KEY_ID => $key, AWS_SECRET_ACCESS_KEY => $secret,
		AWS_CONFIG_FILE => '/dev/null', AWS_SHARED_CREDENTIALS_FILE => '/dev/null');
}

# Run a client script that prints 'ok - ...' / 'not ok - ...' lines: each
# becomes a test; then one that it ran at least 'min' checks (exactly
# 'exact' when given) and one that it exited 0.  Returns its stderr.
sub run_client_checks
{
	my ($cmd, %opts) = @_;
	my ($stdout, $stderr) = ('', '');
	my $name = $cmd->[-1];
	$name =~ s{.*/}{};
	my $ok = IPC::Run::run($cmd, '>', \$stdout, '2>', \$stderr);
	my $checks = 0;
	foreach my $line (split /\n/, $stdout)
	{
		if ($line =~ /^ok - (.*)$/) { Test::More::pass($1); $checks++; }
		elsif ($line =~ /^not ok - (.*)$/) { Test::More::fail($1); $checks++; }
	}
	if (defined $opts{exact})
	{
		Test::More::is($checks, $opts{exact}, "$name ran its $opts{exact} checks")
		  or Test::More::diag($stderr);
	}
	else
	{
		Test::More::ok($checks >= ($opts{min} // 1), "$name ran its checks ($checks)")
		  or Test::More::diag($stderr);
	}
	Test::More::ok($ok, "$name exited 0") or Test::More::diag($stderr);
	return $stderr;
}

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

# The cluster tests' tables (TAP 040, 041): Things, key (p S, s N) with an
# LSI ByScore on score and a GSI ByColor on color (its projection 'ALL' or
# as given); Numbers, key n N.  CreateTable requests, on one line.
sub things_table
{
	my ($projection) = @_;
	$projection //= 'ALL';
	return '{"TableName":"Things","BillingMode":"PAY_PER_REQUEST",'
	  . '"KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],'
	  . '"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"},'
	  . '{"AttributeName":"score","AttributeType":"N"},{"AttributeName":"color","AttributeType":"S"}],'
	  . '"LocalSecondaryIndexes":[{"IndexName":"ByScore","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},'
	  . '{"AttributeName":"score","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}],'
	  . '"GlobalSecondaryIndexes":[{"IndexName":"ByColor","KeySchema":[{"AttributeName":"color","KeyType":"HASH"}],'
	  . '"Projection":{"ProjectionType":"' . $projection . '"}}]}';
}

sub numbers_table
{
	return '{"TableName":"Numbers","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"n","KeyType":"HASH"}],'
	  . '"AttributeDefinitions":[{"AttributeName":"n","AttributeType":"N"}]}';
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

# A table for bulk loads: key (p S, s N), an LSI on g (keys only), a GSI
# on g (all attributes); with stream => 1 also a NEW_IMAGE stream
sub create_load_table
{
	my ($node, $name, %o) = @_;
	my $stream = $o{stream} ? ',"StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}' : '';
	$node->safe_psql('postgres', qq{SELECT dynpg.create_table('{"TableName":"$name","BillingMode":"PAY_PER_REQUEST",
	  "KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
	  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"},
	    {"AttributeName":"g","AttributeType":"S"}],
	  "LocalSecondaryIndexes":[{"IndexName":"by_g","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},
	    {"AttributeName":"g","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],
	  "GlobalSecondaryIndexes":[{"IndexName":"gsi_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],
	    "Projection":{"ProjectionType":"ALL"}}]$stream}')});
	return;
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
