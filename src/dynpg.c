/*-------------------------------------------------------------------------
 *
 * dynpg.c
 *	  Module entry point: _PG_init and the preload check.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "dynpg.h"

PG_MODULE_MAGIC;

/* True when this library was loaded by shared_preload_libraries. */
bool		dynpg_preloaded = false;

void		_PG_init(void);

void
_PG_init(void)
{
	if (process_shared_preload_libraries_in_progress)
		dynpg_preloaded = true;
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
