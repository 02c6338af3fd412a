\set ECHO none
-- Waiting for ImportTable's imports, which the database's dynpg worker runs
-- once the request commits (src/api/import_ops.c); included with \i, not
-- echoed.  Call them in a statement of their own, after the ImportTable's
-- has committed.
--   pg_temp.wait_import(import_arn): waits (60 s at most) until the import
--     is neither IN_PROGRESS nor CANCELLING and answers its ImportStatus
--   pg_temp.import_end(import_arn DEFAULT the newest import): waits, then
--     answers what the worker set: ImportStatus, the counts, FailureCode and
--     FailureMessage, and whether EndTime is set
CREATE FUNCTION pg_temp.wait_import(arn text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
BEGIN
	FOR i IN 1..6000 LOOP
		st := dynpg.describe_import(jsonb_build_object('ImportArn', arn)) #>> '{ImportTableDescription,ImportStatus}';
		EXIT WHEN st NOT IN ('IN_PROGRESS', 'CANCELLING');
		PERFORM pg_sleep(0.01);
	END LOOP;
	RETURN st;
END $$;
CREATE FUNCTION pg_temp.import_end(arn text DEFAULT NULL) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	a text := coalesce(arn, (SELECT import_arn FROM dynpg.imports ORDER BY seq DESC LIMIT 1));
	d jsonb;
BEGIN
	PERFORM pg_temp.wait_import(a);
	d := dynpg.describe_import(jsonb_build_object('ImportArn', a)) -> 'ImportTableDescription';
	RETURN (SELECT jsonb_object_agg(key, value) FROM jsonb_each(d)
	         WHERE key IN ('ImportStatus', 'ErrorCount', 'ProcessedItemCount', 'ImportedItemCount',
	                       'ProcessedSizeBytes', 'FailureCode', 'FailureMessage'))
	       || jsonb_build_object('EndTime', d ? 'EndTime');
END $$;
\set ECHO all
