# Soak (make soak; its smoke version is tests/t/051_soak_smoke.pl).
#
# For SOAK_SECONDS, a mixed load at the highest rate the machine sustains:
# pgbench clients through SQL (dynpg.get_item, put_item over existing keys,
# update_item, query, transact_write_items on a table with a GSI: a steady
# update load on a fixed key set) and tests/soak/http_load.py's 200 HTTP
# connections opening and closing (GetItem, PutItem, UpdateItem and a
# PutItem whose condition fails), with autovacuum on.  Every interval
# (60 s; SOAK_INTERVAL) it records the operations per second of both, the
# memory of every server process (RssAnon from /proc: private memory, not
# the shared buffers it touched; read every second, kept per interval as
# its floor -- the least, what the process keeps: a leak raises it -- and
# its peak, which moves by megabytes with the HTTP connections open at the
# instant), and the size of the tables (with their
# indexes and TOAST), and, since the machine may be shared, the 1-minute
# load average and the share of the machine's CPU time that went to
# processes other than this soak's (the server's process tree, the test and
# its clients): a neighbour's load, not a degradation, when throughput
# drops with it.  At the end, the private memory of every server process
# that lived through the whole run, after the first interval, at the
# evaluation window's start and at the end.  Pass/fail at the end:
#   - every interval's ops/s within 20% (SOAK_TOLERANCE) of the first one's;
#   - no server process that lived through the evaluation window (the last
#     10 minutes, or the second half of a shorter run) grew its private
#     memory floor by more than max(2 MB, 10%);
#   - the tables' size grew by less than 20% over that window (vacuum keeps up);
#   - the server log holds no ERROR, FATAL, PANIC or WARNING other than the
#     ones the workload provokes (the failing condition);
#   - dynpg.verify is clean on every table afterwards.
# See tests/torture/README.
package DynpgSoak;

use strict;
use warnings;

