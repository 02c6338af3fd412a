/*-------------------------------------------------------------------------
 *
 * index_stub.c
 *	  TEMPORARY (branch worker only): stand-ins for what src/index/index.c
 *	  provides, so that the worker builds and runs before the index code is
 *	  merged.  Delete this file (and its line in the Makefile) at merge.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "utils/lsyscache.h"

#include "index/index.h"
#include "worker/worker.h"

bool		dynpg_index_logged_changes = false;

/* Stub: applying a change does nothing (the worker then deletes the row). */
void
dynpg_index_apply_change(Relation rel, DynItem *base_key, DynItem *old_keys)
{
}

/* The real lookup: dynpg.index_changes, InvalidOid if missing. */
Oid
dynpg_index_log_relid(void)
{
	Oid			nsp = get_namespace_oid("dynpg", true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid("index_changes", nsp);
}

/* Stub: no backfill work. */
bool
dynpg_index_backfill_step(void)
{
	return false;
}

/* Stub: no backfill pending. */
bool
dynpg_index_backfill_pending(Oid relid)
{
	return false;
}
