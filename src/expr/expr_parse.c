/*-------------------------------------------------------------------------
 *
 * expr_parse.c
 *	  The lexer and parser of DynamoDB's expressions, and their validation.
 *
 * One lexer serves every expression type; a recursive-descent parser
 * builds DynExprNode trees.  Precedence, low to high: OR, AND, NOT, then
 * comparisons, BETWEEN, IN and functions.  Every error is a
 * ValidationException "Invalid <label>: <reason>", as DynamoDB words them.
 *
 * The grammar is src/expr/README's ("Grammar", which also lists the
 * function of each production); each parse function's comment quotes the
 * productions it parses.  An
 * entry point checks the length, lexes the whole text into an array of
 * tokens ending in T_EOF, and then the parse functions walk it with
 * p->pos.  What every parse function guarantees, so that callers can rely
 * on it:
 *	- it starts at p->pos and returns with p->pos at the first token it did
 *	  not consume; it never moves past T_EOF;
 *	- on any error it raises (ereport, no return), so a returned node is
 *	  complete and has passed every check that needs no item: operand types
 *	  of constants, function arities and argument kinds, path limits;
 *	- names and values are resolved: a DX_PATH holds attribute names (a
 *	  #name replaced by its ExpressionAttributeNames value), a DX_VALUE a
 *	  DynRef into ctx->values_item, so the context must live as long as the
 *	  tree; every #name and :value met is marked used in the context.
 * The order of the checks decides which message a request with several
 * faults gets, and the regression suites (sql/expr_*.sql) pin many of
 * these orders: moving a check is a change of behaviour.  A syntax error
 * quotes the current token, so it must be raised with p->pos on the
 * offending token.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/jsonb.h"

#include "base/dynpg_request.h"
#include "base/dynpg_error.h"
#include "expr/dynpg_expr.h"

/* Token types; keywords and function names are T_NAME (see lex). */
typedef enum TokType
{
	T_EOF,
	T_NAME,
	T_HASHNAME,
	T_VALUE,
	T_INT,
	T_LPAREN,
	T_RPAREN,
	T_LBRACK,
	T_RBRACK,
	T_COMMA,
	T_DOT,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_PLUS,
	T_MINUS,
	T_BAD
} TokType;

/* A token: its type and its bytes in the expression text. */
typedef struct Token
{
	TokType		type;
	int			start;			/* byte offset in Parser.text */
	int			len;			/* bytes; 0 for T_EOF */
} Token;

typedef struct Parser
{
	DynExprContext *ctx;
	const char *text;
	int			textlen;
	Token	   *toks;
	int			ntoks;
	int			pos;			/* the current token */
	int			noperators;		/* counted so far (count_operator) */
	bool		update;			/* parsing an UpdateExpression: '+' and '-',
								 * if_not_exists and list_append; no size or
								 * boolean functions */
} Parser;

/* ValidationException "Invalid <ConditionExpression...>: <reason>" */
#define expr_error(p, ...) \
	dynpg_validation_error("Invalid %s: %s", (p)->ctx->label, psprintf(__VA_ARGS__))

/* A character of a name, or of a #name or :value after its first. */
static bool
is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_';
}

/*
 * Split the whole text into tokens, ending with T_EOF (start = textlen),
 * before anything is parsed.  Space, tab, CR and LF separate tokens and are
 * dropped.  The tokens:
 *	- T_NAME [A-Za-z][A-Za-z0-9_]*: bare attribute names, keywords and
 *	  function names alike; the parser tells them apart (tok_is_keyword,
 *	  case-insensitive; parse_simple_operand: a T_NAME followed by '(' is a
 *	  function call; parse_path: a bare name must not be reserved).  A
 *	  name cannot start with '_': DynamoDB's grammar reads "_version" as
 *	  the token "_" then the name "version", a syntax error at "_" in
 *	  every kind of expression;
 *	- T_INT 0|[1-9][0-9]*: valid only as a list index (so "a[-1]" is a
 *	  syntax error at '-'); "03" is the two tokens "0" and "3", as DynamoDB
 *	  reads it ("near: "#m_2021-0"" for "#m_2021-03");
 *	- T_HASHNAME, T_VALUE: '#' or ':' and at least one [A-Za-z0-9_], the
 *	  prefix included in the token, as in the request's map keys
 *	  (valid_key accepts exactly these);
 *	- punctuation and the comparators, '<>', '<=' and '>=' as one token;
 *	- T_BAD: anything else (and a lone '#' or ':'), one whole UTF-8
 *	  character, which no production accepts: the parser reports it as a
 *	  syntax error quoting it.
 * Never raises: lexical faults surface as syntax errors where the parser
 * meets them, after whatever errors the text before them gives.  There are
 * at most as many tokens as bytes, so the array is never reallocated.
 */
static void
lex(Parser *p)
{
	const char *s = p->text;
	int			n = p->textlen;
	int			i = 0;

	p->toks = palloc(sizeof(Token) * (n + 1));
	p->ntoks = 0;
	while (i < n)
	{
		Token	   *t = &p->toks[p->ntoks];
		char		c = s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		{
			i++;
			continue;
		}
		t->start = i;
		t->len = 1;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		{
			t->type = T_NAME;
			while (i + t->len < n && is_word_char(s[i + t->len]))
				t->len++;
		}
		else if (c >= '0' && c <= '9')
		{
			t->type = T_INT;
			while (c != '0' && i + t->len < n && s[i + t->len] >= '0' && s[i + t->len] <= '9')
				t->len++;
		}
		else if (c == '#' || c == ':')
		{
			t->type = c == '#' ? T_HASHNAME : T_VALUE;
			while (i + t->len < n && is_word_char(s[i + t->len]))
				t->len++;
			if (t->len == 1)
				t->type = T_BAD;
		}
		else
		{
			switch (c)
			{
				case '(':
					t->type = T_LPAREN;
					break;
				case ')':
					t->type = T_RPAREN;
					break;
				case '[':
					t->type = T_LBRACK;
					break;
				case ']':
					t->type = T_RBRACK;
					break;
				case ',':
					t->type = T_COMMA;
					break;
				case '.':
					t->type = T_DOT;
					break;
				case '=':
					t->type = T_EQ;
					break;
				case '+':
					t->type = T_PLUS;
					break;
				case '-':
					t->type = T_MINUS;
					break;
				case '<':
					t->type = T_LT;
					if (i + 1 < n && s[i + 1] == '=')
						t->type = T_LE, t->len = 2;
					else if (i + 1 < n && s[i + 1] == '>')
						t->type = T_NE, t->len = 2;
					break;
				case '>':
					t->type = T_GT;
					if (i + 1 < n && s[i + 1] == '=')
						t->type = T_GE, t->len = 2;
					break;
				default:
					t->type = T_BAD;
					/* one whole UTF-8 character */
					while (i + t->len < n && ((unsigned char) s[i + t->len] & 0xC0) == 0x80)
						t->len++;
					break;
			}
		}
		i += t->len;
		p->ntoks++;
	}
	p->toks[p->ntoks].type = T_EOF;
	p->toks[p->ntoks].start = n;
	p->toks[p->ntoks].len = 0;
}

