/*-------------------------------------------------------------------------
 *
 * partiql_parse.c
 *	  PartiQL for DynamoDB: one lexer and one recursive-descent parser for
 *	  SELECT, INSERT, UPDATE and DELETE (the grammar: src/partiql/README).
 *
 * The lexer reads the whole statement into tokens first (comments and
 * white space dropped), then the parser walks them.  Every length is
 * checked against the statement's; nesting is bounded (PQL_MAX_DEPTH) so a
 * deeply nested statement is refused, not a stack overflow.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "base/dynpg_error.h"
#include "partiql/dynpg_partiql.h"

/* nesting of parentheses, literals and sub-queries */
#define PQL_MAX_DEPTH 64

typedef enum TokKind
{
	TK_EOF,
	TK_IDENT,					/* unquoted identifier (or keyword: kw) */
	TK_QIDENT,					/* "quoted identifier" */
	TK_STRING,					/* 'string' */
	TK_NUMBER,
	TK_PARAM,					/* ? */
	TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_LBRACE, TK_RBRACE,
	TK_LSET, TK_RSET,			/* << >> */
	TK_COMMA, TK_DOT, TK_COLON, TK_STAR, TK_SEMI,
	TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE,
	TK_PLUS, TK_MINUS, TK_SLASH, TK_PERCENT, TK_CONCAT
} TokKind;

/* keywords: reserved where an identifier is expected */
typedef enum Kw
{
	KW_NONE = 0,
	KW_SELECT, KW_FROM, KW_WHERE, KW_AND, KW_OR, KW_NOT, KW_IN, KW_IS, KW_NULL,
	KW_MISSING, KW_BETWEEN, KW_TRUE, KW_FALSE, KW_INSERT, KW_INTO, KW_VALUE,
	KW_VALUES, KW_UPDATE, KW_SET, KW_REMOVE, KW_DELETE, KW_RETURNING, KW_ORDER,
	KW_BY, KW_ASC, KW_DESC, KW_EXISTS, KW_AS, KW_AT, KW_JOIN, KW_INNER, KW_LEFT,
	KW_RIGHT, KW_CROSS, KW_OUTER, KW_ON, KW_GROUP, KW_HAVING, KW_LIMIT, KW_OFFSET,
	KW_UNION, KW_INTERSECT, KW_EXCEPT, KW_DISTINCT, KW_LIKE, KW_CASE, KW_CAST,
	KW_COUNT, KW_SUM, KW_AVG, KW_MIN, KW_MAX
} Kw;

static const struct
{
	const char *word;
	Kw			kw;
}			keywords[] = {
	{"select", KW_SELECT}, {"from", KW_FROM}, {"where", KW_WHERE}, {"and", KW_AND},
	{"or", KW_OR}, {"not", KW_NOT}, {"in", KW_IN}, {"is", KW_IS}, {"null", KW_NULL},
	{"missing", KW_MISSING}, {"between", KW_BETWEEN}, {"true", KW_TRUE},
	{"false", KW_FALSE}, {"insert", KW_INSERT}, {"into", KW_INTO}, {"value", KW_VALUE},
	{"values", KW_VALUES}, {"update", KW_UPDATE}, {"set", KW_SET}, {"remove", KW_REMOVE},
	{"delete", KW_DELETE}, {"returning", KW_RETURNING}, {"order", KW_ORDER}, {"by", KW_BY},
	{"asc", KW_ASC}, {"desc", KW_DESC}, {"exists", KW_EXISTS}, {"as", KW_AS}, {"at", KW_AT},
	{"join", KW_JOIN}, {"inner", KW_INNER}, {"left", KW_LEFT}, {"right", KW_RIGHT},
	{"cross", KW_CROSS}, {"outer", KW_OUTER}, {"on", KW_ON}, {"group", KW_GROUP},
	{"having", KW_HAVING}, {"limit", KW_LIMIT}, {"offset", KW_OFFSET}, {"union", KW_UNION},
	{"intersect", KW_INTERSECT}, {"except", KW_EXCEPT}, {"distinct", KW_DISTINCT},
	{"like", KW_LIKE}, {"case", KW_CASE}, {"cast", KW_CAST}, {"count", KW_COUNT},
	{"sum", KW_SUM}, {"avg", KW_AVG}, {"min", KW_MIN}, {"max", KW_MAX},
};

typedef struct Tok
{
	TokKind		kind;
	Kw			kw;				/* TK_IDENT that is a keyword */
	const char *str;			/* identifier, string (unescaped), number text */
	int			len;
	int			line;			/* 1-based, for messages */
	int			col;
	int			srclen;			/* the token's length in the statement */
} Tok;

