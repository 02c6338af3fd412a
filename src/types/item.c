/*-------------------------------------------------------------------------
 *
 * item.c
 *	  Reading the binary item format: containers, attribute lookup,
 *	  document paths and DynamoDB's size accounting.
 *
 * Nothing here decodes more than it is asked for: a lookup opens one
 * container header and binary-searches its offset table.  Every offset and
 * length read from a datum is checked before use (dynpg_corrupt on failure).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "base/dynpg_error.h"
#include "types/dynpg_item.h"

static const char *const type_names[] = {
	NULL, "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"
};

const char *
dynpg_type_name(DynType t)
{
	if (t < 1 || t > DYN_T_MAX)
		dynpg_corrupt("unknown type tag");
	return type_names[t];
}

/* 0 if the name is not one of DynamoDB's ten type descriptors */
DynType
dynpg_type_from_name(const char *name, int len)
{
	int			t;

	for (t = 1; t <= DYN_T_MAX; t++)
	{
		if ((int) strlen(type_names[t]) == len && memcmp(type_names[t], name, len) == 0)
			return (DynType) t;
	}
	return (DynType) 0;
}

void
dynpg_corrupt(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("dynpg.item is corrupted: %s", what)));
	pg_unreachable();
}

/* ---- varints: unsigned LEB128, at most 5 bytes for 32 bits ---- */