/* The current token (T_EOF at the end; parse functions never pass it). */
static Token *
peek(Parser *p)
{
	return &p->toks[p->pos];
}

static void syntax_error(Parser *p) pg_attribute_noreturn();

/*
 * DynamoDB's "Syntax error; token: "x", near: "prev x next"" at the current
 * token: 'token' is its text, or <EOF>; 'near' is the text as written from
 * the start of the previous token to the end of the next one ("foo-bar"
 * for the "-" of "foo-bar = :v", "INVALID SYNTAX" for the first token of
 * "INVALID SYNTAX HERE", ":type" at the end of "pk = :type").
 */
static void
syntax_error(Parser *p)
{
	Token	   *t = peek(p);
	int			from = p->pos > 0 ? p->toks[p->pos - 1].start : t->start;
	int			to = t->start + t->len;
	char	   *tok = t->type == T_EOF ? "<EOF>" : pnstrdup(p->text + t->start, t->len);

	/* at the end, "near" ends with the last token */
	if (t->type == T_EOF && p->pos > 0)
		to = p->toks[p->pos - 1].start + p->toks[p->pos - 1].len;
	else if (t->type != T_EOF && p->toks[p->pos + 1].type != T_EOF)
		to = p->toks[p->pos + 1].start + p->toks[p->pos + 1].len;

	expr_error(p, "Syntax error; token: \"%s\", near: \"%s\"", tok,
			   pnstrdup(p->text + from, to - from));
}

/* Whether token t is keyword kw (upper case), matched case-insensitively. */
static bool
tok_is_keyword(Parser *p, Token *t, const char *kw)
{
	return t->type == T_NAME && t->len == strlen(kw) &&
		pg_strncasecmp(p->text + t->start, kw, t->len) == 0;
}

/* Consume a token of 'type', or raise a syntax error at the current one. */
static void
expect(Parser *p, TokType type)
{
	if (peek(p)->type != type)
		syntax_error(p);
	p->pos++;
}

/*
 * Count one operator against DynamoDB's limit of DYN_EXPR_MAX_OPERATORS per
 * expression: "The expression contains too many operators; operator count:
 * 301".  Counted: each comparator, BETWEEN, IN, AND, OR and NOT, each
 * function call, '+' and '-', and each update action.  The limit is also
 * what bounds the nesting of NOT chains and function calls.
 */
static void
count_operator(Parser *p)
{
	if (++p->noperators > DYN_EXPR_MAX_OPERATORS)
		expr_error(p, "The expression contains too many operators; operator count: %d",
				   p->noperators);
}

/* A zeroed node of 'kind' with room for nargs arguments. */
static DynExprNode *
new_node(DynExprKind kind, int nargs)
{
	DynExprNode *n = palloc0(sizeof(DynExprNode));

	n->kind = kind;
	n->nargs = nargs;
	if (nargs > 0)
		n->args = palloc0(sizeof(DynExprNode *) * nargs);
	return n;
}

/* ---- names and values ---- */

/*
 * #name: the attribute name token t stands for, from the request's
 * ExpressionAttributeNames (an exact, case-sensitive match of the whole
 * token, '#' included), marked used for dynpg_expr_check_unused.  Returns
 * the context's string (not a copy) and its length in *len; does not move
 * p->pos.  Raises "An expression attribute name used in the document path
 * is not defined; attribute name: #x" (also for a token over 255 bytes,
 * since no key that long was accepted).
 */
static const char *
lookup_name(Parser *p, Token *t, int32 *len)
{
	int			i;

	for (i = 0; i < p->ctx->nnames; i++)
	{
		const char *k = p->ctx->name_keys[i];

		if (strlen(k) == t->len && memcmp(k, p->text + t->start, t->len) == 0)
		{
			p->ctx->name_used[i] = true;
			*len = strlen(p->ctx->name_values[i]);
			return p->ctx->name_values[i];
		}
	}
	expr_error(p, "An expression attribute name used in the document path is not defined; attribute name: %s",
			   pnstrdup(p->text + t->start, t->len));
	return NULL;
}

/*
 * :value -- the current token, which must be a T_VALUE (else a syntax
 * error at it), resolved against the request's ExpressionAttributeValues
 * (exact match, ':' included) and marked used.  Returns a DX_VALUE whose
 * DynRef points into ctx->values_item: a value that already passed the
 * AttributeValue rules in dynpg_expr_context_init, of any type; the
 * caller checks the type where one is required.  Consumes that one token.
 * Raises "An expression attribute value used in expression is not defined;
 * attribute value: :x".
 */
static DynExprNode *
parse_value(Parser *p)
{
	Token	   *t = peek(p);
	DynExprNode *n;
	int			i;

	if (t->type != T_VALUE)
		syntax_error(p);
	for (i = 0; i < p->ctx->nvalues; i++)
	{
		const char *k = p->ctx->value_keys[i];

		if (strlen(k) == t->len && memcmp(k, p->text + t->start, t->len) == 0)
		{
			p->ctx->value_used[i] = true;
			n = new_node(DX_VALUE, 0);
			n->value = p->ctx->value_refs[i];
			p->pos++;
			return n;
		}
	}
	expr_error(p, "An expression attribute value used in expression is not defined; attribute value: %s",
			   pnstrdup(p->text + t->start, t->len));
	return NULL;
}

/* ---- document paths ---- */

/*
 * path := (name | #name) ('.' (name | #name) | '[' digits ']')*
 *
 * Returns a DX_PATH of at least one element, the first a name.  Names are
 * resolved: a bare name is copied, a #name replaced by its attribute name
 * (one element, dots and all).  Consumes the path greedily: it stops at the
 * first token after an element that is neither '.' nor '['.  Whether an
 * element is a name or an index follows from the token before it (start or
 * '.': a name; '[': digits, then ']').  Raises, in the order met:
 *	- a syntax error where a name, digits or ']' is missing;
 *	- "Attribute name is a reserved keyword; reserved keyword: x" (bare
 *	  names only, expr_reserved.c);
 *	- lookup_name's "not defined" for a #name;
 *	- "List index is not within the allowable range; index: n" past
 *	  INT32_MAX;
 *	- "The document path has too many nesting levels; nesting levels: 33"
 *	  past DYN_MAX_DEPTH elements, names and indexes alike.
 */
