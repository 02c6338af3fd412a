-- Tags (src/api/table_settings.c): TagResource, UntagResource,
-- ListTagsOfResource and CreateTable's Tags; DynamoDB's checks and
-- messages; tags kept in the table's definition.
\set SHOW_CONTEXT never
\i sql/include/table_helpers.sql

\i sql/include/typed_errors.sql
CREATE FUNCTION pg_temp.tags(arn text) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.t('ListTagsOfResource', jsonb_build_object('ResourceArn', arn)) $$;

SELECT dynpg.create_table('{"TableName": "tagged", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}')
  -> 'TableDescription' ->> 'TableArn' AS arn;
\set arn 'arn:aws:dynamodb:ddblocal:000000000000:table/tagged'

-- no tags yet
SELECT pg_temp.tags(:'arn');

-- TagResource: new keys, then a key again (its value replaced), empty values, white space
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags',
  '[{"Key": "env", "Value": "test"}, {"Key": "owner", "Value": ""}, {"Key": "a b:c/d=e+f-g.h_i", "Value": " x "}]'::jsonb));
SELECT pg_temp.tags(:'arn');
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags',
  '[{"Key": "env", "Value": "prod"}, {"Key": "Env", "Value": "case counts"}]'::jsonb));
SELECT pg_temp.tags(:'arn');
-- dynpg.tag_resource and friends are the same operations
SELECT dynpg.tag_resource(jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "k", "Value": "v"}]'::jsonb));
SELECT dynpg.list_tags_of_resource(jsonb_build_object('ResourceArn', :'arn'));
-- non-ASCII letters are allowed; lengths count characters
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags',
  jsonb_build_array(jsonb_build_object('Key', 'ключ', 'Value', repeat('é', 256)))));
SELECT pg_temp.t('UntagResource', jsonb_build_object('ResourceArn', :'arn', 'TagKeys', '["ключ"]'::jsonb));

-- UntagResource: keys not there are no error
SELECT pg_temp.t('UntagResource', jsonb_build_object('ResourceArn', :'arn', 'TagKeys', '["owner", "nothere", "k"]'::jsonb));
SELECT pg_temp.tags(:'arn');
SELECT dynpg.untag_resource(jsonb_build_object('ResourceArn', :'arn', 'TagKeys', '["Env", "env", "a b:c/d=e+f-g.h_i"]'::jsonb));
SELECT pg_temp.tags(:'arn');

-- constraints: ResourceArn, Tags, each tag's Key and Value
SELECT pg_temp.t('TagResource', '{}');
SELECT pg_temp.t('TagResource', '{"ResourceArn": ""}');
SELECT regexp_replace(pg_temp.t('TagResource', jsonb_build_object('ResourceArn', 'arn:' || repeat('x', 1021), 'Tags', '[]'::jsonb)), 'x{200,}', 'x...', 'g') AS t;
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags',
  jsonb_build_array('{}'::jsonb, null, jsonb_build_object('Key', '', 'Value', 'v'),
                    jsonb_build_object('Key', repeat('k', 129), 'Value', repeat('v', 257)))));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "k", "Value": 1}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '{"Key": "k"}'::jsonb));
