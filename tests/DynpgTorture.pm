# Crash torture (make torture; its smoke version is tests/t/050_torture_smoke.pl).
#
# Each cycle: concurrent writer processes drive dynpg through its SQL API
# (dynpg.put_item, update_item, delete_item, batch_write_item,
# transact_write_items and dynpg.execute) on tables with a GSI, an LSI and a
# stream, each in its own psql session, and record every request in a
# ledger file outside the server: "A" before sending it (with the item
# changes it makes), then "K" once its commit returned, or "F" when it
# failed.  Meanwhile the cycle's disturbance runs (a GSI backfill, a VACUUM,
# a bulk load, or a PANIC in the middle of a B-tree split), and at a random
# moment the postmaster dies: 'pg_ctl stop -m immediate' or kill -9.  After
# the restart every table is checked against the ledgers: every
# acknowledged write is there with its exact value; a request in flight at
# the crash is wholly there or wholly absent (a transaction's items all or
# none); a failed one left nothing; the stream of tort_range holds exactly
# one record per committed change, per key in commit order; the bank
# table's total is unchanged; dynpg.verify is clean on every table; every
# GSI and LSI holds exactly the entries its definition gives the items
# (after dynpg.wait_for_indexes); a streaming standby, once caught up,
# holds the same items as the primary.  See tests/torture/README.
package DynpgTorture;

use strict;
use warnings;

use IPC::Run;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time sleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $json = JSON::PP->new->canonical(1);
my @TABLES = qw(tort_range tort_hash tort_big);
my $WRITERS = 4;
my $KEYS = 120;          # keys per writer per table
my $ACCOUNTS = 40;
my $OPENING = 1000;
my $PRELOAD = 20000;     # tort_big's items nobody writes (a backfill has work)
my $BULK_ITEMS = 30000;
my @MODES = qw(plain split backfill vacuum bulk);

# ---- requests and their effects ----

sub key_of
{
	my ($t, $w, $k) = @_;
	return $t eq 'tort_range'
	  ? { p => { S => "w$w-p" . ($k % 6) }, s => { S => sprintf('s%04d', $k) } }
	  : { p => { S => "w$w-$k" } };
}

sub keystr
{
	my ($key) = @_;
	return $key->{p}{S} . (exists $key->{s} ? '|' . $key->{s}{S} : '');
}

sub pad
{
	my ($id) = @_;
	my $r = rand();
	my $len = $r < 0.02 ? 20000 + int(rand(20000)) : int(rand(2500));
	return "$id:" . ('x' x $len);
}

# the attributes a write sets besides the key
sub fresh_attrs
{
	my ($t, $id) = @_;
	my %a = (v => { S => $id }, pad => { S => pad($id) });
	$a{g} = { S => 'g' . int(rand(20)) } if rand() < 0.9;
	$a{l} = { S => 'l' . int(rand(50)) } if $t eq 'tort_range' && rand() < 0.8;
	return \%a;
}

sub sql_call
{
	my ($fn, $op, $req) = @_;
	my $j = $json->encode($req);
	# half of the requests go through dynpg.execute
	return rand() < 0.5
	  ? "SELECT 'ACK ' || dynpg.execute('$op', \$J\$$j\$J\$::jsonb)::text"
	  : "SELECT 'ACK ' || dynpg.$fn(\$J\$$j\$J\$::jsonb)::text";
}