int
dynpg_varint_len(uint32 v)
{
	int			n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

int
dynpg_varint_put(uint8 *p, uint32 v)
{
	int			n = 0;

	while (v >= 0x80)
	{
		p[n++] = (uint8) (v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8) v;
	return n;
}

/* Reads a minimal-length varint; false if truncated, too long or not minimal. */
bool
dynpg_varint_get(const uint8 *p, const uint8 *end, uint32 *v, int *nbytes)
{
	uint32		result = 0;
	int			shift = 0;
	int			n = 0;

	for (;;)
	{
		uint8		b;

		if (p + n >= end || n >= 5)
			return false;
		b = p[n++];
		if (n == 5 && b > 0x0F)
			return false;
		result |= (uint32) (b & 0x7F) << shift;
		if ((b & 0x80) == 0)
		{
			if (n > 1 && b == 0)
				return false;	/* not minimal */
			break;
		}
		shift += 7;
	}
	*v = result;
	*nbytes = n;
	return true;
}

/* ---- values and containers ---- */

/*
 * A value is a tag byte followed by its payload, which runs to the end of
 * its element (containers' offset tables give element extents).
 */
DynRef
dynpg_read_value(const uint8 *p, int32 avail, int32 *consumed)
{
	DynRef		ref;

	if (avail < 1)
		dynpg_corrupt("empty value");
	/*
	 * Field by field, not memset and then fields: the struct is returned
	 * through memory, and a copy of a memset-then-patched local stalled on
	 * store forwarding (the hottest instruction of an item's text output).
	 */
	ref.type = (DynType) p[0];
	ref.boolval = false;
	ref.data = p + 1;
	ref.len = avail - 1;
	switch (ref.type)
	{
		case DYN_T_BOOL:
			if (ref.len != 1 || p[1] > 1)
				dynpg_corrupt("bad BOOL");
			ref.boolval = (p[1] == 1);
			break;
		case DYN_T_NULL:
			if (ref.len != 0)
				dynpg_corrupt("bad NULL");
			break;
		case DYN_T_S:
		case DYN_T_N:
		case DYN_T_B:
		case DYN_T_M:
		case DYN_T_L:
		case DYN_T_SS:
		case DYN_T_NS:
		case DYN_T_BS:
			break;
		default:
			dynpg_corrupt("unknown type tag");
	}
	if (consumed)
		*consumed = avail;
	return ref;
}

DynRef
dynpg_item_root(const DynItem *item)
{
	DynRef		ref;
	const uint8 *p = (const uint8 *) VARDATA_ANY(item);
	int32		len = VARSIZE_ANY_EXHDR(item);

	if (len < 2 || p[0] != DYN_ITEM_FORMAT_VERSION)
		dynpg_corrupt("unknown format version");
	ref.type = DYN_T_M;
	ref.boolval = false;
	ref.data = p + 1;
	ref.len = len - 1;
	return ref;
}

static uint32
read_offset(const DynContainer *c, int i)
{
	const uint8 *o = c->offsets + (size_t) i * c->width;

	switch (c->width)
	{
		case 1:
			return o[0];
		case 2:
			return (uint32) o[0] | ((uint32) o[1] << 8);
		default:
			return (uint32) o[0] | ((uint32) o[1] << 8) |
				((uint32) o[2] << 16) | ((uint32) o[3] << 24);
	}
}

void
dynpg_container_open(const DynRef *ref, DynContainer *c)
{
	const uint8 *p = ref->data;
	const uint8 *end = ref->data + ref->len;
	uint32		count;
	int			n;

	if (ref->type != DYN_T_M && ref->type != DYN_T_L && ref->type != DYN_T_SS &&
		ref->type != DYN_T_NS && ref->type != DYN_T_BS)
		elog(ERROR, "dynpg: value of type %d is not a container", (int) ref->type);
	memset(c, 0, sizeof(*c));
	c->type = ref->type;
	if (!dynpg_varint_get(p, end, &count, &n))
		dynpg_corrupt("bad container count");
	p += n;
	if (count == 0)
	{
		if (p != end)
			dynpg_corrupt("trailing bytes after empty container");
		c->elems = p;
		return;
	}
	if (p >= end)
		dynpg_corrupt("truncated container");
	c->width = *p++;
	if (c->width != 1 && c->width != 2 && c->width != 4)
		dynpg_corrupt("bad offset width");
	if ((uint64) count * c->width > (uint64) (end - p))
		dynpg_corrupt("truncated offset table");
	c->count = (int32) count;
	c->offsets = p;
	c->elems = p + (size_t) count * c->width;
	c->elemslen = (int32) (end - c->elems);
	if (read_offset(c, c->count - 1) != (uint32) c->elemslen)
		dynpg_corrupt("container length mismatch");
}

/* The extent of element i. */
void
dynpg_container_elem(const DynContainer *c, int i, const uint8 **p, int32 *len)
{
	uint32		start;
	uint32		stop;

	if (i < 0 || i >= c->count)
		elog(ERROR, "dynpg: element %d out of range 0..%d", i, c->count - 1);
	start = i == 0 ? 0 : read_offset(c, i - 1);
	stop = read_offset(c, i);
	/* only set elements may be empty (an empty S or B element) */
	if (start > stop || stop > (uint32) c->elemslen ||
		(start == stop && c->type != DYN_T_SS && c->type != DYN_T_BS))
		dynpg_corrupt("bad element offsets");
	*p = c->elems + start;
	*len = (int32) (stop - start);
}

DynRef
dynpg_list_get(const DynContainer *c, int i)
{
	const uint8 *p;
	int32		len;

	dynpg_container_elem(c, i, &p, &len);
	return dynpg_read_value(p, len, NULL);
}

DynRef
dynpg_map_entry(const DynContainer *c, int i, const char **name, int32 *namelen)
{
	const uint8 *p;
	int32		len;
	uint32		nl;
	int			n;

	dynpg_container_elem(c, i, &p, &len);
	if (!dynpg_varint_get(p, p + len, &nl, &n) || nl == 0 || (int64) n + nl >= len)
		dynpg_corrupt("bad attribute name");
	*name = (const char *) p + n;
	*namelen = (int32) nl;
	return dynpg_read_value(p + n + nl, len - n - (int32) nl, NULL);
}

/* Set elements are bare payloads: S and B bytes, or N encodings. */
DynRef
dynpg_set_elem_ref(const DynContainer *c, int i)
{
	DynRef		ref;
	const uint8 *p;
	int32		len;

	dynpg_container_elem(c, i, &p, &len);
	ref.boolval = false;
	ref.type = c->type == DYN_T_SS ? DYN_T_S : c->type == DYN_T_NS ? DYN_T_N : DYN_T_B;
	ref.data = p;
	ref.len = len;
	return ref;
}

void
dynpg_append_elements(const DynRef *ref, StringInfo out,
					  void (*write) (const DynRef *v, StringInfo out))
{
	DynContainer c;
	bool		list = ref->type == DYN_T_L;
	int			i;

	dynpg_container_open(ref, &c);
	appendStringInfoCharMacro(out, '[');
	for (i = 0; i < c.count; i++)
	{
		DynRef		v = list ? dynpg_list_get(&c, i) : dynpg_set_elem_ref(&c, i);

		if (i > 0)
			appendStringInfoCharMacro(out, ',');
		write(&v, out);
	}
	appendStringInfoCharMacro(out, ']');
}

void
dynpg_append_members(const DynRef *ref, StringInfo out,
					 void (*write_name) (StringInfo out, const char *name, int32 len),
					 void (*write_value) (const DynRef *v, StringInfo out))
{
	DynContainer c;
	int			i;

	dynpg_container_open(ref, &c);
	appendStringInfoCharMacro(out, '{');
	for (i = 0; i < c.count; i++)
	{
		const char *name;
		int32		namelen;
		DynRef		v = dynpg_map_entry(&c, i, &name, &namelen);

		if (i > 0)
			appendStringInfoCharMacro(out, ',');
		write_name(out, name, namelen);
		appendStringInfoCharMacro(out, ':');
		write_value(&v, out);
	}
	appendStringInfoCharMacro(out, '}');
}

static int
name_cmp(const char *a, int32 alen, const char *b, int32 blen)
{
	int			r = memcmp(a, b, Min(alen, blen));

	if (r != 0)
		return r;
	return (alen > blen) - (alen < blen);
}

bool
dynpg_map_find(const DynContainer *c, const char *name, int32 namelen, DynRef *out)
{
	int			lo = 0;
	int			hi = c->count - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const char *mname;
		int32		mlen;
		DynRef		v;
		int			r;

		v = dynpg_map_entry(c, mid, &mname, &mlen);
		r = name_cmp(mname, mlen, name, namelen);
		if (r == 0)
		{
			*out = v;
			return true;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

void
dynpg_number_from_ref(const DynRef *ref, DynNumber *out)
{
	if (!dynpg_num_decode(ref->data, ref->len, out))
		dynpg_corrupt("bad number encoding");
}

/* ---- sizes, as DynamoDB charges them ---- */

int64
dynpg_value_size(const DynRef *ref)
{
	DynContainer c;
	DynNumber	num;
	int64		size = 0;
	int			i;

	/* a damaged datum may nest as deep as its bytes allow */
	check_stack_depth();
	switch (ref->type)
	{
		case DYN_T_S:
		case DYN_T_B:
			return ref->len;
		case DYN_T_N:
			dynpg_number_from_ref(ref, &num);
			return dynpg_num_size(&num);
		case DYN_T_BOOL:
		case DYN_T_NULL:
			return 1;
		case DYN_T_M:
			dynpg_container_open(ref, &c);
			size = 3;
			for (i = 0; i < c.count; i++)
			{
				const char *name;
				int32		namelen;
				DynRef		v = dynpg_map_entry(&c, i, &name, &namelen);

				size += 1 + namelen + dynpg_value_size(&v);
			}
			return size;
		case DYN_T_L:
			dynpg_container_open(ref, &c);
			size = 3;
			for (i = 0; i < c.count; i++)
			{
				DynRef		v = dynpg_list_get(&c, i);

				size += 1 + dynpg_value_size(&v);
			}
			return size;
		case DYN_T_SS:
		case DYN_T_NS:
		case DYN_T_BS:
			dynpg_container_open(ref, &c);
			for (i = 0; i < c.count; i++)
			{
				DynRef		v = dynpg_set_elem_ref(&c, i);

				size += dynpg_value_size(&v);
			}
			return size;
	}
	dynpg_corrupt("unknown type tag");
}

/*
 * An item's size: each attribute's name length plus its value's size.
 * Every Scan and Query page sizes each item it reads, so the top level is
 * walked here directly -- the same checks as dynpg_map_entry's and
 * dynpg_read_value's, without their calls -- and only numbers and
 * containers go through dynpg_value_size.
 */
int64
dynpg_item_size(const DynItem *item)
{
	DynRef		root = dynpg_item_root(item);
	DynContainer c;
	int64		size = 0;
	uint32		start = 0;
	int			i;

	dynpg_container_open(&root, &c);
	for (i = 0; i < c.count; i++)
	{
		uint32		stop = read_offset(&c, i);
		const uint8 *p;
		int32		len;
		uint32		nl;
		int			n;

		if (start >= stop || stop > (uint32) c.elemslen)
			dynpg_corrupt("bad element offsets");
		p = c.elems + start;
		len = (int32) (stop - start);
		start = stop;
		if (!dynpg_varint_get(p, p + len, &nl, &n) || nl == 0 || (int64) n + nl >= len)
			dynpg_corrupt("bad attribute name");
		p += n + nl;
		len -= n + (int32) nl;
		/* p: the value's tag byte, then len - 1 bytes of payload */
		switch ((DynType) p[0])
		{
			case DYN_T_S:
			case DYN_T_B:
				size += nl + (len - 1);
				break;
			case DYN_T_BOOL:
				if (len != 2 || p[1] > 1)
					dynpg_corrupt("bad BOOL");
				size += nl + 1;
				break;
			case DYN_T_NULL:
				if (len != 1)
					dynpg_corrupt("bad NULL");
				size += nl + 1;
				break;
			default:
				{
					DynRef		v = dynpg_read_value(p, len, NULL);

					size += nl + dynpg_value_size(&v);
				}
				break;
		}
	}
	return size;
}

/* ---- document paths for the SQL functions: a.b[2].c ---- */

/*
 * Parse a document path into elements.  Names are the text between dots
 * and brackets taken literally (no #name or quoting; for arbitrary names use
 * the single-attribute functions).  Returns the element count.
 */
int
dynpg_path_parse(const char *path, DynPathElem **elems)
{
	int			len = strlen(path);
	int			cap = 8;
	int			n = 0;
	int			i = 0;
	DynPathElem *out = palloc(sizeof(DynPathElem) * cap);

	if (len == 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("invalid document path: empty")));
	while (i < len)
	{
		if (n == cap)
		{
			cap *= 2;
			out = repalloc(out, sizeof(DynPathElem) * cap);
		}
		if (path[i] == '[')
		{
			int64		idx = 0;
			int			start = ++i;

			if (n == 0)
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								errmsg("invalid document path \"%s\": it must start with an attribute name", path)));
			while (i < len && path[i] >= '0' && path[i] <= '9')
			{
				idx = idx * 10 + (path[i] - '0');
				if (idx > PG_INT32_MAX)
					ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
									errmsg("invalid document path \"%s\": list index too large", path)));
				i++;
			}
			if (i == start || i >= len || path[i] != ']')
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								errmsg("invalid document path \"%s\": bad list index at character %d", path, start)));
			i++;
			out[n].is_index = true;
			out[n].index = (int32) idx;
			out[n].name = NULL;
			out[n].namelen = 0;
			n++;
		}
		else
		{
			int			start;

			if (n > 0)
			{
				if (path[i] != '.')
					ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
									errmsg("invalid document path \"%s\": expected '.' or '[' at character %d", path, i + 1)));
				i++;
			}
			start = i;
			while (i < len && path[i] != '.' && path[i] != '[')
				i++;
			if (i == start)
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								errmsg("invalid document path \"%s\": empty attribute name at character %d", path, start + 1)));
			out[n].is_index = false;
			out[n].name = path + start;
			out[n].namelen = i - start;
			n++;
		}
		if (n > DYN_MAX_DEPTH)
			dynpg_validation_error("The document path has too many nesting levels; nesting levels: %d", n);
	}
	*elems = out;
	return n;
}

bool
dynpg_path_lookup(const DynItem *item, const DynPathElem *elems, int n, DynRef *out)
{
	DynRef		cur = dynpg_item_root(item);
	int			i;

	for (i = 0; i < n; i++)
	{
		DynContainer c;

		if (elems[i].is_index)
		{
			if (cur.type != DYN_T_L)
				return false;
			dynpg_container_open(&cur, &c);
			if (elems[i].index >= c.count)
				return false;
			cur = dynpg_list_get(&c, elems[i].index);
		}
		else
		{
			if (cur.type != DYN_T_M)
				return false;
			dynpg_container_open(&cur, &c);
			if (!dynpg_map_find(&c, elems[i].name, elems[i].namelen, &cur))
				return false;
		}
	}
	*out = cur;
	return true;
}
