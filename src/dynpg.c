/*-------------------------------------------------------------------------
 *
 * dynpg.c
 *	  Module entry point: _PG_init and the preload check.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "optimizer/plancat.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/rel.h"

#include "am/dynpg_am.h"
#include "dynpg.h"
#include "storage/dynpg_xlog.h"

PG_MODULE_MAGIC;

/* True when this library was loaded by shared_preload_libraries. */
bool		dynpg_preloaded = false;

void		_PG_init(void);

/* storage/btinsert.c: PANIC between the records of a split, for crash tests */
extern int	dynpg_debug_split_panic;

static get_relation_info_hook_type prev_get_relation_info_hook = NULL;

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
							"3: before the new root of a root split.  0 disables it.",
							&dynpg_debug_split_panic,
							0, 0, 3,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("dynpg");

	prev_get_relation_info_hook = get_relation_info_hook;
	get_relation_info_hook = dynpg_get_relation_info;
}

/*
 * Fail unless dynpg was preloaded.  Called by CREATE EXTENSION (through
 * dynpg._require_preload()) and by every entry point that needs state set up
 * at postmaster start.
 */
void
dynpg_require_preload(void)
{
	if (!dynpg_preloaded)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("dynpg must be loaded via shared_preload_libraries"),
				 errhint("Add 'dynpg' to shared_preload_libraries in postgresql.conf "
						 "(ALTER SYSTEM SET shared_preload_libraries = 'dynpg') "
						 "and restart the server.")));
}

PG_FUNCTION_INFO_V1(dynpg_require_preload_sql);
Datum
dynpg_require_preload_sql(PG_FUNCTION_ARGS)
{
	dynpg_require_preload();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(dynpg_version);
Datum
dynpg_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(DYNPG_VERSION_STR));
}
