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

#endif							/* DYNPG_CLUSTER_H */
