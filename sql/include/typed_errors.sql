\set ECHO none
-- A helper of the pg_regress tests of tags, table settings, time to live
-- and streams (included with \i; not echoed into the expected output):
--   pg_temp.t(op, request): the operation's response as text, or, when it
--     raises, "SQLSTATE Type: message" -- the DynamoDB exception type taken
--     from the error's DETAIL (DynamoDB's error response JSON)
CREATE FUNCTION pg_temp.t(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text;
BEGIN
	RETURN dynpg.execute(op, req)::text;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN st || ' ' || CASE WHEN det LIKE '{%' THEN (det::jsonb ->> '__type') || ': ' ELSE '' END || msg;
END $$;
\set ECHO all
