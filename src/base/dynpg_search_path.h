/*-------------------------------------------------------------------------
 *
 * dynpg_search_path.h
 *	  A safe search_path for SQL that dynpg runs with another role's rights.
 *
 * Where dynpg's C code switches to the owner of its own tables (or to the
 * bootstrap superuser) to run SQL through SPI -- access keys, stream
 * bookkeeping, ClientRequestToken records, imports, exports, backfills --
 * the statements' unqualified operators and functions (=, <, -, now(),
 * sha256()) would otherwise be looked up in the caller's search_path, and a
 * caller could put a schema of its own before pg_catalog with an operator
 * that then runs with the owner's rights.  Between push and pop the
 * search_path is "pg_catalog, pg_temp" (the one PostgreSQL uses for its own
 * maintenance operations); every table those statements name is qualified.
 * An error in between unwinds it with the (sub)transaction, as a SET clause
 * of a function is.  Background workers that run as a superuser set it once
 * for the process (dynpg_search_path_set_for_process).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_SEARCH_PATH_H
#define DYNPG_SEARCH_PATH_H

#include "utils/guc.h"

#define DYNPG_SAFE_SEARCH_PATH "pg_catalog, pg_temp"

/* Set the safe search_path until dynpg_search_path_pop(<the result>). */
static inline int
dynpg_search_path_push(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("search_path", DYNPG_SAFE_SEARCH_PATH, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

static inline void
dynpg_search_path_pop(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
}

/* A background worker's whole life: ALTER DATABASE/ROLE ... SET cannot change it. */
static inline void
dynpg_search_path_set_for_process(void)
{
	SetConfigOption("search_path", DYNPG_SAFE_SEARCH_PATH, PGC_SUSET, PGC_S_OVERRIDE);
}

#endif							/* DYNPG_SEARCH_PATH_H */
