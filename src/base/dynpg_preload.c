/*-------------------------------------------------------------------------
 *
 * dynpg_preload.c
 *	  The preload check (dynpg_preload.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "base/dynpg_preload.h"

bool		dynpg_preloaded = false;

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
