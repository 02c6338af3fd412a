# Partitioned dynpg (PL/Proxy): a router database in front of 4 dynpg nodes
# on loopback, against one plain node running the same workload: the same
# responses, errors and pages (src/api/README, "Partitioned dynpg"); every
# item on the node its partition hash names; a node stopped is a clear
# error for its partitions while the others answer; a node's standby
# serves the eventual reads routed to that node; boto3 through the
# router's HTTP endpoint (tests/http/cluster_boto3.py).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

# the nodes take part in two-phase commits (PREPARE TRANSACTION)
# (each also streams to a standby: "A node's standby serves eventual reads")
my @nodes = map {
	dynpg_node("node$_", conf => 'max_prepared_transactions = 10',
		init => { allows_streaming => 1 })
} 0 .. 3;
my $single = dynpg_node('single');
my ($router, $port, $key, $secret) = http_node('router', workers => 1);

# the nodes' connection strings (the test clusters listen on Unix sockets)
my @conn = map { 'host=' . $_->host . ' port=' . $_->port . ' dbname=postgres' } @nodes;
my $conn_array = 'ARRAY[' . join(', ', map { "'$_'" } @conn) . ']';

# ---------------------------------------------------------------------------
# create_cluster's checks
# ---------------------------------------------------------------------------
my ($ret, $out, $err);
($ret, $out, $err) = $router->psql('postgres',
	"SELECT dynpg.create_cluster('dyn', ARRAY['$conn[0]', '$conn[1]', '$conn[2]'])");
like($err, qr/a cluster has a power of two nodes \(1, 2, 4, ... 1024\), each a connection string; got 3/,
	'create_cluster refuses 3 nodes');
my $dead_port = PostgreSQL::Test::Cluster::get_free_port();
($ret, $out, $err) = $router->psql('postgres',
	"SELECT dynpg.create_cluster('dyn', ARRAY['$conn[0]', 'host=127.0.0.1 port=$dead_port dbname=postgres connect_timeout=2'])");
like($err, qr/cluster node 1 \(host=127.0.0.1 port=$dead_port dbname=postgres connect_timeout=2\) does not answer: /,
	'create_cluster names a node that does not answer');
create_hash_table($nodes[3], 'Leftover');
($ret, $out, $err) = $router->psql('postgres', "SELECT dynpg.create_cluster('dyn', $conn_array)");
like($err, qr/cluster node 3 \(.*\) holds 1 DynamoDB tables; a new cluster's nodes hold none/,
	'create_cluster refuses a node that holds tables');
$nodes[3]->safe_psql('postgres', q{SELECT dynpg.delete_table('{"TableName":"Leftover"}')});
is($router->safe_psql('postgres', 'SELECT count(*) FROM dynpg.cluster'), '0',
	'... and a failed create_cluster leaves nothing behind');

# server options are readable by every role: a password there is refused
($ret, $out, $err) = $router->psql('postgres',
	"SELECT dynpg.create_cluster('dyn', ARRAY['$conn[0] password=secret', '$conn[1]'])");
like($err, qr/connection string may not hold a password/, 'a node connection string with a password is refused');
($ret, $out, $err) = $router->psql('postgres',
	"SELECT dynpg.create_cluster('dyn', ARRAY['postgresql://u:secret\@localhost/postgres'])");
like($err, qr/connection string may not hold a password/, '... in a URI too');

$router->safe_psql('postgres', "SELECT dynpg.create_cluster('dyn', $conn_array)");
# run_on reaches the nodes as the cluster's creator: only the router may call it
$router->safe_psql('postgres', 'CREATE ROLE plain LOGIN');
($ret, $out, $err) = $router->psql('postgres',
	q{SET ROLE plain; SELECT dynpg_cluster.run_on(0, 'ListTables', '{}')});
like($err, qr/permission denied for function run_on/, 'a client cannot call the routing function directly');
is($router->safe_psql('postgres',
		'SELECT node, conninfo, hash_from, hash_to FROM dynpg.cluster_nodes ORDER BY node'),
	join("\n",
		"0|$conn[0]|0000000000000000|3fffffffffffffff",
		"1|$conn[1]|4000000000000000|7fffffffffffffff",
		"2|$conn[2]|8000000000000000|bfffffffffffffff",
		"3|$conn[3]|c000000000000000|ffffffffffffffff"),
	'cluster_nodes: each node with its quarter of the hashes');
($ret, $out, $err) = $router->psql('postgres', "SELECT dynpg.create_cluster('dyn2', $conn_array)");
like($err, qr/this database is already the router of cluster dyn/, 'one cluster per router');

