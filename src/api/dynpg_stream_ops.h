/*-------------------------------------------------------------------------
 *
 * dynpg_stream_ops.h
 *	  A table's stream in CreateTable, UpdateTable, DeleteTable and
 *	  DescribeTable (stream_ops.c); the Streams operations themselves are
 *	  in dynpg_api.h.
 *
 * The definition carries the enabled stream as DynamoDB describes it
 * ("StreamSpecification") with dynpg's own "StreamId" (the stream's number
 * in dynpg.streams, also the sequence number it starts after) and
 * "StreamShards"; "LatestStreamLabel" stays after the stream is disabled,
 * as DynamoDB keeps LatestStreamArn.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_STREAM_OPS_H
#define DYNPG_STREAM_OPS_H

#include "utils/jsonb.h"

#include "base/dynpg_request.h"

/* StreamSpecification of a request */
typedef struct DynStreamRequest
{
	DynJson    *spec;			/* NULL when absent */
	bool		has_enabled;
	bool		enabled;
	char	   *view;			/* StreamViewType, NULL when absent */
} DynStreamRequest;

extern void dynpg_api_stream_read(DynJson *root, DynStreamRequest *s);
/* phase 2: StreamEnabled not null, StreamViewType one of the four */
extern void dynpg_api_stream_constraints(DynRequest *req, const DynStreamRequest *s);
/* CreateTable's rules; the definition with the stream, if enabled */
extern void dynpg_api_stream_create_rules(const DynStreamRequest *s);
extern Jsonb *dynpg_api_stream_define(Jsonb *def, const DynStreamRequest *s);
/* after the relation exists: its stream's row in dynpg.streams */
extern void dynpg_api_stream_register(Oid relid, Jsonb *def);

/*
 * UpdateTable: the rules without the table ('index_changes': a GSI is
 * created or deleted; 'capacity': the table's capacity changes), with it,
 * and the new definition (the stream opened or closed in dynpg.streams)
 */
extern void dynpg_api_stream_update_rules(const DynStreamRequest *s, bool index_changes,
										  bool capacity);
extern void dynpg_api_stream_update_check(const DynStreamRequest *s, Jsonb *stored,
										  const char *table_name);
extern Jsonb *dynpg_api_stream_update_apply(Jsonb *def, const DynStreamRequest *s, Oid relid);

/* 'to' with the stream members of 'from' (UpdateTable's response form) */
extern Jsonb *dynpg_api_stream_copy(Jsonb *to, Jsonb *from);

/* DeleteTable: the stream is closed (readable for the retention period) */
extern void dynpg_api_stream_table_deleted(Jsonb *def);

/* DescribeTable's StreamSpecification, LatestStreamLabel and LatestStreamArn */
extern void dynpg_api_stream_push_description(JsonbParseState **st, Jsonb *def,
											  const char *table_arn);

#endif							/* DYNPG_STREAM_OPS_H */
