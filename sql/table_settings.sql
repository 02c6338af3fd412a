-- Table settings (src/api/table_settings.c): DeletionProtectionEnabled,
-- TableClass, SSESpecification, OnDemandThroughput and WarmThroughput in
-- CreateTable, UpdateTable and DescribeTable; DescribeLimits and
-- DescribeEndpoints; table ARNs wherever a TableName is taken.
\set SHOW_CONTEXT never
\i sql/include/table_helpers.sql

\i sql/include/typed_errors.sql
-- The settings' members of a table's description (or the error)
CREATE FUNCTION pg_temp.settings(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	d jsonb;
BEGIN
	d := dynpg.describe_table(jsonb_build_object('TableName', t)) -> 'Table';
	IF d -> 'TableClassSummary' ? 'LastUpdateDateTime' THEN
		d := jsonb_set(d, '{TableClassSummary,LastUpdateDateTime}', to_jsonb(CASE
			WHEN abs((d -> 'TableClassSummary' ->> 'LastUpdateDateTime')::numeric
					 - extract(epoch FROM clock_timestamp())) < 3600
			THEN '<epoch seconds>' ELSE 'BAD' END));
	END IF;
	RETURN jsonb_strip_nulls(jsonb_build_object('DeletionProtectionEnabled', d -> 'DeletionProtectionEnabled',
		'TableClassSummary', d -> 'TableClassSummary', 'SSEDescription', d -> 'SSEDescription',
		'OnDemandThroughput', d -> 'OnDemandThroughput', 'WarmThroughput', d -> 'WarmThroughput'))::text;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- CreateTable of an on-demand table 'n' with the members of 'extra'
CREATE FUNCTION pg_temp.create(n text, extra jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT CASE WHEN r LIKE '{%' THEN 'created' ELSE r END FROM pg_temp.t('CreateTable',
		jsonb_build_object('TableName', n, 'BillingMode', 'PAY_PER_REQUEST',
		'KeySchema', '[{"AttributeName": "p", "KeyType": "HASH"}]'::jsonb,
		'AttributeDefinitions', '[{"AttributeName": "p", "AttributeType": "S"}]'::jsonb) || extra) r $$;
CREATE FUNCTION pg_temp.ut(n text, req jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT CASE WHEN r LIKE '{%' THEN 'updated' ELSE r END
	  FROM pg_temp.t('UpdateTable', jsonb_build_object('TableName', n) || req) r $$;

-- Defaults: no protection, no class summary, no SSEDescription (DynamoDB's
-- own key), OnDemandThroughput -1/-1 on on-demand tables, warm throughput
SELECT pg_temp.create('stt', '{}');
SELECT pg_temp.settings('stt');
SELECT dynpg.create_table('{"TableName": "st_prov",
  "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}') IS NOT NULL AS created;
SELECT pg_temp.settings('st_prov');

-- DeletionProtectionEnabled
SELECT pg_temp.create('st_dp', '{"DeletionProtectionEnabled": true}');
SELECT pg_temp.settings('st_dp');
SELECT dynpg.table_definition('dynamodb.st_dp') -> 'DeletionProtectionEnabled' AS stored;
SELECT pg_temp.t('DeleteTable', '{"TableName": "st_dp"}');
SELECT pg_temp.ut('st_dp', '{"DeletionProtectionEnabled": false, "BillingMode": "PAY_PER_REQUEST"}');
SELECT pg_temp.ut('st_dp', '{"DeletionProtectionEnabled": false}');
SELECT pg_temp.settings('st_dp');
SELECT dynpg.table_definition('dynamodb.st_dp') ? 'DeletionProtectionEnabled' AS stored;
SELECT pg_temp.ut('st_dp', '{"DeletionProtectionEnabled": true}');
SELECT pg_temp.t('DeleteTable', '{"TableName": "st_dp"}');
SELECT pg_temp.ut('st_dp', '{"DeletionProtectionEnabled": false}');
SELECT pg_temp.t('DeleteTable', '{"TableName": "st_dp"}') LIKE '{%' AS deleted;
SELECT pg_temp.create('st_dp', '{"DeletionProtectionEnabled": "x"}');

-- TableClass
SELECT pg_temp.create('st_ia', '{"TableClass": "STANDARD_INFREQUENT_ACCESS"}');
SELECT pg_temp.settings('st_ia');
SELECT pg_temp.create('st_std', '{"TableClass": "STANDARD"}');
SELECT pg_temp.settings('st_std');
SELECT pg_temp.create('st_bad', '{"TableClass": "GLACIER"}');
SELECT pg_temp.ut('st_std', '{"TableClass": "GLACIER"}');
SELECT pg_temp.ut('st_std', '{"TableClass": "STANDARD_INFREQUENT_ACCESS", "DeletionProtectionEnabled": true}');
SELECT pg_temp.ut('st_std', '{"TableClass": "STANDARD_INFREQUENT_ACCESS"}');
SELECT pg_temp.settings('st_std');
SELECT pg_temp.ut('stt', '{"TableClass": "STANDARD"}');
SELECT pg_temp.settings('stt');

-- SSESpecification: enabled (KMS) with DynamoDB's key, a key id, an alias, an ARN
SELECT pg_temp.create('st_sse1', '{"SSESpecification": {"Enabled": true}}');
SELECT pg_temp.settings('st_sse1');
SELECT pg_temp.create('st_sse2', '{"SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}}');
SELECT pg_temp.settings('st_sse2');
SELECT pg_temp.create('st_sse3', '{"SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "alias/mine"}}');
SELECT pg_temp.settings('st_sse3');
SELECT pg_temp.create('st_sse4', '{"SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "arn:aws:kms:us-east-1:111122223333:key/k"}}');
SELECT pg_temp.settings('st_sse4');
-- disabled: DynamoDB's own key, nothing stored
SELECT pg_temp.create('st_sse5', '{"SSESpecification": {"Enabled": false}}');
SELECT pg_temp.settings('st_sse5');
SELECT dynpg.table_definition('dynamodb.st_sse5') ? 'SSESpecification' AS stored;
-- its checks
SELECT pg_temp.create('st_bad', '{"SSESpecification": {"Enabled": true, "SSEType": "DES"}}');
SELECT pg_temp.create('st_bad', '{"SSESpecification": {"SSEType": "KMS"}}');
SELECT pg_temp.create('st_bad', '{"SSESpecification": {"Enabled": false, "KMSMasterKeyId": "k"}}');
SELECT pg_temp.create('st_bad', '{"SSESpecification": {"Enabled": true, "SSEType": "AES256"}}');
-- a key needs SSEType KMS
SELECT pg_temp.create('st_bad', '{"SSESpecification": {"Enabled": true, "KMSMasterKeyId": "alias/mine"}}');
SELECT pg_temp.ut('st_sse5', '{"SSESpecification": {"Enabled": true, "KMSMasterKeyId": "k2"}}');
-- UpdateTable: alone; no change to the default; the same key again; to a key and back
SELECT pg_temp.ut('st_sse5', '{"SSESpecification": {"Enabled": false}}');
SELECT pg_temp.ut('st_sse2', '{"SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}}');
-- the same key by the ARN DescribeTable reports, and the alias's by its ARN
SELECT pg_temp.ut('st_sse2', '{"SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "arn:aws:kms:ddblocal:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}');
SELECT pg_temp.ut('st_sse3', '{"SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "arn:aws:kms:ddblocal:000000000000:alias/mine"}}');
SELECT pg_temp.ut('st_sse5', '{"SSESpecification": {"Enabled": true}, "DeletionProtectionEnabled": true}');
SELECT pg_temp.ut('st_sse5', '{"SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "k2"}}');
SELECT pg_temp.settings('st_sse5');
SELECT pg_temp.ut('st_sse5', '{"SSESpecification": {"Enabled": false}}');
SELECT pg_temp.settings('st_sse5');

-- OnDemandThroughput: on-demand tables only, each maximum at least 1
SELECT pg_temp.create('st_od', '{"OnDemandThroughput": {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50}}');
SELECT pg_temp.settings('st_od');
SELECT pg_temp.create('st_od2', '{"OnDemandThroughput": {"MaxWriteRequestUnits": 10}}');
SELECT pg_temp.settings('st_od2');
SELECT pg_temp.create('st_bad', '{"OnDemandThroughput": {"MaxReadRequestUnits": 0}}');
SELECT pg_temp.create('st_bad', '{"OnDemandThroughput": {"MaxWriteRequestUnits": -1}}');
SELECT pg_temp.t('CreateTable', '{"TableName": "st_bad",
  "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}],
  "OnDemandThroughput": {"MaxReadRequestUnits": 10}}');
SELECT pg_temp.create('st_bad', '{"OnDemandThroughput": {"MaxReadRequestUnits": "x"}}');
-- UpdateTable: -1 removes a maximum; with BillingMode only; a provisioned table refuses it
SELECT pg_temp.ut('st_od', '{"OnDemandThroughput": {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": 70}}');
SELECT pg_temp.settings('st_od');
SELECT pg_temp.ut('st_od', '{"OnDemandThroughput": {"MaxReadRequestUnits": 0}}');
SELECT pg_temp.ut('st_od', '{"OnDemandThroughput": {"MaxReadRequestUnits": 5},
  "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}');
SELECT pg_temp.ut('st_prov', '{"OnDemandThroughput": {"MaxReadRequestUnits": 5}}');
SELECT pg_temp.ut('st_prov', '{"BillingMode": "PAY_PER_REQUEST", "OnDemandThroughput": {"MaxReadRequestUnits": 5}}');
SELECT pg_temp.settings('st_prov');
-- back to provisioned: the maximums go
SELECT pg_temp.ut('st_prov', '{"BillingMode": "PROVISIONED",
  "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7}}');
SELECT pg_temp.settings('st_prov');
SELECT dynpg.table_definition('dynamodb.st_prov') ? 'OnDemandThroughput' AS stored;

-- WarmThroughput: reported with Status ACTIVE; never below the default or the capacity
SELECT pg_temp.create('st_warm', '{"WarmThroughput": {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000}}');
SELECT pg_temp.settings('st_warm');
SELECT pg_temp.create('st_bad', '{"WarmThroughput": {"ReadUnitsPerSecond": 0, "WriteUnitsPerSecond": -3}}');
-- an on-demand table starts at 12000 reads and 4000 writes a second: no less
SELECT pg_temp.create('st_bad', '{"WarmThroughput": {"ReadUnitsPerSecond": 11999, "WriteUnitsPerSecond": 4000}}');
SELECT pg_temp.create('st_bad', '{"WarmThroughput": {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 3999}}');
SELECT pg_temp.create('st_bad', '{"WarmThroughput": {"WriteUnitsPerSecond": 1}}');
SELECT pg_temp.create('st_warm2', '{"WarmThroughput": {"ReadUnitsPerSecond": 12001}}');
SELECT pg_temp.settings('st_warm2');
SELECT pg_temp.t('CreateTable', '{"TableName": "st_bad",
  "ProvisionedThroughput": {"ReadCapacityUnits": 500, "WriteCapacityUnits": 5},
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}],
  "WarmThroughput": {"ReadUnitsPerSecond": 100}}');
SELECT pg_temp.ut('st_warm', '{"WarmThroughput": {"ReadUnitsPerSecond": 14000}}');
SELECT pg_temp.ut('st_warm', '{"WarmThroughput": {"WriteUnitsPerSecond": 6000}, "BillingMode": "PAY_PER_REQUEST"}');
SELECT pg_temp.ut('st_warm', '{"WarmThroughput": {"WriteUnitsPerSecond": 6000}}');
SELECT pg_temp.settings('st_warm');
-- with an index Create: its own message; with an index Delete: not the only operation
SELECT pg_temp.ut('st_warm', '{"WarmThroughput": {"WriteUnitsPerSecond": 7000},
  "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"}}}]}');
