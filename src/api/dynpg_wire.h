/*-------------------------------------------------------------------------
 *
 * dynpg_wire.h
 *	  Building the response of a DynamoDB operation, and writing it for a
 *	  client (wire.c).  Reading the request is base/dynpg_request.h's.
 *
 * Operations take their request as a JSON tree and return their response
 * as one (base/dynpg_json.h), so that strings holding U+0000 go through.
 * The data plane builds its responses as trees with dynpg_out_*, whose
 * items are DJ_ITEM nodes written straight from their binary form; the
 * control plane builds jsonb (dynpg_jb_*: it stores definitions as jsonb)
 * and returns it wrapped in a DJ_JSONB node.  The SQL functions turn a
 * response into jsonb (dynpg_response_jsonb), the HTTP endpoint into text
 * (dynpg_response_text).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_WIRE_H
#define DYNPG_WIRE_H

#include "utils/jsonb.h"

#include "base/dynpg_request.h"
#include "types/dynpg_item.h"

/* responses */
extern void dynpg_jb_key(JsonbParseState **st, const char *key);
extern void dynpg_jb_string(JsonbParseState **st, const char *key, const char *value);
extern void dynpg_jb_int64(JsonbParseState **st, const char *key, int64 value);
extern void dynpg_jb_numeric_text(JsonbParseState **st, const char *key, const char *value);
extern void dynpg_jb_bool(JsonbParseState **st, const char *key, bool value);
extern void dynpg_jb_container(JsonbParseState **st, const char *key, JsonbContainer *c);
extern void dynpg_jb_begin_object(JsonbParseState **st, const char *key);
extern void dynpg_jb_begin_array(JsonbParseState **st, const char *key);
extern JsonbValue *dynpg_jb_end_object(JsonbParseState **st);
extern JsonbValue *dynpg_jb_end_array(JsonbParseState **st);
extern Jsonb *dynpg_jb_finish(JsonbValue *root);

/* a request's JSON (a part of it) into jsonb being built: a definition */
extern void dynpg_jb_json(JsonbParseState **st, const char *key, const DynJson *j);

/*
 * Responses as JSON trees.  'key' names the member of the enclosing
 * object; NULL means an element of the enclosing array (or the root).
 * Strings are not copied: they must live until the response is written.
 */
typedef struct DynOut DynOut;

extern void dynpg_out_begin_object(DynOut **o, const char *key);
extern void dynpg_out_begin_array(DynOut **o, const char *key);
extern DynJson *dynpg_out_end_object(DynOut **o);
extern DynJson *dynpg_out_end_array(DynOut **o);
extern void dynpg_out_string(DynOut **o, const char *key, const char *value);
extern void dynpg_out_int64(DynOut **o, const char *key, int64 value);
extern void dynpg_out_numeric_text(DynOut **o, const char *key, const char *value);
extern void dynpg_out_bool(DynOut **o, const char *key, bool value);
extern void dynpg_out_item(DynOut **o, const char *key, const DynItem *item);
extern void dynpg_out_json(DynOut **o, const char *key, DynJson *value);
extern DynJson *dynpg_out_finish(DynJson *root);

/* A control-plane response (jsonb) as a response tree. */
extern DynJson *dynpg_response_from_jsonb(Jsonb *jb);

/* A response for the SQL functions (jsonb) or the HTTP endpoint (JSON text). */
extern Jsonb *dynpg_response_jsonb(const DynJson *response);
extern void dynpg_response_text(StringInfo out, const DynJson *response);

#endif							/* DYNPG_WIRE_H */