typedef struct Parser
{
	Tok		   *toks;
	int			ntoks;
	int			pos;
	int			nparams;
	int			depth;
} Parser;

static const char *const func_names[] = {
	"begins_with", "contains", "size", "attribute_type", "list_append", "set_add", "set_delete"
};

const char *
dynpg_partiql_func_name(PqlFunc f)
{
	return func_names[f];
}

void
dynpg_partiql_syntax_error(const char *detail)
{
	dynpg_validation_error("Statement wasn't well formed, can't be processed: %s", detail);
}

/* ---------------------------------------------------------------------
 * Lexer
 * ---------------------------------------------------------------------
 */

static bool
ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

static bool
ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static Kw
keyword_of(const char *s, int len)
{
	int			i;

	for (i = 0; i < lengthof(keywords); i++)
		if ((int) strlen(keywords[i].word) == len && pg_strncasecmp(keywords[i].word, s, len) == 0)
			return keywords[i].kw;
	return KW_NONE;
}

static void
lex(Parser *p, const char *s, int len)
{
	int			cap = 16;
	int			i = 0;
	int			line = 1;
	int			linestart = 0;

	p->toks = palloc(sizeof(Tok) * cap);
	p->ntoks = 0;
	for (;;)
	{
		Tok		   *t;
		char		c;
		int			start;

		/* white space and comments */
		while (i < len)
		{
			c = s[i];
			if (c == '\n')
			{
				i++;
				line++;
				linestart = i;
			}
			else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
				i++;
			else if (c == '-' && i + 1 < len && s[i + 1] == '-')
			{
				while (i < len && s[i] != '\n')
					i++;
			}
			else if (c == '/' && i + 1 < len && s[i + 1] == '*')
			{
				i += 2;
				while (i < len && !(s[i] == '*' && i + 1 < len && s[i + 1] == '/'))
				{
					if (s[i] == '\n')
					{
						line++;
						linestart = i + 1;
					}
					i++;
				}
				if (i >= len)
					dynpg_partiql_syntax_error("Unterminated comment");
				i += 2;
			}
			else
				break;
		}
		if (p->ntoks == cap)
		{
			cap *= 2;
			p->toks = repalloc(p->toks, sizeof(Tok) * cap);
		}
		t = &p->toks[p->ntoks++];
		memset(t, 0, sizeof(Tok));
		t->line = line;
		t->col = i - linestart + 1;
		start = i;
		if (i >= len)
		{
			t->kind = TK_EOF;
			return;
		}
		c = s[i];
		if (ident_start(c))
		{
			while (i < len && ident_char(s[i]))
				i++;
			t->kind = TK_IDENT;
			t->str = s + start;
			t->len = i - start;
			t->kw = keyword_of(t->str, t->len);
		}
		else if (c == '"' || c == '\'')
		{
			char		q = c;
			char	   *buf = palloc(len - i + 1);
			int			n = 0;

			i++;
			for (;;)
			{
				if (i >= len)
					dynpg_partiql_syntax_error(q == '"' ? "Unterminated quoted identifier" :
											   "Unterminated string literal");
				if (s[i] == q)
				{
					if (i + 1 < len && s[i + 1] == q)
					{
						buf[n++] = q;
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (s[i] == '\n')
				{
					line++;
					linestart = i + 1;
				}
				buf[n++] = s[i++];
			}
			buf[n] = '\0';
			t->kind = q == '"' ? TK_QIDENT : TK_STRING;
			t->str = buf;
			t->len = n;
		}
		else if ((c >= '0' && c <= '9') ||
				 (c == '.' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9'))
		{
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
			if (i < len && s[i] == '.')
			{
				i++;
				while (i < len && s[i] >= '0' && s[i] <= '9')
					i++;
			}
			if (i < len && (s[i] == 'e' || s[i] == 'E'))
			{
				int			j = i + 1;

				if (j < len && (s[j] == '+' || s[j] == '-'))
					j++;
				if (j >= len || s[j] < '0' || s[j] > '9')
					dynpg_partiql_syntax_error("Invalid numeric literal");
				while (j < len && s[j] >= '0' && s[j] <= '9')
					j++;
				i = j;
			}
			if (i < len && ident_char(s[i]))
				dynpg_partiql_syntax_error("Invalid numeric literal");
			t->kind = TK_NUMBER;
			t->str = s + start;
			t->len = i - start;
		}
		else
		{
			char		n = i + 1 < len ? s[i + 1] : '\0';

			i++;
			switch (c)
			{
				case '?':
					t->kind = TK_PARAM;
					break;
				case '(':
					t->kind = TK_LPAREN;
					break;
				case ')':
					t->kind = TK_RPAREN;
					break;
				case '[':
					t->kind = TK_LBRACK;
					break;
				case ']':
					t->kind = TK_RBRACK;
					break;
				case '{':
					t->kind = TK_LBRACE;
					break;
				case '}':
					t->kind = TK_RBRACE;
					break;
				case ',':
					t->kind = TK_COMMA;
					break;
				case '.':
					t->kind = TK_DOT;
					break;
				case ':':
					t->kind = TK_COLON;
					break;
				case '*':
					t->kind = TK_STAR;
					break;
				case ';':
					t->kind = TK_SEMI;
					break;
				case '+':
					t->kind = TK_PLUS;
					break;
				case '-':
					t->kind = TK_MINUS;
					break;
				case '/':
					t->kind = TK_SLASH;
					break;
				case '%':
					t->kind = TK_PERCENT;
					break;
				case '=':
					t->kind = TK_EQ;
					break;
				case '|':
					if (n != '|')
						dynpg_partiql_syntax_error("Unexpected character");
					i++;
					t->kind = TK_CONCAT;
					break;
				case '!':
					if (n != '=')
						dynpg_partiql_syntax_error("Unexpected character");
					i++;
					t->kind = TK_NE;
					break;
				case '<':
					if (n == '<')
						i++, t->kind = TK_LSET;
					else if (n == '=')
						i++, t->kind = TK_LE;
					else if (n == '>')
						i++, t->kind = TK_NE;
					else
						t->kind = TK_LT;
					break;
				case '>':
					if (n == '>')
						i++, t->kind = TK_RSET;
					else if (n == '=')
						i++, t->kind = TK_GE;
					else
						t->kind = TK_GT;
					break;
				default:
					dynpg_partiql_syntax_error("Unexpected character");
			}
		}
		t->srclen = i - start;
	}
}

/* ---------------------------------------------------------------------
 * Parser helpers
 * ---------------------------------------------------------------------
 */

static Tok *
peek(Parser *p)
{
	return &p->toks[p->pos];
}

static Tok *
peek2(Parser *p)
{
	return &p->toks[p->pos + 1 < p->ntoks ? p->pos + 1 : p->pos];
}

static Tok *
next(Parser *p)
{
	Tok		   *t = &p->toks[p->pos];

	if (t->kind != TK_EOF)
		p->pos++;
	return t;
}

/* the error for token 't' where something else was expected */
static void pg_attribute_noreturn()
unexpected(Tok *t)
{
	if (t->kind == TK_EOF)
		dynpg_partiql_syntax_error("Unexpected end of statement");
	if (t->kind == TK_IDENT && t->kw != KW_NONE)
		dynpg_partiql_syntax_error("Unexpected keyword");
	dynpg_partiql_syntax_error("Unexpected token");
}

static bool
accept(Parser *p, TokKind k)
{
	if (peek(p)->kind != k)
		return false;
	next(p);
	return true;
}

static void
expect(Parser *p, TokKind k)
{
	if (!accept(p, k))
		unexpected(peek(p));
}

static bool
is_kw(Tok *t, Kw kw)
{
	return t->kind == TK_IDENT && t->kw == kw;
}

static bool
accept_kw(Parser *p, Kw kw)
{
	if (!is_kw(peek(p), kw))
		return false;
	next(p);
	return true;
}

static void
expect_kw(Parser *p, Kw kw)
{
	if (!accept_kw(p, kw))
		unexpected(peek(p));
}

/* an unquoted word, matched case-insensitively whether or not it is a keyword */
static bool
accept_word(Parser *p, const char *word)
{
	Tok		   *t = peek(p);

	if (t->kind != TK_IDENT || (int) strlen(word) != t->len ||
		pg_strncasecmp(word, t->str, t->len) != 0)
		return false;
	next(p);
	return true;
}

static void
enter(Parser *p)
{
	check_stack_depth();
	if (++p->depth > PQL_MAX_DEPTH)
		dynpg_partiql_syntax_error("Statement nesting is too deep");
}

static PqlNode *
new_node(PqlNodeKind kind, int nargs)
{
	PqlNode    *n = palloc0(sizeof(PqlNode));

	n->kind = kind;
	n->nargs = nargs;
	if (nargs > 0)
		n->args = palloc0(sizeof(PqlNode *) * nargs);
	return n;
}

static PqlNode *
binary(PqlNodeKind kind, PqlNode *a, PqlNode *b)
{
	PqlNode    *n = new_node(kind, 2);

	n->args[0] = a;
	n->args[1] = b;
	return n;
}

/* a growing list of nodes */
typedef struct NodeList
{
	PqlNode   **items;
	int			n;
	int			cap;
} NodeList;

static void
list_push(NodeList *l, PqlNode *n)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 4;
		l->items = l->items ? repalloc(l->items, sizeof(PqlNode *) * l->cap) :
			palloc(sizeof(PqlNode *) * l->cap);
	}
	l->items[l->n++] = n;
}

/* ---------------------------------------------------------------------
 * Expressions
 * ---------------------------------------------------------------------
 */

static PqlNode *parse_expr(Parser *p);
static PqlNode *parse_additive(Parser *p);
static PqlStatement *parse_statement(Parser *p);

/* whether token 't' can be an identifier: unquoted non-keyword or quoted */
static bool
is_identifier(Tok *t)
{
	return t->kind == TK_QIDENT || (t->kind == TK_IDENT && t->kw == KW_NONE);
}

/* a path: name ('.' name | '[' n ']')* */
static PqlNode *
parse_path(Parser *p)
{
	Tok		   *t = peek(p);
	PqlNode    *n = new_node(PQ_PATH, 0);
	int			cap = 4;

	if (!is_identifier(t))
		unexpected(t);
	next(p);
	n->steps = palloc(sizeof(PqlPathStep) * cap);
	n->steps[0].name = t->str;
	n->steps[0].namelen = t->len;
	n->nsteps = 1;
	for (;;)
	{
		PqlPathStep step;

		if (accept(p, TK_DOT))
		{
			t = peek(p);
			if (!is_identifier(t))
				unexpected(t);
			next(p);
			step.name = t->str;
			step.namelen = t->len;
			step.index = 0;
		}
		else if (peek(p)->kind == TK_LBRACK)
		{
			long		v;
			char	   *end;
			char		buf[32];

			next(p);
			t = peek(p);
			if (t->kind == TK_STRING)
			{
				/* a['b'] names a map member as a.b does */
				next(p);
				step.name = t->str;
				step.namelen = t->len;
				step.index = 0;
			}
			else
			{
				if (t->kind != TK_NUMBER || t->len >= (int) sizeof(buf))
					unexpected(t);
				memcpy(buf, t->str, t->len);
				buf[t->len] = '\0';
				errno = 0;
				v = strtol(buf, &end, 10);
				if (*end != '\0' || errno != 0 || v < 0 || v > PG_INT32_MAX)
					dynpg_partiql_syntax_error("Invalid list index");
				next(p);
				step.name = NULL;
				step.namelen = 0;
				step.index = (int) v;
			}
			expect(p, TK_RBRACK);
		}
		else
			break;
		if (n->nsteps == cap)
		{
			cap *= 2;
			n->steps = repalloc(n->steps, sizeof(PqlPathStep) * cap);
		}
		n->steps[n->nsteps++] = step;
	}
	return n;
}

/* '(' arg, ... ')' of a function call (the name already read) */
static PqlNode *
parse_call(Parser *p, Tok *name)
{
	static const struct
	{
		const char *name;
		PqlFunc		f;
		int			nargs;
	}			funcs[] = {
		{"begins_with", PQF_BEGINS_WITH, 2}, {"contains", PQF_CONTAINS, 2},
		{"size", PQF_SIZE, 1}, {"attribute_type", PQF_ATTRIBUTE_TYPE, 2},
		{"list_append", PQF_LIST_APPEND, 2}, {"set_add", PQF_SET_ADD, 2},
		{"set_delete", PQF_SET_DELETE, 2},
	};
	int			i;
	NodeList	args = {0};
	PqlNode    *n;

	for (i = 0; i < lengthof(funcs); i++)
		if ((int) strlen(funcs[i].name) == name->len &&
			pg_strncasecmp(funcs[i].name, name->str, name->len) == 0)
			break;
	if (i == lengthof(funcs))
		dynpg_validation_error("Unsupported function: %.*s", name->len, name->str);
	expect(p, TK_LPAREN);
	if (peek(p)->kind != TK_RPAREN)
	{
		do
			list_push(&args, parse_additive(p));
		while (accept(p, TK_COMMA));
	}
	expect(p, TK_RPAREN);
	if (args.n != funcs[i].nargs)
		dynpg_partiql_syntax_error(psprintf("Incorrect number of arguments for function %s",
											funcs[i].name));
	n = new_node(PQ_FUNC, 0);
	n->func = funcs[i].f;
	n->nargs = args.n;
	n->args = args.items;
	return n;
}

/* a literal or value: string, number, TRUE/FALSE/NULL, ?, [..], {..}, <<..>> */
static PqlNode *
parse_value(Parser *p)
{
	Tok		   *t = peek(p);
	PqlNode    *n;
	NodeList	l = {0};

	switch (t->kind)
	{
		case TK_STRING:
			next(p);
			n = new_node(PQ_STRING, 0);
			n->str = t->str;
			n->len = t->len;
			return n;
		case TK_NUMBER:
			next(p);
			n = new_node(PQ_NUMBER, 0);
			n->str = pnstrdup(t->str, t->len);
			n->len = t->len;
			return n;
		case TK_MINUS:
		case TK_PLUS:
			if (peek2(p)->kind != TK_NUMBER)
				unexpected(peek2(p));
			next(p);
			t = next(p);
			n = new_node(PQ_NUMBER, 0);
			n->str = psprintf("%s%.*s", p->toks[p->pos - 2].kind == TK_MINUS ? "-" : "",
							  t->len, t->str);
			n->len = strlen(n->str);
			return n;
		case TK_PARAM:
			next(p);
			n = new_node(PQ_PARAM, 0);
			n->param = p->nparams++;
			return n;
		case TK_LBRACK:
		case TK_LSET:
			{
				TokKind		close = t->kind == TK_LBRACK ? TK_RBRACK : TK_RSET;

				next(p);
				enter(p);
				if (peek(p)->kind != close)
				{
					do
						list_push(&l, parse_value(p));
					while (accept(p, TK_COMMA));
				}
				expect(p, close);
				p->depth--;
				n = new_node(close == TK_RBRACK ? PQ_LIST : PQ_SET, 0);
				n->nargs = l.n;
				n->args = l.items;
				return n;
			}
		case TK_LBRACE:
			{
				int			cap = 4;

				next(p);
				enter(p);
				n = new_node(PQ_MAP, 0);
				n->keys = palloc(sizeof(char *) * cap);
				n->keylens = palloc(sizeof(int) * cap);
				if (peek(p)->kind != TK_RBRACE)
				{
					do
					{
						Tok		   *k = next(p);

						if (k->kind != TK_STRING)
							unexpected(k);
						expect(p, TK_COLON);
						if (l.n == cap)
						{
							cap *= 2;
							n->keys = repalloc(n->keys, sizeof(char *) * cap);
							n->keylens = repalloc(n->keylens, sizeof(int) * cap);
						}
						n->keys[l.n] = k->str;
						n->keylens[l.n] = k->len;
						list_push(&l, parse_value(p));
					} while (accept(p, TK_COMMA));
				}
				expect(p, TK_RBRACE);
				p->depth--;
				n->nargs = l.n;
				n->args = l.items;
				return n;
			}
		case TK_IDENT:
			if (t->kw == KW_TRUE || t->kw == KW_FALSE || t->kw == KW_NULL)
			{
				next(p);
				return new_node(t->kw == KW_TRUE ? PQ_TRUE : t->kw == KW_FALSE ? PQ_FALSE : PQ_NULL, 0);
			}
			break;
		default:
			break;
	}
	unexpected(t);
}

static bool
starts_value(Tok *t)
{
	switch (t->kind)
	{
		case TK_STRING:
		case TK_NUMBER:
		case TK_PARAM:
		case TK_LBRACK:
		case TK_LSET:
		case TK_LBRACE:
			return true;
		case TK_MINUS:
		case TK_PLUS:
			return true;
		case TK_IDENT:
			return t->kw == KW_TRUE || t->kw == KW_FALSE || t->kw == KW_NULL;
		default:
			return false;
	}
}

/* primary: value | path | function call | '(' expr ')' | EXISTS '(' SELECT ')' */
static PqlNode *
parse_primary(Parser *p)
{
	Tok		   *t = peek(p);
	PqlNode    *n;

	if (starts_value(t))
		return parse_value(p);
	if (t->kind == TK_LPAREN)
	{
		next(p);
		enter(p);
		n = parse_expr(p);
		expect(p, TK_RPAREN);
		p->depth--;
		return n;
	}
	if (is_kw(t, KW_EXISTS))
	{
		next(p);
		expect(p, TK_LPAREN);
		enter(p);
		if (!is_kw(peek(p), KW_SELECT))
			unexpected(peek(p));
		n = new_node(PQ_EXISTS, 0);
		n->sub = parse_statement(p);
		expect(p, TK_RPAREN);
		p->depth--;
		return n;
	}
	if (t->kind == TK_IDENT && peek2(p)->kind == TK_LPAREN)
	{
		if (t->kw == KW_COUNT || t->kw == KW_SUM || t->kw == KW_AVG || t->kw == KW_MIN ||
			t->kw == KW_MAX)
			dynpg_validation_error("Unexpected path component at %d:%d:%d",
								   t->line, t->col, t->srclen);
		if (t->kw != KW_NONE)
			unexpected(t);
		next(p);
		return parse_call(p, t);
	}
	if (is_identifier(t))
		return parse_path(p);
	unexpected(t);
}

/* additive: primary (('+' | '-') primary)* */
static PqlNode *
parse_additive(Parser *p)
{
	PqlNode    *n = parse_primary(p);

	for (;;)
	{
		TokKind		k = peek(p)->kind;

		if (k == TK_PLUS || k == TK_MINUS)
		{
			next(p);
			n = binary(k == TK_PLUS ? PQ_ADD : PQ_SUB, n, parse_primary(p));
		}
		else if (k == TK_STAR || k == TK_SLASH || k == TK_PERCENT || k == TK_CONCAT)
			dynpg_validation_error("Unsupported operation: the operator %s is not supported",
								   k == TK_STAR ? "*" : k == TK_SLASH ? "/" :
								   k == TK_PERCENT ? "%" : "||");
		else
			return n;
	}
}

/* IN's list: '(' v, ... ')' or '[' v, ... ']' */
static PqlNode *
parse_in_list(Parser *p, PqlNode *lhs)
{
	NodeList	l = {0};
	TokKind		close;
	PqlNode    *n;

	if (peek(p)->kind == TK_LPAREN)
		close = TK_RPAREN;
	else if (peek(p)->kind == TK_LBRACK)
		close = TK_RBRACK;
	else
		unexpected(peek(p));
	next(p);
	list_push(&l, lhs);
	do
		list_push(&l, parse_additive(p));
	while (accept(p, TK_COMMA));
	expect(p, close);
	n = new_node(PQ_IN, 0);
	n->nargs = l.n;
	n->args = l.items;
	return n;
}

/* predicate: additive [cmp additive | [NOT] BETWEEN | [NOT] IN | IS [NOT] NULL|MISSING] */
static PqlNode *
parse_predicate(Parser *p)
{
	PqlNode    *lhs = parse_additive(p);
	Tok		   *t = peek(p);
	PqlNode    *n;
	bool		negated = false;

	switch (t->kind)
	{
		case TK_EQ:
		case TK_NE:
		case TK_LT:
		case TK_LE:
		case TK_GT:
		case TK_GE:
			next(p);
			n = binary(PQ_CMP, lhs, parse_additive(p));
			n->op = t->kind == TK_EQ ? PQC_EQ : t->kind == TK_NE ? PQC_NE :
				t->kind == TK_LT ? PQC_LT : t->kind == TK_LE ? PQC_LE :
				t->kind == TK_GT ? PQC_GT : PQC_GE;
			return n;
		default:
			break;
	}
	if (is_kw(t, KW_IS))
	{
		next(p);
		n = new_node(PQ_IS, 1);
		n->args[0] = lhs;
		n->negated = accept_kw(p, KW_NOT);
		if (accept_kw(p, KW_MISSING))
			n->is_missing = true;
		else
			expect_kw(p, KW_NULL);
		return n;
	}
	if (is_kw(t, KW_NOT) && (is_kw(peek2(p), KW_IN) || is_kw(peek2(p), KW_BETWEEN)))
	{
		next(p);
		negated = true;
		t = peek(p);
	}
	if (is_kw(t, KW_IN))
	{
		next(p);
		n = parse_in_list(p, lhs);
	}
	else if (is_kw(t, KW_BETWEEN))
	{
		next(p);
		n = new_node(PQ_BETWEEN, 3);
		n->args[0] = lhs;
		n->args[1] = parse_additive(p);
		expect_kw(p, KW_AND);
		n->args[2] = parse_additive(p);
	}
	else if (is_kw(t, KW_LIKE))
		dynpg_validation_error("Unsupported operation: LIKE is not supported");
	else
		return lhs;
	if (negated)
	{
		PqlNode    *not = new_node(PQ_NOT, 1);

		not->args[0] = n;
		return not;
	}
	return n;
}

static PqlNode *
parse_not(Parser *p)
{
	if (accept_kw(p, KW_NOT))
	{
		PqlNode    *n = new_node(PQ_NOT, 1);

		enter(p);
		n->args[0] = parse_not(p);
		p->depth--;
		return n;
	}
	return parse_predicate(p);
}

static PqlNode *
parse_and(Parser *p)
{
	PqlNode    *n = parse_not(p);

	while (accept_kw(p, KW_AND))
		n = binary(PQ_AND, n, parse_not(p));
	return n;
}

static PqlNode *
parse_expr(Parser *p)
{
	PqlNode    *n = parse_and(p);

	while (accept_kw(p, KW_OR))
		n = binary(PQ_OR, n, parse_and(p));
	return n;
}

/* ---------------------------------------------------------------------
 * Statements
 * ---------------------------------------------------------------------
 */

/* a table name: "name" or name; *index_out: ."index" when allowed */
static void
parse_table(Parser *p, PqlStatement *st, bool index_allowed)
{
	Tok		   *t = peek(p);

	if (!is_identifier(t))
		unexpected(t);
	next(p);
	st->table = pnstrdup(t->str, t->len);
	if (index_allowed && peek(p)->kind == TK_DOT)
	{
		next(p);
		t = peek(p);
		if (!is_identifier(t))
			unexpected(t);
		next(p);
		st->index = pnstrdup(t->str, t->len);
	}
	/* aliases and joins */
	t = peek(p);
	if (is_kw(t, KW_AS) || is_kw(t, KW_AT) || t->kind == TK_QIDENT ||
		(t->kind == TK_IDENT && t->kw == KW_NONE))
		dynpg_validation_error("Unsupported operation: aliases are not supported");
	if (t->kind == TK_COMMA || is_kw(t, KW_JOIN) || is_kw(t, KW_INNER) || is_kw(t, KW_LEFT) ||
		is_kw(t, KW_RIGHT) || is_kw(t, KW_CROSS) || is_kw(t, KW_OUTER))
		dynpg_validation_error("Unsupported operation: joins are not supported");
}

static PqlReturning
parse_returning(Parser *p)
{
	bool		all;
	bool		old;

	if (!accept_kw(p, KW_RETURNING))
		return PQR_NONE;
	if (accept_word(p, "all"))
		all = true;
	else if (accept_word(p, "modified"))
		all = false;
	else
		unexpected(peek(p));
	if (accept_word(p, "old"))
		old = true;
	else if (accept_word(p, "new"))
		old = false;
	else
		unexpected(peek(p));
	expect(p, TK_STAR);
	return all ? (old ? PQR_ALL_OLD : PQR_ALL_NEW) : (old ? PQR_MODIFIED_OLD : PQR_MODIFIED_NEW);
}

static PqlStatement *
parse_select(Parser *p, PqlStatement *st)
{
	NodeList	proj = {0};
	Tok		   *t;

	st->kind = PQL_SELECT;
	if (is_kw(peek(p), KW_DISTINCT))
		dynpg_validation_error("Unsupported operation: DISTINCT is not supported");
	if (!accept(p, TK_STAR))
	{
		do
		{
			PqlNode    *n = parse_primary(p);

			if (n->kind != PQ_PATH)
				dynpg_validation_error("Unsupported operation: a projection must be an attribute path");
			t = peek(p);
			if (is_kw(t, KW_AS) || is_identifier(t))
				dynpg_validation_error("Unsupported operation: aliases are not supported");
			list_push(&proj, n);
		} while (accept(p, TK_COMMA));
	}
	st->nproj = proj.n;
	st->proj = proj.items;
	expect_kw(p, KW_FROM);
	parse_table(p, st, true);
	if (accept_kw(p, KW_WHERE))
		st->where = parse_expr(p);
	t = peek(p);
	if (is_kw(t, KW_GROUP) || is_kw(t, KW_HAVING) || is_kw(t, KW_LIMIT) ||
		is_kw(t, KW_OFFSET) || is_kw(t, KW_UNION) || is_kw(t, KW_INTERSECT) ||
		is_kw(t, KW_EXCEPT))
		dynpg_validation_error("Unsupported operation: %.*s is not supported",
							   t->len, t->str);
	if (accept_kw(p, KW_ORDER))
	{
		expect_kw(p, KW_BY);
		do
		{
			if (st->norder == lengthof(st->order_by))
				dynpg_validation_error("Unsupported operation: ORDER BY takes the key's attributes only");
			st->order_by[st->norder] = parse_path(p);
			if (accept_kw(p, KW_DESC))
				st->order_desc[st->norder] = true;
			else
				accept_kw(p, KW_ASC);
			st->norder++;
		} while (accept(p, TK_COMMA));
	}
	return st;
}

static void
parse_set_list(Parser *p, PqlStatement *st, int *cap)
{
	do
	{
		PqlSetClause *c;

		if (st->nsets == *cap)
		{
			*cap *= 2;
			st->sets = repalloc(st->sets, sizeof(PqlSetClause) * *cap);
		}
		c = &st->sets[st->nsets++];
		c->remove = false;
		c->path = parse_path(p);
		expect(p, TK_EQ);
		c->value = parse_additive(p);
	} while (accept(p, TK_COMMA));
}

static void
parse_remove_list(Parser *p, PqlStatement *st, int *cap)
{
	do
	{
		PqlSetClause *c;

		if (st->nsets == *cap)
		{
			*cap *= 2;
			st->sets = repalloc(st->sets, sizeof(PqlSetClause) * *cap);
		}
		c = &st->sets[st->nsets++];
		c->remove = true;
		c->path = parse_path(p);
		c->value = NULL;
	} while (accept(p, TK_COMMA));
}

/* SET/REMOVE clauses, at least one */
static void
parse_update_clauses(Parser *p, PqlStatement *st)
{
	int			cap = 4;

	st->sets = palloc(sizeof(PqlSetClause) * cap);
	for (;;)
	{
		if (accept_kw(p, KW_SET))
			parse_set_list(p, st, &cap);
		else if (accept_kw(p, KW_REMOVE))
			parse_remove_list(p, st, &cap);
		else
			break;
	}
	if (st->nsets == 0)
		unexpected(peek(p));
}

static PqlStatement *
parse_statement(Parser *p)
{
	PqlStatement *st = palloc0(sizeof(PqlStatement));
	Tok		   *t = peek(p);

	if (accept_kw(p, KW_SELECT))
		return parse_select(p, st);
	if (accept_kw(p, KW_INSERT))
	{
		st->kind = PQL_INSERT;
		expect_kw(p, KW_INTO);
		parse_table(p, st, false);
		if (is_kw(peek(p), KW_VALUES))
			dynpg_validation_error("Unsupported operation: INSERT takes one item (VALUE {...})");
		expect_kw(p, KW_VALUE);
		st->value = parse_value(p);
		if (st->value->kind != PQ_MAP && st->value->kind != PQ_PARAM)
			dynpg_partiql_syntax_error("Expected a map (VALUE {...})");
		return st;
	}
	if (accept_kw(p, KW_UPDATE))
	{
		st->kind = PQL_UPDATE;
		parse_table(p, st, false);
		parse_update_clauses(p, st);
		expect_kw(p, KW_WHERE);
		st->where = parse_expr(p);
		st->returning = parse_returning(p);
		return st;
	}
	if (accept_kw(p, KW_DELETE))
	{
		st->kind = PQL_DELETE;
		expect_kw(p, KW_FROM);
		parse_table(p, st, false);
		expect_kw(p, KW_WHERE);
		st->where = parse_expr(p);
		st->returning = parse_returning(p);
		return st;
	}
	if (is_kw(t, KW_EXISTS) && peek2(p)->kind == TK_LPAREN)
	{
		/* EXISTS(SELECT ...): a condition check (ExecuteTransaction) */
		next(p);
		next(p);
		enter(p);
		if (!is_kw(peek(p), KW_SELECT))
			unexpected(peek(p));
		st->kind = PQL_EXISTS;
		st->sub = parse_statement(p);
		expect(p, TK_RPAREN);
		p->depth--;
		return st;
	}
	if (accept_kw(p, KW_FROM))
	{
		/* the FROM-first forms: FROM t WHERE ... SET|REMOVE ..., FROM t WHERE ... DELETE */
		parse_table(p, st, false);
		expect_kw(p, KW_WHERE);
		st->where = parse_expr(p);
		if (accept_kw(p, KW_DELETE))
			st->kind = PQL_DELETE;
		else
		{
			st->kind = PQL_UPDATE;
			parse_update_clauses(p, st);
		}
		st->returning = parse_returning(p);
		return st;
	}
	if (t->kind == TK_EOF)
		unexpected(t);
	dynpg_partiql_syntax_error("Expected data manipulation");
}

PqlStatement *
dynpg_partiql_parse(const char *text, int len)
{
	Parser		p = {0};
	PqlStatement *st;
	char	   *copy = palloc(len + 1);

	memcpy(copy, text, len);
	copy[len] = '\0';

	lex(&p, copy, len);
	st = parse_statement(&p);
	if (peek(&p)->kind != TK_EOF)
		unexpected(peek(&p));
	st->nparams = p.nparams;
	return st;
}
