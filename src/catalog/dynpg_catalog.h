/*-------------------------------------------------------------------------
 *
 * dynpg_catalog.h
 *	  DynamoDB table definitions, read from the relations that hold them.
 *
 * A DynamoDB table is one relation in schema "dynamodb" with the single
 * column "item dynpg.item NOT NULL" and the constraint
 *
 *	CONSTRAINT dynpg_table CHECK (dynpg.conforms(item, '<definition>'::jsonb))
 *
 * whose jsonb literal is the table's definition (TableName, KeySchema,
 * AttributeDefinitions, BillingMode, ProvisionedThroughput, TableId,
 * CreationDateTime, LocalSecondaryIndexes and GlobalSecondaryIndexes; the
 * index members are described in src/index/README; tags, time to live and
 * the table settings in src/api/table_settings.c).  pg_dump emits the
 * constraint with CREATE TABLE (pre-data), so a restore knows every table's
 * key schema and indexes before any data arrives.  The catalog views in
 * schema dynpg derive from these constraints; nothing else stores a
 * definition.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_CATALOG_H
#define DYNPG_CATALOG_H

#include "utils/jsonb.h"
#include "utils/rel.h"

#include "base/dynpg_request.h"
#include "types/dynpg_key.h"

#define DYNPG_TABLE_SCHEMA		"dynamodb"
#define DYNPG_TABLE_CONSTRAINT	"dynpg_table"

/*
 * The ARN of table NAME is DYNPG_TABLE_ARN_PREFIX "NAME" (DynamoDB Local's
 * form; DescribeTable's TableArn).  Every operation that takes a TableName
 * takes this ARN too, as DynamoDB does since 2024: dynpg_table_relid()
 * resolves both, and dynpg_table_name_of() gives the name an ARN of this
 * form names.  An ARN of any other form names no table (the request
 * checks, base's dynpg_arn_parse, refuse another partition's, region's or
 * resource type's; another account's is looked up as a name no table has).
 */
#define DYNPG_TABLE_ARN_PREFIX	"arn:" DYN_OWN_PARTITION ":dynamodb:" DYN_OWN_REGION ":" \
	DYN_OWN_ACCOUNT ":table/"

/* DynamoDB's limits on a table's secondary indexes */
#define DYN_MAX_LOCAL_INDEXES		5	/* LSIs per table */
#define DYN_MAX_GLOBAL_INDEXES		20	/* GSIs per table (a default quota) */
#define DYN_MAX_NONKEY_PER_INDEX	20	/* NonKeyAttributes of one index */
#define DYN_MAX_PROJECTED_ATTRIBUTES 100	/* NonKeyAttributes of all indexes */

typedef enum DynIndexKind
{
	DYN_INDEX_LOCAL,			/* LSI: the table's partition key, another sort key */
	DYN_INDEX_GLOBAL			/* GSI: a key of its own */
} DynIndexKind;

typedef enum DynProjectionType
{
	DYN_PROJECTION_KEYS_ONLY,	/* the index key and the table key */
	DYN_PROJECTION_INCLUDE,		/* ... and the NonKeyAttributes */
	DYN_PROJECTION_ALL			/* every attribute */
} DynProjectionType;

/*
 * One secondary index of a table.  'key' is the index's own key schema (an
 * LSI's partition key is the table's; a GSI may have no sort key); index
 * entries also carry the table's key, which makes them unique.
 */
typedef struct DynIndexDef
{
	const char *index_name;		/* IndexName, unique within the table */
	DynIndexKind kind;
	DynKeySchema key;			/* the first HASH and first RANGE attribute */
	DynKeyParts parts;			/* every key attribute (a GSI may have up to
								 * 4 HASH and 4 RANGE: src/index/README) */
	DynProjectionType projection;
	int			nnonkey;		/* NonKeyAttributes (INCLUDE only), in order */
	const char *const *nonkey;
	int			keyspace;		/* the first byte of its entries' keys (dynpg_index.h) */
	bool		creating;		/* a GSI being backfilled ("IndexStatus": "CREATING") */
} DynIndexDef;

