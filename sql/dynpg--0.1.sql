/* dynpg 0.1: DynamoDB's key-value model inside PostgreSQL */

\echo Use "CREATE EXTENSION dynpg" to load this file. \quit

-- dynpg needs shared_preload_libraries (WAL resource manager and background
-- workers are registered at postmaster start): refuse to install otherwise.
CREATE FUNCTION dynpg._require_preload() RETURNS void
	AS 'MODULE_PATHNAME', 'dynpg_require_preload_sql' LANGUAGE C STRICT;
SELECT dynpg._require_preload();

DO $$
BEGIN
	IF current_setting('server_encoding') <> 'UTF8' THEN
		RAISE EXCEPTION 'dynpg requires a UTF8 database (this one is %)', current_setting('server_encoding')
			USING HINT = 'DynamoDB strings are UTF-8: create the database with ENCODING ''UTF8''.';
	END IF;
END
$$;

CREATE FUNCTION dynpg.version() RETURNS text
	AS 'MODULE_PATHNAME', 'dynpg_version' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------
-- Errors: DynamoDB exception types and their SQLSTATEs
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.error_types(
	OUT exception text, OUT sqlstate text, OUT type text, OUT retryable boolean)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'dynpg_error_types' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.error_types() IS
	'DynamoDB exception types: SQLSTATE, __type sent in the error DETAIL, and whether DynamoDB clients retry it';

CREATE FUNCTION dynpg.raise_error(exception text, message text) RETURNS void
	AS 'MODULE_PATHNAME', 'dynpg_raise_error_sql' LANGUAGE C STRICT;

------------------------------------------------------------------------------
-- The item type
------------------------------------------------------------------------------
CREATE TYPE dynpg.item;

CREATE FUNCTION dynpg.item_in(cstring) RETURNS dynpg.item
	AS 'MODULE_PATHNAME', 'dynpg_item_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_out(dynpg.item) RETURNS cstring
	AS 'MODULE_PATHNAME', 'dynpg_item_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_recv(internal) RETURNS dynpg.item
	AS 'MODULE_PATHNAME', 'dynpg_item_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_send(dynpg.item) RETURNS bytea
	AS 'MODULE_PATHNAME', 'dynpg_item_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE dynpg.item (
	INPUT = dynpg.item_in,
	OUTPUT = dynpg.item_out,
	RECEIVE = dynpg.item_recv,
	SEND = dynpg.item_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended,
	ALIGNMENT = int4
);
COMMENT ON TYPE dynpg.item IS
	'One DynamoDB item; text form is DynamoDB JSON, e.g. {"PersonID":{"N":"101"}}';

-- Casts: the typed (DynamoDB JSON) form, lossless
CREATE FUNCTION dynpg.item_to_jsonb(dynpg.item) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_item_to_jsonb_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_from_jsonb(jsonb) RETURNS dynpg.item
	AS 'MODULE_PATHNAME', 'dynpg_item_from_jsonb_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (dynpg.item AS jsonb) WITH FUNCTION dynpg.item_to_jsonb(dynpg.item);
CREATE CAST (jsonb AS dynpg.item) WITH FUNCTION dynpg.item_from_jsonb(jsonb);

-- Plain JSON (numbers as JSON numbers, maps as objects, lists as arrays)
CREATE FUNCTION dynpg.to_plain_json(dynpg.item) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_item_to_plain_json' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dynpg.to_plain_json(dynpg.item) IS
	'Plain JSON: S string, N number, B base64 string, BOOL boolean, NULL null, M object, L array, SS/NS/BS arrays (sorted)';
CREATE FUNCTION dynpg.from_plain_json(jsonb) RETURNS dynpg.item
	AS 'MODULE_PATHNAME', 'dynpg_item_from_plain_json' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dynpg.from_plain_json(jsonb) IS
	'Item from plain JSON: string S, number N, boolean BOOL, null NULL, object M, array L (no sets or binary: use the typed form)';

-- Amazon Ion text, as DynamoDB's ExportFormat/InputFormat ION write and read it
CREATE FUNCTION dynpg.item_to_ion(dynpg.item) RETURNS text
	AS 'MODULE_PATHNAME', 'dynpg_item_to_ion' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dynpg.item_to_ion(dynpg.item) IS
	'The item as a line of an ION export: $ion_1_0 {Item:{...}} (N as Ion decimals, B blobs, SS/NS/BS lists annotated $dynamodb_SS/NS/BS)';
CREATE FUNCTION dynpg.item_from_ion(text) RETURNS dynpg.item
	AS 'MODULE_PATHNAME', 'dynpg_item_from_ion' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dynpg.item_from_ion(text) IS
	'The item of one Ion value {Item:{...}}, as ImportTable''s InputFormat ION reads it';

