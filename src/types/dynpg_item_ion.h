/*-------------------------------------------------------------------------
 *
 * dynpg_item_ion.h
 *	  DynamoDB's Amazon Ion text format (ExportFormat / InputFormat ION):
 *	  an item written as AWS's export writes it, and a reader of the Ion
 *	  text subset DynamoDB's items use (item_ion.c; the grammar is in this
 *	  directory's README).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_ITEM_ION_H
#define DYNPG_ITEM_ION_H

#include "lib/stringinfo.h"

#include "base/dynpg_json.h"
#include "types/dynpg_item.h"

/*
 * The item as an Ion struct, {Authors:$dynamodb_SS::["a","b"],Id:103.},
 * appended to 'out': members in the item's canonical order, no white space.
 * An export line is "$ion_1_0 {Item:" this "}\n".
 */
extern void dynpg_item_append_ion(const DynItem *item, StringInfo out);

/* A DynamoDB number as an Ion decimal, as in an item: 103. 1680d3 0.25 */
extern void dynpg_num_append_ion(const DynNumber *num, StringInfo out);

/*
 * Reading a stream of Ion top-level values, each {Item:{...}} one item.
 * Init, then call next until it returns false (the end).  Each call gives
 * the line the value starts on and either the item as a DynamoDB JSON tree
 * (*item, the Item struct's members as {"name":{"S":"..."}}, for PutItem
 * or dynpg_item_from_json to check as DynamoDB does) or, for a value that
 * is not Ion or not an item, *error (the message; the reader has skipped
 * to the next line that starts a value, "$ion_1_0" or "{").  Nothing is
 * raised for bad input.
 */
typedef struct DynIonReader
{
	const char *s;
	int			len;
	int			pos;
	int			line_pos;		/* a position whose line is known */
	int64		line_no;		/* the line of line_pos (1-based) */
} DynIonReader;

extern void dynpg_ion_reader_init(DynIonReader *r, const char *s, int len);
extern bool dynpg_ion_reader_next(DynIonReader *r, int64 *line, DynJson **item, char **error);

#endif							/* DYNPG_ITEM_ION_H */
