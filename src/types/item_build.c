/*-------------------------------------------------------------------------
 *
 * item_build.c
 *	  Building items: the tree form, DynamoDB's validation of it, canonical
 *	  order, and serialization to the binary format.
 *
 * Parsers (item_json_read.c) check each AttributeValue's shape as they read
 * it; what needs the whole value is checked here: duplicate set elements,
 * depth, attribute names and item size.  Canonical order: map members by
 * name bytes (a later duplicate name replaces an earlier one, as in jsonb),
 * SS and BS elements by unsigned bytes, NS elements by numeric value.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"
#include "base/dynpg_error.h"
#include "base/dynpg_request.h"
#include "types/dynpg_base64.h"
#include "types/dynpg_item.h"

DynBuildValue *
dynpg_build_scalar(DynType type, const char *data, int32 len)
{
	DynBuildValue *v = palloc0(sizeof(DynBuildValue));

	v->type = type;
	v->data = data;
	v->len = len;
	return v;
}

DynBuildValue *
dynpg_build_number(const DynNumber *n)
{
	uint8	   *buf = palloc(DYN_NUM_MAX_ENCODED);
	int			len = dynpg_num_encode(n, buf);

	return dynpg_build_scalar(DYN_T_N, (const char *) buf, len);
}

DynBuildValue *
dynpg_build_bool(bool b)
{
	DynBuildValue *v = palloc0(sizeof(DynBuildValue));

	v->type = DYN_T_BOOL;
	v->boolval = b;
	return v;
}

DynBuildValue *
dynpg_build_null(void)
{
	DynBuildValue *v = palloc0(sizeof(DynBuildValue));

	v->type = DYN_T_NULL;
	return v;
}

/* ---- canonical order ---- */

typedef struct SortMember
{
	DynBuildMember m;
	int			pos;			/* input position, for "last one wins" */
} SortMember;

static inline int
bytes_cmp(const char *a, int32 alen, const char *b, int32 blen)
{
	int			r;

	/* names mostly differ in their first byte */
	if (alen > 0 && blen > 0 && a[0] != b[0])
		return (unsigned char) a[0] < (unsigned char) b[0] ? -1 : 1;
	r = memcmp(a, b, Min(alen, blen));

	if (r != 0)
		return r;
	return (alen > blen) - (alen < blen);
}

