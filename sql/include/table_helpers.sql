\set ECHO none
-- Helpers shared by the pg_regress tests of the control plane (included
-- with \i; not echoed into the expected output).
--   pg_temp.mask(response): TableId, CreationDateTime and
--     LastUpdateToPayPerRequestDateTime differ on every run: each is checked
--     for its form (a v4 UUID; a number of epoch seconds within an hour of
--     now, the last not before the creation) and replaced by a placeholder
--   pg_temp.api(op, request), pg_temp.pretty(op, request): the masked
--     response (pretty-printed), or "SQLSTATE: message" when it raises
--   pg_temp.detail(op, request): the same, with the error's DETAIL
CREATE FUNCTION pg_temp.mask(r jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k text;
	created numeric;
	updated numeric;
BEGIN
	FOREACH k IN ARRAY ARRAY['TableDescription', 'Table'] LOOP
		CONTINUE WHEN NOT r ? k;
		created := NULL;
		IF r -> k ? 'TableId' THEN
			r := jsonb_set(r, ARRAY[k, 'TableId'], to_jsonb(CASE
				WHEN r -> k ->> 'TableId' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
				THEN '<uuid v4>' ELSE 'BAD TableId ' || (r -> k ->> 'TableId') END));
		END IF;
		IF r -> k ? 'CreationDateTime' THEN
			created := (r -> k ->> 'CreationDateTime')::numeric;
			r := jsonb_set(r, ARRAY[k, 'CreationDateTime'], to_jsonb(CASE
				WHEN jsonb_typeof(r -> k -> 'CreationDateTime') = 'number'
				 AND abs(created - extract(epoch FROM clock_timestamp())) < 3600
				THEN '<epoch seconds>' ELSE 'BAD CreationDateTime' END));
		END IF;
		IF r -> k -> 'BillingModeSummary' ? 'LastUpdateToPayPerRequestDateTime' THEN
			updated := (r -> k -> 'BillingModeSummary' ->> 'LastUpdateToPayPerRequestDateTime')::numeric;
			r := jsonb_set(r, ARRAY[k, 'BillingModeSummary', 'LastUpdateToPayPerRequestDateTime'],
				to_jsonb(CASE
					WHEN jsonb_typeof(r -> k -> 'BillingModeSummary' -> 'LastUpdateToPayPerRequestDateTime') = 'number'
					 AND abs(updated - extract(epoch FROM clock_timestamp())) < 3600
					 AND (created IS NULL OR updated >= created)
					THEN '<epoch seconds>' ELSE 'BAD LastUpdateToPayPerRequestDateTime' END));
		END IF;
	END LOOP;
	RETURN r;
END $$;
CREATE FUNCTION pg_temp.api(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN pg_temp.mask(dynpg.execute(op, req))::text;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.pretty(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN jsonb_pretty(pg_temp.mask(dynpg.execute(op, req)));
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.detail(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text;
BEGIN
	RETURN pg_temp.mask(dynpg.execute(op, req))::text;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN st || E'\n' || msg || E'\n' || det;
END $$;
\set ECHO all
