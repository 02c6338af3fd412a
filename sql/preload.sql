-- The extension installs only under shared_preload_libraries (the TAP test
-- 001 checks the refusal without it); here it is preloaded.
SELECT dynpg.version() IS NOT NULL AS has_version;
SELECT current_setting('shared_preload_libraries') ~ 'dynpg' AS preloaded;
-- calling the check again is harmless when preloaded
SELECT dynpg._require_preload();
-- everything dynpg defines lives in schema dynpg
SELECT e.extname, n.nspname
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'dynpg';
SELECT count(*) > 40 AS many_functions
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'dynpg';
-- no function of dynpg is left outside its schema
SELECT count(*) AS stray_functions
  FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'dynpg')
   AND n.nspname <> 'dynpg';