# One write on an own key: (request part, effect, expect ok?).  $mode:
# put, update, delete, or their transaction forms.
sub one_write
{
	my ($model, $t, $w, $k, $id, $kind, $intxn) = @_;
	my $key = key_of($t, $w, $k);
	my $ks = keystr($key);
	my $old = $model->{$t}{$ks};
	my $lie = rand() < 0.1;    # a condition that is false: must fail, change nothing
	my $ok = 1;
	if ($kind eq 'put')
	{
		my $item = { %$key, %{ fresh_attrs($t, $id) }, n => { N => '' . int(rand(1000)) } };
		my %req = (TableName => $t, Item => $item);
		if (rand() < 0.3)
		{
			my $exists = defined $old;
			$exists = !$exists if $lie;
			$ok = 0 if $lie;
			$req{ConditionExpression} = $exists ? 'attribute_exists(p)' : 'attribute_not_exists(p)';
		}
		return (\%req, [ $t, $ks, $old, $item ], $ok);
	}
	if ($kind eq 'update')
	{
		my $a = fresh_attrs($t, $id);
		my @set = ('v = :v', '#pad = :pad');    # PAD is a reserved word
		my @remove;
		my %vals = (':v' => $a->{v}, ':pad' => $a->{pad}, ':one' => { N => '1' });
		for my $x (qw(g l))
		{
			next if $x eq 'l' && $t ne 'tort_range';
			if ($a->{$x}) { push @set, "$x = :$x"; $vals{":$x"} = $a->{$x}; }
			else { push @remove, $x; }
		}
		my $ue = 'SET ' . join(', ', @set) . (@remove ? ' REMOVE ' . join(', ', @remove) : '') . ' ADD n :one';
		my $item = { %{ $old // $key } };
		delete $item->{$_} for @remove;
		$item->{$_} = $a->{$_} for keys %$a;
		# (a copy: arithmetic on the model's string would make JSON::PP write a number)
		my $prev = ($old && $old->{n}) ? '' . $old->{n}{N} : 0;
		$item->{n} = { N => '' . ($prev + 1) };
		my %req = (TableName => $t, Key => $key, UpdateExpression => $ue,
			ExpressionAttributeNames => { '#pad' => 'pad' });
		if ($old)
		{
			$req{ConditionExpression} = 'v = :old';
			$vals{':old'} = { S => $lie ? 'nobody' : $old->{v}{S} };
		}
		else
		{
			$req{ConditionExpression} = $lie ? 'attribute_exists(p)' : 'attribute_not_exists(p)';
		}
		$ok = 0 if $lie;
		$req{ExpressionAttributeValues} = \%vals;
		return (\%req, [ $t, $ks, $old, $item ], $ok);
	}
	if ($kind eq 'delete')
	{
		my %req = (TableName => $t, Key => $key);
		if (rand() < 0.5)
		{
			my $exists = defined $old;
			$exists = !$exists if $lie;
			$ok = 0 if $lie;
			$req{ConditionExpression} = $exists ? 'attribute_exists(p)' : 'attribute_not_exists(p)';
		}
		return (\%req, [ $t, $ks, $old, undef ], $ok);
	}
	if ($kind eq 'check')
	{
		my $exists = defined $old;
		$exists = !$exists if $lie;
		$ok = 0 if $lie;
		return ({ TableName => $t, Key => $key,
				ConditionExpression => $exists ? 'attribute_exists(p)' : 'attribute_not_exists(p)' },
			undef, $ok);
	}
	die "unknown write $kind";
}

# distinct random own keys: [table, k]
sub pick_keys
{
	my ($w, $n) = @_;
	my %seen;
	my @r;
	while (@r < $n)
	{
		my $t = $TABLES[ int(rand(@TABLES)) ];
		my $k = int(rand($KEYS));
		next if $seen{"$t/$k"}++;
		push @r, [ $t, $k ];
	}
	return @r;
}

# The next request of writer $w: { sql, kind, expect, effects }
sub next_request
{
	my ($model, $w, $id) = @_;
	my $r = rand();
	if ($r < 0.55)
	{
		my ($t, $k) = @{ (pick_keys($w, 1))[0] };
		my $kind = $r < 0.25 ? 'put' : $r < 0.45 ? 'update' : 'delete';
		my ($req, $eff, $ok) = one_write($model, $t, $w, $k, $id, $kind);
		my $fn = { put => 'put_item', update => 'update_item', delete => 'delete_item' }->{$kind};
		my $op = { put => 'PutItem', update => 'UpdateItem', delete => 'DeleteItem' }->{$kind};
		return { sql => sql_call($fn, $op, $req), kind => 'single', expect => $ok, effects => [$eff] };
	}
	if ($r < 0.72)
	{
		my %items;
		my @effects;
		for my $tk (pick_keys($w, 2 + int(rand(14))))
		{
			my ($t, $k) = @$tk;
			my $kind = rand() < 0.7 ? 'put' : 'delete';
			my $key = key_of($t, $w, $k);
			my $old = $model->{$t}{ keystr($key) };
			if ($kind eq 'put')
			{
				my $item = { %$key, %{ fresh_attrs($t, $id) }, n => { N => '' . int(rand(1000)) } };
				push @{ $items{$t} }, { PutRequest => { Item => $item } };
				push @effects, [ $t, keystr($key), $old, $item ];
			}
			else
			{
				push @{ $items{$t} }, { DeleteRequest => { Key => $key } };
				push @effects, [ $t, keystr($key), $old, undef ];
			}
		}
		return { sql => sql_call('batch_write_item', 'BatchWriteItem', { RequestItems => \%items }),
			kind => 'batch', expect => 1, effects => \@effects };
	}
	if ($r < 0.94)
	{
		my @actions;
		my @effects;
		my $ok = 1;
		for my $tk (pick_keys($w, 2 + int(rand(6))))
		{
			my ($t, $k) = @$tk;
			my $x = rand();
			my $kind = $x < 0.35 ? 'put' : $x < 0.7 ? 'update' : $x < 0.85 ? 'delete' : 'check';
			my ($req, $eff, $aok) = one_write($model, $t, $w, $k, $id, $kind);
			$ok &&= $aok;
			push @actions, { { put => 'Put', update => 'Update', delete => 'Delete', check => 'ConditionCheck' }->{$kind} => $req };
			push @effects, $eff if $eff;
		}
		return { sql => sql_call('transact_write_items', 'TransactWriteItems', { TransactItems => \@actions }),
			kind => 'txn', expect => $ok, effects => \@effects };
	}
	# a bank transfer: shared keys, contention between the writers
	my $src = 1 + int(rand($ACCOUNTS));
	my $dst = 1 + ($src + int(rand($ACCOUNTS - 1))) % $ACCOUNTS;
	my $amt = 1 + int(rand(300));
	my $req = { TransactItems => [
			{ Update => { TableName => 'tort_bank', Key => { p => { S => "acct$src" } },
					UpdateExpression => 'SET bal = bal - :amt', ConditionExpression => 'bal >= :amt',
					ExpressionAttributeValues => { ':amt' => { N => "$amt" } } } },
			{ Update => { TableName => 'tort_bank', Key => { p => { S => "acct$dst" } },
					UpdateExpression => 'ADD bal :amt',
					ExpressionAttributeValues => { ':amt' => { N => "$amt" } } } } ] };
	return { sql => sql_call('transact_write_items', 'TransactWriteItems', $req),
		kind => 'transfer', expect => 1, effects => [] };
}

sub apply_effects
{
	my ($model, $effects) = @_;
	for my $e (@$effects)
	{
		my ($t, $ks, undef, $new) = @$e;
		if (defined $new) { $model->{$t}{$ks} = $new; }
		else { delete $model->{$t}{$ks}; }
	}
}

# ---- a writer process ----

sub writer_main
{
	my ($node, $w, $cycle, $model, $ledger, $seed) = @_;
	srand($seed);
	open(my $lf, '>>', $ledger) or die "cannot write $ledger: $!";
	$lf->autoflush(1);
	my ($in, $out, $err) = ('', '', '');
	my $h = IPC::Run::start(
		[ 'psql', '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=0', '-h', $node->host, '-p', $node->port,
		  '-d', 'postgres' ],
		'<', \$in, '>', \$out, '2>', \$err);
	my $deadline = time() + 120;
	my $seq = 0;
	while (time() < $deadline)
	{
		my $id = "c$cycle-w$w-" . $seq++;
		my $req = next_request($model, $w, $id);
		print $lf "A $id " . $json->encode({ kind => $req->{kind}, expect => $req->{expect} ? 1 : 0,
				effects => $req->{effects} }) . "\n";
		($out, $err) = ('', '');
		$in .= "$req->{sql};\n\\echo END $id\n";
		while ($out !~ /^END \Q$id\E$/m)
		{
			last unless $h->pumpable;
			last unless eval { $h->pump; 1 };
		}
		if ($out =~ /^ACK (.*)$/m)
		{
			my $resp = $1;
			my $unproc = ($req->{kind} eq 'batch' && $resp =~ /"UnprocessedItems": \{"/) ? ' UNPROCESSED' : '';
			print $lf "K $id$unproc\n";
			apply_effects($model, $req->{effects}) unless $unproc;
			last if $unproc;    # the model no longer knows those keys: stop here
		}
		elsif ($out =~ /^END \Q$id\E$/m)
		{
			# an error: let its message arrive
			for (1 .. 20) { last if $err =~ /ERROR:.*\n/; last unless eval { $h->pump_nb; 1 }; sleep 0.005; }
			# only an ERROR is a failure; anything else (psql lost the
			# connection: the server died) leaves the request unacknowledged
			my ($msg) = $err =~ /(ERROR:.*)/;
			last unless defined $msg;
			print $lf "F $id $msg\n";
		}
		else
		{
			last;    # the connection is gone: the request stays unacknowledged
		}
	}
	eval { $h->kill_kill(grace => 1) };
	close($lf);
	POSIX::_exit(0);
}

# ---- the checks ----

# psql -c in a child process; the file 'done' appears when it succeeded
sub bg_psql
{
	my ($node, $sql, $done) = @_;
	unlink $done;
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		my $rc = system('psql', '-X', '-q', '-o', '/dev/null', '-v', 'ON_ERROR_STOP=1', '-h', $node->host,
			'-p', $node->port, '-d', 'postgres', '-c', $sql);
		if ($rc == 0 && open(my $f, '>', $done)) { close($f); }
		POSIX::_exit(0);
	}
	return $pid;
}

# the processes whose parent is $pid
sub children_of
{
	my ($pid) = @_;
	my @r;
	for my $st (glob('/proc/[0-9]*/stat'))
	{
		open(my $f, '<', $st) or next;
		my $l = <$f> // '';
		close($f);
		push @r, $1 if $l =~ /^(\d+) \(.*\) \S (\d+) / && $2 == $pid;
	}
	return @r;
}

sub sq
{
	my ($node, $sql) = @_;
	return $node->safe_psql('postgres', $sql);
}

sub canon { my ($x) = @_; return defined $x ? $json->encode($x) : 'absent'; }

sub index_check_sql
{
	my ($table, $index, $keys, $include) = @_;
	my $cond = join(' AND ', map { "j -> '$_->[0]' ? '$_->[1]'" } @$keys);
	my $proj = 'j';
	if (defined $include)
	{
		my @attrs = (@{ $include->{keys} }, @{ $include->{attrs} });
		$proj = "jsonb_strip_nulls(jsonb_build_object(" . join(', ', map { "'$_', j -> '$_'" } @attrs) . "))";
	}
	my $expected = "SELECT $proj AS e FROM (SELECT item::jsonb AS j FROM dynamodb.\"$table\") t WHERE $cond";
	my $actual = "SELECT e::jsonb FROM dynpg._index_entries('$table', '$index') AS e";
	return "SELECT (SELECT count(*) FROM (($expected) EXCEPT ALL ($actual)) x) || ' missing, ' ||
	               (SELECT count(*) FROM (($actual) EXCEPT ALL ($expected)) y) || ' extra'";
}

sub dynamo_tables
{
	my ($node) = @_;
	return split /\n/, sq($node, 'SELECT table_name FROM dynpg.tables ORDER BY 1');
}

sub table_digest_sql
{
	my ($t) = @_;
	return "SELECT count(*) || ' ' || coalesce(md5(string_agg(item::text, ',' ORDER BY item::text)), '-') FROM dynamodb.\"$t\"";
}

# ---- the run ----

sub create_tables
{
	my ($node) = @_;
	sq($node, q{
	SELECT dynpg.create_table('{"TableName": "tort_range", "BillingMode": "PAY_PER_REQUEST",
	  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
	  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"},
	    {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}],
	  "LocalSecondaryIndexes": [{"IndexName": "by_l", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
	    {"AttributeName": "l", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
	  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
	    {"AttributeName": "s", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
	  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}');
	SELECT dynpg.create_table('{"TableName": "tort_hash", "BillingMode": "PAY_PER_REQUEST",
	  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
	  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"},
	    {"AttributeName": "v", "AttributeType": "S"}],
	  "GlobalSecondaryIndexes": [{"IndexName": "by_gv", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
	    {"AttributeName": "v", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n"]}}],
	  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}');
	SELECT dynpg.create_table('{"TableName": "tort_big", "BillingMode": "PAY_PER_REQUEST",
	  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
	  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}');
	SELECT dynpg.create_table('{"TableName": "tort_bank", "BillingMode": "PAY_PER_REQUEST",
	  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
	  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}');
	});
	sq($node, "INSERT INTO dynamodb.tort_big SELECT dynpg.from_plain_json(jsonb_build_object('p', 'pre' || i,
	  'g', 'g' || (i % 50), 'pad', repeat('x', i % 200))) FROM generate_series(1, $PRELOAD) i");
	sq($node, "SELECT dynpg.put_item(jsonb_build_object('TableName', 'tort_bank', 'Item',
	  jsonb_build_object('p', jsonb_build_object('S', 'acct' || i), 'bal', jsonb_build_object('N', '$OPENING'))))
	  FROM generate_series(1, $ACCOUNTS) i");
}

sub create_bulk_table { my ($node, $name) = @_; create_load_table($node, $name, stream => 1); return; }

# the root grower's table (split cycles at an internal or new-root point)
sub create_root_table
{
	my ($node) = @_;
	sq($node, q{SELECT dynpg.create_table('{"TableName":"tort_root","BillingMode":"PAY_PER_REQUEST",
	  "KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
	  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}]}')});
}

# the indexes to compare with their definitions: table => [index, key attrs, include]
my %INDEXES = (
	tort_range => [ [ 'by_l', [ [ 'l', 'S' ] ] ], [ 'by_g', [ [ 'g', 'S' ] ] ] ],
	tort_hash => [ [ 'by_gv', [ [ 'g', 'S' ], [ 'v', 'S' ] ], { keys => [qw(p g v)], attrs => ['n'] } ] ],
	tort_bulk => [ [ 'by_g', [ [ 'g', 'S' ] ], { keys => [qw(p s g)], attrs => [] } ], [ 'gsi_g', [ [ 'g', 'S' ] ] ] ],
);

sub run
{
	my (%o) = @_;
	my $cycles = $o{cycles};
	my $seed = $o{seed} // (time() ^ $$) % 1000000;
	my $dir = $PostgreSQL::Test::Utils::tmp_check;
	my $report_file = $o{report} // "$dir/torture-report.txt";
	my @problems;
	my %tally = (acked => 0, failed => 0, pending => 0, panics => 0, kill9 => 0, immediate => 0);
	my %modes;
	my @lines;
	my $t0 = time();
	diag("torture: $cycles cycles, seed $seed (TORTURE_SEED=$seed repeats the choices)");

	my $node = dynpg_node('torture', init => { allows_streaming => 1 }, conf => qq{
include_if_exists = 'torture.conf'
autovacuum_naptime = 1s
max_wal_size = 256MB
log_min_messages = warning
});
	create_tables($node);
	# the bulk load's file and the digest of a completed load
	my $bulk_file = "$dir/torture_bulk.copy";
	sq($node, qq{COPY (SELECT format('{"p":{"S":"part%s"},"s":{"N":"%s"},"g":{"S":"g%s"},"pad":{"S":"%s"}}',
	  i % 97, i, (i * 7) % 1000, repeat(md5(i::text), 1 + i % 5)) FROM generate_series(1, $BULK_ITEMS) i) TO '$bulk_file'});
	create_bulk_table($node, 'tort_bulk');
	sq($node, "COPY dynamodb.tort_bulk FROM '$bulk_file'");
	my $bulk_digest = sq($node, table_digest_sql('tort_bulk'));
	sq($node, q{SELECT dynpg.delete_table('{"TableName": "tort_bulk"}')});
	my $pre_sql = "SELECT count(*) || ' ' || md5(string_agg(item::text, ',' ORDER BY item::text)) FROM dynamodb.tort_big WHERE dynpg.attr_text(item, 'p') LIKE 'pre%'";
	my $pre_digest = sq($node, $pre_sql);

	# reserved at once and saved: crashes come faster than checkpoints, and a
	# slot whose restart_lsn no checkpoint has saved keeps no WAL after one
	sq($node, "SELECT pg_create_physical_replication_slot('torture_standby', true)");
	$node->backup('base');
	my $standby = PostgreSQL::Test::Cluster->new('torture_standby');
	$standby->init_from_backup($node, 'base', has_streaming => 1);
	$standby->append_conf('postgresql.conf', "primary_slot_name = 'torture_standby'\nwal_retrieve_retry_interval = '100ms'");
	$standby->start;

	my %model = map { $_ => {} } @TABLES;
	my $stream_after;    # the last sequence number of tort_range's stream checked

	for my $cycle (1 .. $cycles)
	{
		srand($seed + $cycle);
		my $mode = $o{modes} ? $o{modes}[ ($cycle - 1) % @{ $o{modes} } ] : $MODES[ ($cycle - 1) % @MODES ];
		$modes{$mode}++;
		my @cp;    # this cycle's problems
		my $how = ($mode ne 'split' && rand() < 0.4) ? 'kill9' : 'immediate';
		my $delay = 0.3 + rand(2.5);
		my %wseed = map { $_ => int(rand(1 << 30)) } 1 .. $WRITERS;
		my $note = '';

		my @side;    # the disturbance's processes
		my $bulk_done = "$dir/bulk-done";
		if ($mode eq 'bulk')
		{
			create_bulk_table($node, 'tort_bulk');
			push @side, bg_psql($node, "COPY dynamodb.tort_bulk FROM '$bulk_file'", $bulk_done);
			$delay = 0.05 + rand(1.2);
		}
		my $split_point = 0;
		if ($mode eq 'split')
		{
			# leaf splits come every few writes; internal splits and new roots
			# come from the root grower below
			my $x = rand();
			$split_point = $x < 0.4 ? 1 : $x < 0.7 ? 2 : 3;
			PostgreSQL::Test::Utils::append_to_file($node->data_dir . '/torture.conf',
				"dynpg.debug_split_panic = $split_point\n");
			$note = "split point $split_point";
			create_root_table($node) if $split_point > 1;
		}

		my @ledgers = map { "$dir/ledger-c$cycle-w$_" } 1 .. $WRITERS;
		unlink @ledgers;
		my @pids;
		for my $w (1 .. $WRITERS)
		{
			my $pid = fork();
			die "fork: $!" unless defined $pid;
			if ($pid == 0)
			{
				eval { writer_main($node, $w, $cycle, \%model, $ledgers[ $w - 1 ], $wseed{$w}); };
				print STDERR "writer $w: $@" if $@;
				POSIX::_exit(1);
			}
			push @pids, $pid;
		}

		if ($mode eq 'split')
		{
			$node->reload;
			# the root grower: items with 900-byte sort keys, a few to a leaf and
			# to an internal page, into the fresh tort_root one by one, so that
			# its root splits after a few items and its internal pages soon after
			# (one statement: the crash rolls it back, the tree's pages stay)
			push @side, bg_psql($node, q{SET dynpg.bulk_load = off; INSERT INTO dynamodb.tort_root
			  SELECT format('{"p":{"S":"r%s"},"s":{"S":"%s"}}', i % 3, lpad(i::text, 900, 'k'))::dynpg.item
			  FROM generate_series(1, 3000) i}, "$dir/root-done")
			  if $split_point > 1;
			# the first split after the reload PANICs: wait for the postmaster to go
			my $pid = $node->{_pid};
			my $until = time() + $delay + ($note =~ /point 1/ ? 3 : 8);
			sleep 0.05 while time() < $until && kill(0, $pid);
			if (kill(0, $pid)) { $note .= ' (not reached)'; }
			else { $tally{panics}++; $note .= ' PANIC'; }
		}
		elsif ($mode eq 'backfill')
		{
			sleep 0.2;
			sq($node, q{SELECT dynpg.update_table('{"TableName": "tort_big",
				"AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
				"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "bfill",
				  "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}')});
			$delay = rand(0.25);
		}
		elsif ($mode eq 'vacuum')
		{
			sleep rand(1.0);
			push @side, bg_psql($node, 'VACUUM dynamodb.tort_range, dynamodb.tort_hash, dynamodb.tort_big, dynamodb.tort_bank',
				"$dir/vacuum-done");
			$delay = rand(1.0);
		}
		sleep $delay unless $mode eq 'split';

		my $state = '';
		if ($mode eq 'backfill')
		{
			$state = eval { sq($node, q{SELECT status || ' ' || (SELECT count(*) FROM dynpg.index_builds WHERE position IS NOT NULL)
			  FROM dynpg.indexes WHERE table_name = 'tort_big' AND index_name = 'bfill'}) } // '?';
			$note = "index $state at the crash";
		}
		my $bulk_acked = -e $bulk_done ? 1 : 0;
		# the crash
		my @orphans;
		if ($how eq 'kill9' && kill(0, $node->{_pid} // 0))
		{
			@orphans = children_of($node->{_pid});
			$node->kill9;
			$tally{kill9}++;
			sleep 0.3;    # the orphaned backends may still commit: their writers go on a moment
		}
		else
		{
			$node->stop('immediate', fail_ok => 1);
			$node->{_pid} = undef;
			$how = 'immediate';
			$tally{immediate}++;
		}
		kill 'KILL', @pids;
		waitpid($_, 0) for @pids;
		waitpid($_, 0) for @side;    # their server is gone: they end
		unlink($node->data_dir . '/torture.conf');
		# after kill -9, the old backends and workers notice that the
		# postmaster died and exit; the server starts once they are gone
		my $until = time() + 30;
		sleep 0.05 while time() < $until && grep { kill(0, $_) } @orphans;
		if (my @left = grep { kill(0, $_) } @orphans)
		{
			my @what = map { my $c = PostgreSQL::Test::Utils::slurp_file("/proc/$_/cmdline"); $c =~ s/\0/ /g; "$_ $c" } @left;
			push @cp, "processes of the killed postmaster still run after 30 s: @what";
			kill 'KILL', @left;
		}
		my $started = 0;
		for (1 .. 60)
		{
			last if ($started = $node->start(fail_ok => 1));
			sleep 0.5;
		}
		if (!$started)
		{
			push @problems, "cycle $cycle: the server did not start again after the $how";
			diag("cycle $cycle: the server did not start; stopping");
			last;
		}

		# -- replay the ledgers --
		my ($acked, $failed, $pending) = (0, 0, 0);
		my %pend;    # "$t\t$ks" => [old, new, op id]
		my %optional;    # op id => 1 (its changes may or may not be there)
		my @pend_ops;
		my %stream_exp;    # tort_range key => [records]
		my %stream_opt;    # tort_range key => record the pending op would add
		for my $w (1 .. $WRITERS)
		{
			my $lf = $ledgers[ $w - 1 ];
			next unless -e $lf;
			open(my $fh, '<', $lf) or die;
			my (%att, %res, @order);
			while (my $line = <$fh>)
			{
				chomp $line;
				if ($line =~ /^A (\S+) (.*)$/) { $att{$1} = eval { $json->decode($2) }; push @order, $1; }
				elsif ($line =~ /^K (\S+)( UNPROCESSED)?$/) { $res{$1} = $2 ? 'U' : 'K'; }
				elsif ($line =~ /^F (\S+) (.*)$/) { $res{$1} = "F $2"; }
			}
			close($fh);
			for my $id (@order)
			{
				my $a = $att{$id};
				if (!$a) { push @cp, "$id: unreadable ledger line (writer killed mid-line)" if exists $res{$id}; next; }
				my $r = $res{$id};
				my $stream_records = sub {
					my ($eff) = @_;
					my ($t, $ks, $old, $new) = @$eff;
					return () unless $t eq 'tort_range';
					return ([ 'INSERT', $new->{v}{S}, '' ]) if $new && !$old;
					return ([ 'MODIFY', $new->{v}{S}, $old->{v}{S} ]) if $new;
					return ([ 'REMOVE', '', $old->{v}{S} ]) if $old;
					return ();
				};
				if (defined $r && ($r eq 'K' || $r eq 'U'))
				{
					$acked++;
					if (!$a->{expect})
					{
						push @cp, "$id: acknowledged a $a->{kind} request whose condition was false";
					}
					if ($r eq 'U')
					{
						# some items unprocessed: each either way (the writer stopped after it)
						for my $e (@{ $a->{effects} })
						{
							my ($t, $ks, $old, $new) = @$e;
							$pend{"$t\t$ks"} = [ $old, $new, $id ];
						}
						push @pend_ops, [ $id, 'batch', $a->{effects} ];
						next;
					}
					for my $e (@{ $a->{effects} })
					{
						push @{ $stream_exp{ $e->[1] } }, $stream_records->($e) if $e->[0] eq 'tort_range';
					}
					apply_effects(\%model, $a->{effects});
				}
				elsif (defined $r)
				{
					$failed++;
					my $msg = substr($r, 2);
					if ($a->{expect} && $a->{kind} ne 'transfer')
					{
						push @cp, "$id: a $a->{kind} request whose conditions held failed: $msg";
					}
					elsif (!$a->{expect} && $msg !~ /ConditionalCheckFailed|TransactionCanceled|conditional request failed|Transaction cancelled/i)
					{
						push @cp, "$id: a $a->{kind} request failed with an unexpected error: $msg";
					}
					elsif ($a->{kind} eq 'transfer' && $msg !~ /Transaction cancelled|TransactionConflict|deadlock|could not serialize|conflict/i)
					{
						push @cp, "$id: a transfer failed with an unexpected error: $msg";
					}
				}
				else
				{
					$pending++;
					next unless $a->{expect};    # a false condition: nothing may appear
					push @pend_ops, [ $id, $a->{kind}, $a->{effects} ];
					for my $e (@{ $a->{effects} })
					{
						my ($t, $ks, $old, $new) = @$e;
						$pend{"$t\t$ks"} = [ $old, $new, $id ];
						my @rec = $stream_records->($e);
						$stream_opt{$ks} = $rec[0] if @rec && $t eq 'tort_range';
					}
				}
			}
		}
		$tally{acked} += $acked;
		$tally{failed} += $failed;
		$tally{pending} += $pending;

		# -- the items against the model --
		my %actual = map { $_ => {} } @TABLES;
		for my $t (@TABLES)
		{
			my $where = $t eq 'tort_big' ? "WHERE dynpg.attr_text(item, 'p') LIKE 'w%'" : '';
			for my $row (split /\n/, sq($node, "SELECT item::jsonb::text FROM dynamodb.$t $where"))
			{
				my $item = $json->decode($row);
				$actual{$t}{ keystr($item) } = $item;
			}
		}
		my %op_side;    # pending op id => { A => n, B => n }
		for my $t (@TABLES)
		{
			my %keys = map { $_ => 1 } (keys %{ $model{$t} }, keys %{ $actual{$t} });
			for my $e (map { @{ $_->[2] } } @pend_ops) { $keys{ $e->[1] } = 1 if $e->[0] eq $t; }
			for my $ks (sort keys %keys)
			{
				my $got = canon($actual{$t}{$ks});
				my $want = canon($model{$t}{$ks});
				my $p = $pend{"$t\t$ks"};
				if ($p)
				{
					my ($old, $new, $id) = @$p;
					my ($a, $b) = (canon($old), canon($new));
					if ($got eq $a && $got eq $b) { }
					elsif ($got eq $a) { $op_side{$id}{A}++; }
					elsif ($got eq $b) { $op_side{$id}{B}++; }
					else { push @cp, "$t $ks: neither the value before nor after in-flight request $id: " . substr($got, 0, 200); }
				}
				elsif ($got ne $want)
				{
					push @cp, "$t $ks: expected " . substr($want, 0, 120) . ", found " . substr($got, 0, 120);
				}
			}
		}
		for my $op (@pend_ops)
		{
			my ($id, $kind) = @$op;
			my $s = $op_side{$id} // {};
			if ($kind eq 'txn' && $s->{A} && $s->{B})
			{
				push @cp, "$id: transaction in flight at the crash is half applied ($s->{B} of " . ($s->{A} + $s->{B}) . " changes)";
			}
		}
		# the model follows what is there (a problem was reported above)
		for my $t (@TABLES) { $model{$t} = { %{ $actual{$t} } }; }

		# -- tort_range's stream: one record per committed change, per key in order --
		my $after = defined $stream_after ? "'$stream_after'" : 'NULL';
		my %stream_got;
		my $last_seq = $stream_after;
		for my $row (split /\n/, sq($node, qq{SELECT sequence_number, event_name,
				dynpg.attr_text(keys, 'p') || '|' || dynpg.attr_text(keys, 's'),
				coalesce(dynpg.attr_text(new_image, 'v'), ''), coalesce(dynpg.attr_text(old_image, 'v'), '')
			  FROM dynpg.stream_records('tort_range', $after, 1000000) ORDER BY sequence_number}))
		{
			# the key is 'p|s' itself: six fields
			my ($sn, $ev, $p, $s, $nv, $ov) = split /\|/, $row, -1;
			push @{ $stream_got{"$p|$s"} }, "$ev $nv $ov";
			$last_seq = $sn;
		}
		$stream_after = $last_seq;
		my %sk = map { $_ => 1 } (keys %stream_got, keys %stream_exp);
		for my $ks (sort keys %sk)
		{
			my $want = join(', ', map { "@$_" } @{ $stream_exp{$ks} // [] });
			my $got = join(', ', @{ $stream_got{$ks} // [] });
			my $alt = $stream_opt{$ks} ? join(', ', grep { $_ ne '' } $want, "@{ $stream_opt{$ks} }") : undef;
			next if $got eq $want || (defined $alt && $got eq $alt);
			push @cp, "stream of tort_range, key $ks: expected [$want]" . (defined $alt ? " or [$alt]" : '') . ", found [$got]";
		}

		# -- the bank: transfers are all or nothing --
		my $bank = sq($node, "SELECT count(*) || ' ' || sum(dynpg.attr_text(item, 'bal')::numeric) || ' ' ||
			count(*) FILTER (WHERE dynpg.attr_text(item, 'bal')::numeric < 0) FROM dynamodb.tort_bank");
		push @cp, "tort_bank: count, total, negatives = $bank" unless $bank eq "$ACCOUNTS " . ($ACCOUNTS * $OPENING) . " 0";

		# -- tort_big's preloaded items, the bulk load --
		my $pre_now = sq($node, $pre_sql);
		push @cp, "tort_big: the preloaded items changed ($pre_now, was $pre_digest)" unless $pre_now eq $pre_digest;
		if ($mode eq 'bulk')
		{
			my $d = sq($node, table_digest_sql('tort_bulk'));
			if ($d eq $bulk_digest) { $note = 'bulk load committed'; }
			elsif ($d eq '0 -' && !$bulk_acked) { $note = 'bulk load rolled back'; }
			else { push @cp, "tort_bulk: after a " . ($bulk_acked ? 'committed' : 'crashed') . " load: $d (a whole load: $bulk_digest)"; }
		}

		# -- every index: ACTIVE, equal to its definition; verify clean --
		my @tables = dynamo_tables($node);
		for my $t (@tables)
		{
			my $done = sq($node, "SELECT dynpg.wait_for_indexes('$t', 300)");
			push @cp, "$t: wait_for_indexes timed out" unless $done eq 't';
			my @idx = @{ $INDEXES{$t} // [] };
			push @idx, [ 'bfill', [ [ 'g', 'S' ] ] ]
			  if $t eq 'tort_big' && sq($node, "SELECT count(*) FROM dynpg.indexes WHERE table_name = 'tort_big' AND index_name = 'bfill'");
			for my $i (@idx)
			{
				my $r = sq($node, index_check_sql($t, @$i));
				push @cp, "$t.$i->[0]: $r" unless $r eq '0 missing, 0 extra';
			}
			my ($ok, $report) = verify_ok($node, $t);
			push @cp, "$t: dynpg.verify: $report" unless $ok;
		}

		# -- the standby: the same items once caught up --
		$node->wait_for_catchup($standby, 'replay', $node->lsn('flush'));
		for my $t (@tables)
		{
			my $p = sq($node, table_digest_sql($t));
			my $s = $standby->safe_psql('postgres', table_digest_sql($t));
			push @cp, "$t: the standby holds $s, the primary $p" unless $p eq $s;
		}

		# -- leave the next cycle a clean start --
		if ($mode eq 'backfill')
		{
			sq($node, q{SELECT dynpg.update_table('{"TableName": "tort_big",
				"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "bfill"}}]}')});
			$node->poll_query_until('postgres',
				q{SELECT count(*) = 0 FROM dynpg.indexes WHERE table_name = 'tort_big' AND index_name = 'bfill'})
			  or push @cp, 'tort_big: GSI bf was not deleted';
		}
		if ($mode eq 'bulk')
		{
			sq($node, q{SELECT dynpg.delete_table('{"TableName": "tort_bulk"}')});
		}
		if ($split_point > 1)
		{
			# the split the crash cut short is finished by the next writes that meet it
			my $before = sq($node, q{SELECT (dynpg.verify('tort_root') ->> 'incomplete_splits')});
			sq($node, q{SET dynpg.bulk_load = off; INSERT INTO dynamodb.tort_root
			  SELECT format('{"p":{"S":"r%s"},"s":{"S":"after%s"}}', i % 3, lpad(i::text, 900, 'k'))::dynpg.item
			  FROM generate_series(1, 200) i});
			my ($ok, $report) = verify_ok($node, 'tort_root');
			push @cp, "tort_root: dynpg.verify after more writes: $report" unless $ok;
			my $after = sq($node, q{SELECT (dynpg.verify('tort_root') ->> 'internal_pages') || ' internal pages, '
			  || (dynpg.verify('tort_root') ->> 'incomplete_splits') || ' incomplete splits'});
			$note .= " (tort_root: $before incomplete split(s) after the restart; after 200 more items $after)";
			sq($node, q{SELECT dynpg.delete_table('{"TableName": "tort_root"}')});
		}
		sq($node, 'CHECKPOINT') if $cycle % 5 == 0;

		my $line = sprintf('cycle %3d %-8s %-9s at %.2fs: %4d acked, %3d failed, %d in flight; %s%s',
			$cycle, $mode, $how, $delay, $acked, $failed, $pending, $note,
			@cp ? '; ' . scalar(@cp) . ' PROBLEM(S)' : '');
		diag($line);
		diag("   $_") for @cp[ 0 .. ($#cp < 9 ? $#cp : 9) ];
		push @lines, $line, map { "   $_" } @cp;
		ok(!@cp, "cycle $cycle ($mode, $how): every check holds");
		push @problems, map { "cycle $cycle: $_" } @cp;
	}

	my $secs = time() - $t0;
	my $summary = sprintf("torture: seed %d, %d cycles in %.0f s (%s); %d writes acknowledged, %d failed as expected or not, "
		  . "%d in flight at a crash; %d kill -9, %d immediate stops, %d split PANICs; %d problem(s)",
		$seed, scalar(grep { /^cycle/ } @lines), $secs, join(', ', map { "$_ $modes{$_}" } sort keys %modes),
		$tally{acked}, $tally{failed}, $tally{pending}, $tally{kill9}, $tally{immediate}, $tally{panics}, scalar(@problems));
	diag($summary);
	if (open(my $rf, '>', $report_file))
	{
		print $rf join("\n", @lines, $summary, @problems ? ('problems:', @problems) : ()), "\n";
		close($rf);
		diag("report: $report_file");
	}
	is(scalar(@problems), 0, 'no problem in any cycle') or diag(join("\n", @problems[ 0 .. ($#problems < 30 ? $#problems : 30) ]));
	$standby->stop;
	$node->stop;
	return \%tally;
}

1;
