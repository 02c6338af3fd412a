/*-------------------------------------------------------------------------
 *
 * dynpg_json.h
 *	  JSON documents as trees (dynpg_json.c): what DynamoDB requests and
 *	  responses are made of inside dynpg.
 *
 * jsonb cannot hold the NUL character, and DynamoDB strings may contain it
 * ("\u0000" in JSON): a DynJson tree's strings and member names are byte
 * slices with a length, NUL included.  A tree comes from JSON text (dynpg's
 * own parser; the HTTP endpoint's requests, an item's text form) or from
 * jsonb (the SQL functions' arguments).  Strings and names may point into
 * the parsed input, which must outlive the tree.
 *
 * Below every layer that reads requests: types builds items from trees,
 * the request readers (dynpg_request.h) and the API operations read them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_JSON_H
#define DYNPG_JSON_H

#include "utils/jsonb.h"

/*
 * Nesting the builders accept: two JSON levels per DynamoDB nesting level
 * (32, types/dynpg_item.h's DYN_MAX_DEPTH), and room around it, so that an
 * item nested too deep hears DynamoDB's own message about its depth.
 * Deeper input is refused with that message before any recursion goes
 * further.
 */
#define DYN_JSON_MAX_DEPTH		(2 * 32 + 16)

typedef enum DynJsonKind
{
	DJ_NULL,
	DJ_FALSE,
	DJ_TRUE,
	DJ_NUMBER,					/* str: the number's text */
	DJ_STRING,					/* str: its bytes (any, NUL included) */
	DJ_OBJECT,
	DJ_ARRAY
} DynJsonKind;

typedef struct DynJson DynJson;

typedef struct DynJsonMember
{
	const char *key;
	int32		keylen;
	DynJson    *val;
} DynJsonMember;

struct DynJson
{
	DynJsonKind kind;
	int32		len;			/* string/number: bytes; object/array: count */
	const char *str;			/* string or number text */
	DynJsonMember *members;		/* object, in input order */
	DynJson   **elems;			/* array */
};

/*
 * Builders.  A JSON syntax error is a SerializationException ("Malformed
 * JSON: ... at character N"); nesting beyond DYN_JSON_MAX_DEPTH the
 * ValidationException of DynamoDB's depth limit.
 */
extern DynJson *dynpg_json_parse(const char *text, int len);
extern DynJson *dynpg_json_from_jsonb(Jsonb *jb);
extern DynJson *dynpg_json_from_container(JsonbContainer *c, int depth);
extern DynJson *dynpg_json_new(DynJsonKind kind);

#endif							/* DYNPG_JSON_H */
