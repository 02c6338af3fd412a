/*-------------------------------------------------------------------------
 *
 * dynpg_table_indexes.h
 *	  CreateTable's LocalSecondaryIndexes and GlobalSecondaryIndexes: reading
 *	  them, DynamoDB's checks in its phases (base/dynpg_request.h), storing
 *	  them in the table's definition, and reporting them in a
 *	  TableDescription.
 *
 * table_ops.c calls these at the points of CreateTable and DescribeTable
 * where DynamoDB looks at the indexes, table_update.c for a GSI that
 * UpdateTable creates; src/index/README describes the stored form and the
 * order of the checks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_TABLE_INDEXES_H
#define DYNPG_TABLE_INDEXES_H

#include "utils/jsonb.h"
#include "utils/rel.h"

#include "api/dynpg_wire.h"

/* DynamoDB's upper bound on provisioned capacity units (a table's and a GSI's) */
#define DYN_MAX_CAPACITY_UNITS	INT64CONST(1000000000000)

/* A ProvisionedThroughput structure as the request has it. */
typedef struct DynThroughput
{
	DynJson    *obj;			/* NULL when the member is absent */
	bool		has_rcu;
	bool		has_wcu;
	int64		rcu;			/* 0 when absent */
	int64		wcu;
} DynThroughput;

/* One element of a KeySchema or of AttributeDefinitions as the request has it. */
typedef struct DynNamedType
{
	bool		present;		/* false: the element is null */
	char	   *name;
	char	   *type;			/* KeyType or AttributeType */
} DynNamedType;

/* One element of LocalSecondaryIndexes or GlobalSecondaryIndexes, read. */
typedef struct DynIndexRequest
{
	bool		present;		/* false: the element is null */
	char	   *index_name;
	DynJson    *key_schema_list;
	int			nkeys;
	DynNamedType *keys;
	DynJson    *projection;
	char	   *projection_type;
	DynJson    *nonkey_list;
	int			nnonkey;
	char	  **nonkey;			/* NULL for a null element */
	/* global secondary indexes only */
	DynThroughput pt;			/* ProvisionedThroughput */
	bool		has_on_demand;	/* OnDemandThroughput (not supported) */
	bool		has_warm;		/* WarmThroughput (not supported) */
} DynIndexRequest;

typedef struct DynIndexesRequest
{
	DynJson    *lsi_list;		/* NULL when the member is absent */
	int			nlsi;
	DynIndexRequest *lsi;
	DynJson    *gsi_list;
	int			ngsi;
	DynIndexRequest *gsi;
} DynIndexesRequest;

/*
 * ProvisionedThroughput: member 'name' of 'obj' read (phase 1), its
 * constraints at 'path' (phase 2), its units' bounds (phase 3; 'index_name'
 * names a GSI's in the message, NULL for the table's), its stored form
 */
extern void dynpg_api_read_throughput(DynJson *obj, const char *name, DynThroughput *out);
extern void dynpg_api_throughput_constraints(DynRequest *req, const char *path,
											 const DynThroughput *pt);
extern void dynpg_api_throughput_bounds(const DynThroughput *pt, const char *index_name);
extern void dynpg_api_push_throughput(JsonbParseState **st, int64 rcu, int64 wcu);

/* KeySchema or AttributeDefinitions, read (phase 1) */
extern DynNamedType *dynpg_api_read_named_types(DynJson *list, const char *type_member,
												int *n);
/* "a, b" of the names */
extern char *dynpg_api_names_text(const DynNamedType *a, int n);

/*
 * A KeySchema's constraints at 'path' (phase 2); its rules against
 * AttributeDefinitions 'defs' (phase 3: defined, distinct, HASH then RANGE)
 */
extern void dynpg_api_key_schema_constraints(DynRequest *req, const char *path,
											 DynJson *list, const DynNamedType *keys,
											 int nkeys);
extern void dynpg_api_check_key_schema(const DynNamedType *keys, int nkeys,
									   const DynNamedType *defs, int ndefs);

/* phase 1, 2 and 3 of CreateTable for its indexes */
extern void dynpg_api_indexes_read(DynJson *root, DynIndexesRequest *ix);
extern void dynpg_api_indexes_check_constraints(DynRequest *req, const DynIndexesRequest *ix);
extern void dynpg_api_indexes_check_unsupported(const DynIndexesRequest *ix);
extern void dynpg_api_indexes_check_rules(const DynIndexesRequest *ix,
										  const DynNamedType *keys, int nkeys,
										  const DynNamedType *defs, int ndefs,
										  bool pay_per_request);

/* one index of a request: read (phase 1), its constraints at 'path' (phase 2) */
extern void dynpg_api_index_read(DynJson *s, bool global, DynIndexRequest *out);
extern void dynpg_api_index_constraints(DynRequest *req, const char *path,
										const DynIndexRequest *ix, bool global);
/* NonKeyAttributes of all of a table's indexes, counted (phase 3) */
extern void dynpg_api_check_projected_count(int nonkey);
/* UpdateTable's Create: the rules of one new GSI on its own (phase 3) */
extern void dynpg_api_index_check_new_gsi(const DynIndexRequest *ix, const DynNamedType *defs,
										  int ndefs, bool pay_per_request);
/* one index's stored form ('status' NULL: ACTIVE, else e.g. "CREATING") */
extern void dynpg_api_index_push_definition(JsonbParseState **st, const DynIndexRequest *ix,
											bool global, bool pay_per_request, int keyspace,
											const char *status);

/*
 * the definition's index members, and their TableDescription form (with
 * each index's ItemCount and IndexSizeBytes counted in 'rel', or zeros
 * without one)
 */
extern void dynpg_api_indexes_push_definition(JsonbParseState **st, const DynIndexesRequest *ix,
											  bool pay_per_request);
extern void dynpg_api_indexes_push_description(JsonbParseState **st, Jsonb *def,
											   const char *table_arn, bool pay_per_request,
											   Relation rel);

#endif							/* DYNPG_TABLE_INDEXES_H */
