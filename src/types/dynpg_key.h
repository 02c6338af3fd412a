/*-------------------------------------------------------------------------
 *
 * dynpg_key.h
 *	  Primary keys: extraction from items with DynamoDB's checks, the
 *	  order-preserving key encoding, the partition hash and the storage key.
 *
 * Storage key = keyspace byte: 0 for a table's items (src/index/dynpg_index.h has the others)
 *				 || hash64(partition key encoding), 8 bytes big-endian
 *				 || partition-key part
 *				 || sort-key encoding (absent without a sort key)
 * The partition-key part is prefix-free, so one partition's keys are
 * contiguous: a length byte (1..64) and the encoding when it is at most 64
 * bytes, else the byte 0xFF and the SHA-256 of the encoding.  The sort key
 * comes last and whole, so memcmp order within a partition is sort-key order.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_KEY_H
#define DYNPG_KEY_H

#include "types/dynpg_item.h"

#define DYN_PK_INLINE_MAX 64
#define DYN_PK_DIGEST_MARK 0xFF
#define DYN_STORAGE_KEY_MAX (1 + 8 + 1 + DYN_PK_INLINE_MAX + DYN_MAX_RANGE_KEY_LEN)

typedef struct DynKeySchema
{
	const char *pk_name;
	int32		pk_namelen;
	DynType		pk_type;
	const char *sk_name;		/* NULL when the table has no sort key */
	int32		sk_namelen;
	DynType		sk_type;
} DynKeySchema;

/*
 * A key made of several attributes: a GSI's multi-attribute key (up to 4
 * HASH and 4 RANGE attributes, in KeySchema order; src/index/README).  A
 * table, an LSI and a single-attribute GSI have nhash 1 and nrange 0 or 1.
 */
#define DYN_MAX_KEY_PARTS 4

/* the group encoding (dynpg_group_encode): groups of 8 bytes and a marker */
#define DYN_GROUP_BYTES 8

typedef struct DynKeyPart
{
	const char *name;
	int32		namelen;
	DynType		type;
} DynKeyPart;

typedef struct DynKeyParts
{
	int			nhash;
	int			nrange;
	DynKeyPart	hash[DYN_MAX_KEY_PARTS];
	DynKeyPart	range[DYN_MAX_KEY_PARTS];
} DynKeyParts;

typedef struct DynKey
{
	DynRef		pk;
	DynRef		sk;
	bool		has_sk;
} DynKey;

/*
 * A Query's key condition: the partition key's value and at most one
 * condition on the sort key.  src/expr builds it from a
 * KeyConditionExpression (or KeyConditions); the read path
 * (am/dynpg_read.h) turns it into a range of storage keys.
 */
typedef enum DynSortOp
{
	DSK_NONE,					/* the whole partition */
	DSK_EQ,
	DSK_LT,
	DSK_LE,
	DSK_GT,
	DSK_GE,
	DSK_BETWEEN,
	DSK_BEGINS_WITH
} DynSortOp;

typedef struct DynKeyCondition
{
	DynRef		pk;				/* the partition key's value (several HASH
								 * attributes: their composite,
								 * dynpg_key_composite) */
	DynSortOp	sk_op;
	DynRef		sk1;			/* the operand (BETWEEN: the lower bound) */
	DynRef		sk2;			/* BETWEEN: the upper bound */
	/* a multi-attribute key (DynKeyParts): */
	int			npk;			/* the HASH attributes' values, in order */
	DynRef		pks[DYN_MAX_KEY_PARTS];
	int			nsk_eq;			/* "=" on the first nsk_eq RANGE attributes; */
	DynRef		sk_eq[DYN_MAX_KEY_PARTS];	/* sk_op is on the next one */
} DynKeyCondition;

extern void dynpg_key_from_item(const DynItem *item, const DynKeySchema *ks, DynKey *out);
extern void dynpg_key_too_long(bool is_partition_key) pg_attribute_noreturn();
extern void dynpg_key_check_value(const char *name, int32 namelen, DynType expected,
								  const DynRef *v, bool is_partition_key);
extern void dynpg_key_encode_value(const DynRef *v, StringInfo out);
extern uint64 dynpg_partition_hash(const DynRef *pk);

/*
 * The partition value of a key of 'n' HASH attributes: the value itself for
 * one; for several, a B value (palloc'd) holding the group encoding of each
 * value's key encoding in turn (prefix-free, so distinct tuples of values
 * give distinct composites), which is hashed and stored like a partition key.
 */
extern void dynpg_key_composite(const DynRef *values, int n, DynRef *out);

/* Append the order-preserving, prefix-free group encoding of 'len' bytes. */
extern void dynpg_group_encode(const uint8 *data, int len, StringInfo out);
extern void dynpg_storage_key(const DynKey *key, StringInfo out);

#endif							/* DYNPG_KEY_H */
