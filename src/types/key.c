/*-------------------------------------------------------------------------
 *
 * key.c
 *	  Primary keys (see dynpg_key.h for the storage key layout).
 *
 * The encoding of one key value is order-preserving under memcmp with the
 * shorter-is-smaller rule: S is its UTF-8 bytes, B its bytes, N the
 * sortable number encoding of dynpg_number.h.  Equal values encode identically
 * (numbers by value), so they hash identically.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "utils/builtins.h"

#include "base/dynpg_error.h"
#include "base/dynpg_request.h"
#include "types/dynpg_hash.h"
#include "types/dynpg_item.h"
#include "types/dynpg_key.h"

/* DynamoDB's message for a key value over its size limit (also an index key's). */
void
dynpg_key_too_long(bool is_partition_key)
{
	if (is_partition_key)
		dynpg_req_invalid_parameter("Size of hashkey has exceeded the maximum size limit of2048 bytes");
	dynpg_req_invalid_parameter("Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
}

/*
 * Check one key attribute value as PutItem does: its type, emptiness and
 * size (N keys have no length limit; B keys count raw bytes).
 */
void
dynpg_key_check_value(const char *name, int32 namelen, DynType expected,
					  const DynRef *v, bool is_partition_key)
{
	if (v->type != expected)
		dynpg_req_invalid_parameter("Type mismatch for key %.*s expected: %s actual: %s",
							   namelen, name, dynpg_type_name(expected),
							   dynpg_type_name(v->type));
	if ((v->type == DYN_T_S || v->type == DYN_T_B) && v->len == 0)
		dynpg_validation_error("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %.*s",
							   v->type == DYN_T_S ? "string" : "binary", namelen, name);
	if (v->type != DYN_T_N)
	{
		if (v->len > (is_partition_key ? DYN_MAX_HASH_KEY_LEN : DYN_MAX_RANGE_KEY_LEN))
			dynpg_key_too_long(is_partition_key);
	}
}

/* The key of an item, with PutItem's messages for what is wrong. */
void
dynpg_key_from_item(const DynItem *item, const DynKeySchema *ks, DynKey *out)
{
	DynRef		root = dynpg_item_root(item);
	DynContainer c;

	memset(out, 0, sizeof(*out));
	dynpg_container_open(&root, &c);
	if (!dynpg_map_find(&c, ks->pk_name, ks->pk_namelen, &out->pk))
		dynpg_req_invalid_parameter("Missing the key %.*s in the item",
							   ks->pk_namelen, ks->pk_name);
	dynpg_key_check_value(ks->pk_name, ks->pk_namelen, ks->pk_type, &out->pk, true);
	if (ks->sk_name != NULL)
	{
		if (!dynpg_map_find(&c, ks->sk_name, ks->sk_namelen, &out->sk))
			dynpg_req_invalid_parameter("Missing the key %.*s in the item",
								   ks->sk_namelen, ks->sk_name);
		dynpg_key_check_value(ks->sk_name, ks->sk_namelen, ks->sk_type, &out->sk, false);
		out->has_sk = true;
	}
}

void
dynpg_key_encode_value(const DynRef *v, StringInfo out)
{
	switch (v->type)
	{
		case DYN_T_S:
		case DYN_T_B:
		case DYN_T_N:
			/* N payloads already are the sortable encoding */
			appendBinaryStringInfo(out, (const char *) v->data, v->len);
			break;
		default:
			dynpg_validation_error("Member must satisfy enum value set: [B, N, S]");
	}
}

uint64
dynpg_partition_hash(const DynRef *pk)
{
	StringInfoData enc;
	uint64		h;

	initStringInfo(&enc);
	dynpg_key_encode_value(pk, &enc);
	h = dynpg_hash64((const uint8 *) enc.data, enc.len, 0);
	pfree(enc.data);
	return h;
}

/*
 * Groups of 8 bytes, each padded with zeros and followed by a marker: the
 * number of bytes used (0..8), or 9 when a full group is followed by more.
 * memcmp order of encodings is the order of the byte strings, and no
 * encoding is a prefix of another, so whatever follows it in a key cannot
 * change the order.
 */
void
dynpg_group_encode(const uint8 *data, int len, StringInfo out)
{
	int			pos = 0;

	do
	{
		int			n = Min(DYN_GROUP_BYTES, len - pos);
		char		group[DYN_GROUP_BYTES + 1];

		memset(group, 0, sizeof(group));
		memcpy(group, data + pos, n);
		pos += n;
		group[DYN_GROUP_BYTES] = (char) ((n == DYN_GROUP_BYTES && pos < len) ? DYN_GROUP_BYTES + 1 : n);
		appendBinaryStringInfo(out, group, sizeof(group));
	} while (pos < len);
}

void
dynpg_key_composite(const DynRef *values, int n, DynRef *out)
{
	StringInfoData comp;
	int			i;

	if (n == 1)
	{
		*out = values[0];
		return;
	}
	initStringInfo(&comp);
	for (i = 0; i < n; i++)
	{
		StringInfoData enc;

		initStringInfo(&enc);
		dynpg_key_encode_value(&values[i], &enc);
		dynpg_group_encode((const uint8 *) enc.data, enc.len, &comp);
		pfree(enc.data);
	}
	memset(out, 0, sizeof(*out));
	out->type = DYN_T_B;
	out->data = (const uint8 *) comp.data;
	out->len = comp.len;
}

void
dynpg_storage_key(const DynKey *key, StringInfo out)
{
	StringInfoData enc;
	uint64		h;
	int			i;

	initStringInfo(&enc);
	dynpg_key_encode_value(&key->pk, &enc);
	h = dynpg_hash64((const uint8 *) enc.data, enc.len, 0);
	appendStringInfoChar(out, (char) 0);	/* the table's keyspace */
	for (i = 7; i >= 0; i--)
		appendStringInfoChar(out, (char) ((h >> (i * 8)) & 0xFF));
	if (enc.len <= DYN_PK_INLINE_MAX)
	{
		appendStringInfoChar(out, (char) enc.len);
		appendBinaryStringInfo(out, enc.data, enc.len);
	}
	else
	{
		pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
		uint8		digest[PG_SHA256_DIGEST_LENGTH];

		if (pg_cryptohash_init(ctx) < 0 ||
			pg_cryptohash_update(ctx, (const uint8 *) enc.data, enc.len) < 0 ||
			pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
			elog(ERROR, "dynpg: could not compute SHA-256: %s", pg_cryptohash_error(ctx));
		pg_cryptohash_free(ctx);
		appendStringInfoChar(out, (char) DYN_PK_DIGEST_MARK);
		appendBinaryStringInfo(out, (const char *) digest, sizeof(digest));
	}
	if (key->has_sk)
		dynpg_key_encode_value(&key->sk, out);
	pfree(enc.data);
}

/* ---- SQL functions, so tests can check keys directly ---- */

static DynType
key_type_arg(text *t)
{
	char	   *s = text_to_cstring(t);
	DynType		type = dynpg_type_from_name(s, strlen(s));

	if (type != DYN_T_S && type != DYN_T_N && type != DYN_T_B)
	{
		static const char *const key_types[] = {"B", "N", "S", NULL};
		DynRequest	req;

		dynpg_req_collect(&req, "CreateTable");
		dynpg_req_enum(&req, s, "AttributeDefinitions.1.member.AttributeType", key_types);
		dynpg_req_finish(&req);
	}
	return type;
}

static void
schema_from_args(FunctionCallInfo fcinfo, DynKeySchema *ks)
{
	text	   *pk = PG_GETARG_TEXT_PP(1);

	memset(ks, 0, sizeof(*ks));
	ks->pk_name = VARDATA_ANY(pk);
	ks->pk_namelen = VARSIZE_ANY_EXHDR(pk);
	ks->pk_type = key_type_arg(PG_GETARG_TEXT_PP(2));
	if (!PG_ARGISNULL(3))
	{
		text	   *sk = PG_GETARG_TEXT_PP(3);

		if (PG_ARGISNULL(4))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("a sort key needs its type")));
		ks->sk_name = VARDATA_ANY(sk);
		ks->sk_namelen = VARSIZE_ANY_EXHDR(sk);
		ks->sk_type = key_type_arg(PG_GETARG_TEXT_PP(4));
	}
}

