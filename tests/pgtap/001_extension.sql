-- The extension's SQL surface exists: its schema, dynpg.version() and the item type.
-- scripts/pgtap-check.sh runs each file in a fresh database that already has the
-- pgtap and dynpg extensions.
BEGIN;
SELECT plan(3);

SELECT has_schema('dynpg', 'schema dynpg exists');
SELECT has_function('dynpg', 'version', 'function dynpg.version() exists');
SELECT has_type('dynpg', 'item', 'type dynpg.item exists');

SELECT * FROM finish();
ROLLBACK;
