/*-------------------------------------------------------------------------
 *
 * dynpg_cluster.h
 *	  A router database in front of dynpg nodes (PL/Proxy): whether this
 *	  database routes, and the routed call of an operation (cluster.c;
 *	  src/api/README, "Partitioned dynpg").
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_CLUSTER_H
#define DYNPG_CLUSTER_H

#include "api/dynpg_api.h"

/*
 * Whether this database is a cluster's router (dynpg.create_cluster made
 * its schema dynpg_cluster): a syscache lookup, cheap enough for every call.
 */
extern bool dynpg_cluster_routes(void);

/* Serve operation 'op' (implemented, not NULL) for the cluster's nodes */
extern DynJson *dynpg_cluster_call(const DynApiOperationInfo *op, DynJson *request);

/*
 * For the router's own operations that make a table (ImportTable): the
 * CreateTable request on every node (an error, with the table deleted
 * again from the nodes before the failing one, when one fails), and the
 * table deleted from every node (best effort: a WARNING names a node that
 * did not, for dynpg.cluster_repair_table).
 */
extern void dynpg_cluster_create_on_nodes(DynJson *request);
extern void dynpg_cluster_delete_on_nodes(const char *table_name);

/*
 * A bulk load through the router (ImportTable into a new table): one COPY
 * FROM STDIN (binary) into the table on every node, in a transaction there;
 * each item, checked by the caller with its storage key, goes to the node
 * of its key's hash.  _finish ends the COPYs (each node's empty table takes
 * them by its bulk path) and prepares the nodes' transactions, committed or
 * rolled back with the caller's (two-phase commit, as TransactWriteItems
 * across nodes; dynpg.cluster_recover for what a crash leaves).  An error of
 * a node is raised with its SQLSTATE and message (a duplicate key is
 * unique_violation, as a local bulk load's), after every node's part was
 * rolled back; _abort rolls them back.
 */
typedef struct DynClusterLoad DynClusterLoad;

extern DynClusterLoad *dynpg_cluster_load_begin(const char *relname);
extern void dynpg_cluster_load_add(DynClusterLoad *load, const char *skey, int skeylen,
								   const struct varlena *item);
extern int64 dynpg_cluster_load_finish(DynClusterLoad *load);
extern void dynpg_cluster_load_abort(DynClusterLoad *load);

/*
 * Run query 'sql' (text parameters) on every node in turn, on the router's
 * own libpq connections, calling fn(arg, node, ncols, values) for each row
 * as it comes (values[i] NULL for a null); a node's error, or a node that
 * does not answer, is an error naming it.  The router's read of what only
 * the nodes hold (an incremental export's stream records).
 */
typedef void (*DynClusterRowFn) (void *arg, int node, int ncols, char **values);

extern void dynpg_cluster_query_nodes(const char *sql, int nparams, const char *const *params,
									  DynClusterRowFn fn, void *arg);

#endif							/* DYNPG_CLUSTER_H */