use IPC::Run;
use POSIX ();
use Time::HiRes qw(time sleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $KEYS = 20000;

sub rss_of
{
	my ($pid) = @_;
	open(my $f, '<', "/proc/$pid/status") or return;
	my ($anon, $rss, $name) = (0, 0, '');
	while (<$f>)
	{
		$anon = $1 if /^RssAnon:\s+(\d+) kB/;
		$rss = $1 if /^VmRSS:\s+(\d+) kB/;
	}
	close($f);
	if (open(my $c, '<', "/proc/$pid/cmdline"))
	{
		local $/;
		$name = <$c> // '';
		close($c);
	}
	$name =~ s/\0/ /g;
	$name =~ s/\s+$//;
	# the start time tells a process from a later one with the same pid
	my $start = 0;
	if (open(my $s, '<', "/proc/$pid/stat"))
	{
		my $l = <$s> // '';
		close($s);
		$start = (split / /, $1)[19] if $l =~ /^\d+ \(.*\) (.*)$/s;
	}
	return ($anon, $rss, $name, $start);
}

sub server_pids
{
	my ($postmaster) = @_;
	my @r = ($postmaster);
	for my $st (glob('/proc/[0-9]*/stat'))
	{
		open(my $f, '<', $st) or next;
		my $l = <$f> // '';
		close($f);
		push @r, $1 if $l =~ /^(\d+) \(.*\) \S (\d+) / && $2 == $postmaster;
	}
	return @r;
}

# The machine's CPU time so far in clock ticks, (busy, total), from /proc/stat
sub machine_cpu
{
	open(my $f, '<', '/proc/stat') or return (0, 0);
	my $l = <$f> // '';
	close($f);
	my (undef, $user, $nice, $system, $idle, $iowait, $irq, $softirq, $steal) = split /\s+/, $l;
	my $busy = $user + $nice + $system + $irq + $softirq + ($steal // 0);
	return ($busy, $busy + $idle + $iowait);
}

# The CPU time in clock ticks of the process trees rooted at the given pids:
# every live descendant's user and system time plus the time of the children
# they have already reaped (cutime, cstime: a backend or autovacuum worker
# that exited counts in the postmaster's), each process once.
sub tree_cpu
{
	my (@roots) = @_;
	my (%parent, %ticks);
	for my $st (glob('/proc/[0-9]*/stat'))
	{
		open(my $f, '<', $st) or next;
		my $l = <$f> // '';
		close($f);
		next unless $l =~ /^(\d+) \(.*\) (.*)$/s;
		my ($pid, @f) = ($1, split(/ /, $2));
		# @f: state, ppid, ... utime at [11], stime [12], cutime [13], cstime [14]
		$parent{$pid} = $f[1];
		$ticks{$pid} = $f[11] + $f[12] + $f[13] + $f[14];
	}
	my %root = map { $_ => 1 } @roots;
	my $sum = 0;
	for my $pid (keys %ticks)
	{
		my ($p, $hops) = ($pid, 0);
		$p = $parent{$p} while !$root{$p} && $parent{$p} && ++$hops < 64;
		$sum += $ticks{$pid} if $root{$p};
	}
	return $sum;
}

# The 1-minute load average
sub load1
{
	open(my $f, '<', '/proc/loadavg') or return 0;
	my $l = <$f> // '0';
	close($f);
	return (split / /, $l)[0];
}

sub run
{
	my (%o) = @_;
	my $secs = $o{seconds};
	my $interval = $o{interval};
	my $tol = $o{tolerance} // 0.2;
	my $conns = $o{connections} // 200;
	my $dir = $PostgreSQL::Test::Utils::tmp_check;
	my @fail;

	my ($node, $port) = http_node('soak', workers => 2, role => 'app', conf => qq{
dynpg.http_auth = 'trust'
dynpg.http_trust_role = 'app'
dynpg.http_max_connections = 1000
autovacuum = on
log_min_messages = warning
log_statement = none
log_min_error_statement = error
max_connections = 300
});
	$node->safe_psql('postgres', q{
	SELECT dynpg.create_table('{"TableName": "soak_sql", "BillingMode": "PAY_PER_REQUEST",
	  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
	  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"},
	    {"AttributeName": "g", "AttributeType": "S"}],
	  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
	    "Projection": {"ProjectionType": "KEYS_ONLY"}}]}');
	SELECT dynpg.create_table('{"TableName": "soak_http", "BillingMode": "PAY_PER_REQUEST",
	  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
	  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
	  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
	    "Projection": {"ProjectionType": "ALL"}}]}');
	GRANT SELECT, INSERT, UPDATE, DELETE ON dynamodb.soak_http TO app;});
	$node->safe_psql('postgres', "INSERT INTO dynamodb.soak_sql SELECT dynpg.from_plain_json(jsonb_build_object(
	  'p', 'p' || (i % 500), 's', i, 'g', 'g' || (i % 100), 'n', 0, 'pad', repeat('x', 100 + i % 300))) FROM generate_series(1, $KEYS) i");
	$node->safe_psql('postgres', "INSERT INTO dynamodb.soak_http SELECT dynpg.from_plain_json(jsonb_build_object(
	  'p', 'k' || i, 'g', 'g' || (i % 100), 'pad', repeat('x', 100 + i % 300))) FROM generate_series(0, $KEYS - 1) i");
	$node->safe_psql('postgres', 'VACUUM ANALYZE');

	# the SQL load: reads, overwrites of existing items, updates, a query, a two-item transaction
	my $script = "$dir/soak.sql";
	open(my $fh, '>', $script) or die;
	print $fh <<"SQL";