# ---------------------------------------------------------------------------
# The same workload on the router and on the single node
# ---------------------------------------------------------------------------
my $helpers = q{
CREATE FUNCTION pg_temp.try(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text;
BEGIN
	RETURN dynpg.execute(op, req)::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN 'ERROR ' || st || ' ' || msg || ' ' || coalesce(det, '');
END $$;
};

# Run the statements on both, as one psql script each; every output line is compared
sub both
{
	my ($sql) = @_;
	my $r = $router->safe_psql('postgres', $helpers . $sql);
	my $s = $single->safe_psql('postgres', $helpers . $sql);
	# the moments a table was created differ
	s/"(CreationDateTime|LastUpdateToPayPerRequestDateTime)": [0-9.e+]+/"$1": T/g for ($r, $s);
	s/"TableId": "[0-9a-f-]+"/"TableId": U/g for ($r, $s);
	s{/stream/[0-9T:.-]+}{/stream/L}g for ($r, $s);
	return ($r, $s);
}

sub same
{
	my ($sql, $name) = @_;
	my ($r, $s) = both($sql);
	is($r, $s, $name);
	return $r;
}

my $things = things_table();
my $numbers = numbers_table();

my $r = same(qq{
SELECT pg_temp.try('CreateTable', '$things');
SELECT pg_temp.try('CreateTable', '$numbers');
SELECT pg_temp.try('CreateTable', '$numbers');
SELECT pg_temp.try('CreateTable', '{"TableName":"x"}');
SELECT pg_temp.try('ListTables', '{}');
}, 'CreateTable, its errors and ListTables: the same');
like($r, qr/ResourceInUseException/, '... a second CreateTable is ResourceInUseException');
is($nodes[$_]->safe_psql('postgres', q{SELECT dynpg.list_tables('{}')->'TableNames'}),
	'["Numbers", "Things"]', "node $_ has both tables") for 0 .. 3;

# a role with privileges on the router's table is routed (as the cluster's
# creator on the nodes); one without is refused by the router
$router->safe_psql('postgres', 'GRANT SELECT, INSERT ON dynamodb."Things" TO plain');
is($router->safe_psql('postgres', q{SET ROLE plain; SELECT dynpg.put_item('{"TableName":"Things","Item":{"p":{"S":"plain"},"s":{"N":"1"}}}');
	SELECT dynpg.get_item('{"TableName":"Things","Key":{"p":{"S":"plain"},"s":{"N":"1"}}}')}),
	qq({}\n{"Item": {"p": {"S": "plain"}, "s": {"N": "1"}}}), 'a role with privileges on the router is routed');
($ret, $out, $err) = $router->psql('postgres',
	q{SET ROLE plain; SELECT dynpg.delete_item('{"TableName":"Things","Key":{"p":{"S":"plain"},"s":{"N":"1"}}}')});
like($err, qr/permission denied for table Things/, '... and refused what the router does not grant');
$router->safe_psql('postgres', q{SELECT dynpg.delete_item('{"TableName":"Things","Key":{"p":{"S":"plain"},"s":{"N":"1"}}}')});

# 300 items over 40 partitions; numbers written in several spellings
same(q{
SELECT count(*), string_agg(DISTINCT pg_temp.try('PutItem', jsonb_build_object('TableName', 'Things',
	'Item', jsonb_build_object('p', jsonb_build_object('S', 'k' || (i % 40)),
		's', jsonb_build_object('N', i::text), 'score', jsonb_build_object('N', ((i * 7) % 100)::text),
		'color', jsonb_build_object('S', (ARRAY['red','green','blue','black','white'])[1 + i % 5]),
		'data', jsonb_build_object('S', repeat('x', i % 50))))), ',')
FROM generate_series(1, 300) i;
SELECT count(*), string_agg(DISTINCT pg_temp.try('PutItem', jsonb_build_object('TableName', 'Numbers',
	'Item', jsonb_build_object('n', jsonb_build_object('N', CASE WHEN i % 2 = 0 THEN i::text ELSE i::text || '.000' END),
		'v', jsonb_build_object('N', (i * 3)::text)))), ',')
FROM generate_series(1, 100) i;
}, 'PutItem of 400 items: the same');

same(q{
SELECT pg_temp.try('PutItem', '{"TableName":"Things","Item":{"p":{"S":"k1"},"s":{"N":"1"}},"ConditionExpression":"attribute_not_exists(p)"}');
SELECT pg_temp.try('PutItem', '{"TableName":"Things","Item":{"p":{"S":"k1"},"s":{"N":"1"}},"ConditionExpression":"attribute_not_exists(p)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}');
SELECT pg_temp.try('PutItem', '{"TableName":"Things","Item":{"p":{"S":"k1"}}}');
SELECT pg_temp.try('PutItem', '{"TableName":"Things","Item":{"p":{"N":"1"},"s":{"N":"1"}}}');
SELECT pg_temp.try('PutItem', '{"TableName":"Nothing","Item":{"p":{"S":"k1"}}}');
SELECT pg_temp.try('PutItem', '{"TableName":"Things","Item":{"p":{"S":"k1"},"s":{"N":"1x"}}}');
SELECT pg_temp.try('GetItem', '{"TableName":"Things","Key":{"p":{"S":"k1"},"s":{"N":"41"}}}');
SELECT pg_temp.try('GetItem', '{"TableName":"Things","Key":{"p":{"S":"k1"},"s":{"N":"41"}},"ProjectionExpression":"score, #d","ExpressionAttributeNames":{"#d":"data"}}');
SELECT pg_temp.try('GetItem', '{"TableName":"Things","Key":{"p":{"S":"k1"},"s":{"N":"2"}}}');
SELECT pg_temp.try('GetItem', '{"TableName":"Things","Key":{"p":{"S":"k1"}}}');
SELECT pg_temp.try('GetItem', '{"TableName":"Numbers","Key":{"n":{"N":"7"}}}');
SELECT pg_temp.try('GetItem', '{"TableName":"Numbers","Key":{"n":{"N":"70E-1"}}}');
SELECT pg_temp.try('UpdateItem', '{"TableName":"Things","Key":{"p":{"S":"k2"},"s":{"N":"2"}},"UpdateExpression":"ADD hits :one SET color = :c","ExpressionAttributeValues":{":one":{"N":"1"},":c":{"S":"pink"}},"ReturnValues":"ALL_NEW"}');
SELECT pg_temp.try('UpdateItem', '{"TableName":"Things","Key":{"p":{"S":"k2"},"s":{"N":"2"}},"UpdateExpression":"SET p = :c","ExpressionAttributeValues":{":c":{"S":"pink"}}}');
SELECT pg_temp.try('UpdateItem', '{"TableName":"Things","Key":{"p":{"S":"k3"},"s":{"N":"3"}},"UpdateExpression":"SET a = :a","ConditionExpression":"score > :big","ExpressionAttributeValues":{":a":{"S":"x"},":big":{"N":"1000"}}}');
SELECT pg_temp.try('DeleteItem', '{"TableName":"Things","Key":{"p":{"S":"k4"},"s":{"N":"4"}},"ReturnValues":"ALL_OLD"}');
SELECT pg_temp.try('DeleteItem', '{"TableName":"Things","Key":{"p":{"S":"k4"},"s":{"N":"4"}},"ReturnValues":"ALL_OLD"}');
SELECT pg_temp.try('DeleteItem', '{"TableName":"Numbers","Key":{"n":{"N":"8"}},"ConditionExpression":"v = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}');
}, 'PutItem, GetItem, UpdateItem, DeleteItem and their errors: the same');

# Query: every page of each, on the table and its LSI
my $pages = q{
CREATE FUNCTION pg_temp.pages(op text, req jsonb) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE resp text; r jsonb; n int := 0;
BEGIN
	LOOP
		resp := pg_temp.try(op, req);
		RETURN NEXT resp;
		EXIT WHEN resp LIKE 'ERROR%';
		r := resp::jsonb;
		EXIT WHEN NOT r ? 'LastEvaluatedKey';
		req := req || jsonb_build_object('ExclusiveStartKey', r->'LastEvaluatedKey');
		n := n + 1;
		EXIT WHEN n > 500;
	END LOOP;
END $$;
};
same($pages . q{
SELECT pg_temp.pages('Query', '{"TableName":"Things","KeyConditionExpression":"p = :p","ExpressionAttributeValues":{":p":{"S":"k5"}},"Limit":3}');
SELECT pg_temp.pages('Query', '{"TableName":"Things","KeyConditionExpression":"p = :p AND s BETWEEN :a AND :b","ExpressionAttributeValues":{":p":{"S":"k7"},":a":{"N":"40"},":b":{"N":"250"}},"ScanIndexForward":false,"Limit":2}');
SELECT pg_temp.pages('Query', '{"TableName":"Things","IndexName":"ByScore","KeyConditionExpression":"p = :p AND score < :m","ExpressionAttributeValues":{":p":{"S":"k9"},":m":{"N":"60"}},"Limit":2}');
SELECT pg_temp.pages('Query', '{"TableName":"Things","KeyConditions":{"p":{"AttributeValueList":[{"S":"k11"}],"ComparisonOperator":"EQ"}},"QueryFilter":{"score":{"AttributeValueList":[{"N":"50"}],"ComparisonOperator":"GT"}},"Limit":4}');
SELECT pg_temp.pages('Query', '{"TableName":"Things","KeyConditionExpression":"p = :p","FilterExpression":"score > :m","ExpressionAttributeValues":{":p":{"S":"k12"},":m":{"N":"30"}},"Select":"COUNT"}');
SELECT pg_temp.pages('Query', '{"TableName":"Things","KeyConditionExpression":"s = :p","ExpressionAttributeValues":{":p":{"N":"1"}}}');
SELECT pg_temp.pages('Query', '{"TableName":"Numbers","KeyConditionExpression":"n = :n","ExpressionAttributeValues":{":n":{"N":"9.0"}}}');
}, 'Query (table, LSI, legacy, COUNT), every page, and its errors: the same');

# Scan: every page, whole and by segments (4 segments = the nodes; 3 and 8 are not)
same($pages . q{
SELECT pg_temp.pages('Scan', '{"TableName":"Things","Limit":25}');
SELECT pg_temp.pages('Scan', '{"TableName":"Things","Limit":7,"FilterExpression":"score < :m","ExpressionAttributeValues":{":m":{"N":"20"}}}');
SELECT pg_temp.pages('Scan', '{"TableName":"Numbers","Limit":9}');
SELECT pg_temp.pages('Scan', '{"TableName":"Numbers"}');
SELECT pg_temp.pages('Scan', '{"TableName":"Things","Select":"COUNT"}');
SELECT pg_temp.pages('Scan', '{"TableName":"Things","IndexName":"ByScore","Limit":40}');
SELECT pg_temp.pages('Scan', jsonb_build_object('TableName', 'Things', 'Segment', seg, 'TotalSegments', 4, 'Limit', 11)) FROM generate_series(0, 3) seg;
SELECT pg_temp.pages('Scan', jsonb_build_object('TableName', 'Things', 'Segment', seg, 'TotalSegments', 3, 'Limit', 13)) FROM generate_series(0, 2) seg;
SELECT pg_temp.pages('Scan', jsonb_build_object('TableName', 'Numbers', 'Segment', seg, 'TotalSegments', 8)) FROM generate_series(0, 7) seg;
SELECT pg_temp.pages('Scan', '{"TableName":"Things","Segment":4,"TotalSegments":4}');
SELECT pg_temp.pages('Scan', '{"TableName":"Things","ExclusiveStartKey":{"p":{"S":"k1"}}}');
}, 'Scan, every page, whole, filtered, by segments, and its errors: the same');

# a GSI: the router merges the nodes' answers (src/api/README): the same items, node by node
my ($gr, $gs) = both($pages . q{
SELECT item::text FROM pg_temp.pages('Query', '{"TableName":"Things","IndexName":"ByColor","KeyConditionExpression":"color = :c","ExpressionAttributeValues":{":c":{"S":"blue"}},"Limit":7}') AS page,
	jsonb_array_elements(page::jsonb->'Items') AS item ORDER BY 1;
SELECT item::text FROM pg_temp.pages('Scan', '{"TableName":"Things","IndexName":"ByColor","Limit":50}') AS page,
	jsonb_array_elements(page::jsonb->'Items') AS item ORDER BY 1;
});
is($gr, $gs, 'Query and Scan of a GSI, paged: the same items');
like($gr, qr/"color": \{"S": "blue"\}/, '... which are there');

# batches: the same responses (a BatchGetItem's items in any order)
same(q{
SELECT pg_temp.try('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Things',
	(SELECT jsonb_agg(CASE WHEN i % 3 = 0
		THEN jsonb_build_object('DeleteRequest', jsonb_build_object('Key', jsonb_build_object('p', jsonb_build_object('S', 'k' || (i % 40)), 's', jsonb_build_object('N', i::text))))
		ELSE jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('p', jsonb_build_object('S', 'k' || (i % 40)), 's', jsonb_build_object('N', i::text), 'batch', jsonb_build_object('BOOL', true)))) END)
	 FROM generate_series(100, 124) i))));
