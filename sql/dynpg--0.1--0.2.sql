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