\\set i random(1, $KEYS)
\\set j random(1, $KEYS)
\\set d random(1, $KEYS - 1)
\\set k 1 + (:i - 1 + :d) % $KEYS
\\set r random(1, 100)
\\set len random(100, 400)
SELECT CASE
  WHEN :r <= 35 THEN dynpg.get_item(jsonb_build_object('TableName', 'soak_sql', 'Key',
    jsonb_build_object('p', jsonb_build_object('S', 'p' || (:i % 500)), 's', jsonb_build_object('N', :i::text))))
  WHEN :r <= 65 THEN dynpg.put_item(jsonb_build_object('TableName', 'soak_sql', 'Item',
    jsonb_build_object('p', jsonb_build_object('S', 'p' || (:i % 500)), 's', jsonb_build_object('N', :i::text),
      'g', jsonb_build_object('S', 'g' || (:j % 100)), 'n', jsonb_build_object('N', '0'),
      'pad', jsonb_build_object('S', repeat('y', :len)))))
  WHEN :r <= 85 THEN dynpg.execute('UpdateItem', jsonb_build_object('TableName', 'soak_sql', 'Key',
    jsonb_build_object('p', jsonb_build_object('S', 'p' || (:i % 500)), 's', jsonb_build_object('N', :i::text)),
    'UpdateExpression', 'ADD n :one SET g = :g', 'ExpressionAttributeValues',
    jsonb_build_object(':one', jsonb_build_object('N', '1'), ':g', jsonb_build_object('S', 'g' || (:j % 100)))))
  WHEN :r <= 95 THEN dynpg.query(jsonb_build_object('TableName', 'soak_sql', 'KeyConditionExpression', 'p = :p',
    'Limit', 10, 'ExpressionAttributeValues', jsonb_build_object(':p', jsonb_build_object('S', 'p' || (:i % 500)))))
  ELSE dynpg.transact_write_items(jsonb_build_object('TransactItems', jsonb_build_array(
    jsonb_build_object('Update', jsonb_build_object('TableName', 'soak_sql', 'Key',
      jsonb_build_object('p', jsonb_build_object('S', 'p' || (:i % 500)), 's', jsonb_build_object('N', :i::text)),
      'UpdateExpression', 'ADD n :one', 'ExpressionAttributeValues', jsonb_build_object(':one', jsonb_build_object('N', '1')))),
    jsonb_build_object('Update', jsonb_build_object('TableName', 'soak_sql', 'Key',
      jsonb_build_object('p', jsonb_build_object('S', 'p' || (:k % 500)), 's', jsonb_build_object('N', :k::text)),
      'UpdateExpression', 'ADD n :one', 'ExpressionAttributeValues', jsonb_build_object(':one', jsonb_build_object('N', '1')))))))