SELECT pg_temp.ut('st_warm', '{"WarmThroughput": {"WriteUnitsPerSecond": 7000},
  "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "gix"}}]}');
SELECT pg_temp.ut('stt', '{"WarmThroughput": {"ReadUnitsPerSecond": 11000}}');
SELECT pg_temp.ut('stt', '{"WarmThroughput": {"ReadUnitsPerSecond": 12000}}');
SELECT pg_temp.settings('stt');
-- the one option still refused
SELECT pg_temp.create('st_bad', '{"ResourcePolicy": "{}"}');

-- settings live in the definition (pg_dump carries them): DescribeTable reads it
SELECT dynpg.table_definition('dynamodb.st_warm') -> 'WarmThroughput' AS stored;
SELECT jsonb_strip_nulls(jsonb_build_object('TableClass', d -> 'TableClass', 'SSESpecification', d -> 'SSESpecification',
  'OnDemandThroughput', d -> 'OnDemandThroughput')) AS stored
  FROM dynpg.table_definition('dynamodb.st_od') d;

-- a definition written by hand (a hand-edited dump) with settings of the
-- wrong JSON types: they are ignored, never misread
CREATE TABLE dynamodb.st_hand (item dynpg.item NOT NULL, CONSTRAINT dynpg_table CHECK (dynpg.conforms(item,
  '{"TableName": "st_hand", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
    "TableClass": true, "DeletionProtectionEnabled": "yes", "SSESpecification": [1],
    "OnDemandThroughput": {"MaxReadRequestUnits": "x"}, "WarmThroughput": 7,
    "Tags": [{"Key": 1, "Value": "v"}, "t", {"Key": "ok", "Value": "v"}],
    "TimeToLive": {"AttributeName": 5, "Enabled": true}}'::jsonb))) USING dynpg;
SELECT pg_temp.settings('st_hand');
SELECT pg_temp.t('DescribeTimeToLive', '{"TableName": "st_hand"}');
SELECT pg_temp.t('ListTagsOfResource', '{"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000:table/st_hand"}');
SELECT pg_temp.t('DeleteTable', '{"TableName": "st_hand"}') LIKE '{%' AS deleted;
-- ... and numbers beyond int64 (a provisioned table's capacity too): ignored, never an error
CREATE TABLE dynamodb.st_hand2 (item dynpg.item NOT NULL, CONSTRAINT dynpg_table CHECK (dynpg.conforms(item,
  '{"TableName": "st_hand2", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
    "OnDemandThroughput": {"MaxReadRequestUnits": 1e30, "MaxWriteRequestUnits": 9223372036854775808},
    "WarmThroughput": {"ReadUnitsPerSecond": -1e40, "WriteUnitsPerSecond": 20000}}'::jsonb))) USING dynpg;
SELECT pg_temp.settings('st_hand2');
SELECT pg_temp.ut('st_hand2', '{"WarmThroughput": {"WriteUnitsPerSecond": 30000}}');
SELECT pg_temp.ut('st_hand2', '{"OnDemandThroughput": {"MaxReadRequestUnits": 10}}');
SELECT pg_temp.settings('st_hand2');
SELECT pg_temp.t('DeleteTable', '{"TableName": "st_hand2"}') LIKE '{%' AS deleted;

-- DescribeLimits, DescribeEndpoints
SELECT pg_temp.t('DescribeLimits', '{}');
SELECT dynpg.describe_limits();
SELECT jsonb_array_length(r -> 'Endpoints') AS n, r -> 'Endpoints' -> 0 -> 'CachePeriodInMinutes' AS cache,
       r -> 'Endpoints' -> 0 ->> 'Address' = 'localhost:' || current_setting('dynpg.http_port') AS address
  FROM dynpg.describe_endpoints() r;

-- A table's ARN wherever a TableName is taken
\set arn 'arn:aws:dynamodb:ddblocal:000000000000:table/stt'
SELECT pg_temp.t('PutItem', jsonb_build_object('TableName', :'arn', 'Item', '{"p": {"S": "a"}, "v": {"N": "1"}}'::jsonb));
SELECT pg_temp.t('GetItem', jsonb_build_object('TableName', :'arn', 'Key', '{"p": {"S": "a"}}'::jsonb,
  'ReturnConsumedCapacity', 'TOTAL'));
SELECT pg_temp.t('UpdateItem', jsonb_build_object('TableName', :'arn', 'Key', '{"p": {"S": "a"}}'::jsonb,
  'UpdateExpression', 'SET v = v + :one', 'ExpressionAttributeValues', '{":one": {"N": "1"}}'::jsonb, 'ReturnValues', 'ALL_NEW'));
SELECT pg_temp.t('Query', jsonb_build_object('TableName', :'arn', 'KeyConditionExpression', 'p = :p',
  'ExpressionAttributeValues', '{":p": {"S": "a"}}'::jsonb));
SELECT pg_temp.t('Scan', jsonb_build_object('TableName', :'arn'));
SELECT pg_temp.t('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object(:'arn',
  '[{"PutRequest": {"Item": {"p": {"S": "b"}}}}]'::jsonb)));
SELECT pg_temp.t('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object(:'arn',
  '{"Keys": [{"p": {"S": "b"}}]}'::jsonb)));
SELECT pg_temp.t('TransactWriteItems', jsonb_build_object('TransactItems', jsonb_build_array(
  jsonb_build_object('Put', jsonb_build_object('TableName', :'arn', 'Item', '{"p": {"S": "c"}}'::jsonb)))));
SELECT pg_temp.t('TransactGetItems', jsonb_build_object('TransactItems', jsonb_build_array(
  jsonb_build_object('Get', jsonb_build_object('TableName', :'arn', 'Key', '{"p": {"S": "c"}}'::jsonb)))));
SELECT pg_temp.t('DeleteItem', jsonb_build_object('TableName', :'arn', 'Key', '{"p": {"S": "c"}}'::jsonb, 'ReturnValues', 'ALL_OLD'));
-- the name and the ARN are one table
SELECT pg_temp.t('TransactWriteItems', jsonb_build_object('TransactItems', jsonb_build_array(
  jsonb_build_object('Put', jsonb_build_object('TableName', :'arn', 'Item', '{"p": {"S": "d"}}'::jsonb)),
  jsonb_build_object('Put', jsonb_build_object('TableName', 'stt', 'Item', '{"p": {"S": "d"}}'::jsonb)))));
SELECT pg_temp.t('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object(:'arn',
  '[{"PutRequest": {"Item": {"p": {"S": "d"}, "n": {"N": "1"}}}}]'::jsonb,
  'stt', '[{"PutRequest": {"Item": {"p": {"S": "d"}, "n": {"N": "2"}}}}]'::jsonb)));