SELECT pg_temp.try('BatchWriteItem', '{"RequestItems":{"Things":[{"PutRequest":{"Item":{"p":{"S":"k1"},"s":{"N":"1"}}}},{"PutRequest":{"Item":{"p":{"S":"k2"}}}}]}}');
SELECT pg_temp.try('BatchWriteItem', '{"RequestItems":{"Things":[{"PutRequest":{"Item":{"p":{"S":"k1"},"s":{"N":"1"}}}},{"DeleteRequest":{"Key":{"p":{"S":"k1"},"s":{"N":"1"}}}}]}}');
SELECT pg_temp.try('GetItem', '{"TableName":"Things","Key":{"p":{"S":"k1"},"s":{"N":"1"}}}');
SELECT CASE WHEN r LIKE 'ERROR%' THEN r ELSE
	   (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM jsonb_array_elements(r::jsonb->'Responses'->'Things') x) || ' ' ||
	   (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM jsonb_array_elements(r::jsonb->'Responses'->'Numbers') x) || ' ' ||
	   (r::jsonb->'UnprocessedKeys')::text END
FROM pg_temp.try('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object(
	'Things', jsonb_build_object('Keys', (SELECT jsonb_agg(jsonb_build_object('p', jsonb_build_object('S', 'k' || (i % 40)), 's', jsonb_build_object('N', i::text))) FROM generate_series(95, 130) i),
		'ProjectionExpression', 'p, s, batch'),
	'Numbers', jsonb_build_object('Keys', (SELECT jsonb_agg(jsonb_build_object('n', jsonb_build_object('N', i::text))) FROM generate_series(1, 20) i))))) r;
SELECT pg_temp.try('BatchGetItem', '{"RequestItems":{"Things":{"Keys":[{"p":{"S":"k1"},"s":{"N":"1"}},{"p":{"S":"k1"},"s":{"N":"1"}}]}}}');
}, 'BatchWriteItem, BatchGetItem and their errors: the same');

# transactions within one partition (one node): the same
same(q{
SELECT pg_temp.try('TransactWriteItems', '{"TransactItems":[{"Put":{"TableName":"Things","Item":{"p":{"S":"k20"},"s":{"N":"1000"}}}},{"Update":{"TableName":"Things","Key":{"p":{"S":"k20"},"s":{"N":"20"}},"UpdateExpression":"SET t = :t","ExpressionAttributeValues":{":t":{"S":"yes"}}}}]}');
SELECT pg_temp.try('TransactWriteItems', '{"TransactItems":[{"Put":{"TableName":"Things","Item":{"p":{"S":"k20"},"s":{"N":"1001"}}}},{"ConditionCheck":{"TableName":"Things","Key":{"p":{"S":"k20"},"s":{"N":"20"}},"ConditionExpression":"t = :no","ExpressionAttributeValues":{":no":{"S":"no"}}}}]}');
SELECT pg_temp.try('TransactGetItems', '{"TransactItems":[{"Get":{"TableName":"Things","Key":{"p":{"S":"k20"},"s":{"N":"1000"}}}},{"Get":{"TableName":"Things","Key":{"p":{"S":"k20"},"s":{"N":"1001"}}}},{"Get":{"TableName":"Things","Key":{"p":{"S":"k20"},"s":{"N":"20"}}}}]}');
SELECT pg_temp.try('TransactWriteItems', '{"TransactItems":[]}');
}, 'TransactWriteItems and TransactGetItems on one node: the same');

# a key of each node (the partition keys k0..k39 of Things)
my %on;
foreach my $i (0 .. 39)
{
	my $k = $router->safe_psql('postgres', qq{SELECT dynpg.cluster_node_of(dynpg.partition_hash('{"S":"k$i"}'), 4)});
	$on{$k} //= "k$i";
}
is(scalar(keys %on), 4, 'the keys k0..k39 fall on all 4 nodes');

# TransactWriteItems across nodes: two-phase commit, the same answers as one node
sub put_action
{
	my ($p, $s, $extra) = @_;
	return qq{{"Put":{"TableName":"Things","Item":{"p":{"S":"$p"},"s":{"N":"$s"}}$extra}}};
}
my $cross = '{"TransactItems":[' . join(',', map { put_action($on{$_}, 5000, '') } 0 .. 3)
  . '],"ReturnConsumedCapacity":"TOTAL"}';