static DynRef
single_value_arg(Datum jsonb, DynItem **holder)
{
	DynBuildValue *v = dynpg_attribute_value_from_jsonb(jsonb);
	DynBuildValue root;
	DynBuildMember m;
	DynRef		rootref;
	DynContainer c;
	const char *name;
	int32		namelen;

	/* wrap the value in a one-attribute item and read it back as a DynRef */
	memset(&root, 0, sizeof(root));
	root.type = DYN_T_M;
	m.name = "v";
	m.namelen = 1;
	m.value = v;
	root.members = &m;
	root.count = 1;
	*holder = dynpg_item_serialize(&root);
	rootref = dynpg_item_root(*holder);
	dynpg_container_open(&rootref, &c);
	return dynpg_map_entry(&c, 0, &name, &namelen);
}

PG_FUNCTION_INFO_V1(dynpg_key_encode_sql);
Datum
dynpg_key_encode_sql(PG_FUNCTION_ARGS)
{
	DynItem    *holder;
	DynRef		v = single_value_arg(PG_GETARG_DATUM(0), &holder);
	StringInfoData enc;

	initStringInfo(&enc);
	dynpg_key_encode_value(&v, &enc);
	PG_RETURN_BYTEA_P(cstring_to_text_with_len(enc.data, enc.len));
}