static int
member_cmp(const void *a, const void *b)
{
	const SortMember *x = a;
	const SortMember *y = b;
	int			r = bytes_cmp(x->m.name, x->m.namelen, y->m.name, y->m.namelen);

	if (r != 0)
		return r;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int
elem_cmp(const void *a, const void *b)
{
	const DynBuildValue *x = *(DynBuildValue *const *) a;
	const DynBuildValue *y = *(DynBuildValue *const *) b;

	return bytes_cmp(x->data, x->len, y->data, y->len);
}

static void
append_set_listing(StringInfo buf, const DynBuildValue *v)
{
	int			i;

	appendStringInfoChar(buf, '[');
	for (i = 0; i < v->count; i++)
	{
		const DynBuildValue *e = v->elems[i];

		if (i > 0)
			appendStringInfoString(buf, ", ");
		if (buf->len > 1024)
		{
			appendStringInfoString(buf, "...");
			break;
		}
		if (v->type == DYN_T_SS)
			appendBinaryStringInfo(buf, e->data, e->len);
		else if (v->type == DYN_T_BS)
			dynpg_base64_encode((const uint8 *) e->data, e->len, buf);
		else
		{
			DynNumber	n;

			if (!dynpg_num_decode((const uint8 *) e->data, e->len, &n))
				elog(ERROR, "dynpg: bad number in set");
			dynpg_num_append_text(&n, buf);
		}
	}
	appendStringInfoChar(buf, ']');
}

static void
nesting_error(void) pg_attribute_noreturn();

static void
nesting_error(void)
{
	dynpg_validation_error("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
}

/* An attribute name: not empty, at most 65535 bytes (items, AttributesToGet). */
void
dynpg_check_attribute_name(const char *name, int32 namelen)
{
	if (namelen == 0)
		dynpg_validation_error("Empty attribute name");
	if (namelen > DYN_MAX_NAME_LEN)
		dynpg_req_invalid_parameter("An attribute name is %d bytes long, more than the maximum of %d bytes",
							   namelen, DYN_MAX_NAME_LEN);
}

/*
 * Sort a map's members by name, keep the last of equal names, and finish
 * their values (at 'depth').  Returns the sum of name lengths and value sizes.
 */
static int64
finish_members(DynBuildValue *v, int depth)
{
	int64		size = 0;
	int			i;

	if (v->count > 1 && v->count <= 32)
	{
		/*
		 * An item's few attributes: an insertion sort in place, stable, so
		 * of equal names the last given ends last and is kept.
		 */
		DynBuildMember *m = v->members;
		int			nout = 0;

		for (i = 1; i < v->count; i++)
		{
			DynBuildMember x = m[i];
			int			j = i;

			while (j > 0 && bytes_cmp(m[j - 1].name, m[j - 1].namelen, x.name, x.namelen) > 0)
			{
				m[j] = m[j - 1];
				j--;
			}
			m[j] = x;
		}
		for (i = 0; i < v->count; i++)
		{
			if (i + 1 < v->count &&
				bytes_cmp(m[i].name, m[i].namelen, m[i + 1].name, m[i + 1].namelen) == 0)
				continue;
			m[nout++] = m[i];
		}
		v->count = nout;
	}
	else if (v->count > 1)
	{
		SortMember *sm = palloc(sizeof(SortMember) * v->count);
		int			nout = 0;

		for (i = 0; i < v->count; i++)
		{
			sm[i].m = v->members[i];
			sm[i].pos = i;
		}
		qsort(sm, v->count, sizeof(SortMember), member_cmp);
		for (i = 0; i < v->count; i++)
		{
			if (i + 1 < v->count &&
				bytes_cmp(sm[i].m.name, sm[i].m.namelen,
						  sm[i + 1].m.name, sm[i + 1].m.namelen) == 0)
				continue;
			v->members[nout++] = sm[i].m;
		}
		v->count = nout;
		pfree(sm);
	}
	for (i = 0; i < v->count; i++)
	{
		dynpg_check_attribute_name(v->members[i].name, v->members[i].namelen);
		size += v->members[i].namelen + dynpg_value_finish(v->members[i].value, depth);
	}
	return size;
}

/*
 * Validate and canonicalise v, a value at the given depth (an item's
 * attribute values are at depth 1).  Returns its size in DynamoDB's
 * accounting.
 */
int64
dynpg_value_finish(DynBuildValue *v, int depth)
{
	int64		size = 0;
	int			i;
	DynBuildValue **input_order = NULL;

	check_stack_depth();
	if (depth > DYN_MAX_DEPTH)
		nesting_error();

	switch (v->type)
	{
		case DYN_T_S:
		case DYN_T_B:
			return v->len;
		case DYN_T_N:
			{
				DynNumber	n;

				if (!dynpg_num_decode((const uint8 *) v->data, v->len, &n))
					elog(ERROR, "dynpg: bad number while building an item");
				return dynpg_num_size(&n);
			}
		case DYN_T_BOOL:
		case DYN_T_NULL:
			return 1;
		case DYN_T_M:
			return 3 + v->count + finish_members(v, depth + 1);
		case DYN_T_L:
			size = 3;
			for (i = 0; i < v->count; i++)
				size += 1 + dynpg_value_finish(v->elems[i], depth + 1);
			return size;
		case DYN_T_SS:
		case DYN_T_NS:
		case DYN_T_BS:
			if (v->count > 1)
			{
				/* keep the input order for the duplicates message */
				input_order = palloc(sizeof(DynBuildValue *) * v->count);
				memcpy(input_order, v->elems, sizeof(DynBuildValue *) * v->count);
				qsort(v->elems, v->count, sizeof(DynBuildValue *), elem_cmp);
			}
			for (i = 0; i < v->count; i++)
			{
				if (i > 0 && elem_cmp(&v->elems[i - 1], &v->elems[i]) == 0)
				{
					StringInfoData listing;

					initStringInfo(&listing);
					v->elems = input_order;
					append_set_listing(&listing, v);
					if (v->type == DYN_T_BS)
						dynpg_req_invalid_parameter("Input collection %sof type BS contains duplicates.",
											   listing.data);
					dynpg_req_invalid_parameter("Input collection %s contains duplicates.",
										   listing.data);
				}
				size += dynpg_value_finish(v->elems[i], depth + 1);
			}
			return size;
	}
	elog(ERROR, "dynpg: unknown value type %d while building an item", (int) v->type);
	return 0;
}

/*
 * Finish a whole item (root is an M of its attributes): canonical order,
 * every rule, and the 400 KB limit.  Returns the item's size.
 */
int64
dynpg_item_finish(DynBuildValue *root)
{
	int64		size;

	if (root->type != DYN_T_M)
		elog(ERROR, "dynpg: an item must be built from a map");
	size = finish_members(root, 1);
	if (size > DYN_MAX_ITEM_SIZE)
		dynpg_validation_error("Item size has exceeded the maximum allowed size");
	return size;
}

/* ---- serialization ---- */

static int
offset_width(int64 elemslen)
{
	return elemslen <= 0xFF ? 1 : elemslen <= 0xFFFF ? 2 : 4;
}

static int64 value_enclen(DynBuildValue *v);

/* Element extents of a container, in order, into lens[]; returns their sum. */
static int64
container_elem_lens(DynBuildValue *v, int64 *lens)
{
	int64		total = 0;
	int			i;

	for (i = 0; i < v->count; i++)
	{
		int64		l;

		if (v->type == DYN_T_M)
			l = dynpg_varint_len(v->members[i].namelen) + v->members[i].namelen +
				value_enclen(v->members[i].value);
		else if (v->type == DYN_T_L)
			l = value_enclen(v->elems[i]);
		else
			l = v->elems[i]->len;
		lens[i] = l;
		total += l;
	}
	return total;
}

/* Body length of a container; caches it in v->enclen. */
static int64
container_bodylen(DynBuildValue *v)
{
	int64	   *lens;
	int64		elemslen;
	int64		bodylen;

	if (v->count == 0)
	{
		v->enclen = 1;
		return 1;
	}
	lens = palloc(sizeof(int64) * v->count);
	elemslen = container_elem_lens(v, lens);
	pfree(lens);
	bodylen = dynpg_varint_len(v->count) + 1 +
		(int64) v->count * offset_width(elemslen) + elemslen;
	if (bodylen > MaxAllocSize / 2)
		elog(ERROR, "dynpg: item too large to encode");
	v->enclen = (int32) bodylen;
	return bodylen;
}

/* Encoded length of a value: tag plus payload. */
static int64
value_enclen(DynBuildValue *v)
{
	switch (v->type)
	{
		case DYN_T_S:
		case DYN_T_B:
		case DYN_T_N:
			return 1 + (int64) v->len;
		case DYN_T_BOOL:
			return 2;
		case DYN_T_NULL:
			return 1;
		default:
			return 1 + (v->enclen > 0 ? v->enclen : container_bodylen(v));
	}
}

static uint8 *write_value(DynBuildValue *v, uint8 *p);

static uint8 *
write_body(DynBuildValue *v, uint8 *p)
{
	int64	   *lens;
	int64		elemslen;
	int			width;
	int64		off = 0;
	int			i;

	p += dynpg_varint_put(p, (uint32) v->count);
	if (v->count == 0)
		return p;
	lens = palloc(sizeof(int64) * v->count);
	elemslen = container_elem_lens(v, lens);
	width = offset_width(elemslen);
	*p++ = (uint8) width;
	for (i = 0; i < v->count; i++)
	{
		uint32		o;

		off += lens[i];
		o = (uint32) off;
		p[0] = (uint8) (o & 0xFF);
		if (width >= 2)
			p[1] = (uint8) ((o >> 8) & 0xFF);
		if (width == 4)
		{
			p[2] = (uint8) ((o >> 16) & 0xFF);
			p[3] = (uint8) ((o >> 24) & 0xFF);
		}
		p += width;
	}
	pfree(lens);
	for (i = 0; i < v->count; i++)
	{
		if (v->type == DYN_T_M)
		{
			p += dynpg_varint_put(p, (uint32) v->members[i].namelen);
			memcpy(p, v->members[i].name, v->members[i].namelen);
			p += v->members[i].namelen;
			p = write_value(v->members[i].value, p);
		}
		else if (v->type == DYN_T_L)
			p = write_value(v->elems[i], p);
		else
		{
			if (v->elems[i]->len > 0)
				memcpy(p, v->elems[i]->data, v->elems[i]->len);
			p += v->elems[i]->len;
		}
	}
	return p;
}

static uint8 *
write_value(DynBuildValue *v, uint8 *p)
{
	*p++ = (uint8) v->type;
	switch (v->type)
	{
		case DYN_T_S:
		case DYN_T_B:
		case DYN_T_N:
			if (v->len > 0)
				memcpy(p, v->data, v->len);
			return p + v->len;
		case DYN_T_BOOL:
			*p++ = v->boolval ? 1 : 0;
			return p;
		case DYN_T_NULL:
			return p;
		default:
			return write_body(v, p);
	}
}

/*
 * Serialize a finished root map.  Container body lengths are computed once,
 * bottom-up, and cached in enclen.
 */
DynItem *
dynpg_item_serialize(DynBuildValue *root)
{
	int64		bodylen;
	Size		total;
	DynItem    *item;
	uint8	   *p;
	uint8	   *end;

	root->enclen = 0;
	bodylen = container_bodylen(root);
	total = VARHDRSZ + 1 + bodylen;
	item = (DynItem *) palloc(total);
	SET_VARSIZE(item, total);
	p = (uint8 *) VARDATA(item);
	*p++ = DYN_ITEM_FORMAT_VERSION;
	end = write_body(root, p);
	if (end != (uint8 *) item + total)
		elog(ERROR, "dynpg: item serialization wrote %ld bytes, expected %ld",
			 (long) (end - (uint8 *) item), (long) total);
	return item;
}

/*
 * The tree form of a stored value (to build an item from parts of others:
 * projections, updates, index entries).
 */
DynBuildValue *
dynpg_build_from_ref(const DynRef *ref)
{
	DynBuildValue *v;
	DynContainer c;
	int			i;

	check_stack_depth();
	switch (ref->type)
	{
		case DYN_T_S:
		case DYN_T_N:
		case DYN_T_B:
			return dynpg_build_scalar(ref->type, (const char *) ref->data, ref->len);
		case DYN_T_BOOL:
			return dynpg_build_bool(ref->boolval);
		case DYN_T_NULL:
			return dynpg_build_null();
		default:
			break;
	}
	v = palloc0(sizeof(DynBuildValue));
	v->type = ref->type;
	dynpg_container_open(ref, &c);
	v->count = c.count;
	if (ref->type == DYN_T_M)
	{
		v->members = palloc0(sizeof(DynBuildMember) * (c.count + 1));
		for (i = 0; i < c.count; i++)
		{
			DynRef		e = dynpg_map_entry(&c, i, &v->members[i].name,
											&v->members[i].namelen);

			v->members[i].value = dynpg_build_from_ref(&e);
		}
	}
	else
	{
		v->elems = palloc0(sizeof(DynBuildValue *) * (c.count + 1));
		for (i = 0; i < c.count; i++)
		{
			DynRef		e = ref->type == DYN_T_L ? dynpg_list_get(&c, i) :
				dynpg_set_elem_ref(&c, i);

			v->elems[i] = dynpg_build_from_ref(&e);
		}
	}
	return v;
}