-- Attribute access
CREATE FUNCTION dynpg.attr(dynpg.item, text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_item_attr' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.attr_text(dynpg.item, text) RETURNS text
	AS 'MODULE_PATHNAME', 'dynpg_item_attr_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.has_attr(dynpg.item, text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_item_has_attr' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- The item operators (these three, and the comparisons below) live in
-- schema pg_catalog, their functions in schema dynpg.  PostgreSQL searches
-- pg_catalog whatever the search_path, so item ->> 'a' and a = b work in
-- every session: a database restored from a dump, a role or a tool that
-- never puts dynpg on its path.  CREATE EXTENSION dynpg runs as a superuser
-- (dynpg.control: superuser = true), who may create objects there; the
-- operators are members of the extension like everything else in this
-- script, so pg_dump writes only CREATE EXTENSION (pg_upgrade's
-- --binary-upgrade dump writes them with ALTER EXTENSION ADD) and DROP
-- EXTENSION removes them.  Their left argument is always dynpg.item, so they
-- overload PostgreSQL's own operators of those names without clashing.
CREATE OPERATOR pg_catalog.-> (LEFTARG = dynpg.item, RIGHTARG = text, FUNCTION = dynpg.attr);
CREATE OPERATOR pg_catalog.->> (LEFTARG = dynpg.item, RIGHTARG = text, FUNCTION = dynpg.attr_text);
CREATE OPERATOR pg_catalog.? (LEFTARG = dynpg.item, RIGHTARG = text, FUNCTION = dynpg.has_attr);

CREATE FUNCTION dynpg.get_path(item dynpg.item, path text, plain boolean DEFAULT false) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_item_get_path' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.get_path_text(item dynpg.item, path text) RETURNS text
	AS 'MODULE_PATHNAME', 'dynpg_item_get_path_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.path_exists(item dynpg.item, path text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_item_path_exists' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.attribute_type(item dynpg.item, path text) RETURNS text
	AS 'MODULE_PATHNAME', 'dynpg_item_path_type' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.attribute_size(item dynpg.item, path text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_item_path_size' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_size(dynpg.item) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_item_size_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dynpg.item_size(dynpg.item) IS
	'Item size in DynamoDB''s accounting (names plus values), the size its 400 KB limit applies to';
CREATE FUNCTION dynpg.attribute_names(dynpg.item) RETURNS text[]
	AS 'MODULE_PATHNAME', 'dynpg_item_attribute_names' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Comparison: DynamoDB equality (sets unordered, numbers by value)
CREATE FUNCTION dynpg.item_cmp(dynpg.item, dynpg.item) RETURNS integer
	AS 'MODULE_PATHNAME', 'dynpg_item_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_eq(dynpg.item, dynpg.item) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_item_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_ne(dynpg.item, dynpg.item) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_item_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_lt(dynpg.item, dynpg.item) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_item_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_le(dynpg.item, dynpg.item) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_item_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_gt(dynpg.item, dynpg.item) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_item_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_ge(dynpg.item, dynpg.item) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_item_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_hash(dynpg.item) RETURNS integer
	AS 'MODULE_PATHNAME', 'dynpg_item_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.item_hash_extended(dynpg.item, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_item_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- In pg_catalog too (see the attribute operators above); the operator classes
-- name them, so joins, sorts and indexes use the operators a query finds.
CREATE OPERATOR pg_catalog.= (
	LEFTARG = dynpg.item, RIGHTARG = dynpg.item, FUNCTION = dynpg.item_eq,
	COMMUTATOR = OPERATOR(pg_catalog.=), NEGATOR = OPERATOR(pg_catalog.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR pg_catalog.<> (
	LEFTARG = dynpg.item, RIGHTARG = dynpg.item, FUNCTION = dynpg.item_ne,
	COMMUTATOR = OPERATOR(pg_catalog.<>), NEGATOR = OPERATOR(pg_catalog.=),
	RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR pg_catalog.< (
	LEFTARG = dynpg.item, RIGHTARG = dynpg.item, FUNCTION = dynpg.item_lt,
	COMMUTATOR = OPERATOR(pg_catalog.>), NEGATOR = OPERATOR(pg_catalog.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR pg_catalog.<= (
	LEFTARG = dynpg.item, RIGHTARG = dynpg.item, FUNCTION = dynpg.item_le,
	COMMUTATOR = OPERATOR(pg_catalog.>=), NEGATOR = OPERATOR(pg_catalog.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR pg_catalog.> (
	LEFTARG = dynpg.item, RIGHTARG = dynpg.item, FUNCTION = dynpg.item_gt,
	COMMUTATOR = OPERATOR(pg_catalog.<), NEGATOR = OPERATOR(pg_catalog.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR pg_catalog.>= (
	LEFTARG = dynpg.item, RIGHTARG = dynpg.item, FUNCTION = dynpg.item_ge,
	COMMUTATOR = OPERATOR(pg_catalog.<=), NEGATOR = OPERATOR(pg_catalog.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS dynpg.item_ops DEFAULT FOR TYPE dynpg.item USING btree AS
	OPERATOR 1 pg_catalog.<,
	OPERATOR 2 pg_catalog.<=,
	OPERATOR 3 pg_catalog.=,
	OPERATOR 4 pg_catalog.>=,
	OPERATOR 5 pg_catalog.>,
	FUNCTION 1 dynpg.item_cmp(dynpg.item, dynpg.item);

CREATE OPERATOR CLASS dynpg.item_hash_ops DEFAULT FOR TYPE dynpg.item USING hash AS
	OPERATOR 1 pg_catalog.=,
	FUNCTION 1 dynpg.item_hash(dynpg.item),
	FUNCTION 2 dynpg.item_hash_extended(dynpg.item, bigint);

------------------------------------------------------------------------------
-- Keys: extraction, order-preserving encoding, partition hash, storage key
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.key_encode(attribute_value jsonb) RETURNS bytea
	AS 'MODULE_PATHNAME', 'dynpg_key_encode_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dynpg.key_encode(jsonb) IS
	'Order-preserving encoding of an S, N or B value: byte order equals DynamoDB''s order';
CREATE FUNCTION dynpg.partition_hash(attribute_value jsonb) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_partition_hash_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.hash64(bytea) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_hash64_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dynpg.extract_key(item dynpg.item, partition_key text, partition_key_type text,
		sort_key text DEFAULT NULL, sort_key_type text DEFAULT NULL) RETURNS dynpg.item
	AS 'MODULE_PATHNAME', 'dynpg_extract_key_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION dynpg.storage_key(item dynpg.item, partition_key text, partition_key_type text,
		sort_key text DEFAULT NULL, sort_key_type text DEFAULT NULL) RETURNS bytea
	AS 'MODULE_PATHNAME', 'dynpg_storage_key_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;

------------------------------------------------------------------------------
-- Test support (random inputs for the property tests); not part of the API
------------------------------------------------------------------------------
CREATE FUNCTION dynpg._random_item_text(seed bigint) RETURNS text
	AS 'MODULE_PATHNAME', 'dynpg_random_item_text' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION dynpg._jsonb_writer_check(item dynpg.item) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_jsonb_writer_check' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION dynpg._random_item_jsonb(seed bigint) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_random_item_jsonb' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION dynpg._random_key_value(seed bigint, type text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_random_key_value' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION dynpg._random_malformed_text(seed bigint) RETURNS text
	AS 'MODULE_PATHNAME', 'dynpg_random_malformed_text' LANGUAGE C IMMUTABLE STRICT;

------------------------------------------------------------------------------
-- Tables: the access method, schema dynamodb, definitions, catalog views
------------------------------------------------------------------------------
-- The API's functions live here; table privileges decide what each role may
-- do with the API, so every role may look the functions up.
GRANT USAGE ON SCHEMA dynpg TO PUBLIC;

CREATE FUNCTION dynpg.tableam_handler(internal) RETURNS table_am_handler
	AS 'MODULE_PATHNAME', 'dynpg_tableam_handler' LANGUAGE C;
CREATE ACCESS METHOD dynpg TYPE TABLE HANDLER dynpg.tableam_handler;
COMMENT ON ACCESS METHOD dynpg IS 'DynamoDB tables: items keyed by partition and sort key';

-- One relation per DynamoDB table.  A member of the extension, so that
-- DROP EXTENSION dynpg refuses while tables exist, and CASCADE drops them.
-- USAGE for everyone (table privileges still apply); CREATE is granted to
-- the roles that may call CreateTable.
CREATE SCHEMA dynamodb;
GRANT USAGE ON SCHEMA dynamodb TO PUBLIC;
COMMENT ON SCHEMA dynamodb IS 'DynamoDB tables created by dynpg.create_table, one relation each';

CREATE FUNCTION dynpg.conforms(item dynpg.item, definition jsonb) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_conforms' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION dynpg.conforms(dynpg.item, jsonb) IS
	'True if the item has the key attributes of the table definition, with their types and sizes; else PutItem''s error. Each table''s CHECK constraint dynpg_table calls it with the table''s definition';

CREATE FUNCTION dynpg.table_definition(relation regclass) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_table_definition_sql' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.table_definition(regclass) IS
	'The definition of a dynpg table, read from its CHECK constraint dynpg_table (NULL for other relations)';

CREATE VIEW dynpg.tables AS
SELECT d.def ->> 'TableName' AS table_name,
       c.oid::regclass AS relation,
       d.def -> 'KeySchema' AS key_schema,
       d.def -> 'AttributeDefinitions' AS attribute_definitions,
       d.def ->> 'BillingMode' AS billing_mode,
       d.def -> 'ProvisionedThroughput' AS provisioned_throughput,
       to_timestamp((d.def ->> 'CreationDateTime')::float8) AS creation_time,
       (d.def ->> 'TableId')::uuid AS table_id,
       d.def AS definition
  FROM pg_catalog.pg_class c
 CROSS JOIN LATERAL (SELECT dynpg.table_definition(c.oid) AS def) d
 WHERE c.relnamespace = 'dynamodb'::regnamespace
   AND c.relkind = 'r'
   AND d.def IS NOT NULL;
COMMENT ON VIEW dynpg.tables IS
	'DynamoDB tables: one row per relation of schema dynamodb holding a table definition';
GRANT SELECT ON dynpg.tables TO PUBLIC;

-- One row per secondary index, from the definitions (src/index/README):
-- the table's LSIs, then its GSIs, each in CreateTable's order.
CREATE VIEW dynpg.indexes AS
SELECT t.table_name,
       i.def ->> 'IndexName' AS index_name,
       k.kind AS index_kind,
       COALESCE(i.def ->> 'IndexStatus', 'ACTIVE') AS status,
       t.relation,
       i.def -> 'KeySchema' AS key_schema,
       i.def -> 'Projection' ->> 'ProjectionType' AS projection_type,
       i.def -> 'Projection' -> 'NonKeyAttributes' AS non_key_attributes,
       i.def -> 'ProvisionedThroughput' AS provisioned_throughput,
       i.def AS definition
  FROM dynpg.tables t
 CROSS JOIN (VALUES (1, 'LSI', 'LocalSecondaryIndexes'),
                    (2, 'GSI', 'GlobalSecondaryIndexes')) AS k(n, kind, member)
 CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(t.definition -> k.member)
       WITH ORDINALITY AS i(def, position)
 ORDER BY t.table_name COLLATE "C", k.n, i.position;
COMMENT ON VIEW dynpg.indexes IS
	'Secondary indexes of DynamoDB tables: one row per index in a table definition (LSI or GSI)';
GRANT SELECT ON dynpg.indexes TO PUBLIC;

-- The GSI change log (src/index/README): a base write that may change a
-- GSI entry appends one row in its own transaction -- the table, the base
-- item's key, and the GSI key attributes of the version it replaced -- and
-- the database's dynpg worker applies committed rows and deletes them.
-- Only dynpg's C code reads and writes it.  It is not dumped: a restore
-- writes every item again, which logs it again.
CREATE TABLE dynpg.index_changes (
	tbl oid NOT NULL,
	base_key dynpg.item NOT NULL,
	old_keys dynpg.item
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000,
        autovacuum_vacuum_cost_delay = 0);
REVOKE ALL ON dynpg.index_changes FROM PUBLIC;

-- Testing and maintenance: apply every row of the change log this snapshot
-- sees, as the worker does, and delete it; returns how many were applied.
-- Tests call it right after writes so that GSI state is deterministic (the
-- worker may have applied some rows already: never rely on the count).
CREATE FUNCTION dynpg._apply_index_changes() RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_apply_index_changes' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg._apply_index_changes() IS
	'Testing/maintenance (superuser): apply the pending GSI changes of dynpg.index_changes now; returns the count';
REVOKE ALL ON FUNCTION dynpg._apply_index_changes() FROM PUBLIC;

-- The progress of GSI backfills (src/index/README, "Backfill"): for an index
-- whose definition says "IndexStatus": "CREATING", the base storage key the
-- backfill has reached (NULL: not started).  Written in the transactions of
-- the backfill steps, so it is exactly as durable as the entries written.
-- Not dumped: after a restore the OIDs differ, and an index restored as
-- CREATING is backfilled again from the start (a missing row means that).
-- table_id (the definition's TableId) guards against a reused OID.
CREATE TABLE dynpg.index_builds (
	tbl oid NOT NULL,
	index_name text NOT NULL,
	table_id text,
	position bytea,
	PRIMARY KEY (tbl, index_name)
);
REVOKE ALL ON dynpg.index_builds FROM PUBLIC;

-- DynamoDB Streams (src/am/README, "Streams").  One row per stream a table
-- has had: a table gets a new stream (a new label) each time its stream is
-- enabled, and disabling closes it; a closed stream stays readable for
-- dynpg.stream_retention.  stream_id is the sequence number drawn when the
-- stream was opened, so streams sort by age; end_seq is drawn when it
-- closes (every record of the stream has a smaller number).  Only dynpg's
-- C code writes these tables.  They are not dumped: a restored table's
-- stream, if enabled, starts afresh with the definition's label.
CREATE TABLE dynpg.streams (
	stream_id bigint PRIMARY KEY,
	tbl oid NOT NULL,
	table_id text NOT NULL,
	table_name text NOT NULL,
	owner oid NOT NULL,
	label text NOT NULL,
	view_type text NOT NULL,
	shards int NOT NULL,
	key_schema jsonb NOT NULL,
	created timestamptz NOT NULL,
	end_seq bigint,
	closed timestamptz,
	trimmed_to bigint NOT NULL DEFAULT 0,
	-- the newest write time among the trimmed records: the stream holds
	-- every change after it (incremental exports read the stream from there)
	trimmed_until timestamptz
);
CREATE INDEX ON dynpg.streams (tbl);
REVOKE ALL ON dynpg.streams FROM PUBLIC;

-- A stream's shard generations (src/am/README, "Shards").  Generation 0
-- opens with the stream; the database's dynpg worker closes the open one
-- and opens the next on a schedule (dynpg.stream_shard_rollover) or when a
-- shard reaches dynpg.stream_shard_max_records.  A generation holds the
-- stream's numbers started_seq < n < ended_seq (ended_seq NULL: open; the
-- stream's end_seq once the stream closes), one shard per hash range
-- (dynpg.streams.shards); its shard i's parent is shard i of the generation
-- before.  A record's generation is thus its number's range: records carry
-- only their hash range (dynpg.stream_records.shard).
CREATE TABLE dynpg.stream_shards (
	stream_id bigint NOT NULL REFERENCES dynpg.streams ON DELETE CASCADE,
	generation int NOT NULL,
	started_seq bigint NOT NULL,
	started timestamptz NOT NULL,
	ended_seq bigint,
	ended timestamptz,
	PRIMARY KEY (stream_id, generation)
);
REVOKE ALL ON dynpg.stream_shards FROM PUBLIC;

-- The records: one per item change, in the writing transaction (a rolled
-- back write leaves none).  seq is drawn from dynpg's cluster-wide counter
-- (the WAL insert position or more); readers return only numbers below the
-- horizon no open transaction can still fill (src/am/README).
CREATE TABLE dynpg.stream_records (
	stream_id bigint NOT NULL,
	shard int2 NOT NULL,
	seq bigint NOT NULL,
	event "char" NOT NULL,
	created timestamptz NOT NULL,
	size int4 NOT NULL,
	by_service boolean NOT NULL,
	keys dynpg.item NOT NULL,
	old_image dynpg.item,
	new_image dynpg.item
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000,
        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 10000);
CREATE INDEX stream_records_position ON dynpg.stream_records (stream_id, shard, seq);
REVOKE ALL ON dynpg.stream_records FROM PUBLIC;

-- The horizon the primary's worker publishes for standbys (one row; see
-- src/am/README, "Streams on a standby").
CREATE TABLE dynpg.stream_horizon (horizon bigint NOT NULL);
INSERT INTO dynpg.stream_horizon VALUES (0);
REVOKE ALL ON dynpg.stream_horizon FROM PUBLIC;

-- Testing and maintenance: delete stream records older than the interval
-- now, as the worker does every minute with dynpg.stream_retention
CREATE FUNCTION dynpg._trim_streams(older_than interval) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_trim_streams' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg._trim_streams(interval) IS
	'Testing/maintenance (superuser): delete stream records older than the interval, and streams closed that long ago; returns the records deleted';
REVOKE ALL ON FUNCTION dynpg._trim_streams(interval) FROM PUBLIC;

-- Testing (superuser): move a table's stream back in time by the interval --
-- its opening, its shard generations and its records' write times -- as if
-- all had happened that much earlier (incremental exports need windows of at
-- least 15 minutes in the past; tests make them without waiting).  Returns
-- the records moved.
CREATE FUNCTION dynpg._shift_stream_times(table_name text, by_interval interval) RETURNS bigint
	LANGUAGE sql AS $$
	WITH s AS (SELECT stream_id FROM dynpg.streams WHERE streams.table_name = $1),
	     r AS (UPDATE dynpg.stream_records r SET created = r.created - $2
	             FROM s WHERE r.stream_id = s.stream_id RETURNING 1),
	     g AS (UPDATE dynpg.stream_shards g SET started = g.started - $2, ended = g.ended - $2
	             FROM s WHERE g.stream_id = s.stream_id RETURNING 1),
	     t AS (UPDATE dynpg.streams t SET created = t.created - $2, closed = t.closed - $2,
	                  trimmed_until = t.trimmed_until - $2
	             FROM s WHERE t.stream_id = s.stream_id RETURNING 1)
	SELECT count(*) + 0 * (SELECT count(*) FROM g) + 0 * (SELECT count(*) FROM t) FROM r $$;
COMMENT ON FUNCTION dynpg._shift_stream_times(text, interval) IS
	'Testing (superuser): move the table''s stream (its opening, shard generations and records'' write times) back by the interval; returns the records moved';
REVOKE ALL ON FUNCTION dynpg._shift_stream_times(text, interval) FROM PUBLIC;

-- Time to live (src/index/README, "Expiry index"): the items awaiting
-- deletion, and a sweep now (the worker sweeps every
-- dynpg.ttl_sweep_interval, at most dynpg.ttl_sweep_rate items a second).
CREATE FUNCTION dynpg.ttl_backlog(table_name text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_ttl_backlog_sql' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.ttl_backlog(text) IS
	'Time to live: the table''s expired items not yet deleted (TTL values from five years ago to now)';
CREATE FUNCTION dynpg._ttl_sweep(table_name text, max_deletes bigint DEFAULT 1000000) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_ttl_sweep_sql' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg._ttl_sweep(text, bigint) IS
	'Testing/maintenance (superuser): delete the table''s expired items now, as the worker does; returns how many';
REVOKE ALL ON FUNCTION dynpg._ttl_sweep(text, bigint) FROM PUBLIC;
CREATE VIEW dynpg.ttl_status AS
SELECT t.table_name, t.definition -> 'TimeToLive' ->> 'AttributeName' AS attribute_name,
       dynpg.ttl_backlog(t.table_name) AS awaiting_expiry
  FROM dynpg.tables t
 WHERE (t.definition -> 'TimeToLive' ->> 'Enabled')::boolean
   AND has_table_privilege(t.relation, 'SELECT');
COMMENT ON VIEW dynpg.ttl_status IS
	'Tables with time to live enabled, and per table the expired items not yet deleted';
GRANT SELECT ON dynpg.ttl_status TO PUBLIC;

-- Testing and maintenance: close the open shard generation of the table's
-- stream now and open the next, as the worker does on dynpg.stream_shard_rollover
CREATE FUNCTION dynpg._roll_stream_shards(table_name text) RETURNS int
	AS 'MODULE_PATHNAME', 'dynpg_roll_stream_shards' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg._roll_stream_shards(text) IS
	'Testing/maintenance (superuser): close the open shard generation of the table''s stream and open the next; returns the new generation (NULL: no open stream)';
REVOKE ALL ON FUNCTION dynpg._roll_stream_shards(text) FROM PUBLIC;
CREATE FUNCTION dynpg._roll_due_stream_shards() RETURNS int
	AS 'MODULE_PATHNAME', 'dynpg_roll_due_stream_shards' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg._roll_due_stream_shards() IS
	'Testing/maintenance (superuser): what the worker does every minute -- roll over every stream whose open shards are dynpg.stream_shard_rollover old or have a shard of dynpg.stream_shard_max_records records; returns how many';
REVOKE ALL ON FUNCTION dynpg._roll_due_stream_shards() FROM PUBLIC;

-- For psql users: a table's stream as rows, all shards merged in number
-- order, after a sequence number (NULL: from the oldest kept).  With
-- dynpg.stream_notify on, writers NOTIFY dynpg_stream, '<table>' at
-- commit, so a consumer can LISTEN instead of polling.
CREATE FUNCTION dynpg.stream_records(table_name text, after_sequence_number text DEFAULT NULL,
		max_records int DEFAULT 1000)
	RETURNS TABLE (sequence_number text, shard_id text, event_name text, keys dynpg.item,
		new_image dynpg.item, old_image dynpg.item, approximate_creation timestamptz, size_bytes int)
	AS 'MODULE_PATHNAME', 'dynpg_stream_records_sql' LANGUAGE C VOLATILE CALLED ON NULL INPUT ROWS 100;
COMMENT ON FUNCTION dynpg.stream_records(text, text, int) IS
	'The records of the table''s stream after a sequence number (NULL: from the oldest kept), at most max_records, in number order';

-- The DynamoDB Streams API (its own service: boto3's 'dynamodbstreams'
-- client, target prefix DynamoDBStreams_20120810. over HTTP)
CREATE FUNCTION dynpg.list_streams(request jsonb DEFAULT '{}') RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_list_streams' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.list_streams(jsonb) IS
	'DynamoDB Streams ListStreams: the streams of every table, or of TableName (Limit, ExclusiveStartStreamArn)';
CREATE FUNCTION dynpg.describe_stream(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_describe_stream' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.describe_stream(jsonb) IS
	'DynamoDB Streams DescribeStream: a stream and its shards (Limit, ExclusiveStartShardId, ShardFilter)';
CREATE FUNCTION dynpg.get_shard_iterator(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_get_shard_iterator' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.get_shard_iterator(jsonb) IS
	'DynamoDB Streams GetShardIterator: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER; valid 15 minutes';
CREATE FUNCTION dynpg.get_records(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_get_records' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.get_records(jsonb) IS
	'DynamoDB Streams GetRecords: up to Limit (1000) records or 1 MB from a shard iterator, and NextShardIterator';

-- The workers that apply it (src/worker/README): one per database with
-- dynpg, started by a launcher.
CREATE FUNCTION dynpg.wait_for_indexes(table_name text, timeout_seconds float8 DEFAULT 60)
	RETURNS boolean AS 'MODULE_PATHNAME', 'dynpg_wait_for_indexes' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.wait_for_indexes(text, float8) IS
	'Wait until every change to the table committed before the call is in its global secondary indexes: true, or false on timeout';
CREATE FUNCTION dynpg.index_backlog(table_name text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'dynpg_index_backlog' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.index_backlog(text) IS
	'Committed changes to the table that the index worker has not applied yet';
CREATE FUNCTION dynpg.index_lag(table_name text) RETURNS interval
	AS 'MODULE_PATHNAME', 'dynpg_index_lag' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.index_lag(text) IS
	'NULL without backlog; else the time since the database''s index worker last had applied everything (an upper bound on the wait of any pending change)';
CREATE FUNCTION dynpg._index_workers(OUT datid oid, OUT pid integer, OUT state text,
	OUT changes_applied bigint, OUT batches bigint, OUT last_apply timestamptz,
	OUT caught_up timestamptz, OUT last_error text, OUT last_error_time timestamptz)
	RETURNS SETOF record AS 'MODULE_PATHNAME', 'dynpg_index_workers' LANGUAGE C VOLATILE;
CREATE VIEW dynpg.index_workers AS
	SELECT w.datid, d.datname, w.pid, w.state, w.changes_applied, w.batches,
		   w.last_apply, w.caught_up, w.last_error, w.last_error_time
	  FROM dynpg._index_workers() w LEFT JOIN pg_database d ON d.oid = w.datid;
COMMENT ON VIEW dynpg.index_workers IS
	'The GSI workers: one row per database that has (or wants) one';
CREATE FUNCTION dynpg._request_worker() RETURNS void
	AS 'MODULE_PATHNAME', 'dynpg_request_worker' LANGUAGE C VOLATILE;

-- Per index: its relation and status, and for a GSI the backlog of its
-- table's unapplied changes (each may touch every GSI of the table), their
-- lag (dynpg.index_lag) and the state of the database's worker; an LSI is
-- written with its items ("synchronous").
CREATE VIEW dynpg.index_status AS
SELECT i.table_name, i.index_name, i.index_kind, i.relation, i.status,
       CASE WHEN i.index_kind = 'GSI' THEN dynpg.index_backlog(i.table_name) ELSE 0 END AS backlog,
       CASE WHEN i.index_kind = 'GSI' THEN dynpg.index_lag(i.table_name) END AS lag,
       CASE WHEN i.index_kind = 'LSI' THEN 'synchronous'
            ELSE COALESCE(w.state, 'not running') END AS worker_state,
       CASE WHEN i.index_kind = 'GSI' THEN w.pid END AS worker_pid
  FROM dynpg.indexes i
  LEFT JOIN dynpg.index_workers w ON w.datname = current_database();
COMMENT ON VIEW dynpg.index_status IS
	'Secondary indexes: status, GSI backlog and lag, and the state of the worker that keeps GSIs';
GRANT SELECT ON dynpg.index_status TO PUBLIC;

------------------------------------------------------------------------------
-- The wire layer: DynamoDB requests in, responses out (jsonb)
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.create_table(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_create_table' LANGUAGE C VOLATILE STRICT;
CREATE FUNCTION dynpg.delete_table(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_delete_table' LANGUAGE C VOLATILE STRICT;
CREATE FUNCTION dynpg.update_table(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_update_table' LANGUAGE C VOLATILE STRICT;
CREATE FUNCTION dynpg.describe_table(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_describe_table' LANGUAGE C STABLE STRICT;
CREATE FUNCTION dynpg.list_tables(request jsonb DEFAULT '{}') RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_list_tables' LANGUAGE C STABLE STRICT;
CREATE FUNCTION dynpg.put_item(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_put_item' LANGUAGE C VOLATILE STRICT;
CREATE FUNCTION dynpg.get_item(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_get_item' LANGUAGE C STABLE STRICT;
CREATE FUNCTION dynpg.delete_item(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_delete_item' LANGUAGE C VOLATILE STRICT;
CREATE FUNCTION dynpg.execute(operation text, request jsonb DEFAULT '{}') RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_execute' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.execute(text, jsonb) IS
	'Run the DynamoDB operation named (CreateTable, PutItem, ...) on its request; returns its response';

------------------------------------------------------------------------------
-- Verification of the storage structure
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.verify_relation(relation regclass) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_verify_rel' LANGUAGE C STRICT;
COMMENT ON FUNCTION dynpg.verify_relation(regclass) IS
	'Check the B-tree of a dynpg relation: {"ok": true|false, "problems": [...], counts}';
CREATE FUNCTION dynpg.verify(table_name text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_verify_table' LANGUAGE C STRICT;
COMMENT ON FUNCTION dynpg.verify(text) IS
	'Check the storage of DynamoDB table table_name: {"ok": true|false, "problems": [...], counts}';

------------------------------------------------------------------------------
-- Secondary index testing and maintenance (src/index/README)
------------------------------------------------------------------------------
CREATE FUNCTION dynpg._run_backfill(table_name text) RETURNS void
	AS 'MODULE_PATHNAME', 'dynpg_run_backfill' LANGUAGE C VOLATILE STRICT;
REVOKE EXECUTE ON FUNCTION dynpg._run_backfill(text) FROM PUBLIC;
COMMENT ON FUNCTION dynpg._run_backfill(text) IS
	'Superuser, testing: run the backfill of every CREATING index of the table to completion, in this transaction';
CREATE FUNCTION dynpg._backfill_step() RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_backfill_step_sql' LANGUAGE C VOLATILE STRICT;
REVOKE EXECUTE ON FUNCTION dynpg._backfill_step() FROM PUBLIC;
COMMENT ON FUNCTION dynpg._backfill_step() IS
	'Superuser, testing: one step of backfill work (at most 1000 items) for some CREATING index of this database, as the worker does; true if it did work';
CREATE FUNCTION dynpg._index_entries(table_name text, index_name text) RETURNS SETOF dynpg.item
	AS 'MODULE_PATHNAME', 'dynpg_index_entries' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg._index_entries(text, text) IS
	'Testing: the projected items an index holds, visible to this snapshot, in index key order (needs SELECT on the table)';
CREATE FUNCTION dynpg._damage_index(table_name text, index_name text, action text) RETURNS text
	AS 'MODULE_PATHNAME', 'dynpg_damage_index' LANGUAGE C VOLATILE STRICT;
REVOKE EXECUTE ON FUNCTION dynpg._damage_index(text, text, text) FROM PUBLIC;
COMMENT ON FUNCTION dynpg._damage_index(text, text, text) IS
	'Superuser, testing dynpg.verify: action delete_first, change_first or stray damages an index';

------------------------------------------------------------------------------
-- UpdateItem, and the SQL layer over the item operations (src/expr/README)
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.update_item(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_update_item' LANGUAGE C VOLATILE STRICT;

-- Typed forms: items, keys and expression values as dynpg.item (DynamoDB JSON).
CREATE FUNCTION dynpg.put(table_name text, item dynpg.item, condition text DEFAULT NULL,
						  names jsonb DEFAULT NULL, expression_values dynpg.item DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql VOLATILE
	AS $$ SELECT (dynpg.put_item(jsonb_build_object('TableName', table_name,
		'Item', item::jsonb, 'ReturnValues', 'ALL_OLD', 'ConditionExpression', condition,
		'ExpressionAttributeNames', names,
		'ExpressionAttributeValues', expression_values::jsonb)) -> 'Attributes')::dynpg.item $$;
COMMENT ON FUNCTION dynpg.put(text, dynpg.item, text, jsonb, dynpg.item) IS
	'PutItem: write the item (if the condition holds); returns the item it replaced, or NULL';
CREATE FUNCTION dynpg.get(table_name text, key dynpg.item, projection text DEFAULT NULL,
						  names jsonb DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql STABLE
	AS $$ SELECT (dynpg.get_item(jsonb_build_object('TableName', table_name,
		'Key', key::jsonb, 'ConsistentRead', true, 'ProjectionExpression', projection,
		'ExpressionAttributeNames', names)) -> 'Item')::dynpg.item $$;
COMMENT ON FUNCTION dynpg.get(text, dynpg.item, text, jsonb) IS
	'GetItem: the item with this key (only the projected paths, if given), or NULL';
CREATE FUNCTION dynpg.update(table_name text, key dynpg.item, update_expression text,
							 expression_values dynpg.item DEFAULT NULL, condition text DEFAULT NULL,
							 names jsonb DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql VOLATILE
	AS $$ SELECT (dynpg.update_item(jsonb_build_object('TableName', table_name,
		'Key', key::jsonb, 'UpdateExpression', update_expression, 'ReturnValues', 'ALL_NEW',
		'ConditionExpression', condition, 'ExpressionAttributeNames', names,
		'ExpressionAttributeValues', expression_values::jsonb)) -> 'Attributes')::dynpg.item $$;
COMMENT ON FUNCTION dynpg.update(text, dynpg.item, text, dynpg.item, text, jsonb) IS
	'UpdateItem: apply the update expression (if the condition holds); returns the new item';
CREATE FUNCTION dynpg.delete(table_name text, key dynpg.item, condition text DEFAULT NULL,
							 names jsonb DEFAULT NULL, expression_values dynpg.item DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql VOLATILE
	AS $$ SELECT (dynpg.delete_item(jsonb_build_object('TableName', table_name,
		'Key', key::jsonb, 'ReturnValues', 'ALL_OLD', 'ConditionExpression', condition,
		'ExpressionAttributeNames', names,
		'ExpressionAttributeValues', expression_values::jsonb)) -> 'Attributes')::dynpg.item $$;
COMMENT ON FUNCTION dynpg.delete(text, dynpg.item, text, jsonb, dynpg.item) IS
	'DeleteItem: delete the item (if the condition holds); returns the deleted item, or NULL';

-- Plain JSON forms (numbers as JSON numbers, as DocumentClient writes them).
CREATE FUNCTION dynpg.put(table_name text, item jsonb, condition text DEFAULT NULL,
						  names jsonb DEFAULT NULL, expression_values jsonb DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql VOLATILE
	AS $$ SELECT dynpg.put(table_name, dynpg.from_plain_json(item), condition, names,
		dynpg.from_plain_json(expression_values)) $$;
CREATE FUNCTION dynpg.get(table_name text, key jsonb, projection text DEFAULT NULL,
						  names jsonb DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql STABLE
	AS $$ SELECT dynpg.get(table_name, dynpg.from_plain_json(key), projection, names) $$;
CREATE FUNCTION dynpg.update(table_name text, key jsonb, update_expression text,
							 expression_values jsonb DEFAULT NULL, condition text DEFAULT NULL,
							 names jsonb DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql VOLATILE
	AS $$ SELECT dynpg.update(table_name, dynpg.from_plain_json(key), update_expression,
		dynpg.from_plain_json(expression_values), condition, names) $$;
CREATE FUNCTION dynpg.delete(table_name text, key jsonb, condition text DEFAULT NULL,
							 names jsonb DEFAULT NULL, expression_values jsonb DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql VOLATILE
	AS $$ SELECT dynpg.delete(table_name, dynpg.from_plain_json(key), condition, names,
		dynpg.from_plain_json(expression_values)) $$;

-- Text forms: the item, key and expression values as plain JSON text.  They
-- make the obvious call work: with only the two forms above, an untyped
-- literal (dynpg.put('t', '{"k": 1}')) fits both jsonb and dynpg.item and
-- PostgreSQL refuses the call ("function dynpg.put(unknown, unknown) is not
-- unique"); with a text form, PostgreSQL's rule for unknown arguments (prefer
-- the string category) picks this one, which reads the literal as plain JSON,
-- as the jsonb form does.  A typed argument (::jsonb, ::dynpg.item) still
-- picks its own form: neither type casts implicitly to text.
-- dynpg.query_items and dynpg.scan_items have text forms for the same reason.
CREATE FUNCTION dynpg.put(table_name text, item text, condition text DEFAULT NULL,
						  names jsonb DEFAULT NULL, expression_values text DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql VOLATILE
	AS $$ SELECT dynpg.put(table_name, item::jsonb, condition, names,
		expression_values::jsonb) $$;
CREATE FUNCTION dynpg.get(table_name text, key text, projection text DEFAULT NULL,
						  names jsonb DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql STABLE
	AS $$ SELECT dynpg.get(table_name, key::jsonb, projection, names) $$;
CREATE FUNCTION dynpg.update(table_name text, key text, update_expression text,
							 expression_values text DEFAULT NULL, condition text DEFAULT NULL,
							 names jsonb DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql VOLATILE
	AS $$ SELECT dynpg.update(table_name, key::jsonb, update_expression,
		expression_values::jsonb, condition, names) $$;
CREATE FUNCTION dynpg.delete(table_name text, key text, condition text DEFAULT NULL,
							 names jsonb DEFAULT NULL, expression_values text DEFAULT NULL)
	RETURNS dynpg.item LANGUAGE sql VOLATILE
	AS $$ SELECT dynpg.delete(table_name, key::jsonb, condition, names,
		expression_values::jsonb) $$;

------------------------------------------------------------------------------
-- Query and Scan (src/api/query_ops.c)
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.query(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_query' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.query(jsonb) IS
	'DynamoDB Query: one page of the items of one partition (request and response as DynamoDB JSON)';
CREATE FUNCTION dynpg.scan(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_scan' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.scan(jsonb) IS
	'DynamoDB Scan: one page of the items of a table or of one segment of it';
CREATE FUNCTION dynpg.query_request_items(request jsonb) RETURNS SETOF dynpg.item
	AS 'MODULE_PATHNAME', 'dynpg_query_request_items' LANGUAGE C STABLE STRICT ROWS 100;
COMMENT ON FUNCTION dynpg.query_request_items(jsonb) IS
	'Every item a Query request matches, through all of its pages, from one snapshot';
CREATE FUNCTION dynpg.scan_request_items(request jsonb) RETURNS SETOF dynpg.item
	AS 'MODULE_PATHNAME', 'dynpg_scan_request_items' LANGUAGE C STABLE STRICT ROWS 1000;
COMMENT ON FUNCTION dynpg.scan_request_items(jsonb) IS
	'Every item a Scan request matches, through all of its pages, from one snapshot';
CREATE FUNCTION dynpg.page_reads() RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_page_reads' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION dynpg.page_reads() IS
	'B-tree pages this session has read (metapage, internal, leaf): what a Query or Scan touched';

-- The SQL layer.  Three overloads each: expression values as plain JSON
-- (jsonb, or an untyped literal, which resolves to the text form) or as
-- DynamoDB-typed values (dynpg.item).  With index_name they read that
-- index (its projected attributes; ConsistentRead is asked only of the
-- table, since DynamoDB refuses it on a GSI: every read sees the latest
-- committed data of its snapshot anyway, except a GSI's pending changes).
-- The bodies call query_request_items / scan_request_items in their SELECT
-- list, not in FROM: PostgreSQL inlines these SQL functions into the
-- caller's query, and a set-returning function in a SELECT list runs one
-- row at a time (ProjectSet), so SELECT * FROM dynpg.scan_items('t') LIMIT
-- 10 reads about ten items; in FROM it would run as a FunctionScan, which
-- collects every row in a tuplestore before returning the first
-- (src/api/README, "The SQL layer's rows").  Keep them inlinable: LANGUAGE
-- sql, not STRICT, not VOLATILE, no SET, no SECURITY DEFINER.
CREATE FUNCTION dynpg.query_items(table_name text, key_condition text,
								  expression_values dynpg.item, filter text DEFAULT NULL,
								  projection text DEFAULT NULL, names jsonb DEFAULT NULL,
								  index_name text DEFAULT NULL, forward boolean DEFAULT true)
	RETURNS TABLE (item dynpg.item) LANGUAGE sql STABLE ROWS 100
	AS $$ SELECT dynpg.query_request_items(jsonb_build_object(
		'TableName', table_name, 'KeyConditionExpression', key_condition,
		'ExpressionAttributeValues', expression_values::jsonb, 'FilterExpression', filter,
		'ProjectionExpression', projection, 'ExpressionAttributeNames', names,
		'IndexName', index_name, 'ScanIndexForward', forward,
		'ConsistentRead', CASE WHEN index_name IS NULL THEN true END)) $$;
COMMENT ON FUNCTION dynpg.query_items(text, text, dynpg.item, text, text, jsonb, text, boolean) IS
	'Query: every item of the partition the key condition names, in sort-key order (forward) or reverse';
CREATE FUNCTION dynpg.query_items(table_name text, key_condition text,
								  expression_values jsonb, filter text DEFAULT NULL,
								  projection text DEFAULT NULL, names jsonb DEFAULT NULL,
								  index_name text DEFAULT NULL, forward boolean DEFAULT true)
	RETURNS TABLE (item dynpg.item) LANGUAGE sql STABLE ROWS 100
	AS $$ SELECT * FROM dynpg.query_items(table_name, key_condition,
		dynpg.from_plain_json(expression_values), filter, projection, names, index_name,
		forward) $$;
CREATE FUNCTION dynpg.query_items(table_name text, key_condition text,
								  expression_values text, filter text DEFAULT NULL,
								  projection text DEFAULT NULL, names jsonb DEFAULT NULL,
								  index_name text DEFAULT NULL, forward boolean DEFAULT true)
	RETURNS TABLE (item dynpg.item) LANGUAGE sql STABLE ROWS 100
	AS $$ SELECT * FROM dynpg.query_items(table_name, key_condition,
		dynpg.from_plain_json(expression_values::jsonb), filter, projection, names,
		index_name, forward) $$;

CREATE FUNCTION dynpg.scan_items(table_name text, filter text DEFAULT NULL,
								 expression_values jsonb DEFAULT NULL,
								 projection text DEFAULT NULL, names jsonb DEFAULT NULL,
								 index_name text DEFAULT NULL, segment integer DEFAULT NULL,
								 total_segments integer DEFAULT NULL)
	RETURNS TABLE (item dynpg.item) LANGUAGE sql STABLE ROWS 1000
	AS $$ SELECT dynpg.scan_request_items(jsonb_build_object(
		'TableName', table_name, 'FilterExpression', filter,
		'ExpressionAttributeValues', dynpg.from_plain_json(expression_values)::jsonb,
		'ProjectionExpression', projection, 'ExpressionAttributeNames', names,
		'IndexName', index_name, 'Segment', segment, 'TotalSegments', total_segments,
		'ConsistentRead', CASE WHEN index_name IS NULL THEN true END)) $$;
COMMENT ON FUNCTION dynpg.scan_items(text, text, jsonb, text, jsonb, text, integer, integer) IS
	'Scan: every item of the table (or of one segment of it) that passes the filter, in partition-hash order';
CREATE FUNCTION dynpg.scan_items(table_name text, filter text, expression_values dynpg.item,
								 projection text DEFAULT NULL, names jsonb DEFAULT NULL,
								 index_name text DEFAULT NULL, segment integer DEFAULT NULL,
								 total_segments integer DEFAULT NULL)
	RETURNS TABLE (item dynpg.item) LANGUAGE sql STABLE ROWS 1000
	AS $$ SELECT dynpg.scan_request_items(jsonb_build_object(
		'TableName', table_name, 'FilterExpression', filter,
		'ExpressionAttributeValues', expression_values::jsonb,
		'ProjectionExpression', projection, 'ExpressionAttributeNames', names,
		'IndexName', index_name, 'Segment', segment, 'TotalSegments', total_segments,
		'ConsistentRead', CASE WHEN index_name IS NULL THEN true END)) $$;
CREATE FUNCTION dynpg.scan_items(table_name text, filter text, expression_values text,
								 projection text DEFAULT NULL, names jsonb DEFAULT NULL,
								 index_name text DEFAULT NULL, segment integer DEFAULT NULL,
								 total_segments integer DEFAULT NULL)
	RETURNS TABLE (item dynpg.item) LANGUAGE sql STABLE ROWS 1000
	AS $$ SELECT * FROM dynpg.scan_items(table_name, filter, expression_values::jsonb,
		projection, names, index_name, segment, total_segments) $$;

------------------------------------------------------------------------------
-- Batches: BatchGetItem and BatchWriteItem (src/api/batch_ops.c)
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.batch_get_item(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_batch_get_item' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.batch_get_item(jsonb) IS
	'BatchGetItem: up to 100 items by key across tables; Responses and UnprocessedKeys';
CREATE FUNCTION dynpg.batch_write_item(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_batch_write_item' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.batch_write_item(jsonb) IS
	'BatchWriteItem: up to 25 PutRequest/DeleteRequest entries across tables, all checked before any is written';
-- SQL layer: items in plain JSON (numbers as JSON numbers), one table.
CREATE FUNCTION dynpg.batch_put(table_name text, items jsonb[]) RETURNS void
	LANGUAGE sql VOLATILE
	AS $$ SELECT dynpg.batch_write_item(jsonb_build_object('RequestItems',
		jsonb_build_object(table_name, (SELECT coalesce(jsonb_agg(jsonb_build_object('PutRequest',
			jsonb_build_object('Item', dynpg.from_plain_json(i)::jsonb)) ORDER BY o), '[]')
			FROM unnest(items) WITH ORDINALITY AS u(i, o))))) $$;
COMMENT ON FUNCTION dynpg.batch_put(text, jsonb[]) IS
	'BatchWriteItem of PutRequests: write up to 25 items (plain JSON) to the table';

------------------------------------------------------------------------------
-- Transactions: TransactWriteItems and TransactGetItems (src/api/README,
-- "Transactions")
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.transact_write_items(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_transact_write_items' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.transact_write_items(jsonb) IS
	'TransactWriteItems: up to 100 Put, Update, Delete and ConditionCheck actions, all or nothing';
CREATE FUNCTION dynpg.transact_get_items(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_transact_get_items' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.transact_get_items(jsonb) IS
	'TransactGetItems: up to 100 Gets, read from one snapshot, in request order';

CREATE FUNCTION dynpg.execute_statement(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_execute_statement' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.execute_statement(jsonb) IS
	'ExecuteStatement: one PartiQL statement (SELECT, INSERT, UPDATE, DELETE) run as the DynamoDB operation it translates to';
CREATE FUNCTION dynpg.batch_execute_statement(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_batch_execute_statement' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.batch_execute_statement(jsonb) IS
	'BatchExecuteStatement: up to 25 PartiQL statements, all reads (full keys) or all writes, each on its own, its error in Responses[i].Error';
CREATE FUNCTION dynpg.execute_transaction(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_execute_transaction' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.execute_transaction(jsonb) IS
	'ExecuteTransaction: up to 100 PartiQL statements as one TransactGetItems (reads) or TransactWriteItems (writes, EXISTS checks), ClientRequestToken idempotency';

------------------------------------------------------------------------------
-- Table settings: tags, time to live, limits, endpoints (src/api/README,
-- "Table settings")
------------------------------------------------------------------------------
CREATE FUNCTION dynpg.tag_resource(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_tag_resource' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.tag_resource(jsonb) IS
	'TagResource: add or replace tags of the table named by ResourceArn (at most 50)';
CREATE FUNCTION dynpg.untag_resource(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_untag_resource' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.untag_resource(jsonb) IS
	'UntagResource: remove the tags TagKeys of the table named by ResourceArn';
CREATE FUNCTION dynpg.list_tags_of_resource(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_list_tags_of_resource' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.list_tags_of_resource(jsonb) IS
	'ListTagsOfResource: the tags of the table named by ResourceArn, 10 a page (NextToken)';
CREATE FUNCTION dynpg.update_time_to_live(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_update_time_to_live' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.update_time_to_live(jsonb) IS
	'UpdateTimeToLive: enable or disable the table''s time to live attribute (one change an hour)';
CREATE FUNCTION dynpg.describe_time_to_live(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_describe_time_to_live' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.describe_time_to_live(jsonb) IS
	'DescribeTimeToLive: TimeToLiveStatus ENABLED (with AttributeName) or DISABLED';
CREATE FUNCTION dynpg.import_table(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_import_table' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.import_table(jsonb) IS
	'ImportTable: create a table and load it from the files of S3BucketSource under dynpg.export_directory';
CREATE FUNCTION dynpg.import_table(directory text, create_table_request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_import_directory' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION dynpg.import_table(text, jsonb) FROM PUBLIC;
COMMENT ON FUNCTION dynpg.import_table(text, jsonb) IS
	'ImportTable of the DYNAMODB_JSON files under a server directory (superusers; .gz and .zst decompressed): the table create_table_request describes';
CREATE FUNCTION dynpg.cancel_import(import_arn text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_cancel_import' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.cancel_import(text) IS
	'Cancel an IN_PROGRESS import (the owner of its table): CANCELLING until the worker stops, then CANCELLED and the table dropped (DynamoDB has no API for it)';
CREATE FUNCTION dynpg.describe_import(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_describe_import' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.describe_import(jsonb) IS
	'DescribeImport: the import named by ImportArn';
CREATE FUNCTION dynpg.list_imports(request jsonb DEFAULT '{}') RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_list_imports' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.list_imports(jsonb) IS
	'ListImports: the imports (of TableArn), PageSize a page (NextToken)';
CREATE FUNCTION dynpg.describe_limits(request jsonb DEFAULT '{}') RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_describe_limits' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.describe_limits(jsonb) IS
	'DescribeLimits: DynamoDB''s default capacity quotas of an account and a table';
CREATE FUNCTION dynpg.describe_endpoints(request jsonb DEFAULT '{}') RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_describe_endpoints' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.describe_endpoints(jsonb) IS
	'DescribeEndpoints: the address of this server''s HTTP endpoint';

-- ClientRequestToken of TransactWriteItems: written in the same transaction
-- as the actions (so a token exists only for a committed request), with a
-- SHA-256 of the request without its token.  Tokens older than 10 minutes
-- are ignored and deleted by the next request that carries a token.  Not
-- dumped: the tokens are ephemeral.  Tokens are per role (a role never
-- meets another's); dynpg reads and writes the table as its owner, so callers
-- need (and get) no privilege on it.
CREATE TABLE dynpg.transaction_tokens (
	role oid NOT NULL,
	token text NOT NULL,
	request_hash bytea NOT NULL,
	created timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (role, token)
);
REVOKE ALL ON dynpg.transaction_tokens FROM PUBLIC;

------------------------------------------------------------------------------
-- Imports (ImportTable, src/api/import_ops.c)
------------------------------------------------------------------------------
-- One row per ImportTable: its ImportTableDescription as DescribeImport
-- answers it, the request without its ClientToken (canonical text: the same
-- token with another request is IdempotentParameterMismatchException for 8
-- hours) and the last ten lines that could not be imported ("<file> line
-- <n>: <message>", newest last).  dynpg reads and writes it as its owner.
-- ImportTable's imports run in the database's worker: while
-- description->>'ImportStatus' is IN_PROGRESS or CANCELLING, table_relid,
-- location and root say what to load, and attempts counts the worker's
-- starts (a start that never ended -- a crash, a worker that died -- makes
-- the next one FAILED, its table dropped).  dynpg.import_table(directory,
-- ...) loads in the caller's transaction and leaves them NULL.
CREATE TABLE dynpg.imports (
	seq bigserial PRIMARY KEY,
	import_arn text NOT NULL UNIQUE,
	table_arn text NOT NULL,
	client_token text,
	request text NOT NULL,
	description jsonb NOT NULL,
	errors jsonb NOT NULL DEFAULT '[]',
	created timestamptz NOT NULL DEFAULT now(),
	table_relid oid,				-- the table being loaded
	location text,					-- the files' path on the server
	root text,						-- file names in messages are relative to it
	attempts int NOT NULL DEFAULT 0
);
CREATE INDEX ON dynpg.imports (client_token) WHERE client_token IS NOT NULL;
CREATE INDEX ON dynpg.imports (seq) WHERE description->>'ImportStatus' IN ('IN_PROGRESS', 'CANCELLING');
REVOKE ALL ON dynpg.imports FROM PUBLIC;
-- Dumped: pg_dump writes its rows (and the sequence's position), so a
-- dump/restore keeps the import history ListImports and DescribeImport show.
SELECT pg_catalog.pg_extension_config_dump('dynpg.imports', '');
SELECT pg_catalog.pg_extension_config_dump('dynpg.imports_seq_seq', '');

------------------------------------------------------------------------------
-- The HTTP endpoint (src/http/README): access keys and the workers' status
------------------------------------------------------------------------------
-- Access keys map the credentials HTTP clients sign with to PostgreSQL
-- roles.  The secrets are readable by no role but the extension's owner:
-- dynpg's functions read and write this table as its owner, after their own
-- checks.  Not dumped (like passwords in a schema dump): create keys again
-- after a restore.
CREATE TABLE dynpg._access_keys (
	access_key_id text PRIMARY KEY,
	secret_access_key text NOT NULL,
	role oid NOT NULL,
	created timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON dynpg._access_keys FROM PUBLIC;

CREATE FUNCTION dynpg.create_access_key(role regrole, OUT access_key_id text,
										OUT secret_access_key text)
	AS 'MODULE_PATHNAME', 'dynpg_create_access_key' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.create_access_key(regrole) IS
	'A new access key for the HTTP endpoint, whose requests run as the role (superusers, and roles with ADMIN OPTION on it); the secret is shown only here';
CREATE FUNCTION dynpg.drop_access_key(access_key_id text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'dynpg_drop_access_key' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.drop_access_key(text) IS
	'Drop an access key (its requests fail within seconds); false if there was none';

-- The keys of the roles the caller is a member of (all for superusers), without secrets.
CREATE VIEW dynpg.access_keys WITH (security_barrier) AS
	SELECT access_key_id, role::regrole AS role, created
	  FROM dynpg._access_keys
	 WHERE pg_has_role(role, 'MEMBER');
GRANT SELECT ON dynpg.access_keys TO PUBLIC;

CREATE FUNCTION dynpg._http_status(OUT worker integer, OUT pid integer, OUT port integer,
	OUT started timestamptz, OUT connections bigint, OUT connections_total bigint,
	OUT requests bigint, OUT errors bigint, OUT bytes_in bigint, OUT bytes_out bigint,
	OUT last_error text, OUT last_error_at timestamptz)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'dynpg_http_status' LANGUAGE C VOLATILE;
-- Per HTTP worker: its connections, requests, errors and bytes, and its last error.
CREATE VIEW dynpg.http_status AS SELECT * FROM dynpg._http_status();

-- Exports to S3 (src/api/export_ops.c): written under dynpg.export_directory
-- in AWS's layout, one row per export.  ExportTableToPointInTime records an
-- export IN_PROGRESS; the database's worker runs it (COMPLETED or FAILED).  Callers have no rights on the
-- table: ExportTableToPointInTime, DescribeExport and ListExports read and
-- write it.
CREATE TABLE dynpg.exports (
	export_arn text PRIMARY KEY,
	table_relid oid NOT NULL,
	table_name text NOT NULL,
	table_arn text NOT NULL,
	table_id text,
	status text NOT NULL CHECK (status IN ('IN_PROGRESS', 'COMPLETED', 'FAILED')),
	export_type text NOT NULL,
	export_format text NOT NULL,
	s3_bucket text NOT NULL,
	s3_prefix text,
	s3_sse_algorithm text NOT NULL,
	manifest text NOT NULL,
	item_count bigint NOT NULL DEFAULT 0,
	billed_size_bytes bigint NOT NULL DEFAULT 0,
	start_time timestamptz NOT NULL,
	end_time timestamptz,
	export_time timestamptz,
	-- INCREMENTAL_EXPORT: the window [from, to) and ExportViewType
	export_from_time timestamptz,
	export_to_time timestamptz,
	export_view_type text,
	client_token text,
	failure_code text,
	failure_message text,
	directory text NOT NULL,		-- the export's directory on the server
	key_base text NOT NULL,			-- <prefix>/AWSDynamoDB/<ExportId> (S3 keys)
	data_name text NOT NULL			-- its data file's name, without .json.gz
);
CREATE INDEX ON dynpg.exports (table_arn);
REVOKE ALL ON dynpg.exports FROM PUBLIC;
-- Dumped: pg_dump writes its rows, so a dump/restore keeps the export
-- history ListExports and DescribeExport show.  table_relid is the source
-- database's: the worker runs a restored IN_PROGRESS export only if that
-- relation is still the table it names (else it fails, TableNotFound).
SELECT pg_catalog.pg_extension_config_dump('dynpg.exports', '');

CREATE FUNCTION dynpg.export_table_to_point_in_time(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_export_table_to_point_in_time' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION dynpg.export_table_to_point_in_time(jsonb) IS
	'DynamoDB ExportTableToPointInTime: export the table under dynpg.export_directory/<S3Bucket>/<S3Prefix> in AWS''s layout (DYNAMODB_JSON, FULL_EXPORT)';
CREATE FUNCTION dynpg.describe_export(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_describe_export' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.describe_export(jsonb) IS
	'DynamoDB DescribeExport: an export by its ExportArn';
CREATE FUNCTION dynpg.list_exports(request jsonb DEFAULT '{}') RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_list_exports' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION dynpg.list_exports(jsonb) IS
	'DynamoDB ListExports: the exports, of every table or of TableArn (MaxResults, NextToken)';
CREATE FUNCTION dynpg.export_table("table" text, directory text, format text DEFAULT 'DYNAMODB_JSON')
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'dynpg_export_table' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION dynpg.export_table(text, text, text) IS
	'Export a table now, in this statement (not in the worker), to directory (<bucket>[/<prefix>] under dynpg.export_directory, or its absolute path there) in format (DYNAMODB_JSON); returns the export''s description, COMPLETED';

-- Last: this database's index worker starts when CREATE EXTENSION commits.
SELECT dynpg._request_worker();
