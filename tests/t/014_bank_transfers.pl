# The bank-transfer invariant: 4 pgbench clients move random amounts between
# 50 accounts with TransactWriteItems (an Update with ConditionExpression
# bal >= :amt on the source, an ADD on the destination).  Transfers whose
# condition fails (TransactionCanceledException) or that lose a deadlock
# (40P01, TransactionConflict) are expected and counted; each applied one is
# recorded in a heap ledger in the same transaction.  Afterwards: the total
# never changed, no balance is negative, every balance equals its opening
# balance plus the ledger's transfers (no lost update, no partial
# transaction), and dynpg.verify is clean -- after a normal run and after an
# immediate stop (crash) in the middle of one.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $accounts = 50;
my $opening = 1000;
my $node = dynpg_node('bank');
create_hash_table($node, 'bank');
$node->safe_psql('postgres', qq{
	SELECT dynpg.put_item(jsonb_build_object('TableName', 'bank', 'Item',
		jsonb_build_object('p', jsonb_build_object('S', 'acct' || i), 'bal', jsonb_build_object('N', '$opening'))))
	  FROM generate_series(1, $accounts) i;
	CREATE TABLE ledger (id bigserial PRIMARY KEY, src int, dst int, amt int);
	-- one transfer; an expected failure is reported, not raised, so pgbench goes on
	CREATE FUNCTION transfer(src int, dst int, amt int) RETURNS text LANGUAGE plpgsql AS \$\$
	BEGIN
		PERFORM dynpg.transact_write_items(jsonb_build_object('TransactItems', jsonb_build_array(
			jsonb_build_object('Update', jsonb_build_object('TableName', 'bank',
				'Key', jsonb_build_object('p', jsonb_build_object('S', 'acct' || src)),
				'UpdateExpression', 'SET bal = bal - :amt', 'ConditionExpression', 'bal >= :amt',
				'ExpressionAttributeValues', jsonb_build_object(':amt', jsonb_build_object('N', amt::text)))),
			jsonb_build_object('Update', jsonb_build_object('TableName', 'bank',
				'Key', jsonb_build_object('p', jsonb_build_object('S', 'acct' || dst)),
				'UpdateExpression', 'ADD bal :amt',
				'ExpressionAttributeValues', jsonb_build_object(':amt', jsonb_build_object('N', amt::text)))))));
		INSERT INTO ledger (src, dst, amt) VALUES (src, dst, amt);
		RETURN 'applied';
	EXCEPTION
		WHEN SQLSTATE 'YD020' THEN RETURN 'cancelled';
		WHEN deadlock_detected OR serialization_failure THEN RETURN 'conflict';
	END \$\$;
});

my $script = "$PostgreSQL::Test::Utils::tmp_check/bank.sql";
open(my $fh, '>', $script) or die "cannot write $script: $!";
print $fh <<"SQL";
\\set src random(1, $accounts)
\\set dst 1 + (:src + random(0, $accounts - 2)) % $accounts
\\set amt random(1, 400)
SELECT transfer(:src, :dst, :amt);
SQL
close($fh);

sub check_invariants
{
	my ($label) = @_;
	my $total = $node->safe_psql('postgres',
		"SELECT sum((dynpg.attr_text(item, 'bal'))::numeric) FROM dynamodb.bank");
	is($total, $accounts * $opening, "$label: the total is unchanged");
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM dynamodb.bank WHERE (dynpg.attr_text(item, 'bal'))::numeric < 0"),
		'0', "$label: no balance is negative");
	is($node->safe_psql('postgres', qq{
			WITH moves AS (SELECT src AS a, -amt AS d FROM ledger UNION ALL SELECT dst, amt FROM ledger),
			     expect AS (SELECT i, $opening + coalesce((SELECT sum(d) FROM moves WHERE a = i), 0) AS bal
			                  FROM generate_series(1, $accounts) i)
			SELECT count(*) FROM expect e JOIN dynamodb.bank b ON dynpg.attr_text(b.item, 'p') = 'acct' || e.i
			 WHERE (dynpg.attr_text(b.item, 'bal'))::numeric <> e.bal}),
		'0', "$label: every balance is its opening balance plus the ledger's transfers");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM dynamodb.bank'), $accounts,
		"$label: $accounts accounts");
	my ($ok, $report) = verify_ok($node, 'bank');
	ok($ok, "$label: dynpg.verify is clean") or diag($report);
}

# a normal run of about 10 seconds
my ($out, $err) = ('', '');
IPC::Run::run(
	[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', '10', '-f', $script,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err);
like($out, qr/number of transactions actually processed: [1-9]/, 'pgbench ran transfers');
unlike($out . $err, qr/client \d+ aborted/, 'no client aborted: every failure was an expected one');
my $applied = $node->safe_psql('postgres', 'SELECT count(*) FROM ledger');
ok($applied > 0, "transfers were applied ($applied)");
check_invariants('after the run');
# some transfers must have been refused by their condition: run a few that cannot pass
is($node->safe_psql('postgres', "SELECT transfer(1, 2, 1000000)"), 'cancelled',
	'a transfer beyond the balance is cancelled');

# crash in the middle of a run, twice
for my $round (1 .. 2)
{
	my ($out2, $err2) = ('', '');
	my $bench = IPC::Run::start(
		[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', '60', '-f', $script,
		  '-h', $node->host, '-p', $node->port, 'postgres' ],
		'>', \$out2, '2>', \$err2);
	sleep 3;
	$node->stop('immediate');
	$bench->finish;
	$node->start;
	my $now = $node->safe_psql('postgres', 'SELECT count(*) FROM ledger');
	ok($now > $applied, "crash $round: more transfers were applied before the crash ($now)");
	$applied = $now;
	check_invariants("after crash $round");
}

# and transfers go on after recovery
IPC::Run::run(
	[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', '2', '-f', $script,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err);
unlike($out . $err, qr/client \d+ aborted/, 'after recovery: no client aborted');
check_invariants('after recovery');

$node->stop;
done_testing();
