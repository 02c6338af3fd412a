\set ECHO none
-- Helpers of the PartiQL suites (included with \i; not echoed).
--   pg_temp.pq(statement [, parameters [, extra request members]]):
--     ExecuteStatement's response as text, or "<exception type>: message"
--     when it raises (the type from the error's DynamoDB body)
--   pg_temp.pq_items(...): the same, only the response's Items
--   pg_temp.pq_call(op, request): any operation, the same way
CREATE FUNCTION pg_temp.pq_call(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	det text; msg text;
BEGIN
	RETURN dynpg.execute(op, req)::text;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN coalesce(split_part(det::jsonb ->> '__type', '#', 2), SQLSTATE) || ': ' || msg;
END $$;
CREATE FUNCTION pg_temp.pq(stmt text, params jsonb DEFAULT NULL, extra jsonb DEFAULT '{}')
RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.pq_call('ExecuteStatement', jsonb_build_object('Statement', stmt)
		|| CASE WHEN params IS NULL THEN '{}' ELSE jsonb_build_object('Parameters', params) END
		|| extra) $$;
CREATE FUNCTION pg_temp.pq_items(stmt text, params jsonb DEFAULT NULL, extra jsonb DEFAULT '{}')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text := pg_temp.pq(stmt, params, extra);
BEGIN
	IF left(r, 1) <> '{' THEN
		RETURN r;
	END IF;
	RETURN (r::jsonb -> 'Items')::text;
END $$;
\set ECHO all
