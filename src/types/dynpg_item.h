/*-------------------------------------------------------------------------
 *
 * dynpg_item.h
 *	  dynpg.item: one DynamoDB item in a compact, canonical binary form.
 *
 * The binary format (README in this directory has the full grammar):
 *
 *	item	:= version(1 byte) mapbody
 *	value	:= tag(1 byte) payload
 *	mapbody := varint count, [width(1 byte), offsets] entries
 *	entry	:= varint namelen, name bytes, value
 *
 * Map entries are sorted by name bytes, set elements by their value (N by
 * number), and numbers are stored in the sortable encoding of
 * dynpg_number.h, so equal items have equal bytes.  Each map, list and set
 * carries an offset table, so one attribute is found by binary search and
 * one list element by index without decoding anything else.
 *
 * Readers never trust a datum: every offset and length is checked against
 * the datum's end and a bad one raises "dynpg.item is corrupted".
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_ITEM_H
#define DYNPG_ITEM_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "base/dynpg_json.h"
#include "types/dynpg_number.h"

/* Attribute value types; the values are the tag bytes of the format. */
typedef enum DynType
{
	DYN_T_S = 1,
	DYN_T_N = 2,
	DYN_T_B = 3,
	DYN_T_BOOL = 4,
	DYN_T_NULL = 5,
	DYN_T_M = 6,
	DYN_T_L = 7,
	DYN_T_SS = 8,
	DYN_T_NS = 9,
	DYN_T_BS = 10
} DynType;

#define DYN_T_MAX DYN_T_BS
#define DYN_ITEM_FORMAT_VERSION 1

/* DynamoDB's limits */
#define DYN_MAX_ITEM_SIZE		409600	/* 400 KB */
#define DYN_MAX_DEPTH			32
#define DYN_MAX_NAME_LEN		65535
#define DYN_MAX_HASH_KEY_LEN	2048
#define DYN_MAX_RANGE_KEY_LEN	1024

/* The SQL datum */
typedef struct varlena DynItem;

#define DatumGetDynItemP(X)		((DynItem *) PG_DETOAST_DATUM(X))
#define PG_GETARG_DYNITEM_P(n)	DatumGetDynItemP(PG_GETARG_DATUM(n))
#define PG_RETURN_DYNITEM_P(x)	PG_RETURN_POINTER(x)

/*
 * A reference to one encoded value inside a datum.  For S, B and N, data and
 * len are the payload bytes (N: its sortable encoding); for M, L and sets
 * they are the body (count, offsets, elements); BOOL has boolval.
 */
typedef struct DynRef
{
	DynType		type;
	bool		boolval;
	const uint8 *data;
	int32		len;
} DynRef;

/* A container body opened for random access. */
typedef struct DynContainer
{
	DynType		type;			/* M, L, SS, NS or BS */
	int32		count;
	int			width;			/* bytes per offset */
	const uint8 *offsets;
	const uint8 *elems;			/* start of the elements area */
	int32		elemslen;
} DynContainer;

extern const char *dynpg_type_name(DynType t);
extern DynType dynpg_type_from_name(const char *name, int len);

/* readers (item.c) */
extern DynRef dynpg_item_root(const DynItem *item);
extern void dynpg_container_open(const DynRef *ref, DynContainer *c);
extern void dynpg_container_elem(const DynContainer *c, int i, const uint8 **p, int32 *len);
extern DynRef dynpg_list_get(const DynContainer *c, int i);
extern DynRef dynpg_map_entry(const DynContainer *c, int i, const char **name, int32 *namelen);
extern bool dynpg_map_find(const DynContainer *c, const char *name, int32 namelen, DynRef *out);
extern DynRef dynpg_set_elem_ref(const DynContainer *c, int i);
/* "[e1,e2,...]" of list or set 'ref', each element written by 'write' */
extern void dynpg_append_elements(const DynRef *ref, StringInfo out,
								  void (*write) (const DynRef *v, StringInfo out));
/* "{n1:v1,n2:v2,...}" of map 'ref', names and values written by the callbacks */
extern void dynpg_append_members(const DynRef *ref, StringInfo out,
								 void (*write_name) (StringInfo out, const char *name, int32 len),
								 void (*write_value) (const DynRef *v, StringInfo out));
extern DynRef dynpg_read_value(const uint8 *p, int32 avail, int32 *consumed);
extern void dynpg_number_from_ref(const DynRef *ref, DynNumber *out);
extern void dynpg_corrupt(const char *what) pg_attribute_noreturn();

/* varints (item.c) */
extern int	dynpg_varint_len(uint32 v);
extern int	dynpg_varint_put(uint8 *p, uint32 v);
extern bool dynpg_varint_get(const uint8 *p, const uint8 *end, uint32 *v, int *nbytes);