-- then the rules, in this order: at least one tag, the ARN, each tag, the count
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', 'tagged', 'Tags', '[]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', 'tagged', 'Tags', '[{"Key": "k", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', 'arn:aws:s3:::bucket', 'Tags', '[{"Key": "k", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', 'arn:not/a/good/format', 'Tags', '[{"Key": "k", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn' || '/index/i', 'Tags', '[{"Key": "k", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', 'arn:aws:dynamodb:ddblocal:000000000000:backup/b', 'Tags', '[{"Key": "k", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "#!", "Value": "ok"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "ok", "Value": "<>"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "aws:x", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "AWS:x", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "d", "Value": "1"}, {"Key": "d", "Value": "2"}]'::jsonb));
-- a tag without its Value, or without its Key: the rules' "null", no constraint failure
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "k"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "k", "Value": null}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Value": "v"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags',
  (SELECT jsonb_agg(jsonb_build_object('Key', 'k' || i, 'Value', 'v')) FROM generate_series(1, 51) i)));
-- another region's or partition's ARN, a malformed table name: refused
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', 'arn:aws:dynamodb:us-east-1:123456789012:table/tagged', 'Tags', '[{"Key": "k", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('ListTagsOfResource', '{"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/tagged"}');
SELECT pg_temp.t('UntagResource', '{"ResourceArn": "arn:aws-cn:dynamodb:ddblocal:000000000000:table/tagged", "TagKeys": ["k"]}');
SELECT pg_temp.t('ListTagsOfResource', '{"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000:table/ab"}');
SELECT pg_temp.t('ListTagsOfResource', '{"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000"}');
-- unknown tables: another table name or account, a stream
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn' || 'x', 'Tags', '[{"Key": "k", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', 'arn:aws:dynamodb:ddblocal:123456789012:table/tagged', 'Tags', '[{"Key": "k", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('ListTagsOfResource', jsonb_build_object('ResourceArn', :'arn' || '/stream/2026-01-01T00:00:00.000'));
SELECT pg_temp.t('UntagResource', jsonb_build_object('ResourceArn', :'arn' || 'x', 'TagKeys', '["k"]'::jsonb));

-- 50 tags in all: 30, then 20 more (10 of them replacing) fit; one more does not
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags',
  (SELECT jsonb_agg(jsonb_build_object('Key', 'k' || lpad(i::text, 2, '0'), 'Value', 'v' || i)) FROM generate_series(1, 30) i)));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags',
  (SELECT jsonb_agg(jsonb_build_object('Key', 'k' || lpad(i::text, 2, '0'), 'Value', 'w' || i)) FROM generate_series(21, 50) i)));
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "one-more", "Value": "v"}]'::jsonb));
-- a refused request changes nothing; replacing a value is no new tag
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "k50", "Value": "last"}]'::jsonb));
SELECT jsonb_array_length(dynpg.table_definition('dynamodb.tagged') -> 'Tags') AS stored;

-- ListTagsOfResource: pages of 10 in key order; NextToken is the page's last key
SELECT r -> 'NextToken' AS token, (SELECT string_agg(t ->> 'Key', ' ') FROM jsonb_array_elements(r -> 'Tags') t) AS keys
  FROM dynpg.list_tags_of_resource(jsonb_build_object('ResourceArn', :'arn')) r;
SELECT r -> 'NextToken' AS token, (SELECT string_agg(t ->> 'Key', ' ') FROM jsonb_array_elements(r -> 'Tags') t) AS keys
  FROM dynpg.list_tags_of_resource(jsonb_build_object('ResourceArn', :'arn', 'NextToken', 'k10')) r;
SELECT r -> 'NextToken' AS token, (SELECT string_agg(t ->> 'Key', ' ') FROM jsonb_array_elements(r -> 'Tags') t) AS keys
  FROM dynpg.list_tags_of_resource(jsonb_build_object('ResourceArn', :'arn', 'NextToken', 'k40')) r;
SELECT pg_temp.t('ListTagsOfResource', jsonb_build_object('ResourceArn', :'arn', 'NextToken', 'k50'));
SELECT pg_temp.t('ListTagsOfResource', '{}');
SELECT pg_temp.t('ListTagsOfResource', '{"ResourceArn": "tagged"}');

-- UntagResource's checks
SELECT pg_temp.t('UntagResource', '{}');
SELECT pg_temp.t('UntagResource', jsonb_build_object('ResourceArn', :'arn', 'TagKeys', '[]'::jsonb));
SELECT pg_temp.t('UntagResource', jsonb_build_object('ResourceArn', 'tagged', 'TagKeys', '["k"]'::jsonb));
SELECT pg_temp.t('UntagResource', jsonb_build_object('ResourceArn', :'arn', 'TagKeys', '["#"]'::jsonb));
SELECT pg_temp.t('UntagResource', jsonb_build_object('ResourceArn', :'arn', 'TagKeys', '[""]'::jsonb));
SELECT pg_temp.t('UntagResource', jsonb_build_object('ResourceArn', :'arn', 'TagKeys', '["aws:cost"]'::jsonb));
SELECT pg_temp.t('UntagResource', jsonb_build_object('ResourceArn', :'arn', 'TagKeys',
  (SELECT jsonb_agg('k' || lpad(i::text, 2, '0')) FROM generate_series(1, 50) i)));
SELECT pg_temp.tags(:'arn');

-- CreateTable's Tags: the same checks; a refused table is not created
SELECT pg_temp.t('CreateTable', '{"TableName": "tagged2", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}],
  "Tags": [{"Key": "", "Value": "v"}, {"Key": "k"}]}');
SELECT pg_temp.t('CreateTable', '{"TableName": "tagged2", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}],
  "Tags": [{"Key": "aws:k", "Value": "v"}]}');
SELECT pg_temp.t('CreateTable', jsonb_build_object('TableName', 'tagged2', 'BillingMode', 'PAY_PER_REQUEST',
  'KeySchema', '[{"AttributeName": "p", "KeyType": "HASH"}]'::jsonb,
  'AttributeDefinitions', '[{"AttributeName": "p", "AttributeType": "S"}]'::jsonb,
  'Tags', (SELECT jsonb_agg(jsonb_build_object('Key', 'k' || i, 'Value', 'v')) FROM generate_series(1, 100) i)));
SELECT pg_temp.t('DescribeTable', '{"TableName": "tagged2"}');
-- an empty list is no tag; Tags are not part of the description
SELECT pg_temp.api('CreateTable', '{"TableName": "tagged3", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}], "Tags": []}') IS NOT NULL AS created;
SELECT pg_temp.tags('arn:aws:dynamodb:ddblocal:000000000000:table/tagged3');
SELECT dynpg.create_table('{"TableName": "tagged2", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}],
  "Tags": [{"Key": "team", "Value": "db"}, {"Key": "app", "Value": "x"}]}') -> 'TableDescription' ? 'Tags' AS described;
SELECT pg_temp.tags('arn:aws:dynamodb:ddblocal:000000000000:table/tagged2');
-- stored in the definition (what pg_dump carries), sorted by key
SELECT dynpg.table_definition('dynamodb.tagged2') -> 'Tags' AS stored;
-- UpdateTable keeps them
SELECT pg_temp.t('UpdateTable', '{"TableName": "tagged2", "BillingMode": "PROVISIONED",
  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}') IS NOT NULL AS updated;
SELECT pg_temp.tags('arn:aws:dynamodb:ddblocal:000000000000:table/tagged2');

-- tagging needs the table's ownership; listing needs nothing
CREATE ROLE regress_dynpg_tag_stranger;
SET ROLE regress_dynpg_tag_stranger;
SELECT pg_temp.t('TagResource', jsonb_build_object('ResourceArn', :'arn', 'Tags', '[{"Key": "k", "Value": "v"}]'::jsonb));
SELECT pg_temp.t('UntagResource', jsonb_build_object('ResourceArn', :'arn', 'TagKeys', '["k"]'::jsonb));
SELECT pg_temp.tags('arn:aws:dynamodb:ddblocal:000000000000:table/tagged2');
RESET ROLE;
DROP ROLE regress_dynpg_tag_stranger;

-- a deleted table's ARN names nothing
SELECT dynpg.delete_table('{"TableName": "tagged2"}') IS NOT NULL AS deleted;
SELECT pg_temp.tags('arn:aws:dynamodb:ddblocal:000000000000:table/tagged2');
SELECT dynpg.delete_table('{"TableName": "tagged"}') IS NOT NULL AS deleted;
SELECT dynpg.delete_table('{"TableName": "tagged3"}') IS NOT NULL AS deleted;
