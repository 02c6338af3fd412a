/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  DynamoDB table definitions, read from the relations that hold them.
 *
 * A DynamoDB table is one relation in schema "dynamodb" with the single
 * column "item dynpg.item NOT NULL" and the constraint
 *
 *	CONSTRAINT dynpg_table CHECK (dynpg.conforms(item, '<definition>'::jsonb))
 *
 * whose jsonb literal is the table's definition (TableName, KeySchema,
 * AttributeDefinitions, BillingMode, ProvisionedThroughput, TableId,
 * CreationDateTime, and later the indexes).  pg_dump emits the constraint
 * with CREATE TABLE (pre-data), so a restore knows every table's key schema
 * before any data arrives.  The catalog views in schema dynpg derive from
 * these constraints; nothing else stores a definition.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_CATALOG_H
#define DYNPG_CATALOG_H

#include "utils/jsonb.h"
#include "utils/rel.h"

#include "types/key.h"

#define DYNPG_TABLE_SCHEMA		"dynamodb"
#define DYNPG_TABLE_CONSTRAINT	"dynpg_table"

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
	const Jsonb *definition;	/* the whole definition */
} DynTableDef;

/* The definition of a dynpg table relation; ERROR if rel is not one. */
extern const DynTableDef *dynpg_table_def(Relation rel);

/*
 * The relation name that holds DynamoDB table 'table_name' in schema
 * dynamodb (names longer than a PostgreSQL identifier are shortened
 * deterministically), and its OID (InvalidOid if missing and missing_ok).
 */
extern char *dynpg_table_relname(const char *table_name);
extern Oid	dynpg_table_relid(const char *table_name, bool missing_ok);

#endif							/* DYNPG_CATALOG_H */
