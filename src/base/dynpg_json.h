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

#include "lib/stringinfo.h"
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
	DJ_ARRAY,
	/* in responses only: values the API layer writes itself (api/wire.c) */
	DJ_ITEM,					/* ext: a stored item (DynItem), as DynamoDB JSON */
	DJ_JSONB					/* ext: a jsonb document (Jsonb *), e.g. a definition */
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
	int32		cap;			/* allocated members or elems */
	const void *ext;			/* DJ_ITEM, DJ_JSONB */
};

/*
 * Builders.  A JSON syntax error is a SerializationException ("Malformed
 * JSON: ... at character N"); nesting beyond DYN_JSON_MAX_DEPTH the
 * ValidationException of DynamoDB's depth limit.
 */
extern DynJson *dynpg_json_parse(const char *text, int len);

/* The value of hex digit 'c' (0-9, a-f, A-F), or -1. */
extern int	dynpg_hex_digit(char c);
extern DynJson *dynpg_json_from_jsonb(Jsonb *jb);
extern DynJson *dynpg_json_from_container(JsonbContainer *c, int depth);
extern DynJson *dynpg_json_new(DynJsonKind kind);

/*
 * The value of member 'name' of object 'obj', or NULL; of a name given
 * twice, the last (as jsonb and DynamoDB's deserializer keep it).
 */
extern DynJson *dynpg_json_member(const DynJson *obj, const char *name, int namelen);

/* The members of an object (a name given twice counts once) or the elements of an array. */
extern int	dynpg_json_count(const DynJson *j);

/*
 * The members of object 'obj' as jsonb holds them: one per name (the last
 * of a name given twice) in jsonb's order, shorter names first, then by
 * bytes.  Code that checks members one by one goes in this order, so a
 * request with several faults hears the same first one whether it came
 * as jsonb (SQL) or as text (HTTP).
 */
extern DynJsonMember **dynpg_json_sorted_members(const DynJson *obj, int *n);

/*
 * Whether two JSON values are equal as jsonb compares them: objects by
 * their members whatever the order, numbers by value, strings by bytes.
 */
extern bool dynpg_json_equal(const DynJson *a, const DynJson *b);

/* Building a tree (responses): the strings are not copied. */
extern DynJson *dynpg_json_string(const char *s, int len);
extern DynJson *dynpg_json_number(const char *text);
extern DynJson *dynpg_json_bool(bool b);
extern DynJson *dynpg_json_ext(DynJsonKind kind, const void *ext);
extern void dynpg_json_add(DynJson *obj, const char *key, int keylen, DynJson *val);
extern void dynpg_json_append(DynJson *arr, DynJson *val);

/*
 * JSON text of a tree into 'out', compact, strings escaped (U+0000 as
 * \u0000); 'ext' writes the DJ_ITEM and DJ_JSONB nodes (NULL: none may
 * occur).
 */
typedef void (*DynJsonExtWriter) (StringInfo out, const DynJson *node);
extern void dynpg_json_write(StringInfo out, const DynJson *j, DynJsonExtWriter ext);
extern void dynpg_json_write_string(StringInfo out, const char *s, int len);
/* The compact JSON text of a tree without DJ_ITEM or DJ_JSONB nodes, palloc'd */
extern char *dynpg_json_text(const DynJson *j);

/*
 * The canonical text of a tree, for comparing requests: members in jsonb's
 * order, one per name; at the top level, member 'skip' (if not NULL) left
 * out.  No DJ_ITEM or DJ_JSONB nodes.
 */
extern void dynpg_json_write_canonical(StringInfo out, const DynJson *j, const char *skip);

#endif							/* DYNPG_JSON_H */
