\set ECHO none
-- A helper of the pg_regress tests of time to live (included with \i; not
-- echoed into the expected output):
--   pg_temp.age_ttl(table): move the table's last TTL change an hour back,
--     as if that hour had passed (UpdateTimeToLive allows one change an
--     hour): the table is dropped and made again from its aged definition
--     by SQL, as pg_restore makes it from a dump -- so its items go
CREATE FUNCTION pg_temp.age_ttl(t text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	def jsonb := dynpg.table_definition(('dynamodb.' || t)::regclass);
BEGIN
	def := jsonb_set(def, '{TimeToLive,LastUpdateDateTime}',
		to_jsonb((def -> 'TimeToLive' ->> 'LastUpdateDateTime')::numeric - 3600));
	PERFORM dynpg.delete_table(jsonb_build_object('TableName', t));
	EXECUTE format('CREATE TABLE dynamodb.%I (item dynpg.item NOT NULL, CONSTRAINT dynpg_table '
		'CHECK (dynpg.conforms(item, %L::jsonb))) USING dynpg', t, def);
END $$;
\set ECHO all
