-- DynamoDB exception types: one SQLSTATE each (class YD), DynamoDB's message,
-- and DynamoDB's error response as the DETAIL.
SELECT * FROM dynpg.error_types();
SELECT count(*) = count(DISTINCT sqlstate) AS unique_sqlstates,
       bool_and(sqlstate ~ '^YD[0-9A-Z]{3}$') AS private_class
  FROM dynpg.error_types();

CREATE FUNCTION pg_temp.raise(e text, m text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text;
BEGIN
	PERFORM dynpg.raise_error(e, m);
	RETURN 'no error';
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN st || ' | ' || msg || ' | ' || det;
END $$;
SELECT exception, pg_temp.raise(exception, 'msg "quoted"') FROM dynpg.error_types();
-- the DETAIL is valid JSON with DynamoDB's members
SELECT (split_part(pg_temp.raise('ConditionalCheckFailedException', 'The conditional request failed'), ' | ', 3))::jsonb;
SELECT dynpg.raise_error('NoSuchException', 'x');
-- error handlers can trap a DynamoDB exception by its SQLSTATE
DO $$
BEGIN
	PERFORM '{"a":{"N":"dog"}}'::dynpg.item;
EXCEPTION WHEN SQLSTATE 'YD001' THEN
	RAISE NOTICE 'caught ValidationException: %', SQLERRM;
END $$;
