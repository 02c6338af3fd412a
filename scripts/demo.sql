-- dynpg demo, run by scripts/dynpg-run.sh in database dynpg after
-- CREATE EXTENSION dynpg.  It runs on every start, so it is safe to rerun.

-- dynpg's operators (->, ->>, ?, =) live in schema dynpg: put it on the path.
ALTER DATABASE dynpg SET search_path = "$user", public, dynpg;
SET search_path = "$user", public, dynpg;

\echo
\echo 'The sample users as dynpg.item values (DynamoDB JSON, canonical order):'
CREATE TEMP TABLE users_demo AS
SELECT dynpg.from_plain_json(j) AS item FROM (VALUES
 ('{"PersonID": 101, "LastName": "Smith", "FirstName": "Fred", "Phone": "555-4321"}'::jsonb),
 ('{"PersonID": 102, "LastName": "Jones", "FirstName": "Mary", "Address": {"Street": "123 Main", "City": "Anytown", "State": "OH", "ZIPCode": 12345}}'),
 ('{"PersonID": 103, "LastName": "Stephens", "FirstName": "Howard", "Address": {"Street": "123 Main", "City": "London", "PostalCode": "ER3 5K8"}, "FavoriteColor": "Blue"}')
) AS t(j);
SELECT item FROM users_demo ORDER BY item ->> 'PersonID';

\echo 'Attributes by name and by document path, and DynamoDB item sizes:'
SELECT item ->> 'PersonID' AS person_id,
       item ->> 'LastName' AS last_name,
       dynpg.get_path_text(item, 'Address.City') AS city,
       dynpg.item_size(item) AS dynamodb_size
  FROM users_demo ORDER BY 1;
DROP TABLE users_demo;
