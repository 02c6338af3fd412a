-- Time to live configuration (src/api/table_settings.c): UpdateTimeToLive
-- and DescribeTimeToLive, DynamoDB's checks and messages; the setting kept
-- in the table's definition.  Items are not expired yet: configuration only.
\set SHOW_CONTEXT never

\i sql/include/typed_errors.sql
CREATE FUNCTION pg_temp.ttl(t text, enabled boolean, a text) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.t('UpdateTimeToLive', jsonb_build_object('TableName', t,
		'TimeToLiveSpecification', jsonb_build_object('Enabled', enabled, 'AttributeName', a))) $$;
CREATE FUNCTION pg_temp.describe(t text) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.t('DescribeTimeToLive', jsonb_build_object('TableName', t)) $$;
\i sql/include/ttl_helpers.sql

SELECT dynpg.create_table('{"TableName": "ttl", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}') IS NOT NULL AS created;

-- a new table: DISABLED, no attribute
SELECT pg_temp.describe('ttl');
SELECT dynpg.describe_time_to_live('{"TableName": "ttl"}');

-- enable: the response echoes the specification; the status is ENABLED at once
SELECT pg_temp.ttl('ttl', true, 'expires');
SELECT pg_temp.describe('ttl');
SELECT (dynpg.table_definition('dynamodb.ttl') -> 'TimeToLive') - 'LastUpdateDateTime'::text AS stored;
-- again: already enabled; with another attribute: active on another
SELECT pg_temp.ttl('ttl', true, 'expires');
SELECT pg_temp.ttl('ttl', true, 'other');
-- disabling within the hour of the change
SELECT pg_temp.ttl('ttl', false, 'expires');
SELECT pg_temp.describe('ttl');
-- an hour later: disabling another attribute than the enabled one, then the right one
SELECT pg_temp.age_ttl('ttl');
SELECT pg_temp.ttl('ttl', false, 'other');
SELECT dynpg.update_time_to_live('{"TableName": "ttl", "TimeToLiveSpecification": {"Enabled": false, "AttributeName": "expires"}}');
SELECT pg_temp.describe('ttl');
SELECT pg_temp.ttl('ttl', false, 'expires');
-- re-enabling within the hour, then after it with another attribute
SELECT pg_temp.ttl('ttl', true, 'other');
SELECT pg_temp.age_ttl('ttl');
SELECT pg_temp.ttl('ttl', true, 'other');
SELECT pg_temp.describe('ttl');

-- the request's constraints: TableName, then TimeToLiveSpecification and its members
SELECT pg_temp.t('UpdateTimeToLive', '{}');
SELECT pg_temp.t('UpdateTimeToLive', '{"TableName": "ttl"}');
SELECT pg_temp.t('UpdateTimeToLive', '{"TableName": "ttl", "TimeToLiveSpecification": {}}');
SELECT pg_temp.t('UpdateTimeToLive', '{"TableName": "ttl", "TimeToLiveSpecification": {"Enabled": true}}');
SELECT pg_temp.t('UpdateTimeToLive', '{"TableName": "ttl", "TimeToLiveSpecification": {"Enabled": false, "AttributeName": ""}}');
SELECT pg_temp.t('UpdateTimeToLive', jsonb_build_object('TableName', 'ttl', 'TimeToLiveSpecification',
  jsonb_build_object('Enabled', true, 'AttributeName', repeat('a', 256))));
SELECT pg_temp.t('UpdateTimeToLive', '{"TableName": "x!", "TimeToLiveSpecification": {"AttributeName": ""}}');
SELECT pg_temp.t('UpdateTimeToLive', '{"TableName": "ttl", "TimeToLiveSpecification": {"Enabled": "yes", "AttributeName": "a"}}');
SELECT pg_temp.t('UpdateTimeToLive', '{"TableName": "ttl", "TimeToLiveSpecification": []}');
-- checks before the table: a missing table's request is checked first
SELECT pg_temp.t('UpdateTimeToLive', '{"TableName": "nosuch", "TimeToLiveSpecification": {"Enabled": true}}');
SELECT pg_temp.ttl('nosuch', true, 'a');
SELECT pg_temp.describe('nosuch');
SELECT pg_temp.t('DescribeTimeToLive', '{}');
SELECT pg_temp.t('DescribeTimeToLive', '{"TableName": "x"}');

-- by ARN; another region's ARN is refused
SELECT pg_temp.describe('arn:aws:dynamodb:ddblocal:000000000000:table/ttl');
SELECT pg_temp.describe('arn:aws:dynamodb:us-east-1:123456789012:table/ttl');
SELECT pg_temp.ttl('arn:aws:dynamodb:us-east-1:000000000000:table/ttl', false, 'other');
SELECT pg_temp.ttl('arn:aws:dynamodb:ddblocal:000000000000:table/ttl', false, 'other');
SELECT pg_temp.describe('arn:aws:dynamodb:ddblocal:000000000000:table/ttl');
-- a last change dated in the future (a clock set back, an edited definition) holds nothing back
CREATE FUNCTION pg_temp.future_ttl(t text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	def jsonb := dynpg.table_definition(('dynamodb.' || t)::regclass);
BEGIN
	def := jsonb_set(def, '{TimeToLive,LastUpdateDateTime}',
		to_jsonb(extract(epoch FROM clock_timestamp())::numeric + 86400));
	PERFORM dynpg.delete_table(jsonb_build_object('TableName', t));
	EXECUTE format('CREATE TABLE dynamodb.%I (item dynpg.item NOT NULL, CONSTRAINT dynpg_table '
		'CHECK (dynpg.conforms(item, %L::jsonb))) USING dynpg', t, def);
END $$;
SELECT pg_temp.future_ttl('ttl');
SELECT dynpg.update_time_to_live('{"TableName": "arn:aws:dynamodb:ddblocal:000000000000:table/ttl",
  "TimeToLiveSpecification": {"Enabled": false, "AttributeName": "other"}}');
SELECT pg_temp.describe('ttl');
SELECT pg_temp.ttl('ttl', true, 'other');

-- the owner only changes it; anyone may describe it
CREATE ROLE regress_dynpg_ttl_stranger;
SET ROLE regress_dynpg_ttl_stranger;
SELECT pg_temp.ttl('ttl', false, 'other');
SELECT pg_temp.describe('ttl');
RESET ROLE;
DROP ROLE regress_dynpg_ttl_stranger;

-- UpdateTable keeps the setting
SELECT dynpg.update_table('{"TableName": "ttl", "BillingMode": "PROVISIONED",
  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}') IS NOT NULL AS updated;
SELECT pg_temp.describe('ttl');
SELECT dynpg.delete_table('{"TableName": "ttl"}') IS NOT NULL AS deleted;