my $cancel = '{"TransactItems":[' . join(',',
	put_action($on{0}, 5001, ''),
	put_action($on{1}, 5001, ''),
	qq{{"ConditionCheck":{"TableName":"Things","Key":{"p":{"S":"$on{2}"},"s":{"N":"5000"}},"ConditionExpression":"attribute_not_exists(p)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}}},
	put_action($on{3}, 5001, ''),
	qq{{"Update":{"TableName":"Things","Key":{"p":{"S":"$on{0}"},"s":{"N":"5000"}},"UpdateExpression":"SET t = :t","ConditionExpression":"attribute_not_exists(t)","ExpressionAttributeValues":{":t":{"S":"x"}}}}},
	qq{{"Delete":{"TableName":"Things","Key":{"p":{"S":"$on{1}"},"s":{"N":"5000"}},"ConditionExpression":"attribute_exists(zzz)"}}})
  . ']}';
my $count_5000 = q{SELECT pg_temp.try('Scan', '{"TableName":"Things","FilterExpression":"s >= :a","ExpressionAttributeValues":{":a":{"N":"5000"}},"Select":"COUNT"}')::jsonb->'Count';};
$r = same(qq{
SELECT pg_temp.try('TransactWriteItems', '$cross');
$count_5000
SELECT pg_temp.try('TransactWriteItems', '$cancel');
$count_5000
SELECT pg_temp.try('TransactGetItems', jsonb_build_object('TransactItems', jsonb_build_array(
	jsonb_build_object('Get', jsonb_build_object('TableName', 'Things', 'Key', '{"p":{"S":"$on{0}"},"s":{"N":"5000"}}'::jsonb)))));
}, 'TransactWriteItems across nodes (committed, then canceled by conditions on two nodes): the same');
like($r, qr/^\{"ConsumedCapacity": \[\{"TableName": "Things", "CapacityUnits": 8.0/, '... the first commits, its capacity summed');
like($r, qr/\n4\nERROR YD020 Transaction cancelled, please refer cancellation reasons for specific reasons \[None, None, ConditionalCheckFailed, None, None, ConditionalCheckFailed\] .*"CancellationReasons":\[\{"Code":"None"\},\{"Code":"None"\},\{"Code":"ConditionalCheckFailed","Item":/,
	'... the second is canceled with every action\'s reason, and the item of a ConditionCheck');
like($r, qr/\n4\n[^\n]*\n4\n/, '... and writes nothing');
is(join(',', map { $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') } @nodes),
	'0,0,0,0', '... no prepared transaction is left on the nodes');
is($router->safe_psql('postgres', 'SELECT count(*) FROM dynpg.cluster_xact'), '1',
	'... the router recorded the one commit decision');
like($router->safe_psql('postgres', $helpers . q{SELECT pg_temp.try('TransactGetItems', '{"TransactItems":[{"Get":{"TableName":"Things","Key":{"p":{"S":"k1"},"s":{"N":"1"}}}},{"Get":{"TableName":"Things","Key":{"p":{"S":"k2"},"s":{"N":"2"}}}}]}')}),
	qr/^ERROR YD001 dynpg cluster dyn: the items of a TransactGetItems are on nodes [0-9, ]+, which share no snapshot: a TransactGetItems must read items of one node \{"__type":"com.amazon.coral.validate#ValidationException"/,
	'TransactGetItems across nodes: ValidationException naming the nodes');
like(same(q{SELECT pg_temp.try('TransactWriteItems', '{"TransactItems":[{"Put":{"TableName":"Things","Item":{"p":{"S":"k1"},"s":{"N":"5000"}}}},{"Put":{"TableName":"Things","Item":{"p":{"S":"k2"}}}}]}');},
		'... a bad request across nodes hears its own error first, as on one node'),
	qr/^ERROR YD020 Transaction cancelled, please refer cancellation reasons for specific reasons \[None, ValidationError\]/,
	'... a TransactionCanceledException with its ValidationError');

# the router's transaction decides: rolled back there, rolled back on the nodes
my $cross2 = '{"TransactItems":[' . join(',', map { put_action($on{$_}, 5100, '') } 0 .. 3) . ']}';
$router->safe_psql('postgres', qq{BEGIN; SELECT dynpg.execute('TransactWriteItems', '$cross2'); ROLLBACK;});
is($router->safe_psql('postgres', $helpers . $count_5000), '4',
	'a TransactWriteItems across nodes in a SQL transaction rolled back: nothing written');
is(join(',', map { $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') } @nodes),
	'0,0,0,0', '... nothing left prepared');
$router->safe_psql('postgres', $helpers . qq{SELECT pg_temp.try('TransactWriteItems', '$cross2');
	SELECT pg_temp.try('PutItem', '{"TableName":"Things","Item":{"p":{"S":"nothing"}}}');});
is($router->safe_psql('postgres', $helpers . $count_5000), '8',
	'... committed when the call ran in an exception block (a subtransaction)');
my $cross3 = '{"TransactItems":[' . join(',', map { put_action($on{$_}, 5200, '') } 0 .. 3) . ']}';
$router->safe_psql('postgres', qq{BEGIN; SAVEPOINT a; SELECT dynpg.execute('TransactWriteItems', '$cross3'); ROLLBACK TO a; COMMIT;});
is($router->safe_psql('postgres', $helpers . $count_5000) . ' '
	. join(',', map { $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') } @nodes),
	'8 0,0,0,0', '... rolled back with the savepoint it ran in');
$single->safe_psql('postgres', $helpers . qq{SELECT pg_temp.try('TransactWriteItems', '$cross2')});

# DescribeTable: the counts of all nodes
same(q{
SELECT pg_temp.try('DescribeTable', '{"TableName":"Numbers"}')::jsonb #- '{Table,CreationDateTime}' #- '{Table,TableArn}' #- '{Table,TableId}';
SELECT pg_temp.try('DescribeTable', '{"TableName":"Nothing"}');
}, 'DescribeTable and its error: the same');

# PartiQL: the router runs the statements, their operations are routed
# (a key's node, a Scan over all, a transaction across nodes by two-phase commit)
same(q{
SELECT pg_temp.try('ExecuteStatement', '{"Statement":"INSERT INTO Numbers VALUE {''n'': 1001, ''w'': ''a''}"}');
SELECT pg_temp.try('ExecuteStatement', '{"Statement":"INSERT INTO Numbers VALUE {''n'': 1001, ''w'': ''b''}"}');
SELECT pg_temp.try('ExecuteStatement', '{"Statement":"SELECT * FROM Numbers WHERE n = 1001"}');
SELECT pg_temp.try('ExecuteStatement', '{"Statement":"UPDATE Numbers SET w = ''c'' WHERE n = 1001 RETURNING ALL NEW *"}');
SELECT pg_temp.try('ExecuteStatement', '{"Statement":"UPDATE Numbers SET w = ''d'' WHERE n = 999999"}');
SELECT pg_temp.try('ExecuteStatement', '{"Statement":"SELECT n FROM Numbers WHERE n BETWEEN 3 AND 9"}');
SELECT pg_temp.try('ExecuteStatement', '{"Statement":"SELECT n FROM Numbers WHERE n > 0", "Limit": 4}');
SELECT pg_temp.try('ExecuteTransaction', '{"TransactStatements":[{"Statement":"INSERT INTO Numbers VALUE {''n'': 1002}"},{"Statement":"INSERT INTO Numbers VALUE {''n'': 1005}"},{"Statement":"INSERT INTO Numbers VALUE {''n'': 1007}"}]}');
SELECT pg_temp.try('ExecuteTransaction', '{"TransactStatements":[{"Statement":"INSERT INTO Numbers VALUE {''n'': 1010}"},{"Statement":"INSERT INTO Numbers VALUE {''n'': 1002}"}]}');
SELECT pg_temp.try('ExecuteTransaction', '{"TransactStatements":[{"Statement":"SELECT * FROM Numbers WHERE n = 1002"}]}');
SELECT pg_temp.try('BatchExecuteStatement', '{"Statements":[{"Statement":"SELECT * FROM Numbers WHERE n = 1005"},{"Statement":"SELECT * FROM Numbers WHERE n = 1007"},{"Statement":"SELECT * FROM Nothing WHERE n = 1"}]}');
SELECT pg_temp.try('ExecuteStatement', '{"Statement":"DELETE FROM Numbers WHERE n = 1005 RETURNING ALL OLD *"}');
SELECT pg_temp.try('ExecuteStatement', '{"Statement":"SELECT * FROM Nothing"}');
}, 'PartiQL through the router: the same answers and errors as one node');
my $pql_nodes = $router->safe_psql('postgres', q{SELECT count(DISTINCT dynpg.cluster_node_of(
	dynpg.partition_hash(jsonb_build_object('N', i::text)), 4)) FROM unnest(ARRAY[1002, 1005, 1007]) i});
ok($pql_nodes > 1, "... the PartiQL transaction wrote to $pql_nodes nodes");
like($router->safe_psql('postgres', $helpers . q{SELECT pg_temp.try('ExecuteTransaction',
	'{"TransactStatements":[{"Statement":"SELECT * FROM Numbers WHERE n = 1002"},{"Statement":"SELECT * FROM Numbers WHERE n = 1007"}]}')}),
	qr/^ERROR YD001 dynpg cluster dyn: the items of a TransactGetItems are on nodes \d, \d, which share no snapshot/,
	'... a read transaction across nodes is refused as TransactGetItems is');

# Streams: the router's stream names every node's shards; each record once,
# per item in order (the same log as one node's)
my $streamed = q{{"TableName":"Streamed","BillingMode":"PAY_PER_REQUEST",
 "KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
 "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}],
 "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}};
$streamed =~ s/\n//g;
my $stream_log = q{
CREATE FUNCTION pg_temp.stream_log(t text, page int) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE arn text; d jsonb; sh jsonb; it text; r jsonb; start text; req jsonb; shards int := 0;
BEGIN
	arn := dynpg.execute('ListStreams', jsonb_build_object('TableName', t))->'Streams'->0->>'StreamArn';
	CREATE TEMP TABLE IF NOT EXISTS log_rows (k text, seq numeric, line text);
	TRUNCATE log_rows;
	LOOP
		req := jsonb_build_object('StreamArn', arn, 'Limit', page);
		IF start IS NOT NULL THEN req := req || jsonb_build_object('ExclusiveStartShardId', start); END IF;
		d := dynpg.execute('DescribeStream', req)->'StreamDescription';
		FOR sh IN SELECT * FROM jsonb_array_elements(d->'Shards') LOOP
			shards := shards + 1;
			it := dynpg.execute('GetShardIterator', jsonb_build_object('StreamArn', arn,
				'ShardId', sh->>'ShardId', 'ShardIteratorType', 'TRIM_HORIZON'))->>'ShardIterator';
			FOR n IN 1..100 LOOP
				r := dynpg.execute('GetRecords', jsonb_build_object('ShardIterator', it, 'Limit', 7));
				EXIT WHEN jsonb_array_length(r->'Records') = 0;
				INSERT INTO log_rows SELECT (e->'dynamodb'->'Keys'->'p'->>'S') || '/' || (e->'dynamodb'->'Keys'->'s'->>'N'),
					(e->'dynamodb'->>'SequenceNumber')::numeric,
					(e->>'eventName') || ' ' || coalesce(e->'dynamodb'->'NewImage', 'null')::text || ' '
					|| coalesce(e->'dynamodb'->'OldImage', 'null')::text
				  FROM jsonb_array_elements(r->'Records') e;
				it := r->>'NextShardIterator';
				EXIT WHEN it IS NULL;
			END LOOP;
		END LOOP;
		start := d->>'LastEvaluatedShardId';
		EXIT WHEN start IS NULL;
	END LOOP;
	RETURN QUERY SELECT k || ': ' || string_agg(line, '; ' ORDER BY seq) FROM log_rows GROUP BY k ORDER BY k;
END $$;
};
same(qq{
SELECT pg_temp.try('CreateTable', '$streamed') IS NOT NULL;
SELECT count(pg_temp.try('PutItem', jsonb_build_object('TableName', 'Streamed', 'Item',
  jsonb_build_object('p', jsonb_build_object('S', 'k' || i), 's', jsonb_build_object('N', (i % 3)::text),
    'v', jsonb_build_object('N', i::text))))) FROM generate_series(0, 39) i;
SELECT count(pg_temp.try('UpdateItem', jsonb_build_object('TableName', 'Streamed', 'Key',
  jsonb_build_object('p', jsonb_build_object('S', 'k' || i), 's', jsonb_build_object('N', (i % 3)::text)),
  'UpdateExpression', 'SET v = v + :one', 'ExpressionAttributeValues', '{":one":{"N":"1"}}'::jsonb))) FROM generate_series(0, 39, 3) i;
SELECT count(pg_temp.try('DeleteItem', jsonb_build_object('TableName', 'Streamed', 'Key',
  jsonb_build_object('p', jsonb_build_object('S', 'k' || i), 's', jsonb_build_object('N', (i % 3)::text))))) FROM generate_series(0, 39, 7) i;
$stream_log
SELECT * FROM pg_temp.stream_log('Streamed', 3);
SELECT pg_temp.try('GetShardIterator', jsonb_build_object('StreamArn',
  dynpg.execute('ListStreams', '{"TableName":"Streamed"}')->'Streams'->0->>'StreamArn',
  'ShardId', 'shardId-00000000000000000000-000000000000000000', 'ShardIteratorType', 'TRIM_HORIZON'));
SELECT pg_temp.try('GetShardIterator', '{"StreamArn":"arn:aws:dynamodb:ddblocal:000000000000:table/Nope/stream/2020-01-01T00:00:00.000","ShardId":"shardId-00000000000000000000-000000000000000000-001","ShardIteratorType":"LATEST"}');
SELECT pg_temp.try('DescribeStream', '{"StreamArn":"arn:aws:dynamodb:ddblocal:000000000000:table/Nope/stream/2020-01-01T00:00:00.000"}');
SELECT pg_temp.try('GetRecords', '{"ShardIterator":"not an iterator"}');
SELECT pg_temp.try('GetRecords', '{"ShardIterator":"x|node|fff|y"}');
}, 'Streams through the router: every record once, per item in order, as one node has them; the same errors');
my $router_shards = $router->safe_psql('postgres', q{SELECT string_agg(right(s->>'ShardId', 4), ',' ORDER BY ord)
  FROM jsonb_array_elements(dynpg.execute('DescribeStream', jsonb_build_object('StreamArn',
    dynpg.execute('ListStreams', '{"TableName":"Streamed"}')->'Streams'->0->>'StreamArn'))->'StreamDescription'->'Shards')
  WITH ORDINALITY AS x(s, ord)});
my $node_shards = join(',', map { my $k = $_; my $n = $nodes[$k]->safe_psql('postgres', q{SELECT jsonb_array_length(
  dynpg.execute('DescribeStream', jsonb_build_object('StreamArn',
    dynpg.execute('ListStreams', '{"TableName":"Streamed"}')->'Streams'->0->>'StreamArn'))->'StreamDescription'->'Shards')});
  join(',', map { sprintf('-%03x', $k) } 1 .. $n) } 0 .. 3);
is($router_shards, $node_shards, "... the router's shards are every node's, in node order");
both(q{SELECT pg_temp.try('DeleteTable', '{"TableName":"Streamed"}') IS NOT NULL});

# ---------------------------------------------------------------------------
# Each node holds only its own hash range, and together they hold what the single node holds
# ---------------------------------------------------------------------------
my @counts;
foreach my $k (0 .. 3)
{
	my $wrong = $nodes[$k]->safe_psql('postgres', qq{
		SELECT (SELECT count(*) FROM dynamodb."Things" WHERE dynpg.cluster_node_of(dynpg.partition_hash(item -> 'p'), 4) <> $k)
			 + (SELECT count(*) FROM dynamodb."Numbers" WHERE dynpg.cluster_node_of(dynpg.partition_hash(item -> 'n'), 4) <> $k)});
	is($wrong, '0', "node $k holds only items of its hash range");
	push @counts, $nodes[$k]->safe_psql('postgres', 'SELECT count(*) FROM dynamodb."Things"');
}
ok((grep { $_ > 20 } @counts) == 4, "every node holds a share of the items (@counts)");
is($router->safe_psql('postgres', 'SELECT count(*) FROM dynamodb."Things"'), '0',
	'the router holds none');
my $all = join(',', sort map {
	split /\n/, $_->safe_psql('postgres', 'SELECT item::text FROM dynamodb."Things"') } @nodes);
my $one = join(',', sort split /\n/, $single->safe_psql('postgres', 'SELECT item::text FROM dynamodb."Things"'));
is($all, $one, 'the nodes together hold exactly the single node\'s items');

# A full export through the router: the nodes' items, read by routed Scans,
# in AWS's layout on the router's server; synchronous (dynpg.export_table)
# and by the router's worker (ExportTableToPointInTime)
my $expdir = $router->data_dir . '/exports';
mkdir $expdir;
$router->safe_psql('postgres', "ALTER SYSTEM SET dynpg.export_directory = '$expdir'; SELECT pg_reload_conf();");
sub exported_items
{
	my ($dir) = @_;
	return $router->safe_psql('postgres', qq{
		CREATE TEMP TABLE lines (l text);
		COPY lines FROM PROGRAM 'find $dir -name "*.json.gz" -exec gzip -dc {} +'
		  WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02');
		SELECT count(*) || ' ' || string_agg(i, ',' ORDER BY i)
		  FROM (SELECT ((l::jsonb)->'Item')::text::dynpg.item::text AS i FROM lines) x});
}
my $single_items = $single->safe_psql('postgres',
	q{SELECT count(*) || ' ' || string_agg(item::text, ',' ORDER BY item::text) FROM dynamodb."Things"});
my $sync = $router->safe_psql('postgres', q{SELECT dynpg.export_table('Things', 'syncbucket', 'DYNAMODB_JSON')
  -> 'ExportDescription' ->> 'ExportStatus'});
is($sync, 'COMPLETED', 'export_table through the router: COMPLETED');
is(exported_items("$expdir/syncbucket"), $single_items, '... its files hold every node\'s items, once');
my $async_arn = $router->safe_psql('postgres', q{SELECT dynpg.execute('ExportTableToPointInTime',
  '{"TableArn":"arn:aws:dynamodb:ddblocal:000000000000:table/Things","S3Bucket":"asyncbucket"}')
  -> 'ExportDescription' ->> 'ExportArn'});
ok($router->poll_query_until('postgres', qq{SELECT dynpg.execute('DescribeExport', '{"ExportArn":"$async_arn"}')
  -> 'ExportDescription' ->> 'ExportStatus' <> 'IN_PROGRESS'}), 'ExportTableToPointInTime through the router ends');
is($router->safe_psql('postgres', qq{SELECT (d ->> 'ExportStatus') || ' ' || (d ->> 'ItemCount')
  FROM (SELECT dynpg.execute('DescribeExport', '{"ExportArn":"$async_arn"}') -> 'ExportDescription' AS d) x}),
	'COMPLETED ' . (split / /, $single_items)[0], '... COMPLETED by the router\'s worker, with the item count');
is(exported_items("$expdir/asyncbucket"), $single_items, '... its files hold every node\'s items, once');

# An incremental export through the router: the nodes' stream records, read
# by the router, against the same writes and export on one database.  The
# writes before the window are moved 40 minutes back, those in it 20 (as
# the export_incremental suite does), on the router, every node and the
# single database; the window is [50, 10) minutes ago.
my $sexpdir = $single->data_dir . '/exports';
mkdir $sexpdir;
$single->safe_psql('postgres', "ALTER SYSTEM SET dynpg.export_directory = '$sexpdir'; SELECT pg_reload_conf();");
my $inc_table = q{{"TableName":"IncStream","BillingMode":"PAY_PER_REQUEST",
 "KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}],
 "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}};
$inc_table =~ s/\n//g;
sub shift_inc
{
	my ($by) = @_;
	$_->safe_psql('postgres', "SELECT dynpg._shift_stream_times('IncStream', '$by')") for ($router, $single, @nodes);
}
both(qq{SELECT pg_temp.try('CreateTable', '$inc_table') IS NOT NULL;
  SELECT count(pg_temp.try('PutItem', jsonb_build_object('TableName', 'IncStream', 'Item',
    jsonb_build_object('p', jsonb_build_object('S', 'i' || i), 'v', jsonb_build_object('N', '0'))))) FROM generate_series(1, 30) i});
shift_inc('40 minutes');
both(q{SELECT count(pg_temp.try('UpdateItem', jsonb_build_object('TableName', 'IncStream', 'Key', jsonb_build_object('p', jsonb_build_object('S', 'i' || i)),
    'UpdateExpression', 'SET v = :v', 'ExpressionAttributeValues', jsonb_build_object(':v', jsonb_build_object('N', '1'))))) FROM generate_series(1, 10) i;
  SELECT count(pg_temp.try('DeleteItem', jsonb_build_object('TableName', 'IncStream', 'Key', jsonb_build_object('p', jsonb_build_object('S', 'i' || i)))))
    FROM generate_series(11, 15) i;
  SELECT count(pg_temp.try('PutItem', jsonb_build_object('TableName', 'IncStream', 'Item',
    jsonb_build_object('p', jsonb_build_object('S', 'n' || i), 'v', jsonb_build_object('N', '2'))))) FROM generate_series(1, 12) i;
  SELECT count(pg_temp.try('DeleteItem', jsonb_build_object('TableName', 'IncStream', 'Key', jsonb_build_object('p', jsonb_build_object('S', 'n' || i)))))
    FROM generate_series(1, 3) i});
shift_inc('20 minutes');
both(q{SELECT count(pg_temp.try('UpdateItem', jsonb_build_object('TableName', 'IncStream', 'Key', jsonb_build_object('p', jsonb_build_object('S', 'i' || i)),
    'UpdateExpression', 'SET v = :v', 'ExpressionAttributeValues', jsonb_build_object(':v', jsonb_build_object('N', '5'))))) FROM generate_series(1, 20) i});
my %inc_files;
for my $side ([ 'router', $router, $expdir ], [ 'single', $single, $sexpdir ])
{
	my ($name, $node, $dir) = @$side;
	my $arn = $node->safe_psql('postgres', q{SELECT dynpg.execute('ExportTableToPointInTime', jsonb_build_object(
	  'TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/IncStream', 'S3Bucket', 'incbucket',
	  'ExportType', 'INCREMENTAL_EXPORT', 'IncrementalExportSpecification', jsonb_build_object(
	    'ExportFromTime', extract(epoch FROM now() - interval '50 minutes'),
	    'ExportToTime', extract(epoch FROM now() - interval '10 minutes'))))
	  -> 'ExportDescription' ->> 'ExportArn'});
	ok($node->poll_query_until('postgres', qq{SELECT dynpg.execute('DescribeExport', '{"ExportArn":"$arn"}')
	  -> 'ExportDescription' ->> 'ExportStatus' <> 'IN_PROGRESS'}), "incremental export on the $name ends");
	is($node->safe_psql('postgres', qq{SELECT dynpg.execute('DescribeExport', '{"ExportArn":"$arn"}')
	  -> 'ExportDescription' ->> 'ExportStatus'}), 'COMPLETED', '... COMPLETED');
	$inc_files{$name} = $node->safe_psql('postgres', qq{
		CREATE TEMP TABLE lines (l text);
		COPY lines FROM PROGRAM 'find $dir/incbucket -name "*.json.gz" -exec gzip -dc {} +'
		  WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02');
		SELECT count(*) || ' ' || string_agg(x, ';' ORDER BY x) FROM (
		  SELECT ((l::jsonb)->'Keys')::text::dynpg.item::text || ' new ' ||
		         coalesce(((l::jsonb)->'NewImage')::text::dynpg.item::text, '-') || ' old ' ||
		         coalesce(((l::jsonb)->'OldImage')::text::dynpg.item::text, '-') AS x FROM lines) y});
}
like($inc_files{single}, qr/^24 /, 'the window\'s net changes on one database: 10 updates, 5 deletes, 9 new items');
is($inc_files{router}, $inc_files{single}, 'an incremental export through the router: the same lines, read from the nodes\' streams');
both(q{SELECT pg_temp.try('DeleteTable', '{"TableName":"IncStream"}') IS NOT NULL});

# ImportTable through the router: the table made on the router and every
# node, the export's items put through the router onto their nodes
my ($manifest) = glob("$expdir/syncbucket/AWSDynamoDB/*/manifest-summary.json");
(my $export_id = $manifest) =~ s{.*/AWSDynamoDB/([^/]+)/manifest-summary\.json$}{$1};
my $create_imported = sub {
	my ($name) = @_;
	return qq{{"TableName":"$name","BillingMode":"PAY_PER_REQUEST",
	  "KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
	  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"},
	    {"AttributeName":"color","AttributeType":"S"}],
	  "GlobalSecondaryIndexes":[{"IndexName":"ByColor","KeySchema":[{"AttributeName":"color","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}};
};
my $imp = $router->safe_psql('postgres', qq{SELECT (d ->> 'ImportStatus') || ' ' || (d ->> 'ImportedItemCount')
  FROM (SELECT dynpg.import_table('$expdir/syncbucket/AWSDynamoDB/$export_id', '} . $create_imported->('Imported') . qq{')
    -> 'ImportTableDescription' AS d) x});
is($imp, 'COMPLETED ' . (split / /, $single_items)[0], 'dynpg.import_table through the router: COMPLETED, every item');
sub routed_items
{
	my ($t) = @_;
	return $router->safe_psql('postgres', qq{SELECT count(*) || ' ' || string_agg(i, ',' ORDER BY i) FROM (
	  SELECT (x::text)::dynpg.item::text AS i FROM jsonb_array_elements(dynpg.scan('{"TableName":"$t"}') -> 'Items') x) y});
}
is(routed_items('Imported'), $single_items, '... a Scan through the router reads them');
my $misplaced = join(',', map { my $k = $_; $nodes[$k]->safe_psql('postgres', qq{SELECT count(*) FROM dynamodb."Imported"
  WHERE dynpg.cluster_node_of(dynpg.partition_hash(item -> 'p'), 4) <> $k}) } 0 .. 3);
is($misplaced, '0,0,0,0', '... each item on the node of its hash');
# the nodes took their items by COPY into their empty table's bulk load
like(join('', map { slurp_file($_->logfile) } @nodes),
	qr/COPY dynamodb\."Imported" \(item\) FROM STDIN \(FORMAT binary\)/, '... by COPY into each node\'s bulk load');
is(join(' ', map { $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') } @nodes), '0 0 0 0',
	'... committed everywhere with the import (nothing left prepared)');
# a key twice: the nodes' bulk loads refuse it, the import goes on line by
# line through the router, and the last line of the key wins
{
	require IO::Compress::Gzip;
	my $dir = "$expdir/dupbucket/data";
	mkdir "$expdir/dupbucket";
	mkdir $dir;
	my $lines = join('', map { qq{{"Item":{"p":{"S":"dup$_"},"s":{"N":"1"},"v":{"N":"$_"}}}\n} } 1 .. 20)
	  . qq{{"Item":{"p":{"S":"dup7"},"s":{"N":"1"},"v":{"N":"777"}}}\n};
	IO::Compress::Gzip::gzip(\$lines => "$dir/part.json.gz") or die "gzip failed";
	system('chmod', '-R', 'a+rX', "$expdir/dupbucket");
	is($router->safe_psql('postgres', qq{SELECT (d ->> 'ImportStatus') || ' ' || (d ->> 'ImportedItemCount')
	  FROM (SELECT dynpg.import_table('$expdir/dupbucket/data', '} . $create_imported->('ImportedDup') . qq{')
	    -> 'ImportTableDescription' AS d) x}), 'COMPLETED 21', 'an import with a key twice through the router: COMPLETED');
	is($router->safe_psql('postgres', q{SELECT (dynpg.get_item('{"TableName":"ImportedDup","Key":{"p":{"S":"dup7"},"s":{"N":"1"}}}') -> 'Item' -> 'v' ->> 'N')
	  || ' ' || (dynpg.scan('{"TableName":"ImportedDup","Select":"COUNT"}') ->> 'Count')}),
		'777 20', '... line by line: the last line of the key wins, 20 items');
	is(join(' ', map { $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') } @nodes), '0 0 0 0',
		'... the refused bulk loads left nothing prepared');
	$router->safe_psql('postgres', q{SELECT dynpg.delete_table('{"TableName":"ImportedDup"}')});
}
my $import_request = '{"S3BucketSource":{"S3Bucket":"syncbucket","S3KeyPrefix":"AWSDynamoDB/' . $export_id . '"},'
  . '"InputFormat":"DYNAMODB_JSON","InputCompressionType":"GZIP","TableCreationParameters":'
  . $create_imported->('Imported2') . '}';
my $imp_arn = $router->safe_psql('postgres',
	qq{SELECT dynpg.execute('ImportTable', '$import_request') -> 'ImportTableDescription' ->> 'ImportArn'});
ok($router->poll_query_until('postgres', qq{SELECT dynpg.execute('DescribeImport', '{"ImportArn":"$imp_arn"}')
  -> 'ImportTableDescription' ->> 'ImportStatus' NOT IN ('IN_PROGRESS')}), 'ImportTable through the router ends');
is($router->safe_psql('postgres', qq{SELECT dynpg.execute('DescribeImport', '{"ImportArn":"$imp_arn"}')
  -> 'ImportTableDescription' ->> 'ImportStatus'}), 'COMPLETED', '... COMPLETED by the router\'s worker');
is(routed_items('Imported2'), $single_items, '... with every item, through the router');
my $red = $single->safe_psql('postgres', q{SELECT dynpg.query('{"TableName":"Things","IndexName":"ByColor",
  "KeyConditionExpression":"color = :c","ExpressionAttributeValues":{":c":{"S":"red"}},"Select":"COUNT"}') ->> 'Count'});
ok($red > 0 && $router->poll_query_until('postgres', qq{SELECT (dynpg.query('{"TableName":"Imported2","IndexName":"ByColor",
  "KeyConditionExpression":"color = :c","ExpressionAttributeValues":{":c":{"S":"red"}},"Select":"COUNT"}') ->> 'Count') = '$red'}),
	"... and its GSI, kept by the nodes ($red red items)");
# an import whose files cannot be read: no table left, on the router or a node
($ret, $out, $err) = $router->psql('postgres', qq{SELECT dynpg.import_table('$expdir/nothing-here', '}
	. $create_imported->('ImportedNot') . q{') -> 'ImportTableDescription' ->> 'ImportStatus'});
is("$out$err" =~ /FAILED/ ? 'FAILED' : "$out $err", 'FAILED', 'dynpg.import_table through the router of a missing directory: FAILED');
is(join('', map { $_->safe_psql('postgres', q{SELECT count(*) FROM dynpg.tables WHERE table_name = 'ImportedNot'}) } $router, @nodes),
	'00000', '... and leaves no table on the router or a node');
both(q{SELECT pg_temp.try('DeleteTable', '{"TableName":"Imported"}') IS NOT NULL;
       SELECT pg_temp.try('DeleteTable', '{"TableName":"Imported2"}') IS NOT NULL});

# ---------------------------------------------------------------------------
# A node stopped: a clear error for its partitions, the others answer
# ---------------------------------------------------------------------------
$nodes[2]->stop;
like($router->safe_psql('postgres', $helpers . qq{SELECT pg_temp.try('GetItem', '{"TableName":"Things","Key":{"p":{"S":"$on{2}"},"s":{"N":"1"}}}')}),
	qr/^ERROR YD500 dynpg cluster dyn: node 2 did not answer: .* \{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError"/,
	'a node stopped: its partitions are InternalServerError naming it');
unlike($router->safe_psql('postgres', $helpers . qq{SELECT pg_temp.try('Query', '{"TableName":"Things","KeyConditionExpression":"p = :p","ExpressionAttributeValues":{":p":{"S":"$on{0}"}}}')}),
	qr/ERROR/, '... while the other nodes answer');
like($router->safe_psql('postgres', $helpers . qq{SELECT pg_temp.try('PutItem', '{"TableName":"Things","Item":{"p":{"S":"$on{3}"},"s":{"N":"7777"}}}')}),
	qr/^\{\}$/, '... and take writes');
my $bg = $router->safe_psql('postgres', $helpers . qq{SELECT pg_temp.try('BatchGetItem', '{"RequestItems":{"Things":{"Keys":[{"p":{"S":"$on{2}"},"s":{"N":"9999"}},{"p":{"S":"$on{0}"},"s":{"N":"9999"}}]}}}')});
my $key2 = $on{2};
like($bg, qr/"UnprocessedKeys": \{"Things": \{"Keys": \[\{"p": \{"S": "$key2"\}, "s": \{"N": "9999"\}\}\]\}\}/,
	'... a batch gives back the stopped node\'s keys as UnprocessedKeys');
like($router->safe_psql('postgres', $helpers . q{SELECT pg_temp.try('Scan', '{"TableName":"Numbers"}')}),
	qr/^ERROR YD500 dynpg cluster dyn: node 2 did not answer/, '... a Scan that reaches it says so');
like($router->safe_psql('postgres', $helpers . q{SELECT pg_temp.try('CreateTable', '{"TableName":"Later","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}]}')}),
	qr/^ERROR YD500 dynpg cluster dyn: CreateTable failed on node 2 \(.*\); the table was deleted again from the other nodes/,
	'... a CreateTable fails, naming it');
is(join('', map { $nodes[$_]->safe_psql('postgres', q{SELECT dynpg.list_tables('{}')->'TableNames'}) } (0, 1, 3)),
	'["Numbers", "Things"]' x 3, '... and leaves no half-created table');
$nodes[2]->start;
is($router->safe_psql('postgres', $helpers . qq{SELECT pg_temp.try('GetItem', '{"TableName":"Things","Key":{"p":{"S":"$on{2}"},"s":{"N":"99999"}}}')}),
	'{}', 'the node back: its partitions answer again');

# ---------------------------------------------------------------------------
# Crashes between PREPARE and COMMIT: all or nothing after dynpg.cluster_recover()
# ---------------------------------------------------------------------------
my $prepared = sub { join(',', map { $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') } @nodes) };
my $count_on = sub {
	my ($s) = @_;
	return join(',', map { $_->safe_psql('postgres', qq{SELECT count(*) FROM dynamodb."Things" WHERE item->'s' = '{"N":"$s"}'}) } @nodes);
};

# the router crashes before its transaction commits: rolled back everywhere
my $tx = '{"TransactItems":[' . join(',', map { put_action($on{$_}, 6000, '') } 0 .. 3) . ']}';
my $bg_router = $router->background_psql('postgres');
$bg_router->query_safe('BEGIN');
$bg_router->query_safe(qq{SELECT dynpg.execute('TransactWriteItems', '$tx')});
is($prepared->(), '1,1,1,1', 'router crash: each node prepared its part');
$router->stop('immediate');
$bg_router->quit;
$router->start;
is($count_on->(6000), '0,0,0,0', '... nothing is visible while in doubt');
is($router->safe_psql('postgres', q{SELECT string_agg(node || ' ' || outcome, ', ' ORDER BY node) FROM dynpg.cluster_recover()}),
	'0 rolled back, 1 rolled back, 2 rolled back, 3 rolled back',
	'... dynpg.cluster_recover() rolls the transaction back on every node (it never committed)');
is($prepared->() . ' ' . $count_on->(6000), '0,0,0,0 0,0,0,0', '... nothing written, nothing left prepared');

# a node stops after PREPARE, before the router's COMMIT PREPARED reaches it: committed
$tx = '{"TransactItems":[' . join(',', map { put_action($on{$_}, 6001, '') } 0 .. 3) . ']}';
$bg_router = $router->background_psql('postgres', on_error_stop => 0);
$bg_router->query_safe('BEGIN');
$bg_router->query_safe(qq{SELECT dynpg.execute('TransactWriteItems', '$tx')});
$nodes[1]->stop('fast');
$bg_router->query('COMMIT');
like($bg_router->{stderr}, qr/WARNING:  dynpg cluster: COMMIT PREPARED 'dynpg:dyn:[0-9]+:[0-9]+:[0-9]+:1' failed on node 1: /,
	'node crash: the router warns that node 1 did not commit');
$bg_router->quit;
$nodes[1]->start;
is($count_on->(6001) . ' ' . $prepared->(), '1,0,1,1 0,1,0,0',
	'... committed on the other nodes, still prepared on node 1 after its restart');
is($router->safe_psql('postgres', q{SELECT string_agg(node || ' ' || outcome, ', ' ORDER BY node) FROM dynpg.cluster_recover()}),
	'1 committed', '... dynpg.cluster_recover() commits it there (the router committed)');
is($count_on->(6001) . ' ' . $prepared->(), '1,1,1,1 0,0,0,0', '... all four items written');
is($router->safe_psql('postgres', q{SELECT count(*) FROM dynpg.cluster_recover()}) . ' '
	. $router->safe_psql('postgres', q{SELECT count(*) FROM dynpg.cluster_xact}),
	'0 0', '... nothing left in doubt, and the decisions of the ended transactions are forgotten');
$single->safe_psql('postgres', $helpers . qq{SELECT pg_temp.try('TransactWriteItems', '$tx')});

# a transaction in progress is left alone
$bg_router = $router->background_psql('postgres');
$bg_router->query_safe('BEGIN');
$bg_router->query_safe(qq{SELECT dynpg.execute('TransactWriteItems', '$cross3')});
is($router->safe_psql('postgres', q{SELECT string_agg(DISTINCT outcome, ',') FROM dynpg.cluster_recover()}),
	'in progress', 'dynpg.cluster_recover() leaves a transaction in progress alone');
$bg_router->query_safe('COMMIT');
$bg_router->quit;
is($count_on->(5200) . ' ' . $prepared->(), '1,1,1,1 0,0,0,0', '... which then commits');
$single->safe_psql('postgres', $helpers . qq{SELECT pg_temp.try('TransactWriteItems', '$cross3')});

# ---------------------------------------------------------------------------
# boto3 through the router's HTTP endpoint
# ---------------------------------------------------------------------------
{
	local %ENV = (%ENV, client_env($port, $key, $secret));
	run_client_checks(['/usr/bin/python3', 'tests/http/cluster_boto3.py'], min => 10);
}
foreach my $k (0 .. 3)
{
	is($nodes[$k]->safe_psql('postgres', qq{
		SELECT count(*) FROM dynamodb."Boto" WHERE dynpg.cluster_node_of(dynpg.partition_hash(item -> 'id'), 4) <> $k}),
		'0', "boto3's items on node $k are of its range");
}

# ---------------------------------------------------------------------------
# A node's standby serves eventual reads routed to that node
# ---------------------------------------------------------------------------
# A node is a dynpg primary like any other: with dynpg.read_replicas naming
# its standby, the eventually consistent reads the router sends it are
# served there (src/api/replica.c), strongly consistent ones by the node.
# The standby's replay is paused, so which server answered shows in the
# answer: the standby still has the old value.
my @standbys;
for my $k (0 .. 3)
{
	$nodes[$k]->backup("bk$k");
	my $sb = PostgreSQL::Test::Cluster->new("node${k}_standby");
	$sb->init_from_backup($nodes[$k], "bk$k", has_streaming => 1);
	$sb->start;
	push @standbys, $sb;
}
my $sput = sub {
	my ($k, $v) = @_;
	$router->safe_psql('postgres', qq{SELECT dynpg.put_item('{"TableName":"Things","Item":{"p":{"S":"$k"},"s":{"N":"7000"},"v":{"S":"$v"}}}')});
};
my $sget = sub {
	my ($k, $extra) = @_;
	return $router->safe_psql('postgres',
		qq{SELECT dynpg.get_item('{"TableName":"Things","Key":{"p":{"S":"$k"},"s":{"N":"7000"}}$extra}') #>> '{Item,v,S}'});
};
$sput->($on{$_}, 'one') for 0 .. 3;
for my $k (0 .. 3)
{
	$nodes[$k]->wait_for_catchup($standbys[$k]);
	$standbys[$k]->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
	ok($standbys[$k]->poll_query_until('postgres', "SELECT pg_get_wal_replay_pause_state() = 'paused'"),
		"node $k's standby: replay paused");
}
$sput->($on{$_}, 'two') for 0 .. 3;
for my $k (0 .. 3)
{
	my $sconn = 'host=' . $standbys[$k]->host . ' port=' . $standbys[$k]->port . ' dbname=postgres';
	$nodes[$k]->safe_psql('postgres', "ALTER SYSTEM SET dynpg.read_replicas = '$sconn'; SELECT pg_reload_conf()");
}
sleep(1.5);
is($sget->($on{$_}, ''), 'one', "an eventual GetItem routed to node $_ is served by node $_\'s (paused) standby")
  for 0 .. 3;
is($sget->($on{0}, ',"ConsistentRead":true'), 'two', '... a consistent one by node 0 itself');
is($router->safe_psql('postgres', qq{SELECT dynpg.query('{"TableName":"Things","KeyConditionExpression":"p = :p AND s = :s",
	"ExpressionAttributeValues":{":p":{"S":"$on{0}"},":s":{"N":"7000"}}}') #>> '{Items,0,v,S}'}),
	'one', '... an eventual Query of a node-0 partition by the standby');
is($router->safe_psql('postgres', qq{SELECT string_agg(i #>> '{v,S}', ',')
	FROM jsonb_array_elements(dynpg.scan('{"TableName":"Things","FilterExpression":"s = :s",
	"ExpressionAttributeValues":{":s":{"N":"7000"}}}') -> 'Items') i}),
	'one,one,one,one', '... an eventual Scan: every node\'s items from its standby');
is($router->safe_psql('postgres', qq{SELECT dynpg.scan('{"TableName":"Things","ConsistentRead":true,"FilterExpression":"s = :s AND v = :v",
	"ExpressionAttributeValues":{":s":{"N":"7000"},":v":{"S":"two"}}}') ->> 'Count'}),
	'4', '... a consistent Scan sees every write');
is($router->safe_psql('postgres', qq{SELECT dynpg.batch_get_item('{"RequestItems":{"Things":{"Keys":[{"p":{"S":"$on{0}"},"s":{"N":"7000"}}]}}}') #>> '{Responses,Things,0,v,S}'}),
	'one', '... an eventual BatchGetItem by the standby');
is($router->safe_psql('postgres', qq{SELECT dynpg.transact_get_items('{"TransactItems":[{"Get":{"TableName":"Things","Key":{"p":{"S":"$on{0}"},"s":{"N":"7000"}}}}]}') #>> '{Responses,0,Item,v,S}'}),
	'two', '... TransactGetItems (always consistent) by node 0');
# the lag each node reports for its standby (dynpg.replica_lag)
for my $k (0 .. 3)
{
	like($nodes[$k]->safe_psql('postgres', 'SELECT count(*) FROM dynpg.replica_lag'), qr/^[1-9]/,
		"node $k reports its standby's lag");
}
$standbys[$_]->safe_psql('postgres', 'SELECT pg_wal_replay_resume()') for 0 .. 3;
$nodes[$_]->wait_for_catchup($standbys[$_]) for 0 .. 3;
is($sget->($on{$_}, ''), 'two', "replay resumed: node $_\'s standby serves the write") for 0 .. 3;
$standbys[0]->stop('fast');
is($sget->($on{0}, ''), 'two', 'the standby down: node 0 serves its eventual reads itself');
$standbys[$_]->stop('fast') for 1 .. 3;
$nodes[$_]->safe_psql('postgres', 'ALTER SYSTEM RESET dynpg.read_replicas; SELECT pg_reload_conf()') for 0 .. 3;
$router->safe_psql('postgres', qq{SELECT dynpg.delete_item('{"TableName":"Things","Key":{"p":{"S":"$_"},"s":{"N":"7000"}}}')})
  for map { $on{$_} } 0 .. 3;

# ---------------------------------------------------------------------------
# DeleteTable everywhere; drop_cluster
# ---------------------------------------------------------------------------
# a session that has routed calls keeps the cluster's configuration: it must
# see the cluster dropped and made anew (below) at its next call
my $long = $router->background_psql('postgres');
like($long->query_safe(q{SELECT dynpg.list_tables('{}')->'TableNames'}), qr/Things/,
	'a long-lived router session routes (and keeps the configuration of 4 nodes)');
($ret, $out, $err) = $router->psql('postgres', "SELECT dynpg.drop_cluster('dyn')");
like($err, qr/cluster dyn still has 3 DynamoDB tables/, 'drop_cluster refuses while tables remain');
$router->safe_psql('postgres', q{
	SELECT dynpg.delete_table('{"TableName":"Things"}');
	SELECT dynpg.delete_table('{"TableName":"Numbers"}');
	SELECT dynpg.delete_table('{"TableName":"Boto"}');
});
is($nodes[$_]->safe_psql('postgres', q{SELECT dynpg.list_tables('{}')->'TableNames'}), '[]',
	"DeleteTable through the router: node $_ has no table left") for 0 .. 3;
$router->safe_psql('postgres', "SELECT dynpg.drop_cluster('dyn')");
is($router->safe_psql('postgres', q{SELECT to_regnamespace('dynpg_cluster') IS NULL AND NOT EXISTS (SELECT FROM pg_foreign_server WHERE srvname = 'dyn')}),
	't', 'drop_cluster removes the routing and the server');

# the same cluster name made anew with 2 nodes: the long-lived session
# routes by the new configuration (its cached one was forgotten)
$router->safe_psql('postgres', "SELECT dynpg.create_cluster('dyn', ARRAY['$conn[0]', '$conn[1]'])");
$long->query_safe(q{SELECT dynpg.create_table('{"TableName":"Again","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}]}')});
$long->query_safe(q{SELECT dynpg.put_item(jsonb_build_object('TableName', 'Again', 'Item', jsonb_build_object('p', jsonb_build_object('S', 'a' || i)))) FROM generate_series(1, 40) i});
is(join(',', map { $nodes[$_]->safe_psql('postgres', q{SELECT count(*) FROM dynamodb."Again"
	WHERE dynpg.cluster_node_of(dynpg.partition_hash(item -> 'p'), 2) = } . $_) } 0, 1), 
	join(',', map { $nodes[$_]->safe_psql('postgres', q{SELECT count(*) FROM dynamodb."Again"}) } 0, 1),
	'... its items land on the 2 nodes, each in its half of the hashes');
is($nodes[0]->safe_psql('postgres', q{SELECT count(*) FROM dynamodb."Again"}) + $nodes[1]->safe_psql('postgres', q{SELECT count(*) FROM dynamodb."Again"}),
	40, '... all 40 of them');
is(join('', map { $nodes[$_]->safe_psql('postgres', q{SELECT count(*) FROM dynpg.tables WHERE table_name = 'Again'}) } 2, 3),
	'00', '... and nodes 2 and 3 are no longer asked');
$long->query_safe(q{SELECT dynpg.delete_table('{"TableName":"Again"}')});
$long->quit;
$router->safe_psql('postgres', "SELECT dynpg.drop_cluster('dyn')");

done_testing();
