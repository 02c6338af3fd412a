/*-------------------------------------------------------------------------
 *
 * dynpg_changelog.c
 *	  Appending to the GSI change log dynpg.index_changes (dynpg_changelog.h).
 *
 * The log is an ordinary heap table of the extension, written with
 * simple_heap_insert in the writer's transaction: the row commits or
 * aborts with the write it describes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "utils/lsyscache.h"
#include "utils/memdebug.h"
#include "utils/rel.h"

#include "am/dynpg_changelog.h"

bool		dynpg_changelog_wake_at_commit = false;

Oid
dynpg_changelog_relid(void)
{
	Oid			nsp = get_namespace_oid("dynpg", true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid("index_changes", nsp);
}

void
dynpg_changelog_append(Oid relid, DynItem *base_key, DynItem *old_keys)
{
	Oid			logid = dynpg_changelog_relid();
	Relation	log;
	Datum		values[DYN_CHANGELOG_NATTS];
	bool		nulls[DYN_CHANGELOG_NATTS] = {false, false, false};
	HeapTuple	tup;

	if (!OidIsValid(logid))
		elog(ERROR, "dynpg: the change log dynpg.index_changes is missing");
	log = table_open(logid, RowExclusiveLock);
	if (RelationGetDescr(log)->natts != DYN_CHANGELOG_NATTS)
		elog(ERROR, "dynpg: dynpg.index_changes does not have the expected columns");
	values[0] = ObjectIdGetDatum(relid);
	values[1] = PointerGetDatum(base_key);
	if (old_keys != NULL)
		values[2] = PointerGetDatum(old_keys);
	else
	{
		values[2] = (Datum) 0;
		nulls[2] = true;
	}
	tup = heap_form_tuple(RelationGetDescr(log), values, nulls);
	/* under valgrind: the row goes to WAL as it is (storage/dynpg_bt.h) */
	VALGRIND_CHECK_MEM_IS_DEFINED(tup->t_data, tup->t_len);
	simple_heap_insert(log, tup);
	heap_freetuple(tup);
	table_close(log, NoLock);
	dynpg_changelog_wake_at_commit = true;
}
