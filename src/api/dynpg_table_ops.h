/*-------------------------------------------------------------------------
 *
 * dynpg_table_ops.h
 *	  The control plane's shared parts (table_ops.c), for UpdateTable
 *	  (table_update.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_TABLE_OPS_H
#define DYNPG_TABLE_OPS_H

#include "storage/lockdefs.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "api/dynpg_table_indexes.h"
#include "api/dynpg_wire.h"

typedef enum DescribeFor
{
	DESCRIBE_CREATED,			/* CreateTable's TableDescription */
	DESCRIBE_TABLE,				/* DescribeTable's Table */
	DESCRIBE_DELETED,			/* DeleteTable's TableDescription */
	DESCRIBE_UPDATED			/* UpdateTable's TableDescription (TableStatus UPDATING) */
} DescribeFor;

/* TableName of a control plane request, checked (phase 2) */
extern char *dynpg_api_control_plane_table_name(DynRequest *req);

/*
 * Open table 'name' with 'lockmode' (ResourceNotFoundException if missing,
 * also after the lock is taken); *definition gets a copy of its definition.
 */
extern Relation dynpg_api_open_table(const char *name, LOCKMODE lockmode, Jsonb **definition);
/* The same after checking that the current user owns the table */
extern Relation dynpg_api_open_owned_table(const char *name, LOCKMODE lockmode, Jsonb **definition);
/* whether 'def' is of a table ImportTable is still loading ("TableStatus": "CREATING") */
extern bool dynpg_api_table_creating(Jsonb *def);
/* DROP TABLE of 'rel' (AccessExclusiveLock held; closed here): DeleteTable's, a failed import's */
extern void dynpg_api_drop_table(Relation rel, Jsonb *def);
/* The same for a relation already looked up: NULL when it is gone or no longer that table */
extern Relation dynpg_api_open_relid(Oid relid, const char *name, LOCKMODE lockmode,
									 Jsonb **definition);

/* ItemCount and TableSizeBytes, by a scan */
extern void dynpg_api_table_stats(Relation rel, int64 *count, int64 *bytes);

/*
 * A TableDescription of table 'name' with definition 'def' (each index's
 * ItemCount and IndexSizeBytes counted in 'rel', or zeros if it is NULL)
 */
extern void dynpg_api_push_description(JsonbParseState **st, const char *key, const char *name,
									   Jsonb *def, int64 count, int64 bytes, DescribeFor what,
									   Relation rel);

/* BillingMode's values */
extern const char *const dynpg_api_billing_modes[];

/* Phase 2 of AttributeDefinitions: each element's constraints */
extern void dynpg_api_definitions_constraints(DynRequest *req, const DynNamedType *defs, int ndefs);

/*
 * Phase 3 of CreateTable and UpdateTable: ProvisionedThroughput under
 * PAY_PER_REQUEST, AttributeDefinitions of one name
 */
extern void dynpg_api_check_pay_per_request(const char *billing_mode, const DynThroughput *pt);
extern void dynpg_api_check_duplicate_definitions(const DynNamedType *defs, int ndefs);

/* Now in epoch seconds with milliseconds (CreationDateTime's form) */
extern char *dynpg_api_epoch_seconds_now(void);

#endif							/* DYNPG_TABLE_OPS_H */