/*
 * A parsed definition.  dynpg_table_def() caches it in rel->rd_amcache as
 * one palloc chunk (the relcache pfrees rd_amcache on invalidation), so all
 * pointers point inside the same chunk.
 */
typedef struct DynTableDef
{
	Oid			relid;
	const char *table_name;		/* DynamoDB TableName */
	DynKeySchema key;			/* partition key and optional sort key */
	int			nindexes;		/* secondary indexes: the LSIs, then the GSIs, */
	const DynIndexDef *indexes; /* each in the order CreateTable gave them */
	const Jsonb *definition;	/* the whole definition */
	/* its stream (src/am/dynpg_stream.h); stream_id 0: none enabled */
	int64		stream_id;
	char		stream_view;	/* DYN_STREAM_KEYS_ONLY ... */
	int			stream_shards;	/* a power of two, 1..DYN_STREAM_MAX_SHARDS */
	/* time to live: the attribute, when enabled ("TimeToLive"), else NULL */
	const char *ttl_attr;
	int32		ttl_attrlen;
	/*
	 * ImportTable's table while its import runs ("TableStatus": "CREATING"
	 * in the definition, api/import_ops.c): DescribeTable says CREATING, the
	 * data plane answers ResourceNotFoundException, DeleteTable/UpdateTable
	 * ResourceInUseException.
	 */
	bool		creating;
} DynTableDef;

/* StreamViewType, as DynTableDef.stream_view holds it */
#define DYN_STREAM_KEYS_ONLY		'K'
#define DYN_STREAM_NEW_IMAGE		'N'
#define DYN_STREAM_OLD_IMAGE		'O'
#define DYN_STREAM_NEW_AND_OLD		'B'
#define DYN_STREAM_MAX_SHARDS		16

/* The view type named 'name' (StreamViewType), or 0 */
extern char dynpg_stream_view_from_name(const char *name);
extern const char *dynpg_stream_view_name(char view);

/* Whether index 'ix' has a multi-attribute key (more than one HASH or RANGE attribute). */
#define DYN_INDEX_MULTI(ix)	((ix)->parts.nhash > 1 || (ix)->parts.nrange > 1)

/* The definition of a dynpg table relation; ERROR if rel is not one. */
extern const DynTableDef *dynpg_table_def(Relation rel);

/* The same, or NULL when rel is not a dynpg table (the planner's key scan). */
extern const DynTableDef *dynpg_table_def_or_null(Relation rel);

/* The table's secondary index named 'index_name', or NULL. */
extern const DynIndexDef *dynpg_table_index(const DynTableDef *def, const char *index_name);

/*
 * The definition of relation relid read from the system caches (the
 * relation is not opened), or NULL if it is not a dynpg table.
 */
extern Jsonb *dynpg_relation_definition(Oid relid);

/*
 * Replace the definition of table 'rel', which the caller holds with
 * AccessExclusiveLock (UpdateTable, the end of a backfill); the table's key
 * schema must stay the same.  Invalidates the relation's relcache entry.
 */
extern void dynpg_table_set_definition(Relation rel, Jsonb *def);

/*
 * The relation name that holds DynamoDB table 'table_name' in schema
 * dynamodb (names longer than a PostgreSQL identifier are shortened
 * deterministically), and its OID (InvalidOid if missing and missing_ok).
 */
extern char *dynpg_table_relname(const char *table_name);
/* 'name_or_arn' without DYNPG_TABLE_ARN_PREFIX, or itself when it does not start with it */
extern const char *dynpg_table_name_of(const char *name_or_arn);
extern Oid	dynpg_table_relid(const char *table_name, bool missing_ok);

#endif							/* DYNPG_CATALOG_H */
