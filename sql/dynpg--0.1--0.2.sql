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