static DynExprNode *
parse_path(Parser *p)
{
	Token	   *t = peek(p);
	DynExprNode *n = new_node(DX_PATH, 0);
	int			cap = 4;

	n->path.elems = palloc0(sizeof(DynPathElem) * cap);
	for (;;)
	{
		DynPathElem *e;

		if (n->path.n >= cap)
		{
			cap *= 2;
			n->path.elems = repalloc(n->path.elems, sizeof(DynPathElem) * cap);
		}
		e = &n->path.elems[n->path.n];
		memset(e, 0, sizeof(DynPathElem));
		t = peek(p);
		if (n->path.n == 0 || p->toks[p->pos - 1].type == T_DOT)
		{
			/* a name */
			if (t->type == T_NAME)
			{
				if (dynpg_expr_is_reserved(p->text + t->start, t->len))
					expr_error(p, "Attribute name is a reserved keyword; reserved keyword: %s",
							   pnstrdup(p->text + t->start, t->len));
				e->name = pnstrdup(p->text + t->start, t->len);
				e->namelen = t->len;
			}
			else if (t->type == T_HASHNAME)
				e->name = lookup_name(p, t, &e->namelen);
			else
				syntax_error(p);
			p->pos++;
		}
		else
		{
			/* after '[': an index */
			int64		v = 0;
			int			i;

			if (t->type != T_INT)
				syntax_error(p);
			for (i = 0; i < t->len; i++)
			{
				v = v * 10 + (p->text[t->start + i] - '0');
				if (v > PG_INT32_MAX)
					expr_error(p, "List index is not within the allowable range; index: %s",
							   pnstrdup(p->text + t->start, t->len));
			}
			e->is_index = true;
			e->index = (int32) v;
			p->pos++;
			expect(p, T_RBRACK);
		}
		n->path.n++;
		if (n->path.n > DYN_MAX_DEPTH)
			expr_error(p, "The document path has too many nesting levels; nesting levels: %d",
					   n->path.n);
		if (peek(p)->type == T_DOT || peek(p)->type == T_LBRACK)
			p->pos++;
		else
			break;
	}
	return n;
}