PG_FUNCTION_INFO_V1(dynpg_partition_hash_sql);
Datum
dynpg_partition_hash_sql(PG_FUNCTION_ARGS)
{
	DynItem    *holder;
	DynRef		v = single_value_arg(PG_GETARG_DATUM(0), &holder);

	if (v.type != DYN_T_S && v.type != DYN_T_N && v.type != DYN_T_B)
		dynpg_validation_error("Member must satisfy enum value set: [B, N, S]");
	PG_RETURN_INT64((int64) dynpg_partition_hash(&v));
}

/*
 * dynpg.item_partition_hash(item, partition_key): the partition hash of the
 * item's attribute 'partition_key' (an S, N or B), read from the item's
 * binary form -- what the storage and a cluster's routing order it by;
 * NULL when the item has no such attribute.  A cheap predicate over every
 * item of a table (dynpg.expand_cluster's moves).
 */
PG_FUNCTION_INFO_V1(dynpg_item_partition_hash_sql);
Datum
dynpg_item_partition_hash_sql(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	text	   *name = PG_GETARG_TEXT_PP(1);
	DynRef		root = dynpg_item_root(item);
	DynContainer c;
	DynRef		v;

	dynpg_container_open(&root, &c);
	if (!dynpg_map_find(&c, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name), &v))
		PG_RETURN_NULL();
	if (v.type != DYN_T_S && v.type != DYN_T_N && v.type != DYN_T_B)
		dynpg_validation_error("Member must satisfy enum value set: [B, N, S]");
	PG_RETURN_INT64((int64) dynpg_partition_hash(&v));
}

PG_FUNCTION_INFO_V1(dynpg_hash64_sql);
Datum
dynpg_hash64_sql(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);

	PG_RETURN_INT64((int64) dynpg_hash64((const uint8 *) VARDATA_ANY(b),
										 VARSIZE_ANY_EXHDR(b), 0));
}

/* dynpg.extract_key(item, pk_name, pk_type, sk_name, sk_type) */
PG_FUNCTION_INFO_V1(dynpg_extract_key_sql);
Datum
dynpg_extract_key_sql(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	DynKeySchema ks;
	DynKey		key;
	DynBuildValue root;
	DynBuildMember m[2];

	schema_from_args(fcinfo, &ks);
	dynpg_key_from_item(item, &ks, &key);
	memset(&root, 0, sizeof(root));
	root.type = DYN_T_M;
	root.members = m;
	m[0].name = ks.pk_name;
	m[0].namelen = ks.pk_namelen;
	m[0].value = dynpg_build_scalar(key.pk.type, (const char *) key.pk.data, key.pk.len);
	root.count = 1;
	if (key.has_sk)
	{
		m[1].name = ks.sk_name;
		m[1].namelen = ks.sk_namelen;
		m[1].value = dynpg_build_scalar(key.sk.type, (const char *) key.sk.data, key.sk.len);
		root.count = 2;
	}
	dynpg_item_finish(&root);
	PG_RETURN_DYNITEM_P(dynpg_item_serialize(&root));
}

PG_FUNCTION_INFO_V1(dynpg_storage_key_sql);
Datum
dynpg_storage_key_sql(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	DynKeySchema ks;
	DynKey		key;
	StringInfoData out;

	schema_from_args(fcinfo, &ks);
	dynpg_key_from_item(item, &ks, &key);
	initStringInfo(&out);
	dynpg_storage_key(&key, &out);
	PG_RETURN_BYTEA_P(cstring_to_text_with_len(out.data, out.len));
}