END;
SQL
	close($fh);

	my $log_start = -s $node->logfile;
	my $n = int($secs / $interval);
	my ($pg_out, $pg_err, $http_out, $http_err) = ('', '', '', '');
	my $pgbench = IPC::Run::start(
		[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', $n * $interval + 1, '-P', $interval, '-f', $script,
		  '-h', $node->host, '-p', $node->port, 'postgres' ],
		'>', \$pg_out, '2>', \$pg_err);
	my $http = IPC::Run::start(
		[ '/usr/bin/python3', 'tests/soak/http_load.py', $port, $n * $interval + 1, $conns, $interval, 'soak_http', $KEYS ],
		'>', \$http_out, '2>', \$http_err);
	my $t0 = time();
	# what the machine did besides this soak: its other processes' share of
	# the CPU time per interval (the machine may be shared), and the load
	my @cpu0 = (machine_cpu(), tree_cpu($$, $node->{_pid}));
	my @samples;    # [ {pid => [floor, peak, name, start]}, size, load, others' CPU % ]
	my $size_sql = q{SELECT sum(pg_total_relation_size(relation)) FROM dynpg.tables};
	for my $i (1 .. $n)
	{
		# memory every second through the interval; per process its floor
		# (the least: what it keeps) and its peak.  An HTTP worker's private
		# memory moves by megabytes with the connections open at the instant;
		# a leak raises the floor.
		my %mem;    # pid => [floor, peak, name]
		while (1)
		{
			for my $pid (server_pids($node->{_pid}))
			{
				my ($anon, undef, $name, $start) = rss_of($pid);
				next unless defined $anon;
				my $m = $mem{$pid} //= [ $anon, $anon, $name, $start ];
				$m->[0] = $anon if $anon < $m->[0];
				$m->[1] = $anon if $anon > $m->[1];
			}
			my $left = $t0 + $i * $interval - time();
			last if $left <= 0;
			sleep($left < 1 ? $left : 1);
		}
		$pgbench->pump_nb;
		$http->pump_nb;
		my $size = $node->safe_psql('postgres', $size_sql);
		my @cpu1 = (machine_cpu(), tree_cpu($$, $node->{_pid}));
		my $others = $cpu1[1] > $cpu0[1]
		  ? 100 * (($cpu1[0] - $cpu0[0]) - ($cpu1[2] - $cpu0[2])) / ($cpu1[1] - $cpu0[1]) : 0;
		$others = 0 if $others < 0;
		@cpu0 = @cpu1;
		push @samples, [ \%mem, $size, load1(), $others ];
	}
	my $pgbench_ok = $pgbench->finish;
	$http->finish;

	# per interval: ops/s of each side
	my @sql = map { /^progress: [\d.]+ s, ([\d.]+) tps/ ? $1 : () } split /\n/, $pg_err;
	my @web = map { /^interval \d+ (\d+) (\d+) (\d+) (\d+)/ ? [ $1, $2, $3, $4 ] : () } split /\n/, $http_out;
	my $rows = $n;
	$rows = @sql if @sql < $rows;
	$rows = @web if @web < $rows;
	push @fail, "pgbench reported $rows of $n intervals" if @sql < $n;
	push @fail, "the HTTP client reported " . scalar(@web) . " of $n intervals" if @web < $n;
	like($pg_out, qr/number of transactions actually processed: [1-9]/, 'pgbench ran');
	# pgbench 15 says "client N script M aborted in command ..." and exits 2
	ok($pgbench_ok && $pg_out . $pg_err !~ /client \d+ (?:script \d+ )?aborted|Run was aborted/,
		'no pgbench client aborted')
	  or diag($pg_err =~ /^(.*aborted.*)$/m ? $1 : "pgbench exited with " . ($pgbench->result // "?"));
	my $unexpected = 0;
	$unexpected += $_->[2] for @web;
	is($unexpected, 0, 'every HTTP answer was the expected one') or diag($http_err);

	my @table;
	my $first;
	# RssAnon: the largest floor and the largest peak of a server process in the interval
	my $head = sprintf('%-8s %10s %10s %10s %8s %19s %14s %6s %7s', 'interval', 'SQL ops/s', 'HTTP ops/s', 'total',
		'conn/s', 'RssAnon floor/peak', 'tables size', 'load', 'others');
	diag($head);
	for my $i (0 .. $rows - 1)
	{
		my $http_ops = ($web[$i][0] + $web[$i][1]) / $interval;
		my $total = $sql[$i] + $http_ops;
		$first //= $total;
		my ($mem, $size, $load, $others) = @{ $samples[$i] };
		my ($maxfloor, $maxpeak) = (0, 0);
		for (values %$mem)
		{
			$maxfloor = $_->[0] if $_->[0] > $maxfloor;
			$maxpeak = $_->[1] if $_->[1] > $maxpeak;
		}
		my $line = sprintf('%-8s %10.0f %10.0f %10.0f %8.0f %8.1f/%6.1f MB %11.1f MB %6.2f %6.0f%%', ($i + 1) * $interval . 's',
			$sql[$i], $http_ops, $total, $web[$i][3] / $interval, $maxfloor / 1024, $maxpeak / 1024, $size / 1048576,
			$load, $others);
		diag($line);
		push @table, $line;
		push @fail, sprintf('interval %d: %.0f ops/s, more than %d%% from the first interval\'s %.0f', $i + 1, $total,
			$tol * 100, $first)
		  if abs($total - $first) > $tol * $first;
	}

	# memory and size over the evaluation window
	my $from = $secs >= 1200 ? $n - int(600 / $interval) : int($n / 2);
	$from = 0 if $from < 0;
	my ($m0, $s0) = @{ $samples[$from] };
	my ($m1, $s1) = @{ $samples[-1] };
	my $growth_worst = '';
	my $worst = -1;
	for my $pid (sort { $a <=> $b } keys %$m1)
	{
		next unless $m0->{$pid} && $m0->{$pid}[3] eq $m1->{$pid}[3];
		my ($a0, $a1) = ($m0->{$pid}[0], $m1->{$pid}[0]);
		my $g = $a1 - $a0;
		if ($g > $worst) { $worst = $g; $growth_worst = sprintf('%s (pid %d): %.1f -> %.1f MB', $m1->{$pid}[2], $pid, $a0 / 1024, $a1 / 1024); }
		my $limit = 2048 > $a0 * 0.1 ? 2048 : $a0 * 0.1;
		push @fail, sprintf('%s (pid %d) grew from %.1f to %.1f MB private memory over the last %d s', $m1->{$pid}[2], $pid,
			$a0 / 1024, $a1 / 1024, ($n - 1 - $from) * $interval)
		  if $g > $limit;
	}
	# every server process that lived through the whole run: its private
	# memory after the first interval, at the window's start and at the end
	my @procs = (sprintf('%-46s %8s %9s %9s %9s %9s', 'server process (alive the whole run), RssAnon:', 'pid',
			'floor 1st', 'window', 'last', 'peak'));
	my $mfirst = $samples[0][0];
	for my $pid (sort { $m1->{$a}[2] cmp $m1->{$b}[2] || $a <=> $b } keys %$m1)
	{
		next unless $mfirst->{$pid} && $m0->{$pid} && $mfirst->{$pid}[3] eq $m1->{$pid}[3];
		my $peak = 0;
		for (@samples) { my $m = $_->[0]{$pid}; $peak = $m->[1] if $m && $m->[1] > $peak; }
		push @procs, sprintf('%-46s %8d %6.1f MB %6.1f MB %6.1f MB %6.1f MB', substr($m1->{$pid}[2], 0, 46), $pid,
			$mfirst->{$pid}[0] / 1024, $m0->{$pid}[0] / 1024, $m1->{$pid}[0] / 1024, $peak / 1024);
	}
	diag($_) for @procs;
	push @fail, sprintf('the tables grew from %.1f to %.1f MB over the last %d s', $s0 / 1048576, $s1 / 1048576,
		($n - 1 - $from) * $interval)
	  if $s1 > $s0 * 1.2;

	# the server log: only the failures the workload provokes
	# (read line by line: the test framework's log_statement = all, which
	# the node's configuration turns off for the load, made a 30-minute
	# run's log 17 GB)
	my %bad;
	open(my $lf, '<', $node->logfile) or die "open " . $node->logfile . ": $!";
	seek($lf, $log_start, 0);
	while (my $line = <$lf>)
	{
		next unless $line =~ /\b(ERROR|FATAL|PANIC|WARNING):\s+(.*)/;
		my $msg = "$1: $2";
		next if $msg =~ /The conditional request failed/;
		$bad{$msg}++;
	}
	close($lf);
	push @fail, map { "server log: $_ ($bad{$_} times)" } sort keys %bad;

	for my $t (qw(soak_sql soak_http))
	{
		my ($ok, $report) = verify_ok($node, $t);
		push @fail, "$t: dynpg.verify: $report" unless $ok;
	}
	my $total_ops = 0;
	$total_ops += $sql[$_] * $interval + $web[$_][0] + $web[$_][1] for 0 .. $rows - 1;
	my $summary = sprintf('soak: %d s in %d intervals of %d s, %d operations (%.0f/s); %d HTTP connections opened; '
		  . 'largest private-memory growth in the window: %s; tables %.1f -> %.1f MB; %s',
		$rows * $interval, $rows, $interval, $total_ops, $total_ops / ($rows * $interval || 1),
		eval { my $c = 0; $c += $_->[3] for @web; $c }, $growth_worst || 'none', $s0 / 1048576, $s1 / 1048576,
		@fail ? 'FAIL' : 'PASS');
	diag($summary);
	diag("   $_") for @fail;
	if ($o{report} && open(my $rf, '>', $o{report}))
	{
		print $rf join("\n", $head, @table, '', @procs, '', $summary, @fail), "\n";
		close($rf);
	}
	is(scalar(@fail), 0, 'the soak passes: throughput, memory, relation size, server log, verify')
	  or diag(join("\n", @fail));
	$node->stop;
}

1;