/* A path as DynamoDB's messages print it: "[a, b, [3]]", names as resolved. */
char *
dynpg_expr_path_text(const DynExprPath *path)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (i = 0; i < path->n; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		if (path->elems[i].is_index)
			appendStringInfo(&buf, "[%d]", path->elems[i].index);
		else
			appendBinaryStringInfo(&buf, path->elems[i].name, path->elems[i].namelen);
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * Two paths overlap if one is a prefix of the other, and conflict if they
 * part where one has a name and the other an index.  The paths of one
 * projection, or of all the actions of one update, must do neither:
 * raises "Two document paths overlap with each other; ..." or "Two
 * document paths conflict with each other; ...", with both paths printed
 * in the order given (a before b).  Paths that part at two different
 * names, or two different indexes, are fine.
 */
static void
check_paths_disjoint(Parser *p, const DynExprPath *a, const DynExprPath *b)
{
	int			i;

	for (i = 0; i < a->n && i < b->n; i++)
	{
		const DynPathElem *x = &a->elems[i];
		const DynPathElem *y = &b->elems[i];

		if (x->is_index != y->is_index)
			expr_error(p, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s",
					   dynpg_expr_path_text(a), dynpg_expr_path_text(b));
		if (x->is_index ? x->index != y->index :
			(x->namelen != y->namelen || memcmp(x->name, y->name, x->namelen) != 0))
			return;
	}
	expr_error(p, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s",
			   dynpg_expr_path_text(a), dynpg_expr_path_text(b));
}

/* ---- operands and functions ---- */

/*
 * The operand type in the messages of functions and of '+' and '-':
 * the type descriptor ("S", "N", "L", ...).  Compare type_word.
 */
static const char *
value_type_word(DynType t)
{
	return dynpg_type_name(t);
}

/*
 * The operand type in the messages of ADD, DELETE, the comparisons and
 * BETWEEN: a word ("STRING", "NUMBER", "STRING SET", ...).  DynamoDB spells
 * the type differently in the two groups of messages, and the regression
 * tests expect each form where it is: keep them apart.
 */
static const char *
type_word(DynType t)
{
	switch (t)
	{
		case DYN_T_S:
			return "STRING";
		case DYN_T_N:
			return "NUMBER";
		case DYN_T_B:
			return "BINARY";
		case DYN_T_BOOL:
			return "BOOLEAN";
		case DYN_T_NULL:
			return "NULL";
		case DYN_T_M:
			return "MAP";
		case DYN_T_L:
			return "LIST";
		case DYN_T_SS:
			return "STRING SET";
		case DYN_T_NS:
			return "NUMBER SET";
		case DYN_T_BS:
			return "BINARY SET";
	}
	return "?";
}

static DynExprNode *parse_operand(Parser *p);
static DynExprNode *parse_simple_operand(Parser *p);
static DynExprNode *parse_or(Parser *p);

/* The boolean functions: a condition on their own, never an operand. */
static bool
is_condition_function(DynExprKind k)
{
	return k == DX_ATTR_EXISTS || k == DX_ATTR_NOT_EXISTS || k == DX_ATTR_TYPE ||
		k == DX_BEGINS_WITH || k == DX_CONTAINS;
}

/* A function node's name as written ("attribute_exists", "size", ...). */
const char *
dynpg_expr_function_name(DynExprKind k)
{
	switch (k)
	{
		case DX_ATTR_EXISTS:
			return "attribute_exists";
		case DX_ATTR_NOT_EXISTS:
			return "attribute_not_exists";
		case DX_ATTR_TYPE:
			return "attribute_type";
		case DX_BEGINS_WITH:
			return "begins_with";
		case DX_CONTAINS:
			return "contains";
		case DX_SIZE:
			return "size";
		case DX_IF_NOT_EXISTS:
			return "if_not_exists";
		case DX_LIST_APPEND:
			return "list_append";
		default:
			return "?";
	}
}

/* "Operator or function requires a document path" unless arg is a path */
static void
require_path_operand(Parser *p, DynExprNode *fn, DynExprNode *arg)
{
	if (arg->kind != DX_PATH)
		expr_error(p, "Operator or function requires a document path; operator or function: %s",
				   dynpg_expr_function_name(fn->kind));
}

/*
 * The rules of a parsed function call that need no item, in this order:
 *	1. the number of arguments: one for attribute_exists,
 *	   attribute_not_exists and size, two for the others ("Incorrect number
 *	   of operands for operator or function; operator or function: f,
 *	   number of operands: n");
 *	2. a boolean function as an argument: a syntax error, raised at the
 *	   token after the call (p->pos has passed its ')');
 *	3. per function: a path first for attribute_exists,
 *	   attribute_not_exists, attribute_type and if_not_exists ("Operator or
 *	   function requires a document path"); attribute_type's second a
 *	   :value of type S naming one of the ten type descriptors; constant
 *	   arguments of begins_with S or B, of list_append L, of size one with
 *	   a size (not N, BOOL or NULL) ("Incorrect operand type ..."); no
 *	   list_append directly inside list_append ("The function is not
 *	   allowed to be used this way in an expression"); contains not given
 *	   the same path twice.
 * Arguments that are paths (or size() calls) are checked against the item
 * only when evaluated (expr_eval.c).
 */
static void
check_function(Parser *p, DynExprNode *fn)
{
	int			want;
	int			i;

	switch (fn->kind)
	{
		case DX_ATTR_EXISTS:
		case DX_ATTR_NOT_EXISTS:
		case DX_SIZE:
			want = 1;
			break;
		default:
			want = 2;
			break;
	}
	if (fn->nargs != want)
		expr_error(p, "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d",
				   dynpg_expr_function_name(fn->kind), fn->nargs);
	for (i = 0; i < fn->nargs; i++)
		if (is_condition_function(fn->args[i]->kind))
			syntax_error(p);
	switch (fn->kind)
	{
		case DX_ATTR_EXISTS:
		case DX_ATTR_NOT_EXISTS:
		case DX_IF_NOT_EXISTS:
			require_path_operand(p, fn, fn->args[0]);
			break;
		case DX_ATTR_TYPE:
			require_path_operand(p, fn, fn->args[0]);
			if (fn->args[1]->kind != DX_VALUE)
				expr_error(p, "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: PATH");
			{
				DynRef	   *v = &fn->args[1]->value;

				if (v->type != DYN_T_S)
					expr_error(p, "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: %s",
							   value_type_word(v->type));
				if (dynpg_type_from_name((const char *) v->data, v->len) == 0)
					expr_error(p, "Invalid attribute type name found; type: %s, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }",
							   pnstrdup((const char *) v->data, v->len));
			}
			break;
		case DX_BEGINS_WITH:
			for (i = 0; i < 2; i++)
				if (fn->args[i]->kind == DX_VALUE &&
					fn->args[i]->value.type != DYN_T_S && fn->args[i]->value.type != DYN_T_B)
					expr_error(p, "Incorrect operand type for operator or function; operator or function: begins_with, operand type: %s",
							   value_type_word(fn->args[i]->value.type));
			break;
		case DX_CONTAINS:
			if (fn->args[0]->kind == DX_PATH && fn->args[1]->kind == DX_PATH &&
				strcmp(dynpg_expr_path_text(&fn->args[0]->path),
					   dynpg_expr_path_text(&fn->args[1]->path)) == 0)
				expr_error(p, "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: %s",
						   dynpg_expr_path_text(&fn->args[0]->path));
			break;
		case DX_SIZE:
			/* a constant must have a size: not N, BOOL or NULL */
			if (fn->args[0]->kind == DX_VALUE &&
				(fn->args[0]->value.type == DYN_T_N || fn->args[0]->value.type == DYN_T_BOOL ||
				 fn->args[0]->value.type == DYN_T_NULL))
				expr_error(p, "Incorrect operand type for operator or function; operator or function: size, operand type: %s",
						   value_type_word(fn->args[0]->value.type));
			break;
		case DX_LIST_APPEND:
			/* list_append(if_not_exists(a, :v), :w) is taken, list_append in list_append not */
			for (i = 0; i < 2; i++)
				if (fn->args[i]->kind == DX_LIST_APPEND)
					expr_error(p, "The function is not allowed to be used this way in an expression; function: list_append");
			for (i = 0; i < 2; i++)
				if (fn->args[i]->kind == DX_VALUE && fn->args[i]->value.type != DYN_T_L)
					expr_error(p, "Incorrect operand type for operator or function; operator or function: list_append, operand type: %s",
							   value_type_word(fn->args[i]->value.type));
			break;
		default:
			break;
	}
}

/*
 * function := fname '(' operand (',' operand)* ')'
 *
 * Called with p->pos at the name, which the caller has seen followed by
 * '('.  fname is one of the eight function names, matched
 * case-sensitively, else "Invalid function name; function: f" before any
 * argument is read.  In an update only if_not_exists and list_append are
 * allowed ("The function is not allowed in an update expression; function:
 * f"), in a condition every other one ("The function is not allowed in a
 * condition expression; function: f").  Counts one operator.  Each argument
 * is parse_simple_operand's: DynamoDB's grammar takes "f(x) + g(y)" but
 * not "f(x + y)", a syntax error at the '+'; an
 * empty list is a syntax error at ')', more than lengthof(args) arguments
 * only an arity error.  Returns a node of the function's kind with its
 * arguments, the input consumed through ')', after check_function.  Whether
 * a boolean function may stand where it is, is the caller's decision
 * (parse_primary, check_operand_use).
 */
static DynExprNode *
parse_function(Parser *p)
{
	Token	   *t = peek(p);
	const char *name = p->text + t->start;
	int			len = t->len;
	DynExprKind kind;
	DynExprNode *fn;
	DynExprNode *args[8];
	int			nargs = 0;

#define FN_IS(s) (len == strlen(s) && memcmp(name, s, len) == 0)
	if (FN_IS("attribute_exists"))
		kind = DX_ATTR_EXISTS;
	else if (FN_IS("attribute_not_exists"))
		kind = DX_ATTR_NOT_EXISTS;
	else if (FN_IS("attribute_type"))
		kind = DX_ATTR_TYPE;
	else if (FN_IS("begins_with"))
		kind = DX_BEGINS_WITH;
	else if (FN_IS("contains"))
		kind = DX_CONTAINS;
	else if (FN_IS("size"))
		kind = DX_SIZE;
	else if (FN_IS("if_not_exists"))
		kind = DX_IF_NOT_EXISTS;
	else if (FN_IS("list_append"))
		kind = DX_LIST_APPEND;
	else
		expr_error(p, "Invalid function name; function: %s", pnstrdup(name, len));
#undef FN_IS

	if (p->update && kind != DX_IF_NOT_EXISTS && kind != DX_LIST_APPEND)
		expr_error(p, "The function is not allowed in an update expression; function: %s",
				   dynpg_expr_function_name(kind));
	if (!p->update && (kind == DX_IF_NOT_EXISTS || kind == DX_LIST_APPEND))
		expr_error(p, "The function is not allowed in a condition expression; function: %s",
				   dynpg_expr_function_name(kind));
	count_operator(p);
	p->pos += 2;				/* name and '(' */
	if (peek(p)->type == T_RPAREN)
		syntax_error(p);
	for (;;)
	{
		/* no '+' or '-' inside a call: "if_not_exists(a, :v + :w)" fails at '+' */
		DynExprNode *a = parse_simple_operand(p);

		if (nargs < lengthof(args))
			args[nargs] = a;
		nargs++;
		if (peek(p)->type == T_COMMA)
			p->pos++;
		else
			break;
	}
	expect(p, T_RPAREN);
	fn = new_node(kind, Min(nargs, (int) lengthof(args)));
	memcpy(fn->args, args, sizeof(DynExprNode *) * fn->nargs);
	fn->nargs = nargs;
	if (nargs > (int) lengthof(args))
		expr_error(p, "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d",
				   dynpg_expr_function_name(kind), nargs);
	check_function(p, fn);
	return fn;
}

/*
 * operand2  := path | :value | if_not_exists(path, value) | list_append(value, value)
 *
 * and, in a condition, the whole of
 * operand   := path | :value | size '(' operand ')'
 *
 * A :value (parse_value), a function call (a T_NAME followed by '(', even
 * an unknown or reserved name: parse_function names it in its error), or
 * a path (parse_path); any other token is a syntax error at it.  May
 * return DX_VALUE, DX_PATH or any function kind, boolean ones included:
 * the caller refuses those where an operand is needed.
 */
static DynExprNode *
parse_simple_operand(Parser *p)
{
	Token	   *t = peek(p);

	check_stack_depth();
	if (t->type == T_VALUE)
		return parse_value(p);
	if (t->type == T_NAME && p->toks[p->pos + 1].type == T_LPAREN)
		return parse_function(p);
	if (t->type == T_NAME || t->type == T_HASHNAME)
		return parse_path(p);
	syntax_error(p);
	return NULL;
}

/*
 * operand   := path | :value | size '(' operand ')'    (a condition)
 * value     := operand2 (('+' | '-') operand2)?         (an update)
 *
 * parse_simple_operand, and in an update at most one '+' or '-' with a
 * second one: a DX_PLUS or DX_MINUS node (one operator counted) whose
 * constant operands must be numbers ("Incorrect operand type for operator
 * or function; operator or function: +, operand type: S").  A second '+'
 * or '-' is left unconsumed, for the caller to fail on; in a condition '+'
 * and '-' are never consumed.
 */
static DynExprNode *
parse_operand(Parser *p)
{
	DynExprNode *n = parse_simple_operand(p);

	if (p->update && (peek(p)->type == T_PLUS || peek(p)->type == T_MINUS))
	{
		DynExprNode *op = new_node(peek(p)->type == T_PLUS ? DX_PLUS : DX_MINUS, 2);
		int			i;

		count_operator(p);
		p->pos++;
		op->args[0] = n;
		op->args[1] = parse_simple_operand(p);
		for (i = 0; i < 2; i++)
			if (op->args[i]->kind == DX_VALUE && op->args[i]->value.type != DYN_T_N)
				expr_error(p, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
						   op->kind == DX_PLUS ? "+" : "-",
						   value_type_word(op->args[i]->value.type));
		n = op;
	}
	return n;
}

/* ---- conditions ---- */

/*
 * comparator := '=' | '<>' | '<' | '<=' | '>' | '>='
 *
 * Whether token type t is one, and which (*op).  parse_primary prints an
 * operator by indexing its names[] with DynCmpOp: keep the two in step.
 */
static bool
cmp_token(TokType t, DynCmpOp *op)
{
	switch (t)
	{
		case T_EQ:
			*op = DX_EQ;
			return true;
		case T_NE:
			*op = DX_NE;
			return true;
		case T_LT:
			*op = DX_LT;
			return true;
		case T_LE:
			*op = DX_LE;
			return true;
		case T_GT:
			*op = DX_GT;
			return true;
		case T_GE:
			*op = DX_GE;
			return true;
		default:
			return false;
	}
}

/*
 * A boolean function used as an operand (of a comparator, BETWEEN or IN):
 * "The function is not allowed to be used this way in an expression;
 * function: f".
 */
static void
check_operand_use(Parser *p, DynExprNode *n)
{
	if (is_condition_function(n->kind))
		expr_error(p, "The function is not allowed to be used this way in an expression; function: %s",
				   dynpg_expr_function_name(n->kind));
}

/*
 * DynamoDB's order of two constant values of one type, or false if
 * unordered: S and B bytewise, N too since numbers are held in their
 * sortable encoding (types/README); a proper prefix comes first.
 */
static bool
const_less(const DynRef *a, const DynRef *b)
{
	int			c;

	if (a->type != b->type ||
		(a->type != DYN_T_S && a->type != DYN_T_N && a->type != DYN_T_B))
		return false;
	c = memcmp(a->data, b->data, Min(a->len, b->len));
	return c < 0 || (c == 0 && a->len < b->len);
}

/* a scalar as DynamoDB's messages print it: {N:10}, {S:abc} */
static void
append_attribute_value(StringInfo buf, const DynRef *v)
{
	if (v->type == DYN_T_S)
	{
		appendStringInfoString(buf, "{S:");
		appendBinaryStringInfo(buf, (const char *) v->data, v->len);
		appendStringInfoChar(buf, '}');
	}
	else if (v->type == DYN_T_N)
	{
		DynNumber	num;

		dynpg_number_from_ref(v, &num);
		appendStringInfo(buf, "{N:%s}", dynpg_num_to_cstring(&num));
	}
	else
		dynpg_value_append_text(v, buf);
}

/* a constant operand of <, <=, >, >= or BETWEEN must be a number, string or binary */
static void
check_orderable(Parser *p, const char *op, DynExprNode *n)
{
	if (n->kind == DX_VALUE && n->value.type != DYN_T_S && n->value.type != DYN_T_N &&
		n->value.type != DYN_T_B)
		expr_error(p, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
				   op, type_word(n->value.type));
}

/*
 * Two constant bounds of BETWEEN are checked before any item is read: they
 * must have one type, and the lower must not be above the upper.  (Only the
 * bounds: a path among them is compared when the item is, and a mismatch
 * there is just false.)
 */
static void
check_between_bounds(Parser *p, const DynRef *lo, const DynRef *hi)
{
	const char *problem;
	StringInfoData lotext;
	StringInfoData hitext;

	if (lo->type != hi->type)
		problem = "requires same data type for lower and upper bounds";
	else if (const_less(hi, lo))
		problem = "requires upper bound to be greater than or equal to lower bound";
	else
		return;
	initStringInfo(&lotext);
	initStringInfo(&hitext);
	append_attribute_value(&lotext, lo);
	append_attribute_value(&hitext, hi);
	expr_error(p, "The BETWEEN operator %s; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s",
			   problem, lotext.data, hitext.data);
}

/*
 * primary   := '(' condition ')'
 *            | function                          -- a boolean function
 *            | operand comparator operand
 *            | operand BETWEEN operand AND operand
 *            | operand IN '(' operand (',' operand)* ')'
 *
 * Returns a condition: DX_CMP, DX_BETWEEN (operand, lower, upper), DX_IN
 * (the operand, then 1 to DYN_EXPR_MAX_IN candidates), a boolean function,
 * or, for '(' condition ')', parse_or's node with 'parens' set.  Never an
 * operand kind (path, value, size, '+' or '-').  The AND of BETWEEN is
 * consumed here, so parse_and never sees it.  One operator is counted for
 * a comparator, BETWEEN or IN (a function counts its own).  Raises:
 *	- "The expression has redundant parentheses;" for a parenthesised
 *	  condition directly inside another pair (the flag lives on the node:
 *	  "((a = :v) AND b = :w)" is fine);
 *	- "The function is not allowed to be used this way in an expression"
 *	  for a boolean function followed by a comparator, BETWEEN or IN, or
 *	  used as one of their operands, and for size() standing alone;
 *	- "Incorrect operand type ..." (type_word) for a constant operand of
 *	  <, <=, >, >= or BETWEEN that is not S, N or B; = and <> compare
 *	  constants of any types (README, "Deliberately not refused");
 *	- check_between_bounds' messages when both bounds are constants;
 *	- "The IN operator is provided with too many operands; number of
 *	  operands: 101" once the 101st candidate is read;
 *	- a syntax error at the first token that fits none of the forms (a
 *	  path or value standing alone, BETWEEN without its AND, a missing
 *	  parenthesis).
 */
static DynExprNode *
parse_primary(Parser *p)
{
	DynExprNode *lhs;
	DynExprNode *n;
	DynCmpOp	op;

	check_stack_depth();
	if (peek(p)->type == T_LPAREN)
	{
		p->pos++;
		n = parse_or(p);
		expect(p, T_RPAREN);
		if (n->parens)
			expr_error(p, "The expression has redundant parentheses;");
		n->parens = true;
		return n;
	}
	lhs = parse_operand(p);
	if (is_condition_function(lhs->kind))
	{
		if (cmp_token(peek(p)->type, &op) || tok_is_keyword(p, peek(p), "BETWEEN") ||
			tok_is_keyword(p, peek(p), "IN"))
			check_operand_use(p, lhs);
		return lhs;
	}
	if (cmp_token(peek(p)->type, &op))
	{
		count_operator(p);
		p->pos++;
		n = new_node(DX_CMP, 2);
		n->cmp = op;
		n->args[0] = lhs;
		n->args[1] = parse_operand(p);
		check_operand_use(p, n->args[1]);
		if (op != DX_EQ && op != DX_NE)
		{
			static const char *const names[] = {"=", "<>", "<", "<=", ">", ">="};

			check_orderable(p, names[op], n->args[0]);
			check_orderable(p, names[op], n->args[1]);
		}
		return n;
	}
	if (tok_is_keyword(p, peek(p), "BETWEEN"))
	{
		count_operator(p);
		p->pos++;
		n = new_node(DX_BETWEEN, 3);
		n->args[0] = lhs;
		n->args[1] = parse_operand(p);
		check_operand_use(p, n->args[1]);
		if (!tok_is_keyword(p, peek(p), "AND"))
			syntax_error(p);
		p->pos++;
		n->args[2] = parse_operand(p);
		check_operand_use(p, n->args[2]);
		for (int i = 0; i < 3; i++)
			check_orderable(p, "BETWEEN", n->args[i]);
		if (n->args[1]->kind == DX_VALUE && n->args[2]->kind == DX_VALUE)
			check_between_bounds(p, &n->args[1]->value, &n->args[2]->value);
		return n;
	}
	if (tok_is_keyword(p, peek(p), "IN"))
	{
		DynExprNode **items;
		int			count = 0;

		count_operator(p);
		p->pos++;
		expect(p, T_LPAREN);
		items = palloc(sizeof(DynExprNode *) * (DYN_EXPR_MAX_IN + 1));
		for (;;)
		{
			DynExprNode *a = parse_operand(p);

			check_operand_use(p, a);
			if (count >= DYN_EXPR_MAX_IN)
				expr_error(p, "The IN operator is provided with too many operands; number of operands: %d",
						   count + 1);
			items[count++] = a;
			if (peek(p)->type == T_COMMA)
				p->pos++;
			else
				break;
		}
		expect(p, T_RPAREN);
		n = new_node(DX_IN, count + 1);
		n->args[0] = lhs;
		memcpy(n->args + 1, items, sizeof(DynExprNode *) * count);
		return n;
	}
	if (lhs->kind == DX_SIZE)
		expr_error(p, "The function is not allowed to be used this way in an expression; function: size");
	syntax_error(p);
	return NULL;
}

/*
 * not       := NOT not | primary
 *
 * A DX_NOT (one operator counted) around the next 'not', or parse_primary's
 * condition.  NOT is a keyword in any case.
 */
static DynExprNode *
parse_not(Parser *p)
{
	check_stack_depth();
	if (tok_is_keyword(p, peek(p), "NOT"))
	{
		DynExprNode *n = new_node(DX_NOT, 1);

		count_operator(p);
		p->pos++;
		n->args[0] = parse_not(p);
		return n;
	}
	return parse_primary(p);
}

/*
 * and       := not (AND not)*
 *
 * A left-deep chain of binary DX_AND nodes (one operator counted each),
 * or the single 'not'.
 */
static DynExprNode *
parse_and(Parser *p)
{
	DynExprNode *n = parse_not(p);

	while (tok_is_keyword(p, peek(p), "AND"))
	{
		DynExprNode *a = new_node(DX_AND, 2);

		count_operator(p);
		p->pos++;
		a->args[0] = n;
		a->args[1] = parse_not(p);
		n = a;
	}
	return n;
}

/*
 * condition := and (OR and)*
 *
 * A left-deep chain of binary DX_OR nodes (one operator counted each), or
 * the single 'and'.  Returns a condition node (never an operand kind) and
 * stops at the first token that continues none of the productions: the
 * caller checks that it is ')' or the end.
 */
static DynExprNode *
parse_or(Parser *p)
{
	DynExprNode *n = parse_and(p);

	while (tok_is_keyword(p, peek(p), "OR"))
	{
		DynExprNode *o = new_node(DX_OR, 2);

		count_operator(p);
		p->pos++;
		o->args[0] = n;
		o->args[1] = parse_and(p);
		n = o;
	}
	return n;
}

/* ---- entry points ---- */

/*
 * Start parsing 'text' as expression 'label' ("ConditionExpression", ...):
 * the name is set in the context for the messages (and stays there until
 * the next expression).  Raises, before anything else, "Expression size
 * has exceeded the maximum allowed size; expression size: n" (bytes, over
 * DYN_EXPR_MAX_LEN), then, after lexing, "The expression can not be
 * empty;" when the text is empty or only white space.
 */
static void
parser_start(Parser *p, DynExprContext *ctx, const char *text, const char *label)
{
	memset(p, 0, sizeof(Parser));
	ctx->label = label;
	p->ctx = ctx;
	p->text = text;
	p->textlen = strlen(text);
	if (p->textlen > DYN_EXPR_MAX_LEN)
		expr_error(p, "Expression size has exceeded the maximum allowed size; expression size: %d",
				   p->textlen);
	lex(p);
	if (p->ntoks == 0)
		expr_error(p, "The expression can not be empty;");
}

/*
 * A condition: ConditionExpression, FilterExpression or
 * KeyConditionExpression, named by 'label' in the messages.  The whole
 * text must be one 'condition' (parse_or); anything after it is a syntax
 * error at its first token.  Returns a tree of condition nodes whose
 * leaves are paths, values and size() calls, resolved as the file header
 * says.  A key condition's own rules are expr_key.c's.
 */
DynExprNode *
dynpg_expr_parse_condition(DynExprContext *ctx, const char *text, const char *label)
{
	Parser		p;
	DynExprNode *n;

	parser_start(&p, ctx, text, label);
	n = parse_or(&p);
	if (peek(&p)->type != T_EOF)
		syntax_error(&p);
	return n;
}

/*
 * projection := path (',' path)*
 *
 * Returns the resolved paths (at least one) in the order written, their
 * count in *npaths.  Each must start with a name or #name (else a syntax
 * error at that token), and the whole text must be consumed (else a syntax
 * error at the first token left, such as a function call's '(').  Only
 * when all of it has parsed are the paths checked pairwise
 * (check_paths_disjoint), so a syntax error anywhere beats an overlap.
 * Counts no operators.  At most one path per token, hence the array size.
 */
DynExprPath *
dynpg_expr_parse_projection(DynExprContext *ctx, const char *text, int *npaths)
{
	Parser		p;
	DynExprPath *paths;
	int			n = 0;
	int			i;
	int			j;

	parser_start(&p, ctx, text, "ProjectionExpression");
	paths = palloc(sizeof(DynExprPath) * (p.ntoks + 1));
	for (;;)
	{
		Token	   *t = peek(&p);

		if (t->type != T_NAME && t->type != T_HASHNAME)
			syntax_error(&p);
		paths[n++] = parse_path(&p)->path;
		if (peek(&p)->type == T_COMMA)
			p.pos++;
		else
			break;
	}
	if (peek(&p)->type != T_EOF)
		syntax_error(&p);
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			check_paths_disjoint(&p, &paths[j], &paths[i]);
	*npaths = n;
	return paths;
}

/*
 * update    := clause+        -- SET, REMOVE, ADD, DELETE, each at most once
 * SET       := path '=' value (',' path '=' value)*
 * REMOVE    := path (',' path)*
 * ADD       := path :value (',' path :value)*
 * DELETE    := path :value (',' path :value)*
 *
 * Each clause is its keyword (any case) and its comma-separated actions;
 * a keyword given twice raises "The "SET" section can only be used once in
 * an update expression;" (the keyword in upper case).  Each action's path
 * must start with a name or #name and counts one operator.  SET's value is
 * parse_operand's 'value'.  ADD's and DELETE's operand must be a :value (a
 * path is a syntax error), typed at parse time: ADD a number or a set,
 * DELETE a set ("Incorrect operand type for operator or function;
 * operator: ADD, operand type: STRING", type_word).  Anything but a
 * keyword where a clause must start is a syntax error.
 *
 * Returns the actions in the order written (expr_eval.c decides the order
 * of applying them), only_remove set when all are REMOVEs.  Once the whole
 * text has parsed, the paths of all actions, across clauses, are checked
 * pairwise (check_paths_disjoint).  Updates of key attributes need the
 * table: dynpg_expr_check_update_keys, later.  Every action takes at least
 * one token, hence the array size.
 */
DynUpdate *
dynpg_expr_parse_update(DynExprContext *ctx, const char *text)
{
	Parser		p;
	DynUpdate  *upd = palloc0(sizeof(DynUpdate));
	bool		seen[4] = {false, false, false, false};
	static const char *const words[4] = {"SET", "REMOVE", "ADD", "DELETE"};
	int			cap;
	int			i;
	int			j;

	parser_start(&p, ctx, text, "UpdateExpression");
	p.update = true;
	cap = p.ntoks + 1;
	upd->clauses = palloc0(sizeof(DynUpdateClause) * cap);
	upd->only_remove = true;
	while (peek(&p)->type != T_EOF)
	{
		int			action = -1;

		for (i = 0; i < 4; i++)
			if (tok_is_keyword(&p, peek(&p), words[i]))
				action = i;
		if (action < 0)
			syntax_error(&p);
		if (seen[action])
			expr_error(&p, "The \"%s\" section can only be used once in an update expression;",
					   words[action]);
		seen[action] = true;
		p.pos++;
		for (;;)
		{
			DynUpdateClause *c = &upd->clauses[upd->nclauses];
			Token	   *t = peek(&p);

			if (t->type != T_NAME && t->type != T_HASHNAME)
				syntax_error(&p);
			c->action = (DynUpdateAction) action;
			c->path = parse_path(&p)->path;
			count_operator(&p);
			if (action != DU_REMOVE)
				upd->only_remove = false;
			if (action == DU_SET)
			{
				expect(&p, T_EQ);
				c->value = parse_operand(&p);
			}
			else if (action == DU_ADD || action == DU_DELETE)
			{
				DynType		vt;

				c->value = parse_value(&p);
				vt = c->value->value.type;
				if (action == DU_ADD && vt != DYN_T_N && vt != DYN_T_SS &&
					vt != DYN_T_NS && vt != DYN_T_BS)
					expr_error(&p, "Incorrect operand type for operator or function; operator: ADD, operand type: %s",
							   type_word(vt));
				if (action == DU_DELETE && vt != DYN_T_SS && vt != DYN_T_NS && vt != DYN_T_BS)
					expr_error(&p, "Incorrect operand type for operator or function; operator: DELETE, operand type: %s",
							   type_word(vt));
			}
			upd->nclauses++;
			if (peek(&p)->type == T_COMMA)
				p.pos++;
			else
				break;
		}
	}
	for (i = 0; i < upd->nclauses; i++)
		for (j = 0; j < i; j++)
			check_paths_disjoint(&p, &upd->clauses[j].path, &upd->clauses[i].path);
	return upd;
}

/*
 * Refuse an update action, of any kind, whose path starts at a key
 * attribute of 'ks': "One or more parameter values were invalid: Cannot
 * update attribute pk. This attribute is part of the key" for the first
 * such action in the order written.  The API calls it once the table is
 * open and the key checked, for AttributeUpdates' parsed form as well.
 */
void
dynpg_expr_check_update_keys(DynUpdate *upd, const DynKeySchema *ks)
{
	int			i;

	for (i = 0; i < upd->nclauses; i++)
	{
		const DynPathElem *e = &upd->clauses[i].path.elems[0];

		if ((e->namelen == ks->pk_namelen && memcmp(e->name, ks->pk_name, e->namelen) == 0) ||
			(ks->sk_name != NULL && e->namelen == ks->sk_namelen &&
			 memcmp(e->name, ks->sk_name, e->namelen) == 0))
			dynpg_req_invalid_parameter("Cannot update attribute %s. This attribute is part of the key",
										pnstrdup(e->name, e->namelen));
	}
}

/*
 * The type an update action gives its attribute when the request alone
 * decides it, else 0: a constant's (SET to a :value, ADD of a :value),
 * '+' and '-' give N, list_append L.  Values copied from the item are
 * known only when the update runs.
 */
static DynType
update_result_type(const DynUpdateClause *c)
{
	if (c->action == DU_ADD && c->value != NULL && c->value->kind == DX_VALUE)
		return c->value->value.type;
	if (c->action != DU_SET || c->value == NULL)
		return 0;
	switch (c->value->kind)
	{
		case DX_VALUE:
			return c->value->value.type;
		case DX_PLUS:
		case DX_MINUS:
			return DYN_T_N;
		case DX_LIST_APPEND:
			return DYN_T_L;
		default:
			return 0;
	}
}

/*
 * An update that gives a key attribute of index 'index_name' (key schema
 * 'ks') a value of another type, NULL included, when the request alone
 * says so: PutItem's message for that item ("Type mismatch for Index Key
 * c Expected: S Actual: N IndexName: i").  A value copied from the item
 * is checked when the update runs ("The update expression attempted to
 * update the secondary index key to unsupported type").
 */
void
dynpg_expr_check_update_index_keys(DynUpdate *upd, const DynKeySchema *ks, const char *index_name)
{
	int			i;
	int			k;

	for (i = 0; i < upd->nclauses; i++)
	{
		const DynUpdateClause *c = &upd->clauses[i];
		const DynPathElem *e = &c->path.elems[0];
		DynType		t;

		if (c->path.n != 1 || (t = update_result_type(c)) == 0)
			continue;
		for (k = 0; k < (ks->sk_name != NULL ? 2 : 1); k++)
		{
			const char *name = k == 0 ? ks->pk_name : ks->sk_name;
			int			namelen = k == 0 ? ks->pk_namelen : ks->sk_namelen;
			DynType		want = k == 0 ? ks->pk_type : ks->sk_type;

			if (e->namelen == namelen && memcmp(e->name, name, namelen) == 0 && t != want)
				dynpg_req_invalid_parameter("Type mismatch for Index Key %.*s Expected: %s Actual: %s IndexName: %s",
											namelen, name, dynpg_type_name(want),
											dynpg_type_name(t), index_name);
		}
	}
}

/* ---- the request's names and values ---- */

/*
 * Whether k is a valid ExpressionAttributeNames (first '#') or
 * ExpressionAttributeValues (first ':') key: that character and at least
 * one [A-Za-z0-9_], exactly what lex makes a T_HASHNAME or T_VALUE of, so
 * that every valid key can be written in an expression.
 */
static bool
valid_key(const char *k, char first)
{
	int			i;

	if (k[0] != first || k[1] == '\0')
		return false;
	for (i = 1; k[i]; i++)
		if (!is_word_char(k[i]))
			return false;
	return true;
}

/*
 * One ExpressionAttributeValues entry through the AttributeValue rules, so
 * that a bad one is reported as DynamoDB does: "ExpressionAttributeValues
 * contains invalid value: <reason> for key :x".
 */
static void
check_value(const DynJson *value, const char *key)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	DynJson    *av = dynpg_req_value_struct(value);

	if (av == NULL)
		return;
	PG_TRY();
	{
		(void) dynpg_attribute_value_parse(av, NULL);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != MAKE_SQLSTATE('Y', 'D', '0', '0', '1'))
			PG_RE_THROW();
		FlushErrorState();
		dynpg_validation_error("ExpressionAttributeValues contains invalid value: %s for key %s",
							   edata->message, key);
	}
	PG_END_TRY();
}