SELECT pg_temp.t('GetItem', jsonb_build_object('TableName', 'stt', 'Key', '{"p": {"S": "d"}}'::jsonb));
SELECT r -> 'Table' ->> 'TableName' AS name, r -> 'Table' ->> 'TableArn' AS arn
  FROM dynpg.describe_table(jsonb_build_object('TableName', :'arn')) r;
SELECT pg_temp.ut(:'arn', '{"DeletionProtectionEnabled": false}');
-- BatchGetItem naming the table by its name and by its ARN: two entries of one table
SELECT pg_temp.t('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object(
  :'arn', '{"Keys": [{"p": {"S": "a"}}]}'::jsonb,
  'stt', '{"Keys": [{"p": {"S": "b"}}], "ProjectionExpression": "p"}'::jsonb), 'ReturnConsumedCapacity', 'INDEXES'));
-- another region's, partition's, resource type's ARN; a malformed one; an index's
SELECT pg_temp.t('GetItem', jsonb_build_object('TableName', 'arn:aws:dynamodb:us-east-1:000000000000:table/stt', 'Key', '{"p": {"S": "a"}}'::jsonb));
SELECT pg_temp.t('DescribeTable', '{"TableName": "arn:aws:dynamodb:us-east-1:123456789012:table/stt"}');
SELECT pg_temp.t('DescribeTable', '{"TableName": "arn:aws-cn:dynamodb:ddblocal:000000000000:table/stt"}');
SELECT pg_temp.t('DescribeTable', '{"TableName": "arn:aws:dynamodb:ddblocal:000000000000:backup/stt"}');
SELECT pg_temp.t('DescribeTable', '{"TableName": "arn:aws:dynamodb:ddblocal"}');
SELECT pg_temp.t('DescribeTable', '{"TableName": "arn:aws:s3:ddblocal:000000000000:table/stt"}');
SELECT pg_temp.t('DescribeTable', '{"TableName": "arn:aws:dynamodb:ddblocal:000000000000:table/ab"}');
SELECT pg_temp.t('UpdateTable', '{"TableName": "arn:aws:dynamodb:eu-west-1:000000000000:table/stt", "BillingMode": "PAY_PER_REQUEST"}');
SELECT pg_temp.t('PutItem', '{"TableName": "arn:aws:dynamodb:ddblocal:000000000000:table/stt/index/i", "Item": {"p": {"S": "z"}}}');
SELECT pg_temp.t('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "arn:aws:dynamodb:us-east-1:000000000000:table/stt", "Item": {"p": {"S": "z"}}}}]}');
SELECT pg_temp.t('BatchGetItem', '{"RequestItems": {"arn:aws:dynamodb:us-east-1:000000000000:table/stt": {"Keys": [{"p": {"S": "b"}}]}}}');
-- another account's table, or no table: not found, as a wrong name
SELECT pg_temp.t('GetItem', jsonb_build_object('TableName', 'arn:aws:dynamodb:ddblocal:123456789012:table/stt', 'Key', '{"p": {"S": "a"}}'::jsonb));
SELECT pg_temp.t('GetItem', jsonb_build_object('TableName', :'arn' || 'x', 'Key', '{"p": {"S": "a"}}'::jsonb));
SELECT pg_temp.t('DescribeTable', jsonb_build_object('TableName', :'arn' || 'x'));
SELECT pg_temp.t('DescribeTable', jsonb_build_object('TableName', 'arn:aws:dynamodb:ddblocal:000000000000:table/'));
SELECT pg_temp.t('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object(:'arn' || '/index/i',
  '{"Keys": [{"p": {"S": "b"}}]}'::jsonb)));
-- ARNs are 1..1024 characters; CreateTable takes names only
SELECT regexp_replace(pg_temp.t('GetItem', jsonb_build_object('TableName', 'arn:' || repeat('x', 1021), 'Key', '{"p": {"S": "a"}}'::jsonb)), 'x{200,}', 'x...', 'g') AS t;
SELECT regexp_replace(pg_temp.t('DescribeTable', jsonb_build_object('TableName', 'arn:' || repeat('x', 1021))), 'x{200,}', 'x...', 'g') AS t;
SELECT regexp_replace(pg_temp.t('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object('arn:' || repeat('x', 1021),
  '{"Keys": [{"p": {"S": "b"}}]}'::jsonb))), 'x{200,}', 'x...', 'g') AS t;
SELECT pg_temp.create(:'arn', '{}');
SELECT pg_temp.t('DeleteTable', jsonb_build_object('TableName', :'arn')) LIKE '{%' AS deleted;

-- clean up
SELECT count(*) FROM (SELECT dynpg.delete_table(jsonb_build_object('TableName', table_name))
  FROM dynpg.tables WHERE table_name LIKE 'st%') d;
