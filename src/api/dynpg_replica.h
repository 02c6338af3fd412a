/*-------------------------------------------------------------------------
 *
 * dynpg_replica.h
 *	  Reads from standbys (replica.c): what a standby refuses, and the
 *	  primary's forwarding of eventually consistent reads to the standbys
 *	  named by dynpg.read_replicas.  src/api/README, "Reads from standbys".
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_REPLICA_H
#define DYNPG_REPLICA_H

#include "api/dynpg_api.h"

/* dynpg.read_replicas, dynpg.read_replica_max_lag, ..._connect_timeout */
extern void dynpg_replica_init(void);

/*
 * On a standby (in recovery): raise ServiceUnavailable when 'op' on
 * 'request' is a write or a strongly consistent read, which a standby
 * cannot serve; return when it may be served here.
 */
extern void dynpg_replica_refuse_on_standby(const DynApiOperationInfo *op,
											const DynJson *request);

/*
 * On a primary with dynpg.read_replicas set: the response of an
 * eventually consistent read (op has DYN_OP_EVENTUAL_READ, no
 * ConsistentRead: true) served by a standby, or NULL when the read is not
 * to be forwarded or no standby served it (the caller serves it locally).
 * A DynamoDB error on the standby (ResourceNotFoundException for a table
 * it has not replayed yet, a ValidationException, ...) also gives NULL:
 * this server's catalog is the authority and answers, or raises its own.
 */
extern DynJson *dynpg_replica_forward(const DynApiOperationInfo *op, DynJson *request);

#endif							/* DYNPG_REPLICA_H */
