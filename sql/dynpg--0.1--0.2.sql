-- dynpg 0.1 -> 0.2.
--
-- sql/dynpg--0.1.sql is the script of the released version 0.1 (the state of
-- 2026-12-07, commit be1d8ab) and is never edited again.  Every object added
-- or changed since goes here, in the order it was added: CREATE EXTENSION dynpg
-- runs 0.1's script and then this one, and ALTER EXTENSION dynpg UPDATE runs
-- this one over a database created at 0.1, so both reach the same objects.
\echo Use "ALTER EXTENSION dynpg UPDATE TO '0.2'" to load this file. \quit

------------------------------------------------------------------------------
-- Responses as text (issue 22): the json forms of dynpg.execute and of the
-- read operations, for callers that pass DynamoDB's JSON on.  The request is
-- parsed and the response written as text, as the HTTP endpoint does it: no
-- jsonb on either side, items written straight from their stored form, and
-- strings may hold U+0000.
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.execute_json(operation text, request json DEFAULT '{}') RETURNS json
	AS 'MODULE_PATHNAME', 'dynpg_execute_json' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.execute_json(text, json) IS
	'dynpg.execute with request and response as json text (DynamoDB''s JSON as the HTTP endpoint reads and writes it)';
CREATE FUNCTION dynpg.get_item_json(request json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynpg_get_item_json' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.get_item_json(json) IS
	'GetItem with request and response as json text';
CREATE FUNCTION dynpg.query_json(request json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynpg_query_json' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.query_json(json) IS
	'Query with request and response as json text';
CREATE FUNCTION dynpg.scan_json(request json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynpg_scan_json' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.scan_json(json) IS
	'Scan with request and response as json text';
CREATE FUNCTION dynpg.batch_get_item_json(request json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynpg_batch_get_item_json' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.batch_get_item_json(json) IS
	'BatchGetItem with request and response as json text';
CREATE FUNCTION dynpg.transact_get_items_json(request json) RETURNS json
	AS 'MODULE_PATHNAME', 'dynpg_transact_get_items_json' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.transact_get_items_json(json) IS
	'TransactGetItems with request and response as json text';

------------------------------------------------------------------------------
-- Reads from standbys (issue 20, standby part): dynpg.replica_read, which a
-- primary with dynpg.read_replicas calls on a standby for an eventually
-- consistent read, and the view dynpg.replica_lag (src/api/replica.c,
-- src/api/README "Reads from standbys").
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.replica_read(system_identifier text, primary_lsn pg_lsn,
		max_lag_ms float8, operation text, request text,
		OUT lag_ms float8, OUT response text)
	AS 'MODULE_PATHNAME', 'dynpg_replica_read' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.replica_read(text, pg_lsn, float8, text, text) IS
	'On a standby: the lag of this standby for a read begun on the primary at primary_lsn, and the response of the eventually consistent read (GetItem, Query, Scan, BatchGetItem), NULL when the lag exceeds max_lag_ms (-1: no limit)';

-- One row per standby on a primary (pg_stat_replication), one row for itself
-- on a standby.  replay_lag on a standby: 0 when everything received is
-- replayed, else the time since the last replayed commit (an upper bound of
-- how old its data is).  Readable by pg_monitor (pg_stat_replication's detail
-- needs pg_read_all_stats, which pg_monitor has).
CREATE VIEW dynpg.replica_lag AS
SELECT 'primary'::text AS seen_from,
       s.application_name::text AS standby,
       s.client_addr,
       s.state::text AS state,
       s.sync_state::text AS sync_state,
       s.sent_lsn,
       s.flush_lsn,
       s.replay_lsn,
       s.write_lag,
       s.flush_lag,
       s.replay_lag,
       CASE WHEN pg_is_in_recovery() THEN NULL
            ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), s.replay_lsn) END AS replay_bytes_behind,
       NULL::timestamptz AS last_replayed_commit
  FROM pg_stat_replication s
 WHERE NOT pg_is_in_recovery()
UNION ALL
SELECT 'standby'::text,
       coalesce(nullif(current_setting('cluster_name'), ''), 'this standby'),
       NULL::inet,
       coalesce((SELECT r.status FROM pg_stat_wal_receiver r), 'disconnected'),
       NULL::text,
       NULL::pg_lsn,
       pg_last_wal_receive_lsn(),
       pg_last_wal_replay_lsn(),
       NULL::interval,
       NULL::interval,
       CASE WHEN pg_last_wal_receive_lsn() IS NOT NULL
                 AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN interval '0'
            ELSE clock_timestamp() - pg_last_xact_replay_timestamp() END,
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()),
       pg_last_xact_replay_timestamp()
 WHERE pg_is_in_recovery();
COMMENT ON VIEW dynpg.replica_lag IS
	'Replication lag: on a primary one row per standby (pg_stat_replication, bytes behind), on a standby one row for itself (replay lag)';
REVOKE ALL ON dynpg.replica_lag FROM PUBLIC;
GRANT SELECT ON dynpg.replica_lag TO pg_monitor;

-- Partitioned dynpg across nodes with PL/Proxy (issue 20, the PL/Proxy part):
-- the router's cluster (dynpg.cluster, dynpg.create_cluster, dynpg.drop_cluster,
-- dynpg.cluster_nodes, dynpg.cluster_repair_table) and what each node answers
-- (dynpg.cluster_node_execute, dynpg.cluster_node_info).  src/api/README,
-- "Partitioned dynpg", explains the routing.

