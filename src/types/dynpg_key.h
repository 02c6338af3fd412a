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
	DynRef		pk;				/* the partition key's value */
	DynSortOp	sk_op;
	DynRef		sk1;			/* the operand (BETWEEN: the lower bound) */
	DynRef		sk2;			/* BETWEEN: the upper bound */
} DynKeyCondition;

extern void dynpg_key_from_item(const DynItem *item, const DynKeySchema *ks, DynKey *out);
extern void dynpg_key_too_long(bool is_partition_key) pg_attribute_noreturn();
extern void dynpg_key_check_value(const char *name, int32 namelen, DynType expected,
								  const DynRef *v, bool is_partition_key);
extern void dynpg_key_encode_value(const DynRef *v, StringInfo out);
extern uint64 dynpg_partition_hash(const DynRef *pk);
extern void dynpg_storage_key(const DynKey *key, StringInfo out);

#endif							/* DYNPG_KEY_H */
