/*-------------------------------------------------------------------------
 *
 * dynpg_item_json_internal.h
 *	  The JSON tree (JNode) that item input goes through, private to
 *	  src/types: item_json_parse.c builds it from JSON text or from jsonb,
 *	  item_json_read.c turns it into an item.
 *
 * Other layers use the entry points of types/dynpg_item.h, never this.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_ITEM_JSON_INTERNAL_H
#define DYNPG_ITEM_JSON_INTERNAL_H

#include "utils/jsonb.h"

typedef enum JKind
{
	JN_NULL,
	JN_FALSE,
	JN_TRUE,
	JN_NUMBER,
	JN_STRING,
	JN_OBJECT,
	JN_ARRAY
} JKind;

typedef struct JNode JNode;

typedef struct JMember
{
	const char *key;
	int32		keylen;
	JNode	   *val;
} JMember;

struct JNode
{
	JKind		kind;
	int32		len;			/* string/number: bytes; object/array: count */
	const char *str;			/* string or number text */
	JMember    *members;
	JNode	  **elems;
};

/*
 * Builders (item_json_parse.c).  Strings and keys may point into the input;
 * text strings may hold NUL.  A JSON syntax error is a SerializationException
 * ("Malformed JSON: ..."), nesting beyond what an item may hold the
 * ValidationException of DynamoDB's depth limit.
 */
extern JNode *dynpg_jnode_from_text(const char *text, int len);
extern JNode *dynpg_jnode_from_jsonb(Jsonb *jb);
extern JNode *dynpg_jnode_from_container(JsonbContainer *c, int depth);

#endif							/* DYNPG_ITEM_JSON_INTERNAL_H */
