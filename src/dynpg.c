/*-------------------------------------------------------------------------
 *
 * dynpg.c
 *	  Module entry point: _PG_init (GUCs, the WAL resource manager, the
 *	  GSI workers, the hooks), the planner hook (no parallel scans of dynpg
 *	  tables), the ProcessUtility hook (publications and most forms of
 *	  ALTER TABLE refused for dynpg tables; the workers kept away from a
 *	  database being dropped, copied or moved), the executor hooks (the
 *	  relations a statement may change or lock by TID, for the TID map:
 *	  src/storage/README, "Finding a version by TID") and dynpg.version().
 *	  The preload check itself is base/dynpg_preload.c's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "optimizer/plancat.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "am/dynpg_am.h"
#include "am/dynpg_bulk.h"
#include "am/dynpg_keyscan.h"
#include "api/dynpg_s3_location.h"
#include "api/dynpg_import.h"
#include "api/dynpg_replica.h"
#include "am/dynpg_stream.h"
#include "am/dynpg_ttl.h"
#include "base/dynpg_preload.h"
#include "storage/dynpg_xlog.h"
#include "http/dynpg_http.h"
#include "worker/dynpg_worker.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* storage/btinsert.c: PANIC between the records of a split, for crash tests */
extern int	dynpg_debug_split_panic;
/* storage/btinsert.c: shifts to a full leaf's right sibling before it splits */
extern bool dynpg_leaf_shifts;
extern int	dynpg_debug_item_collection_limit_kb;	/* api/item_common.c */

static get_relation_info_hook_type prev_get_relation_info_hook = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;
static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;

/*
 * The TID map (am/dynpg_tidmap.c) learns which relations the running
 * executors may fetch or lock by TID; counted before the executor starts
 * (its scans ask when they begin), uncounted when it ends.  After an error
 * ExecutorEnd does not run: the count stays until the transaction ends,
 * which only costs some remembering.
 */
static void
dynpg_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	dynpg_tidmap_executor_start(queryDesc->plannedstmt);
	/* an INSERT's bulk load is built before another executor may read (am/dynpg_bulk.c) */
	dynpg_bulk_executor_start(queryDesc->plannedstmt);
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/* an INSERT's bulk load is built when its executor finishes (am/dynpg_bulk.c) */
static void
dynpg_ExecutorFinish(QueryDesc *queryDesc)
{
	if (prev_ExecutorFinish)
		prev_ExecutorFinish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);
	dynpg_bulk_flush();
}

static void
dynpg_ExecutorEnd(QueryDesc *queryDesc)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;

	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
	dynpg_tidmap_executor_end(stmt);
}

/*
 * Keep the planner from choosing parallel scans of dynpg tables, which the
 * access method does not support: a large SELECT still runs, serially.
 */
static void
dynpg_get_relation_info(PlannerInfo *root, Oid relationObjectId, bool inhparent,
						RelOptInfo *rel)
{
	Relation	relation;

	if (prev_get_relation_info_hook)
		prev_get_relation_info_hook(root, relationObjectId, inhparent, rel);
	relation = table_open(relationObjectId, NoLock);
	if (dynpg_is_dynpg_relation(relation))
		rel->rel_parallel_workers = 0;
	table_close(relation, NoLock);
}

/* Whether relation relid is stored by the dynpg access method. */
static bool
relation_is_dynpg(Oid relid, Oid amoid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	bool		result = false;

	if (HeapTupleIsValid(tup))
	{
		result = ((Form_pg_class) GETSTRUCT(tup))->relam == amoid;
		ReleaseSysCache(tup);
	}
	return result;
}

static void
refuse_publication(const char *what) pg_attribute_noreturn();

static void
refuse_publication(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("publications cannot include dynpg tables (%s)", what),
			 errdetail("dynpg tables are WAL-logged physically; logical decoding cannot see their changes."),
			 errhint("Replicate dynpg tables with physical streaming replication.")));
}

/*
 * Publications that would include dynpg tables are refused: their changes
 * would silently not replicate.
 */
static void
check_publication_objects(List *pubobjects, bool for_all_tables)
{
	Oid			amoid = get_am_oid("dynpg", true);
	ListCell   *lc;

	if (!OidIsValid(amoid))
		return;
	if (for_all_tables)
	{
		Oid			nsp = get_namespace_oid("dynamodb", true);

		/* any dynpg relation in the database would be included */
		if (OidIsValid(nsp))
		{
			Relation	pgclass = table_open(RelationRelationId, AccessShareLock);
			TableScanDesc scan = table_beginscan_catalog(pgclass, 0, NULL);
			HeapTuple	tup;
			bool		found = false;

			while (!found && (tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
				found = ((Form_pg_class) GETSTRUCT(tup))->relam == amoid;
			table_endscan(scan);
			table_close(pgclass, AccessShareLock);
			if (found)
				refuse_publication("FOR ALL TABLES would include them");
		}
	}
	foreach(lc, pubobjects)
	{
		PublicationObjSpec *obj = lfirst_node(PublicationObjSpec, lc);

		if (obj->pubobjtype == PUBLICATIONOBJ_TABLE && obj->pubtable && obj->pubtable->relation)
		{
			Oid			relid = RangeVarGetRelid(obj->pubtable->relation, NoLock, true);

			if (OidIsValid(relid) && relation_is_dynpg(relid, amoid))
				refuse_publication(get_rel_name(relid));
		}
		else if (obj->pubobjtype == PUBLICATIONOBJ_TABLES_IN_SCHEMA && obj->name &&
				 strcmp(obj->name, "dynamodb") == 0)
			refuse_publication("schema dynamodb holds them");
	}
}

/*
 * ALTER TABLE on a dynpg table: only what keeps the one-column relation and
 * its definition intact.  Adding, dropping or retyping columns would lose
 * data (the access method stores the item alone), dropping the
 * dynpg_table constraint would lose the definition, and other constraints
 * would bind SQL INSERT but not the API's writes.
 */
static void
check_alter_table(AlterTableStmt *stmt)
{
	Oid			amoid = get_am_oid("dynpg", true);
	Oid			relid;
	ListCell   *lc;

	if (!OidIsValid(amoid) || stmt->objtype != OBJECT_TABLE)
		return;
	relid = RangeVarGetRelid(stmt->relation, NoLock, true);
	if (!OidIsValid(relid) || !relation_is_dynpg(relid, amoid))
		return;
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		switch (cmd->subtype)
		{
			case AT_ChangeOwner:
			case AT_SetTableSpace:
			case AT_SetRelOptions:
			case AT_ResetRelOptions:
			case AT_SetStatistics:
			case AT_ValidateConstraint:
				break;
			case AT_DropConstraint:
				if (cmd->name && strcmp(cmd->name, "dynpg_table") == 0)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("cannot drop constraint dynpg_table of dynpg table \"%s\"",
									get_rel_name(relid)),
							 errdetail("The constraint holds the table's DynamoDB definition.")));
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("this form of ALTER TABLE is not supported on dynpg table \"%s\"",
								get_rel_name(relid)),
						 errdetail("A dynpg table holds one column, item, and its definition in constraint dynpg_table."),
						 errhint("Renaming and changing the owner, tablespace or storage parameters are supported; "
								 "dynpg's API does not evaluate other constraints, so none can be added.")));
		}
	}
}

