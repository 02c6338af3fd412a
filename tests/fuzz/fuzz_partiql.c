/*
 * libFuzzer harness: the PartiQL statement parser (src/partiql).
 *
 * Any input is a statement or DynamoDB's ValidationException (a syntax
 * error with its position), never an internal error; a statement that
 * parses names a table and its tree is walked to the leaves (every node
 * kind, every path step, nested EXISTS statements).
 */
#include "postgres.h"

#include "miscadmin.h"

#include "partiql/dynpg_partiql.h"
#include "fuzz_common.h"

static void walk_statement(const PqlStatement *st);

static int
walk(const PqlNode *n)
{
	int			count = 1;
	int			i;

	if (n == NULL)
		return 0;
	check_stack_depth();
	if (n->kind == PQ_PATH && n->nsteps < 1)
		fuzz_fail("a path without steps");
	for (i = 0; i < n->nsteps; i++)
		if (n->steps[i].name == NULL && n->steps[i].index < 0)
			fuzz_fail("a negative list index");
	if ((n->kind == PQ_STRING || n->kind == PQ_NUMBER) && n->str == NULL && n->len > 0)
		fuzz_fail("a literal without its text");
	if (n->kind == PQ_FUNC)
		(void) dynpg_partiql_func_name(n->func);
	for (i = 0; i < n->nargs; i++)
		count += walk(n->args[i]);
	if (n->kind == PQ_MAP)
		for (i = 0; i < n->nargs; i++)
			if (n->keys[i] == NULL && n->keylens[i] > 0)
				fuzz_fail("a map key without its text");
	if (n->kind == PQ_EXISTS)
		walk_statement(n->sub);
	return count;
}

static void
walk_statement(const PqlStatement *st)
{
	int			i;

	if (st == NULL)
		fuzz_fail("no statement");
	if (st->table == NULL)
		fuzz_fail("a statement without a table");
	for (i = 0; i < st->nproj; i++)
		(void) walk(st->proj[i]);
	(void) walk(st->where);
	if (st->norder > 2)
		fuzz_fail("more than two ORDER BY paths");
	for (i = 0; i < st->norder; i++)
		(void) walk(st->order_by[i]);
	(void) walk(st->value);
	for (i = 0; i < st->nsets; i++)
	{
		(void) walk(st->sets[i].path);
		if (!st->sets[i].remove)
			(void) walk(st->sets[i].value);
	}
	if (st->kind == PQL_EXISTS)
		walk_statement(st->sub);
	if (st->nparams < 0)
		fuzz_fail("a negative parameter count");
}

static void
fuzz_one(const uint8_t *data, size_t size)
{
	PqlStatement *st = dynpg_partiql_parse((const char *) data, (int) size);

	walk_statement(st);
}

FUZZ_HARNESS(16 * 1024, false, false)
