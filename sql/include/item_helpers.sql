\set ECHO none
-- Helpers shared by the pg_regress tests of the data plane (included with
-- \i; not echoed into the expected output).
--   pg_temp.api(op, request): the operation's response as text, or
--     "SQLSTATE: message" when it raises
--   pg_temp.detail(op, request): the same, with the error's DETAIL (the
--     DynamoDB error response JSON) on a line of its own
CREATE FUNCTION pg_temp.api(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynpg.execute(op, req)::text;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.detail(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text;
BEGIN
	RETURN dynpg.execute(op, req)::text;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN st || E'\n' || msg || E'\n' || det;
END $$;
\set ECHO all