static void
next_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			 ProcessUtilityContext context, ParamListInfo params,
			 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
}

static void
dynpg_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					 ProcessUtilityContext context, ParamListInfo params,
					 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	Oid			suppressed;

	if (IsA(parsetree, CreatePublicationStmt))
	{
		CreatePublicationStmt *stmt = (CreatePublicationStmt *) parsetree;

		check_publication_objects(stmt->pubobjects, stmt->for_all_tables);
	}
	else if (IsA(parsetree, AlterTableStmt))
		check_alter_table((AlterTableStmt *) parsetree);
	else if (IsA(parsetree, AlterPublicationStmt))
	{
		AlterPublicationStmt *stmt = (AlterPublicationStmt *) parsetree;

		if (stmt->action != AP_DropObjects)
			check_publication_objects(stmt->pubobjects, stmt->for_all_tables);
	}

	/*
	 * DROP DATABASE, CREATE DATABASE (from its template), ALTER DATABASE
	 * RENAME and SET TABLESPACE refuse a database others are connected to:
	 * its index worker is stopped first and kept away until the statement
	 * is over (src/worker/README).
	 */
	suppressed = dynpg_worker_utility_begin(parsetree);
	if (OidIsValid(suppressed))
	{
		PG_TRY();
		{
			next_utility(pstmt, queryString, readOnlyTree, context, params,
						 queryEnv, dest, qc);
		}
		PG_FINALLY();
		{
			dynpg_worker_utility_end(suppressed);
		}
		PG_END_TRY();
	}
	else
		next_utility(pstmt, queryString, readOnlyTree, context, params,
					 queryEnv, dest, qc);
	dynpg_worker_utility_done(parsetree);
}

void
_PG_init(void)
{
	if (process_shared_preload_libraries_in_progress)
	{
		dynpg_preloaded = true;
		/* WAL redo needs dynpg's resource manager even before any backend loads it */
		dynpg_xlog_register();
	}

	DefineCustomIntVariable("dynpg.debug_split_panic",
							"Testing only: PANIC after the WAL record of a page split.",
							"1: after a leaf split; 2: after an internal page split; "
							"3: before the new root of a root split; 4: after the split "
							"of a full right sibling, before the shift into it.  0 disables it.",
							&dynpg_debug_split_panic,
							0, 0, 4,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("dynpg.leaf_shifts",
							 "Lets an insert into a full leaf move items to its right sibling "
							 "before splitting it.",
							 "Keeps leaves about 83% full under inserts in random key order "
							 "instead of about 70% (src/storage/README, \"Fuller leaves\").  "
							 "Off: every full leaf splits in two.",
							 &dynpg_leaf_shifts,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("dynpg.debug_item_collection_limit_kb",
							"Testing only: the item collection size limit, in kB.",
							"0 (the default) is DynamoDB's 10 GB (src/api/README, \"Item collections\").",
							&dynpg_debug_item_collection_limit_kb,
							0, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	/* reads from standbys: dynpg.read_replicas (src/api/replica.c) */
	dynpg_replica_init();
	/* the GSI workers: GUCs, shared memory and the launcher (src/worker/README) */
	dynpg_stream_init();
	/* exports and imports: where S3 locations live (src/api/s3_location.c) */
	dynpg_s3_location_init();
	dynpg_import_init();
	dynpg_ttl_init();
	dynpg_tidmap_init();
	dynpg_bulk_init();
	dynpg_worker_init();
	/* the HTTP endpoint: GUCs and shared memory (src/http/README) */
	dynpg_http_init();
	/* the planner's key scan of dynpg tables (src/am/dynpg_keyscan.c) */
	dynpg_keyscan_init();
	MarkGUCPrefixReserved("dynpg");

	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = dynpg_get_relation_info;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = dynpg_ProcessUtility;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = dynpg_ExecutorStart;
	prev_ExecutorEnd = ExecutorEnd_hook;
	ExecutorEnd_hook = dynpg_ExecutorEnd;
	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = dynpg_ExecutorFinish;
}

PG_FUNCTION_INFO_V1(dynpg_version);
Datum
dynpg_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(DYNPG_VERSION_STR));
}
