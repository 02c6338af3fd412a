-- tests/upgrade/catalog.sql: the dynpg extension's objects as sorted lines of
-- text, one or more per member object (pg_depend's 'e' dependencies on the
-- extension): functions with their whole definition (signature, body,
-- volatility, strictness, SET options, SECURITY), privileges, tables' and
-- views' columns, constraints, indexes and view bodies, types, operators,
-- operator classes, casts, access methods, schemas, and the extension's own
-- row (version, configuration tables).  tests/t/055_extension_upgrade.pl
-- compares it between a database updated with ALTER EXTENSION dynpg UPDATE
-- and a fresh CREATE EXTENSION dynpg: they must be equal.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'dynpg'),
members AS (
	SELECT d.classid, d.objid, d.objsubid, pg_describe_object(d.classid, d.objid, d.objsubid) AS what
	  FROM pg_depend d, ext
	 WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
),
lines AS (
	-- every member, by its description
	SELECT 'member ' || what AS line FROM members
	UNION ALL
	-- functions: the whole CREATE FUNCTION, and who may call them
	SELECT 'function ' || m.what || E'\n' || pg_get_functiondef(p.oid)
		   || E'\n  acl ' || coalesce(p.proacl::text, 'default') || ' owner-is-superuser ' || r.rolsuper
	  FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
	  JOIN pg_roles r ON r.oid = p.proowner
	 WHERE p.prokind <> 'a'
	UNION ALL
	-- relations: kind, access method, options, privileges
	SELECT 'relation ' || m.what || ' kind ' || c.relkind::text || ' am ' || coalesce(a.amname, '-')
		   || ' options ' || coalesce(c.reloptions::text, '-') || ' acl ' || coalesce(c.relacl::text, 'default')
		   || ' persistence ' || c.relpersistence::text
	  FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	  LEFT JOIN pg_am a ON a.oid = c.relam
	UNION ALL
	-- their columns (tables, views, composite types, sequences)
	SELECT 'column ' || m.what || '.' || quote_ident(at.attname) || ' ' || format_type(at.atttypid, at.atttypmod)
		   || CASE WHEN at.attnotnull THEN ' NOT NULL' ELSE '' END
		   || coalesce(' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), '')
		   || CASE WHEN at.attidentity <> '' THEN ' IDENTITY ' || at.attidentity::text ELSE '' END
		   || CASE WHEN at.attgenerated <> '' THEN ' GENERATED ' || at.attgenerated::text ELSE '' END
		   || ' collation ' || coalesce(at.attcollation::regcollation::text, '-')
		   || ' position ' || at.attnum || ' acl ' || coalesce(at.attacl::text, 'default')
	  FROM members m JOIN pg_attribute at ON m.classid = 'pg_class'::regclass AND at.attrelid = m.objid
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = at.attrelid AND ad.adnum = at.attnum
	 WHERE at.attnum > 0 AND NOT at.attisdropped
	UNION ALL
	SELECT 'constraint ' || m.what || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
	  FROM members m JOIN pg_constraint co ON m.classid = 'pg_class'::regclass AND co.conrelid = m.objid
	UNION ALL
	-- indexes, by definition (their names are generated the same way in both)
	SELECT 'index ' || m.what || ' ' || pg_get_indexdef(i.indexrelid)
	  FROM members m JOIN pg_index i ON m.classid = 'pg_class'::regclass AND i.indrelid = m.objid
	UNION ALL
	SELECT 'trigger ' || m.what || ' ' || pg_get_triggerdef(t.oid)
	  FROM members m JOIN pg_trigger t ON m.classid = 'pg_class'::regclass AND t.tgrelid = m.objid
	 WHERE NOT t.tgisinternal
	UNION ALL
	SELECT 'view ' || m.what || E'\n' || pg_get_viewdef(m.objid)
	  FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	 WHERE c.relkind::text IN ('v', 'm')
	UNION ALL
	SELECT 'sequence ' || m.what || ' ' || format_type(s.seqtypid, NULL) || ' ' || s.seqstart || ' ' || s.seqincrement
		   || ' ' || s.seqmax || ' ' || s.seqmin || ' ' || s.seqcache || ' ' || s.seqcycle
	  FROM members m JOIN pg_sequence s ON m.classid = 'pg_class'::regclass AND s.seqrelid = m.objid
	UNION ALL
	-- comments on members and on their columns
	SELECT 'comment ' || pg_describe_object(ds.classoid, ds.objoid, ds.objsubid) || ': ' || ds.description
	  FROM members m JOIN pg_description ds ON ds.classoid = m.classid AND ds.objoid = m.objid
	UNION ALL
	-- types: their support functions and storage
	SELECT 'type ' || m.what || ' ' || t.typtype::text || ' ' || t.typlen || ' ' || t.typbyval || ' ' || t.typalign::text
		   || ' ' || t.typstorage::text || ' ' || t.typcategory::text || ' ' || t.typinput::text || ' ' || t.typoutput::text
		   || ' ' || t.typreceive::text || ' ' || t.typsend::text || ' ' || t.typanalyze::text
		   || ' ' || t.typsubscript::text || ' ' || coalesce(t.typdefault, '-') || ' acl ' || coalesce(t.typacl::text, 'default')
	  FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
	UNION ALL
	SELECT 'operator ' || m.what || ' ' || o.oprcode::text || ' commutator ' || o.oprcom::regoperator::text
		   || ' negator ' || o.oprnegate::regoperator::text || ' ' || o.oprrest::text || ' ' || o.oprjoin::text
		   || ' merges ' || o.oprcanmerge || ' hashes ' || o.oprcanhash
	  FROM members m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
	UNION ALL
	-- operator classes and families: their operators and support functions
	SELECT 'opclass ' || m.what || ' default ' || oc.opcdefault || ' family ' || f.opfname
	  FROM members m JOIN pg_opclass oc ON m.classid = 'pg_opclass'::regclass AND oc.oid = m.objid
	  JOIN pg_opfamily f ON f.oid = oc.opcfamily
	UNION ALL
	SELECT 'amop ' || m.what || ' ' || ao.amopstrategy || ' ' || ao.amopopr::regoperator::text || ' ' || ao.amoppurpose::text
	  FROM members m JOIN pg_amop ao ON m.classid = 'pg_opfamily'::regclass AND ao.amopfamily = m.objid
	UNION ALL
	SELECT 'amproc ' || m.what || ' ' || ap.amprocnum || ' ' || ap.amproc::regprocedure::text
	  FROM members m JOIN pg_amproc ap ON m.classid = 'pg_opfamily'::regclass AND ap.amprocfamily = m.objid
	UNION ALL
	SELECT 'cast ' || m.what || ' ' || coalesce(ca.castfunc::regprocedure::text, '-') || ' ' || ca.castcontext::text || ' ' || ca.castmethod::text
	  FROM members m JOIN pg_cast ca ON m.classid = 'pg_cast'::regclass AND ca.oid = m.objid
	UNION ALL
	SELECT 'access method ' || m.what || ' ' || am.amtype::text || ' ' || am.amhandler::regprocedure::text
	  FROM members m JOIN pg_am am ON m.classid = 'pg_am'::regclass AND am.oid = m.objid
	UNION ALL
	-- the schemas dynpg uses (members or not), their privileges and default privileges
	SELECT 'schema ' || n.nspname || ' acl ' || coalesce(n.nspacl::text, 'default')
	  FROM pg_namespace n WHERE n.nspname IN ('dynpg', 'dynamodb')
	UNION ALL
	SELECT 'default acl ' || coalesce(n.nspname, '-') || ' ' || da.defaclobjtype::text || ' ' || da.defaclacl::text
	  FROM pg_default_acl da LEFT JOIN pg_namespace n ON n.oid = da.defaclnamespace
	 WHERE n.nspname IN ('dynpg', 'dynamodb') OR da.defaclnamespace = 0
	UNION ALL
	-- the extension itself: version, schema, configuration tables
	SELECT 'extension ' || e.extname || ' ' || e.extversion || ' schema ' || e.extnamespace::regnamespace::text
		   || ' relocatable ' || e.extrelocatable
		   || ' config ' || coalesce((SELECT string_agg(c::regclass::text, ',' ORDER BY c::regclass::text)
										 FROM unnest(e.extconfig) AS c), '-')
		   || ' conditions ' || coalesce(e.extcondition::text, '-')
	  FROM pg_extension e WHERE e.extname = 'dynpg'
)
SELECT line FROM lines ORDER BY line COLLATE "C";