/* sizes in DynamoDB's accounting (item.c) */
extern int64 dynpg_value_size(const DynRef *ref);
extern int64 dynpg_item_size(const DynItem *item);

/* document paths (item.c) */
typedef struct DynPathElem
{
	bool		is_index;
	int32		index;
	const char *name;
	int32		namelen;
} DynPathElem;

extern int	dynpg_path_parse(const char *path, DynPathElem **elems);
extern bool dynpg_path_lookup(const DynItem *item, const DynPathElem *elems, int n, DynRef *out);

/*
 * The tree form used while building an item (item_build.c).  Parsers fill
 * it; dynpg_value_finish() validates and canonicalises (sorts map members and
 * set elements, rejects duplicates, checks depth), and dynpg_item_serialize()
 * writes the binary form.
 */
typedef struct DynBuildValue DynBuildValue;

typedef struct DynBuildMember
{
	const char *name;
	int32		namelen;
	DynBuildValue *value;
} DynBuildMember;

struct DynBuildValue
{
	DynType		type;
	bool		boolval;
	int32		count;			/* M, L, sets: number of members/elements */
	const char *data;			/* S, B: bytes; N: sortable encoding */
	int32		len;
	DynBuildMember *members;	/* M */
	DynBuildValue **elems;		/* L, sets (set elements are S, N or B values) */
	int32		enclen;			/* filled by serialization: encoded body length */
};

extern DynBuildValue *dynpg_build_scalar(DynType type, const char *data, int32 len);
extern DynBuildValue *dynpg_build_number(const DynNumber *n);
extern DynBuildValue *dynpg_build_bool(bool b);
extern DynBuildValue *dynpg_build_null(void);
/* An attribute name's rules ("Empty attribute name", at most 65535 bytes) */
extern void dynpg_check_attribute_name(const char *name, int32 namelen);
extern int64 dynpg_value_finish(DynBuildValue *v, int depth);
extern int64 dynpg_item_finish(DynBuildValue *root);
extern DynItem *dynpg_item_serialize(DynBuildValue *root);
/* the tree form of a stored value */
extern DynBuildValue *dynpg_build_from_ref(const DynRef *ref);

/*
 * DynamoDB JSON codec: input from text or jsonb (item_json_read.c, through
 * base/dynpg_json.c's trees), DynamoDB JSON text output (item_json_text.c), jsonb
 * output (item_jsonb.c).
 */
extern DynItem *dynpg_item_from_text(const char *text, int len);
/* The binary form of an item (item_send, item_recv): this version byte, then its text */
#define DYN_ITEM_WIRE_VERSION 1

extern void dynpg_item_append_text(const DynItem *item, StringInfo out);
extern void dynpg_value_append_text(const DynRef *ref, StringInfo out);
extern DynItem *dynpg_item_from_jsonb(Datum jsonb, bool plain);
extern DynItem *dynpg_item_from_json(const DynJson *json, bool plain);
extern Datum dynpg_item_to_jsonb(const DynItem *item, bool plain);
extern void dynpg_item_push_jsonb(JsonbParseState **st, const DynItem *item, bool plain);
extern Datum dynpg_value_to_jsonb(const DynRef *ref, bool plain);
extern DynBuildValue *dynpg_attribute_value_from_jsonb(Datum jsonb);

/*
 * Writing jsonb's binary form directly (item_jsonb.c): start a buffer, write
 * containers (begin, one child per key or element -- an object's keys
 * first, in jsonb's order, then its values -- end) and scalars; each write
 * returns the JEntry its parent records.
 */
typedef struct DynJbCont
{
	int			base;			/* where the container starts in the buffer */
	int			jentries;		/* where its JEntries are */
	int			n;				/* JEntries to fill */
	int			i;				/* JEntries filled */
	uint32		total;			/* bytes of the children so far */
} DynJbCont;

extern void dynpg_jw_start(StringInfo b);
extern void dynpg_jw_begin(StringInfo b, DynJbCont *c, int n, bool object);
extern void dynpg_jw_child(StringInfo b, DynJbCont *c, uint32 meta);
extern uint32 dynpg_jw_end(StringInfo b, DynJbCont *c);
extern uint32 dynpg_jw_string(StringInfo b, const char *s, int len);
extern uint32 dynpg_jw_numeric(StringInfo b, Numeric num);
extern uint32 dynpg_jw_item(StringInfo b, const DynItem *item);
extern Jsonb *dynpg_jw_finish(StringInfo b);

/*
 * One AttributeValue of a request outside an item, checked as an item's
 * attribute is; *value points at it inside the returned one-attribute item.
 */
extern DynItem *dynpg_attribute_value_parse(const DynJson *av, DynRef *value);

#endif							/* DYNPG_ITEM_H */
