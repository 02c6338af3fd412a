/*-------------------------------------------------------------------------
 *
 * dynpg_wire.h
 *	  Building the response jsonb of a DynamoDB operation (wire.c).  Reading
 *	  the request is base/dynpg_request.h's.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_WIRE_H
#define DYNPG_WIRE_H

#include "utils/jsonb.h"

#include "base/dynpg_request.h"

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

#endif							/* DYNPG_WIRE_H */
