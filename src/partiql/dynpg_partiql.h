/*-------------------------------------------------------------------------
 *
 * dynpg_partiql.h
 *	  PartiQL for DynamoDB: the parsed form of a statement (partiql_parse.c).
 *
 * One statement (SELECT, INSERT, UPDATE, DELETE) is parsed into a
 * PqlStatement; its grammar, and DynamoDB's messages for refused forms, are
 * in src/partiql/README.  The parser knows nothing of tables: api/
 * (partiql_ops.c) translates a statement onto DynamoDB's operations.  A
 * syntax error is DynamoDB's ValidationException "Statement wasn't well
 * formed, can't be processed: ...".
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_PARTIQL_H
#define DYNPG_PARTIQL_H

/* DynamoDB's limits */
#define PQL_STATEMENT_MAX		8192
#define PQL_IN_MAX_PARTITION	50	/* IN values on the partition key */
#define PQL_IN_MAX				100 /* IN values elsewhere */
#define PQL_IN_PAGE				10	/* items a page of an IN read returns at most */

typedef enum PqlStatementKind
{
	PQL_SELECT,
	PQL_INSERT,
	PQL_UPDATE,
	PQL_DELETE,
	PQL_EXISTS					/* EXISTS(SELECT ...): ExecuteTransaction's check */
} PqlStatementKind;

typedef enum PqlNodeKind
{
	PQ_PATH,					/* steps */
	PQ_STRING,					/* str, len: the string's bytes */
	PQ_NUMBER,					/* str: the number's text (sign included) */
	PQ_TRUE,
	PQ_FALSE,
	PQ_NULL,
	PQ_PARAM,					/* param: 0-based */
	PQ_LIST,					/* args */
	PQ_MAP,						/* keys, keylens, args (the values) */
	PQ_SET,						/* args */
	PQ_AND,						/* args[0], args[1] */
	PQ_OR,
	PQ_NOT,						/* args[0] */
	PQ_CMP,						/* op, args[0], args[1] */
	PQ_BETWEEN,					/* args[0] BETWEEN args[1] AND args[2] */
	PQ_IN,						/* args[0] IN (args[1..]) */
	PQ_IS,						/* args[0] IS [NOT] NULL|MISSING: is_missing, negated */
	PQ_ADD,						/* args[0] + args[1] */
	PQ_SUB,
	PQ_FUNC,					/* func, args */
	PQ_EXISTS					/* EXISTS(SELECT ...): sub */
} PqlNodeKind;

typedef enum PqlCmp
{
	PQC_EQ,
	PQC_NE,
	PQC_LT,
	PQC_LE,
	PQC_GT,
	PQC_GE
} PqlCmp;

typedef enum PqlFunc
{
	PQF_BEGINS_WITH,
	PQF_CONTAINS,
	PQF_SIZE,
	PQF_ATTRIBUTE_TYPE,
	PQF_LIST_APPEND,
	PQF_SET_ADD,
	PQF_SET_DELETE
} PqlFunc;

typedef struct PqlPathStep
{
	const char *name;			/* NULL: an index */
	int			namelen;
	int			index;
} PqlPathStep;

typedef struct PqlStatement PqlStatement;

typedef struct PqlNode
{
	PqlNodeKind kind;
	const char *str;
	int			len;
	PqlCmp		op;
	PqlFunc		func;
	int			param;
	bool		is_missing;
	bool		negated;
	int			nsteps;
	PqlPathStep *steps;
	int			nargs;
	struct PqlNode **args;
	const char **keys;			/* PQ_MAP */
	int		   *keylens;
	PqlStatement *sub;			/* PQ_EXISTS */
} PqlNode;

/* one SET or REMOVE of an UPDATE */
typedef struct PqlSetClause
{
	bool		remove;
	PqlNode    *path;
	PqlNode    *value;			/* SET only */
} PqlSetClause;

typedef enum PqlReturning
{
	PQR_NONE,
	PQR_ALL_OLD,
	PQR_MODIFIED_OLD,
	PQR_ALL_NEW,
	PQR_MODIFIED_NEW
} PqlReturning;

struct PqlStatement
{
	PqlStatementKind kind;
	char	   *table;			/* the table's name, as written */
	char	   *index;			/* SELECT FROM "t"."index", else NULL */
	int			nproj;			/* SELECT: 0 for '*' */
	PqlNode   **proj;			/* ... else the paths */
	PqlNode    *where;			/* NULL: none */
	int			norder;			/* SELECT ... ORDER BY path [ASC|DESC], ... */
	PqlNode    *order_by[2];	/* (at most two: the key's attributes) */
	bool		order_desc[2];
	PqlNode    *value;			/* INSERT's VALUE */
	int			nsets;			/* UPDATE: SET and REMOVE clauses, in order */
	PqlSetClause *sets;
	PqlReturning returning;
	PqlStatement *sub;			/* PQL_EXISTS: its SELECT */
	int			nparams;		/* the '?' the statement holds */
};

/*
 * Parse 'text' (len bytes; it need not end with NUL): ValidationException
 * for a statement that is not well formed or a form DynamoDB refuses at
 * parse time.  The result is palloc'd in the current memory context; its
 * strings point into a copy of the text.
 */
extern PqlStatement *dynpg_partiql_parse(const char *text, int len);

/* the name of a function as PartiQL spells it, for messages */
extern const char *dynpg_partiql_func_name(PqlFunc f);

/* ValidationException "Statement wasn't well formed, can't be processed: <detail>" */
extern void dynpg_partiql_syntax_error(const char *detail) pg_attribute_noreturn();

#endif							/* DYNPG_PARTIQL_H */
