/*-------------------------------------------------------------------------
 *
 * dynpg_table_settings.h
 *	  A table's settings beside its keys and indexes (table_settings.c):
 *	  tags, time to live, deletion protection, table class, encryption,
 *	  on-demand and warm throughput -- their checks in CreateTable and
 *	  UpdateTable, their stored form in the definition, and DescribeTable's
 *	  members for them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_TABLE_SETTINGS_H
#define DYNPG_TABLE_SETTINGS_H

#include "utils/jsonb.h"

#include "api/dynpg_table_indexes.h"
#include "base/dynpg_request.h"

/* One Tag of a request: Key and Value (NULL when absent) */
typedef struct DynTag
{
	bool		present;		/* false: a null element */
	char	   *key;
	char	   *value;
} DynTag;

typedef struct DynTagsRequest
{
	DynJson    *list;			/* Tags, NULL when absent */
	int			n;
	DynTag	   *tags;
} DynTagsRequest;

/* CreateTable's and TagResource's Tags: read, constraints, then the rules */
extern void dynpg_api_tags_read(DynJson *root, DynTagsRequest *t);
extern void dynpg_api_tags_constraints(DynRequest *req, const DynTagsRequest *t);
extern void dynpg_api_tags_rules(const DynTagsRequest *t);
/* CreateTable: the definition's "Tags", sorted by key (none when there are none) */
extern void dynpg_api_tags_push_definition(JsonbParseState **st, const DynTagsRequest *t);

/* The settings of CreateTable and UpdateTable, as the request has them. */
typedef struct DynTableSettings
{
	bool		has_deletion_protection;	/* DeletionProtectionEnabled */
	bool		deletion_protection;
	char	   *table_class;	/* TableClass, NULL when absent */
	DynJson    *sse;			/* SSESpecification, NULL when absent */
	bool		sse_has_enabled;
	bool		sse_enabled;
	char	   *sse_type;
	char	   *kms_key;		/* KMSMasterKeyId */
	DynJson    *on_demand;		/* OnDemandThroughput, NULL when absent */
	DynReqNumber max_read;		/* MaxReadRequestUnits */
	DynReqNumber max_write;		/* MaxWriteRequestUnits */
	DynJson    *warm;			/* WarmThroughput, NULL when absent */
	DynReqNumber warm_read;		/* ReadUnitsPerSecond */
	DynReqNumber warm_write;	/* WriteUnitsPerSecond */
} DynTableSettings;

extern void dynpg_api_settings_read(DynJson *root, DynTableSettings *s);
/* phase 2, after the members CreateTable and UpdateTable check before */
extern void dynpg_api_settings_constraints(DynRequest *req, const DynTableSettings *s);
/* phase 3 of CreateTable ('ppr': PAY_PER_REQUEST; 'pt': its ProvisionedThroughput) */
extern void dynpg_api_settings_create_rules(const DynTableSettings *s, bool ppr,
											const DynThroughput *pt);
/* CreateTable: the settings' members of the definition */
extern void dynpg_api_settings_push_create(JsonbParseState **st, const DynTableSettings *s,
										   bool ppr);

/*
 * UpdateTable, phase 3 without the table: each setting must come alone
 * ('others': the request changes capacity, billing mode or indexes too)
 */
extern void dynpg_api_settings_update_rules(const DynTableSettings *s, bool has_billing_mode,
											bool others);
/* ... and against the table's definition 'stored' ('ppr': the billing mode after) */
extern void dynpg_api_settings_update_check(const DynTableSettings *s, Jsonb *stored, bool ppr);
/*
 * The definition 'def' (already the update's for keys and indexes) with
 * the settings of UpdateTable applied; 'ppr': the billing mode after.
 */
extern Jsonb *dynpg_api_settings_apply(Jsonb *def, const DynTableSettings *s, bool ppr);

/* DescribeTable's members for the settings ('full': none for DeleteTable's description) */
extern void dynpg_api_settings_push_description(JsonbParseState **st, Jsonb *def, bool ppr,
												bool full);

/* Whether the definition has deletion protection on (DeleteTable refuses it) */
extern bool dynpg_api_deletion_protected(Jsonb *def);

/*
 * A definition with its member 'key' replaced by 'value' (removed when
 * 'value' is NULL), the other members kept.
 */
extern Jsonb *dynpg_api_definition_with(Jsonb *def, const char *key, JsonbValue *value);

/* A jsonb document as a value to push (into dynpg_api_definition_with) */
extern JsonbValue *dynpg_api_jsonb_value(Jsonb *jb);

#endif							/* DYNPG_TABLE_SETTINGS_H */