/*
 * Set up the context of one request's expressions from its
 * ExpressionAttributeNames and ExpressionAttributeValues (each NULL when
 * absent; the API has checked their JSON types, that they are not empty,
 * and that some expression can use them: dynpg_api_expression_params).
 * Checks, each map in jsonb's key order (shorter keys first, then
 * bytewise), key by key:
 *	- names: the key's length (over DYN_EXPR_MAX_TOKEN bytes: "...contains
 *	  invalid key: The expression attribute map contains a key that is too
 *	  long; size of key: n"), its syntax ("...contains invalid key: Syntax
 *	  error; key: "k""), then the value: not null, not empty;
 *	- values: the key's length (the message has no size, as DynamoDB's),
 *	  its syntax, then the AttributeValue (check_value).
 * The values are then converted once into an item, values_item, whose
 * map entries are the :keys; DX_VALUE nodes point into it, so every value
 * is in its canonical form (numbers normalised, sets ordered) and compares
 * as item values do.  The key check in that last loop cannot fail after
 * the first; it guards the item's keys matching the jsonb's.
 */
void
dynpg_expr_context_init(DynExprContext *ctx, DynJson *names, DynJson *values)
{
	memset(ctx, 0, sizeof(DynExprContext));
	if (names != NULL)
	{
		int			n;
		DynJsonMember **m = dynpg_json_sorted_members(names, &n);
		int			i;

		ctx->name_keys = palloc0(sizeof(char *) * (n + 1));
		ctx->name_values = palloc0(sizeof(char *) * (n + 1));
		ctx->name_used = palloc0(sizeof(bool) * (n + 1));
		for (i = 0; i < n; i++)
		{
			char	   *k = pnstrdup(m[i]->key, m[i]->keylen);
			char	   *val;

			if (m[i]->keylen > DYN_EXPR_MAX_TOKEN)
				dynpg_validation_error("ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: %d",
									   m[i]->keylen);
			if (!valid_key(k, '#') || (int) strlen(k) != m[i]->keylen)
				dynpg_validation_error("ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"", k);
			val = dynpg_req_value_string(m[i]->val);
			if (val == NULL)
				dynpg_validation_error("ExpressionAttributeNames contains invalid value: null for key %s", k);
			if (val[0] == '\0')
				dynpg_validation_error("ExpressionAttributeNames contains invalid value: Empty attribute name for key %s", k);
			ctx->name_keys[ctx->nnames] = k;
			ctx->name_values[ctx->nnames] = val;
			ctx->nnames++;
		}
	}
	if (values != NULL)
	{
		DynRef		root;
		DynContainer c;
		int			i;

		{
			int			n;
			DynJsonMember **m = dynpg_json_sorted_members(values, &n);
			int			j;

			for (j = 0; j < n; j++)
			{
				char	   *k = pnstrdup(m[j]->key, m[j]->keylen);

				/* DynamoDB gives no size in this one */
				if (m[j]->keylen > DYN_EXPR_MAX_TOKEN)
					dynpg_validation_error("ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;");
				if (!valid_key(k, ':') || (int) strlen(k) != m[j]->keylen)
					dynpg_validation_error("ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"", k);
				check_value(m[j]->val, k);
			}
		}
		ctx->values_item = dynpg_item_from_json(values, false);
		root = dynpg_item_root(ctx->values_item);
		dynpg_container_open(&root, &c);
		ctx->nvalues = c.count;
		ctx->value_keys = palloc0(sizeof(char *) * (c.count + 1));
		ctx->value_refs = palloc0(sizeof(DynRef) * (c.count + 1));
		ctx->value_used = palloc0(sizeof(bool) * (c.count + 1));
		for (i = 0; i < c.count; i++)
		{
			const char *name;
			int32		namelen;

			ctx->value_refs[i] = dynpg_map_entry(&c, i, &name, &namelen);
			ctx->value_keys[i] = pnstrdup(name, namelen);
			if (!valid_key(ctx->value_keys[i], ':'))
				dynpg_validation_error("ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"",
									   ctx->value_keys[i]);
		}
	}
}

/*
 * After every expression of the request is parsed: names, then values,
 * that no expression used, all listed at once in the context's order:
 * "Value provided in ExpressionAttributeNames unused in expressions: keys:
 * {#a, #b}", then the same for ExpressionAttributeValues.
 */
void
dynpg_expr_check_unused(DynExprContext *ctx)
{
	StringInfoData buf;
	int			i;
	bool		any = false;

	initStringInfo(&buf);
	for (i = 0; i < ctx->nnames; i++)
		if (!ctx->name_used[i])
		{
			appendStringInfo(&buf, "%s%s", any ? ", " : "", ctx->name_keys[i]);
			any = true;
		}
	if (any)
		dynpg_validation_error("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}",
							   buf.data);
	for (i = 0; i < ctx->nvalues; i++)
		if (!ctx->value_used[i])
		{
			appendStringInfo(&buf, "%s%s", any ? ", " : "", ctx->value_keys[i]);
			any = true;
		}
	if (any)
		dynpg_validation_error("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}",
							   buf.data);
}