-- The cluster this database routes for (at most one); its PL/Proxy server has
-- the same name, its routing functions are in schema dynpg_cluster.
CREATE TABLE dynpg.cluster (
	name text PRIMARY KEY,
	node_count int NOT NULL CHECK (node_count BETWEEN 1 AND 1024 AND node_count & (node_count - 1) = 0),
	one_cluster boolean NOT NULL DEFAULT true UNIQUE CHECK (one_cluster)
);
SELECT pg_catalog.pg_extension_config_dump('dynpg.cluster', '');
-- every role the router serves reads it (cluster.c, on each call)
GRANT SELECT ON dynpg.cluster TO PUBLIC;

-- The commit decisions of TransactWriteItems across nodes (two-phase
-- commit, src/api/README "Transactions across nodes"): a row is written in
-- the router's transaction that prepared 'gid' on 'nodes', so it is there
-- exactly when that transaction committed.  Written and read by dynpg's C
-- code only (no role has privileges on it); dynpg.cluster_recover() ends
-- the prepared transactions a crash left and deletes the rows done.
CREATE TABLE dynpg.cluster_xact (
	gid text PRIMARY KEY,
	nodes int[] NOT NULL,
	decided timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON dynpg.cluster_xact FROM PUBLIC;

-- End every prepared transaction of this router's cluster on its nodes:
-- COMMIT PREPARED when the router's transaction committed it, ROLLBACK
-- PREPARED when that transaction aborted or never ended (a crash),
-- nothing while it is in progress.  One row per prepared transaction seen
-- (or per node that did not answer).
CREATE FUNCTION dynpg.cluster_recover(OUT node int, OUT gid text, OUT outcome text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'dynpg_cluster_recover' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION dynpg.cluster_recover() FROM PUBLIC;

-- A node's side of a routed call: the operation's response, or "!" and its error.
CREATE FUNCTION dynpg.cluster_node_execute(operation text, request text) RETURNS text
	AS 'MODULE_PATHNAME', 'dynpg_cluster_node_execute' LANGUAGE C STRICT;

-- What create_cluster checks of a node: its dynpg version, its DynamoDB
-- tables, whether it is itself a router.
CREATE FUNCTION dynpg.cluster_node_info() RETURNS text LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'version', dynpg.version(),
		'tables', (SELECT count(*) FROM pg_catalog.pg_class c
					JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
					WHERE n.nspname = 'dynamodb' AND c.relkind = 'r'),
		'router', to_regnamespace('dynpg_cluster') IS NOT NULL)::text $$;

-- A libpq connection string without its password (key=value form and URIs).
CREATE FUNCTION dynpg.cluster_conninfo(conninfo text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT regexp_replace(
		regexp_replace(conninfo, '\s*\mpassword\s*=\s*(''([^''\\]|\\.)*''|\S*)', '', 'gi'),
		'^(postgres(ql)?://[^:/@]*):[^@]*@', '\1@', 'i') $$;

-- The node owning partition hash 'hash' (dynpg.partition_hash) among
-- 'node_count' nodes (a power of two): the hash's top bits.
CREATE FUNCTION dynpg.cluster_node_of(hash bigint, node_count int) RETURNS int
	AS 'MODULE_PATHNAME', 'dynpg_cluster_node_of_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- An unsigned 64-bit hash (as numeric) in hexadecimal, 16 digits.
CREATE FUNCTION dynpg.cluster_hash_hex(h numeric) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT lpad(to_hex((CASE WHEN h >= 9223372036854775808 THEN h - 18446744073709551616
						ELSE h END)::bigint), 16, '0') $$;

CREATE VIEW dynpg.cluster_nodes AS
	SELECT c.name AS cluster,
		   o.node,
		   dynpg.cluster_conninfo(o.conninfo) AS conninfo,
		   dynpg.cluster_hash_hex(o.node * (18446744073709551616 / c.node_count)) AS hash_from,
		   dynpg.cluster_hash_hex((o.node + 1) * (18446744073709551616 / c.node_count) - 1) AS hash_to
	FROM dynpg.cluster c
	JOIN pg_catalog.pg_foreign_server s ON s.srvname = c.name
	CROSS JOIN LATERAL (
		SELECT substr(split_part(opt, '=', 1), 2)::int AS node,
			   substr(opt, strpos(opt, '=') + 1) AS conninfo
		FROM unnest(s.srvoptions) AS opt
		WHERE opt ~ '^p[0-9]+=') o;

-- The partition hash of an item's partition key attribute (NULL without it):
-- dynpg.partition_hash of the attribute, read from the item itself.
CREATE FUNCTION dynpg.item_partition_hash(item dynpg.item, partition_key text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_item_partition_hash_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- PL/Proxy keeps the nodes' connection strings in the server's options,
-- which every role may read (pg_foreign_server): no password there
CREATE FUNCTION dynpg._cluster_refuse_passwords(nodes text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT FROM unnest(nodes) AS c
				WHERE c ~* '\mpassword\s*=' OR c ~* '^postgres(ql)?://[^/@]*:[^/@]*@') THEN
		RAISE EXCEPTION 'dynpg: a cluster node''s connection string may not hold a password: PostgreSQL shows a foreign server''s options to every role'
			USING HINT = 'Give the password in the password file (~/.pgpass) of the router''s server, or use an authentication method without one.';
	END IF;
END $$;
REVOKE ALL ON FUNCTION dynpg._cluster_refuse_passwords(text[]) FROM PUBLIC;

CREATE FUNCTION dynpg.create_cluster(name text, nodes text[]) RETURNS void
LANGUAGE plpgsql AS $create$
DECLARE
	n int := coalesce(array_length(nodes, 1), 0);
	i int;
	info jsonb;
	tables bigint;
	opts text;
BEGIN
	IF name IS NULL OR name !~ '^[a-z_][a-z0-9_]{0,62}$' THEN
		RAISE EXCEPTION 'dynpg: a cluster name is a lower-case identifier (letters, digits, _), not %', coalesce(quote_literal(name), 'NULL');
	END IF;
	IF EXISTS (SELECT FROM dynpg.cluster) OR to_regnamespace('dynpg_cluster') IS NOT NULL THEN
		RAISE EXCEPTION 'dynpg: this database is already the router of cluster %',
			(SELECT c.name FROM dynpg.cluster c)
			USING HINT = 'dynpg.drop_cluster(name) removes it.';
	END IF;
	IF n = 0 OR n > 1024 OR n & (n - 1) <> 0 OR array_position(nodes, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'dynpg: a cluster has a power of two nodes (1, 2, 4, ... 1024), each a connection string; got %', n;
	END IF;
	SELECT count(*) INTO tables FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
		WHERE s.nspname = 'dynamodb' AND c.relkind = 'r';
	IF tables > 0 THEN
		RAISE EXCEPTION 'dynpg: this database holds % DynamoDB tables; a router starts with none', tables
			USING HINT = 'Create the cluster in a new database, then create the tables through it.';
	END IF;
	PERFORM dynpg._cluster_refuse_passwords(nodes);
	CREATE EXTENSION IF NOT EXISTS plproxy;
	SELECT string_agg(format('p%s %L', k - 1, nodes[k]), ', ' ORDER BY k) INTO opts
		FROM generate_subscripts(nodes, 1) AS k;
	EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER plproxy OPTIONS (%s)', name, opts);
	-- the nodes are reached as the role creating the cluster; the router's
	-- own GRANTs on its tables decide who may do what (src/api/README)
	EXECUTE format('CREATE USER MAPPING FOR PUBLIC SERVER %I OPTIONS (user %L)', name, current_user);
	EXECUTE format('GRANT USAGE ON FOREIGN SERVER %I TO PUBLIC', name);
	CREATE SCHEMA dynpg_cluster;
	GRANT USAGE ON SCHEMA dynpg_cluster TO PUBLIC;
	EXECUTE format($f$CREATE FUNCTION dynpg_cluster.run_on(node int, operation text, request text)
		RETURNS text LANGUAGE plproxy AS $b$
		CLUSTER %L;
		RUN ON node;
		SELECT dynpg.cluster_node_execute(operation, request) AS run_on;
		$b$ $f$, name);
	EXECUTE format($f$CREATE FUNCTION dynpg_cluster.node_info(node int)
		RETURNS text LANGUAGE plproxy AS $b$
		CLUSTER %L;
		RUN ON node;
		SELECT dynpg.cluster_node_info() AS node_info;
		$b$ $f$, name);
	-- they reach the nodes as this role: only it may call them (the router
	-- calls run_on as the schema's owner, after its own privilege checks)
	REVOKE ALL ON FUNCTION dynpg_cluster.run_on(int, text, text), dynpg_cluster.node_info(int) FROM PUBLIC;
	INSERT INTO dynpg.cluster (name, node_count) VALUES (name, n);
	FOR i IN 0 .. n - 1 LOOP
		BEGIN
			info := dynpg_cluster.node_info(i)::jsonb;
		EXCEPTION WHEN OTHERS THEN
			RAISE EXCEPTION 'dynpg: cluster node % (%) does not answer: %',
				i, dynpg.cluster_conninfo(nodes[i + 1]), SQLERRM;
		END;
		IF info->>'version' IS DISTINCT FROM dynpg.version() THEN
			RAISE EXCEPTION 'dynpg: cluster node % (%) runs dynpg %, the router %',
				i, dynpg.cluster_conninfo(nodes[i + 1]), info->>'version', dynpg.version();
		END IF;
		IF (info->>'router')::boolean THEN
			RAISE EXCEPTION 'dynpg: cluster node % (%) is itself the router of a cluster',
				i, dynpg.cluster_conninfo(nodes[i + 1]);
		END IF;
		IF (info->>'tables')::bigint > 0 THEN
			RAISE EXCEPTION 'dynpg: cluster node % (%) holds % DynamoDB tables; a new cluster''s nodes hold none',
				i, dynpg.cluster_conninfo(nodes[i + 1]), info->>'tables';
		END IF;
	END LOOP;
END $create$;

CREATE FUNCTION dynpg.drop_cluster(name text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	tables bigint;
BEGIN
	IF NOT EXISTS (SELECT FROM dynpg.cluster c WHERE c.name = drop_cluster.name) THEN
		RAISE EXCEPTION 'dynpg: this database is not the router of a cluster %', coalesce(quote_literal(name), 'NULL');
	END IF;
	SELECT count(*) INTO tables FROM pg_catalog.pg_class c
		JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
		WHERE s.nspname = 'dynamodb' AND c.relkind = 'r';
	IF tables > 0 THEN
		RAISE EXCEPTION 'dynpg: cluster % still has % DynamoDB tables', name, tables
			USING HINT = 'Delete them through the router first (DeleteTable); the nodes keep whatever they hold.';
	END IF;
	DROP SCHEMA dynpg_cluster CASCADE;
	EXECUTE format('DROP SERVER %I CASCADE', name);
	DELETE FROM dynpg.cluster c WHERE c.name = drop_cluster.name;
END $$;

-- After a CreateTable that failed on a node and could not be undone on
-- another: remove table 'table_name' from every node when the router does
-- not have it.  Idempotent; returns the nodes it was deleted from.
CREATE FUNCTION dynpg.cluster_repair_table(table_name text) RETURNS int[]
LANGUAGE plpgsql AS $$
DECLARE
	n int;
	answer text;
	done int[] := '{}';
BEGIN
	IF to_regnamespace('dynpg_cluster') IS NULL THEN
		RAISE EXCEPTION 'dynpg: this database is not the router of a cluster';
	END IF;
	IF EXISTS (SELECT FROM dynpg.list_tables('{}') t,
					jsonb_array_elements_text(t->'TableNames') AS tn
				WHERE tn = table_name) THEN
		RAISE EXCEPTION 'dynpg: the router has table %: nothing to repair (DeleteTable deletes it everywhere)', table_name;
	END IF;
	FOR n IN 0 .. (SELECT node_count - 1 FROM dynpg.cluster) LOOP
		answer := dynpg_cluster.run_on(n, 'DeleteTable', jsonb_build_object('TableName', table_name)::text);
		IF left(answer, 1) <> '!' THEN
			done := done || n;
		ELSIF (substr(answer, 2)::jsonb)->>'sqlstate' <> 'YD011' THEN
			RAISE EXCEPTION 'dynpg: DeleteTable of % failed on node %: %', table_name, n,
				(substr(answer, 2)::jsonb)->>'message';
		END IF;
	END LOOP;
	RETURN done;
END $$;
-- Setting a cluster up, dropping and repairing it reach every node as the
-- cluster's creator: superusers (and roles they grant EXECUTE) only.
REVOKE ALL ON FUNCTION dynpg.create_cluster(text, text[]), dynpg.drop_cluster(text),
	dynpg.cluster_repair_table(text) FROM PUBLIC;

-- From N to 2N nodes (src/api/README, "Going from N to 2N nodes"): old node
-- k becomes node 2k and keeps the lower half of its hashes, new_nodes[k]
-- becomes node 2k+1 and receives the upper half, with the tables' indexes.
-- Every routed call waits meanwhile (it holds dynpg.cluster in ACCESS SHARE
-- mode); the move commits on every node with the router's transaction
-- (two-phase commit, dynpg.cluster_recover() for what a crash leaves).
-- Returns the number of items moved.
CREATE FUNCTION dynpg._cluster_expand_move(new_nodes text[]) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_cluster_expand_move' LANGUAGE C STRICT;
CREATE FUNCTION dynpg.expand_cluster(new_nodes text[]) RETURNS bigint
LANGUAGE plpgsql AS $expand$
DECLARE
	cl dynpg.cluster;
	n int := coalesce(array_length(new_nodes, 1), 0);
	bad text;
	old text[];
	opts text;
	moved bigint;
BEGIN
	IF to_regnamespace('dynpg_cluster') IS NULL THEN
		RAISE EXCEPTION 'dynpg: this database is not the router of a cluster';
	END IF;
	-- every routed call holds it in ACCESS SHARE mode: they wait from here on
	LOCK TABLE dynpg.cluster IN ACCESS EXCLUSIVE MODE;
	SELECT * INTO STRICT cl FROM dynpg.cluster;
	IF n <> cl.node_count OR cl.node_count * 2 > 1024 OR array_position(new_nodes, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'dynpg: cluster % has % nodes: expand_cluster takes as many new ones (one to split each node''s hashes with), up to 1024 nodes in all; got %',
			cl.name, cl.node_count, n;
	END IF;
	PERFORM dynpg._cluster_refuse_passwords(new_nodes);
	-- a stream's shards are numbered by node: they would not survive the move
	SELECT string_agg(t.table_name, ', ' ORDER BY t.table_name) INTO bad FROM dynpg.tables t
		WHERE (t.definition -> 'StreamSpecification' ->> 'StreamEnabled')::boolean;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'dynpg: cannot expand cluster %: tables % have a stream enabled', cl.name, bad
			USING HINT = 'Disable their streams (UpdateTable with StreamSpecification) and read what they hold first.';
	END IF;
	SELECT string_agg(DISTINCT i.table_name || '.' || i.index_name, ', ') INTO bad FROM dynpg.indexes i
		WHERE i.status <> 'ACTIVE';
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'dynpg: cannot expand cluster %: indexes % are being created or deleted', cl.name, bad
			USING HINT = 'Wait until DescribeTable shows them ACTIVE (or gone).';
	END IF;
	moved := dynpg._cluster_expand_move(new_nodes);
	-- the new numbering: node 2k is old node k, node 2k+1 new node k
	SELECT array_agg(substr(o, strpos(o, '=') + 1) ORDER BY (substring(o FROM '^p([0-9]+)='))::int)
		INTO old FROM pg_catalog.pg_foreign_server s, unnest(s.srvoptions) AS o
		WHERE s.srvname = cl.name AND o ~ '^p[0-9]+=';
	SELECT string_agg(format('%s p%s %L', CASE WHEN k < cl.node_count THEN 'SET' ELSE 'ADD' END, k,
			CASE WHEN k % 2 = 0 THEN old[k / 2 + 1] ELSE new_nodes[(k - 1) / 2 + 1] END), ', ' ORDER BY k)
		INTO opts FROM generate_series(0, 2 * cl.node_count - 1) AS k;
	EXECUTE format('ALTER SERVER %I OPTIONS (%s)', cl.name, opts);
	UPDATE dynpg.cluster SET node_count = 2 * cl.node_count;
	RETURN moved;
END $expand$;
REVOKE ALL ON FUNCTION dynpg.expand_cluster(text[]), dynpg._cluster_expand_move(text[]) FROM PUBLIC;

-- What this session's inserts did to full leaves: splits, shifts to the
-- right sibling (src/storage/README, "Fuller leaves").
CREATE FUNCTION dynpg.page_changes() RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_page_changes' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION dynpg.page_changes() IS
	'What this session''s inserts did to full B-tree leaves: splits in two, shifts of items to the right sibling, right siblings split for a shift';
