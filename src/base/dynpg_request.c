/*-------------------------------------------------------------------------
 *
 * dynpg_request.c
 *	  Reading DynamoDB requests (see dynpg_request.h), as JSON trees
 *	  (base/dynpg_json.h): parsed from the HTTP endpoint's body, or read
 *	  from the SQL functions' jsonb.
 *
 * DynamoDB deserializes a request with a Jackson-style reader before it
 * validates anything, so a member of the wrong JSON type is a
 * SerializationException whose text names Java classes ("class
 * java.lang.Short can not be converted to an String").  The texts below are
 * DynamoDB's (as dynalite reproduces them); the numeric class follows the
 * value as Jackson reads it: a fraction or exponent is a Double, else the
 * smallest of Short, Integer and Long that holds it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "base/dynpg_error.h"
#include "base/dynpg_json.h"
#include "base/dynpg_request.h"

/* Constraint failures DynamoDB lists (and counts) at most. */
#define DYN_MAX_REPORTED_ERRORS 10

/*
 * Jackson's class for a JSON number (its text), as DynamoDB's messages
 * name it.  From the SQL functions the text is jsonb's (numeric_out); from
 * the HTTP endpoint it is the client's own, as Jackson saw it.
 */
const char *
dynpg_req_number_class(const char *s, int len)
{
	char	   *t = pnstrdup(s, len);
	char	   *end;
	long long	v;

	if (strpbrk(t, ".eE") != NULL)
		return "java.lang.Double";
	errno = 0;
	v = strtoll(t, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return DYN_JAVA_BIG_NUMBER;
	if (v >= PG_INT16_MIN && v <= PG_INT16_MAX)
		return "java.lang.Short";
	if (v >= PG_INT32_MIN && v <= PG_INT32_MAX)
		return "java.lang.Integer";
	return "java.lang.Long";
}

/* ---- phase 1: the deserializer's messages ---- */

/* The Java type DynamoDB's messages convert to, with its article. */
static const char *
java_target(DynModelType kind)
{
	switch (kind)
	{
		case DYN_MODEL_STRING:
			return "an String";
		case DYN_MODEL_BLOB:
			return "a Blob";
		case DYN_MODEL_BOOLEAN:
			return "an Boolean";
		case DYN_MODEL_INTEGER:
			return "an Integer";
		case DYN_MODEL_LONG:
			return "an Long";
		default:
			break;
	}
	elog(ERROR, "dynpg: no conversion message for JSON kind %d", (int) kind);
	return NULL;
}

void
dynpg_req_unexpected(DynModelType expected, DynFoundKind found, const char *text)
{
	char	   *up;
	char	   *c;

	Assert(!(found == DYN_FOUND_ARRAY && expected == DYN_MODEL_LIST));
	Assert(!(found == DYN_FOUND_OBJECT &&
			 (expected == DYN_MODEL_STRUCTURE || expected == DYN_MODEL_MAP)));
	if (found == DYN_FOUND_ARRAY)
		dynpg_serialization_error("Start of list found where not expected");
	if (found == DYN_FOUND_OBJECT)
		dynpg_serialization_error("Start of structure or map found where not expected.");
	switch (expected)
	{
		case DYN_MODEL_STRUCTURE:
			dynpg_serialization_error("Expected null");
		case DYN_MODEL_LIST:
			dynpg_serialization_error("Expected list or null");
		case DYN_MODEL_MAP:
			dynpg_serialization_error("Expected map or null");
		case DYN_MODEL_BOOLEAN:
			if (found != DYN_FOUND_STRING)
				break;
			/* the deserializer quotes the string upper-cased */
			up = pnstrdup(text, 1024);
			for (c = up; *c; c++)
				*c = pg_toupper((unsigned char) *c);
			dynpg_serialization_error("'%s' can not be converted to an Boolean", up);
		default:
			break;
	}
	if (found == DYN_FOUND_BOOLEAN)
		text = "java.lang.Boolean";
	else if (found == DYN_FOUND_STRING)
		text = "java.lang.String";
	else if (found != DYN_FOUND_NUMBER || text == NULL)
		elog(ERROR, "dynpg: no conversion message for a JSON value of kind %d", (int) found);
	dynpg_serialization_error("class %s can not be converted to %s", text, java_target(expected));
}

void
dynpg_req_unexpected_value(const DynJson *v, DynModelType expected)
{
	switch (v->kind)
	{
		case DJ_NULL:
			dynpg_req_unexpected(expected, DYN_FOUND_NULL, NULL);
		case DJ_TRUE:
		case DJ_FALSE:
			dynpg_req_unexpected(expected, DYN_FOUND_BOOLEAN, NULL);
		case DJ_NUMBER:
			dynpg_req_unexpected(expected, DYN_FOUND_NUMBER, dynpg_req_number_class(v->str, v->len));
		case DJ_STRING:
			dynpg_req_unexpected(expected, DYN_FOUND_STRING, pnstrdup(v->str, Min(v->len, 1024)));
		case DJ_OBJECT:
			dynpg_req_unexpected(expected, DYN_FOUND_OBJECT, NULL);
		case DJ_ARRAY:
			dynpg_req_unexpected(expected, DYN_FOUND_ARRAY, NULL);
		default:
			elog(ERROR, "dynpg: unexpected JSON kind %d in a request", (int) v->kind);
	}
	pg_unreachable();
}

/* ---- phase 1: the request and its members ---- */

/*
 * Start reading a request: it must be a JSON object (an absent body is an
 * empty object to the SQL functions; they are STRICT).
 */
void
dynpg_req_start(DynRequest *req, const char *operation, DynJson *request)
{
	if (request->kind != DJ_OBJECT)
		dynpg_req_unexpected_value(request, DYN_MODEL_STRUCTURE);
	dynpg_req_collect(req, operation);
	req->root = request;
}

/*
 * A member that is present and not null (DynamoDB ignores null members), or
 * NULL.  Of a name given twice, the last counts, as in jsonb and Jackson.
 */
DynJson *
dynpg_req_member(const DynJson *obj, const char *name)
{
	DynJson    *v;

	if (obj == NULL)
		return NULL;
	v = dynpg_json_member(obj, name, strlen(name));
	return (v == NULL || v->kind == DJ_NULL) ? NULL : v;
}

/*
 * A String value, or NULL when it is null.  The value is a C string: a
 * String holding U+0000 (which only AttributeValues and attribute names
 * may hold: dynpg_req_value_name) is refused rather than cut short.
 */
char *
dynpg_req_value_string(const DynJson *v)
{
	if (v == NULL || v->kind == DJ_NULL)
		return NULL;
	if (v->kind != DJ_STRING)
		dynpg_req_unexpected_value(v, DYN_MODEL_STRING);
	if (memchr(v->str, '\0', v->len) != NULL)
		dynpg_validation_error("A request string member holds the character U+0000, which dynpg accepts only in attribute names and values");
	return pnstrdup(v->str, v->len);
}

/* A String value that may hold U+0000 (an attribute name): its bytes and length. */
const char *
dynpg_req_value_name(const DynJson *v, int *len)
{
	if (v == NULL || v->kind == DJ_NULL)
		return NULL;
	if (v->kind != DJ_STRING)
		dynpg_req_unexpected_value(v, DYN_MODEL_STRING);
	*len = v->len;
	return v->str;
}

/* A Structure value (a JSON object), or NULL when it is null. */
DynJson *
dynpg_req_value_struct(const DynJson *v)
{
	if (v == NULL || v->kind == DJ_NULL)
		return NULL;
	if (v->kind != DJ_OBJECT)
		dynpg_req_unexpected_value(v, DYN_MODEL_STRUCTURE);
	return (DynJson *) v;
}

/* A List value (a JSON array), or NULL when it is null. */
DynJson *
dynpg_req_value_list(const DynJson *v)
{
	if (v == NULL || v->kind == DJ_NULL)
		return NULL;
	if (v->kind != DJ_ARRAY)
		dynpg_req_unexpected_value(v, DYN_MODEL_LIST);
	return (DynJson *) v;
}

/* A Map value (a JSON object: an Item, a Key, a map of anything), or NULL when null. */
DynJson *
dynpg_req_value_map(const DynJson *v)
{
	if (v == NULL || v->kind == DJ_NULL)
		return NULL;
	if (v->kind != DJ_OBJECT)
		dynpg_req_unexpected_value(v, DYN_MODEL_MAP);
	return (DynJson *) v;
}

/* A String member, or NULL when absent. */
char *
dynpg_req_string(const DynJson *obj, const char *name)
{
	return dynpg_req_value_string(dynpg_req_member(obj, name));
}

/* A Boolean member; false when absent. */
bool
dynpg_req_bool(const DynJson *obj, const char *name, bool *out)
{
	DynJson    *v = dynpg_req_member(obj, name);

	*out = false;
	if (v == NULL)
		return false;
	if (v->kind == DJ_TRUE || v->kind == DJ_FALSE)
	{
		*out = v->kind == DJ_TRUE;
		return true;
	}
	if (v->kind == DJ_NUMBER &&
		strcmp(dynpg_req_number_class(v->str, v->len), "java.lang.Double") == 0)
	{
		/* Jackson reads a fractional number as a boolean by magnitude */
		*out = fabs(strtod(pnstrdup(v->str, v->len), NULL)) >= 1.0;
		return true;
	}
	dynpg_req_unexpected_value(v, DYN_MODEL_BOOLEAN);
}

/*
 * A Long (or, with is_int32, Integer) member; false when absent.  Fractions
 * are truncated toward minus infinity, as the deserializer does.
 */
bool
dynpg_req_long(const DynJson *obj, const char *name, bool is_int32, int64 *out)
{
	DynModelType kind = is_int32 ? DYN_MODEL_INTEGER : DYN_MODEL_LONG;
	DynJson    *v = dynpg_req_member(obj, name);
	Numeric		num;
	char	   *s;
	char	   *end;
	long long	val;

	*out = 0;
	if (v == NULL)
		return false;
	if (v->kind != DJ_NUMBER)
		dynpg_req_unexpected_value(v, kind);
	num = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(pnstrdup(v->str, v->len)),
											  ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
	s = DatumGetCString(DirectFunctionCall1(numeric_out,
											DirectFunctionCall1(numeric_floor, NumericGetDatum(num))));
	errno = 0;
	val = strtoll(s, &end, 10);
	if (errno == ERANGE || *end != '\0' ||
		(is_int32 && (val < PG_INT32_MIN || val > PG_INT32_MAX)))
		dynpg_req_unexpected(kind, DYN_FOUND_NUMBER, DYN_JAVA_BIG_NUMBER);
	*out = (int64) val;
	return true;
}

/* A Structure member (a JSON object), or NULL when absent. */
DynJson *
dynpg_req_struct(const DynJson *obj, const char *name)
{
	return dynpg_req_value_struct(dynpg_req_member(obj, name));
}

/* A List member (a JSON array), or NULL when absent. */
DynJson *
dynpg_req_list(const DynJson *obj, const char *name)
{
	return dynpg_req_value_list(dynpg_req_member(obj, name));
}

/* A Map member (a JSON object), or NULL when absent. */
DynJson *
dynpg_req_map(const DynJson *obj, const char *name)
{
	return dynpg_req_value_map(dynpg_req_member(obj, name));
}

int
dynpg_req_list_length(const DynJson *list)
{
	return list ? list->len : 0;
}

/* Element i of a List, as it is (NULL past the end). */
static DynJson *
list_elem(const DynJson *list, int i)
{
	return (list != NULL && i >= 0 && i < list->len) ? list->elems[i] : NULL;
}

/* Element i of a List of Structures, or NULL when it is null. */
DynJson *
dynpg_req_list_struct(const DynJson *list, int i)
{
	return dynpg_req_value_struct(list_elem(list, i));
}

/* Element i of a List of Strings, or NULL when it is null. */
char *
dynpg_req_list_string(const DynJson *list, int i)
{
	return dynpg_req_value_string(list_elem(list, i));
}

/* Element i of a List of Maps, or NULL when it is null. */
DynJson *
dynpg_req_list_map(const DynJson *list, int i)
{
	return dynpg_req_value_map(list_elem(list, i));
}

/* ---- phase 2: constraint failures ----
 *
 * DynamoDB's wording of its constraints is written here and nowhere else.
 */

#define MEMBER_NOT_NULL			"Member must not be null"
#define MEMBER_MIN_LENGTH		"Member must have length greater than or equal to %d"
#define MEMBER_MAX_LENGTH		"Member must have length less than or equal to %d"
#define MEMBER_MIN_VALUE		"Member must have value greater than or equal to " INT64_FORMAT
#define MEMBER_MAX_VALUE		"Member must have value less than or equal to " INT64_FORMAT
#define MEMBER_PATTERN			"Member must satisfy regular expression pattern: %s"
#define MEMBER_ENUM				"Member must satisfy enum value set: [%s]"

/*
 * Add one failure, in DynamoDB's wording (written here and nowhere else).
 * DynamoDB's validation framework now words a constraint failure without
 * the value and names the member as the API does ("Value at 'Limit' failed
 * to satisfy constraint: ..."; nested: "RequestItems.t.member.Keys",
 * "TransactItems.1.member.Put.TableName"); only the Map-keys constraint of
 * a batch's RequestItems still quotes the request (add_failure_quoting).
 */
static void
add_failure(DynRequest *req, const char *path, const char *constraint)
{
	if (req->nerrors >= DYN_MAX_REPORTED_ERRORS)
		return;
	if (req->nerrors > 0)
		appendStringInfoString(&req->errors, "; ");
	appendStringInfo(&req->errors, "Value at '%s' failed to satisfy constraint: %s",
					 path, constraint);
	req->nerrors++;
}

/*
 * The one constraint DynamoDB still words with the value quoted and the
 * model's lower-case member name: the keys of a batch's RequestItems that
 * are not all table names ("Value '{...}' at 'requestItems' failed to
 * satisfy constraint: Map keys must satisfy constraint: [...]").
 */
static void
add_failure_quoting(DynRequest *req, const char *value, const char *path,
					const char *constraint)
{
	if (req->nerrors >= DYN_MAX_REPORTED_ERRORS)
		return;
	if (req->nerrors > 0)
		appendStringInfoString(&req->errors, "; ");
	appendStringInfo(&req->errors, "Value '%s' at '%s' failed to satisfy constraint: %s",
					 value, path, constraint);
	req->nerrors++;
}

/*
 * Start collecting constraint failures without reading a request (a member
 * checked in a later phase, e.g. the legacy conditions of src/expr).
 */
void
dynpg_req_collect(DynRequest *req, const char *operation)
{
	memset(req, 0, sizeof(*req));
	req->operation = operation;
	initStringInfo(&req->errors);
}

/* A failure DynamoDB words freely but reports in the same list. */
void
dynpg_req_invalid_text(DynRequest *req, const char *text)
{
	if (req->nerrors >= DYN_MAX_REPORTED_ERRORS)
		return;
	if (req->nerrors > 0)
		appendStringInfoString(&req->errors, "; ");
	appendStringInfoString(&req->errors, text);
	req->nerrors++;
}

void
dynpg_req_not_null(DynRequest *req, bool present, const char *path)
{
	if (!present)
		add_failure(req, path, MEMBER_NOT_NULL);
}

static bool
in_set(const char *value, const char *const *set)
{
	int			i;

	for (i = 0; set[i] != NULL; i++)
		if (strcmp(value, set[i]) == 0)
			return true;
	return false;
}

/* 'allowed' in the order DynamoDB's message lists them */
void
dynpg_req_enum(DynRequest *req, const char *value, const char *path,
			   const char *const *allowed)
{
	StringInfoData set;
	int			i;

	if (value == NULL || in_set(value, allowed))
		return;
	initStringInfo(&set);
	for (i = 0; allowed[i] != NULL; i++)
		appendStringInfo(&set, "%s%s", i > 0 ? ", " : "", allowed[i]);
	add_failure(req, path, psprintf(MEMBER_ENUM, set.data));
}

void
dynpg_req_too_short(DynRequest *req, const char *path, int min)
{
	add_failure(req, path, psprintf(MEMBER_MIN_LENGTH, min));
}

void
dynpg_req_too_long(DynRequest *req, const char *path, int max)
{
	add_failure(req, path, psprintf(MEMBER_MAX_LENGTH, max));
}

/* Length in characters, as DynamoDB's (Java) constraints count it; max 0: none. */
void
dynpg_req_length(DynRequest *req, const char *value, const char *path,
				 int min, int max)
{
	int			len;

	if (value == NULL)
		return;
	len = pg_mbstrlen(value);
	if (min > 0 && len < min)
		dynpg_req_too_short(req, path, min);
	if (max > 0 && len > max)
		dynpg_req_too_long(req, path, max);
}

/* A number min..max (PG_INT64_MIN, PG_INT64_MAX: no bound). */
void
dynpg_req_range(DynRequest *req, int64 value, const char *path, int64 min, int64 max)
{
	if (value < min)
		add_failure(req, path, psprintf(MEMBER_MIN_VALUE, min));
	else if (value > max)
		add_failure(req, path, psprintf(MEMBER_MAX_VALUE, max));
}

static bool
table_name_chars_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* Whether 'name' is a table name: 3..255 characters of the pattern. */
bool
dynpg_req_is_table_name(const char *name)
{
	int			len = strlen(name);

	return len >= DYN_TABLE_NAME_MIN && len <= DYN_TABLE_NAME_MAX && table_name_chars_ok(name);
}

/*
 * A table name: not null, the pattern, length 3..255.  DynamoDB's control
 * plane reports the length before the pattern, its data plane after.  An
 * empty name breaks only the length rule, with 'min': DynamoDB reports that
 * one alone (1 on the data plane, whose TableName may be an ARN).  On the
 * data plane (min below 3) a name shorter than 3 that also breaks the
 * pattern reports the pattern only, as it did when its minimum was 1.
 */
void
dynpg_req_table_name(DynRequest *req, const char *value, const char *path,
					 int min, bool length_first)
{
	bool		chars_ok;

	if (value == NULL)
	{
		dynpg_req_not_null(req, false, path);
		return;
	}
	if (*value == '\0')
	{
		dynpg_req_too_short(req, path, min);
		return;
	}
	chars_ok = table_name_chars_ok(value);
	if (length_first)
		dynpg_req_length(req, value, path, DYN_TABLE_NAME_MIN, DYN_TABLE_NAME_MAX);
	if (!chars_ok)
		add_failure(req, path, psprintf(MEMBER_PATTERN, DYN_TABLE_NAME_PATTERN));
	if (!length_first)
		dynpg_req_length(req, value, path,
						 (chars_ok || min >= DYN_TABLE_NAME_MIN) ? DYN_TABLE_NAME_MIN : 0,
						 DYN_TABLE_NAME_MAX);
}

/*
 * A TableName that may also be a table's ARN (every operation but
 * CreateTable and ListTables, as DynamoDB's model since 2024, whose
 * TableArn is 1..1024 characters): a value starting "arn:" is checked for
 * that length only (which ARN it is, is the table lookup's business), any
 * other as dynpg_req_table_name does.
 */
void
dynpg_req_table_name_or_arn(DynRequest *req, const char *value, const char *path,
							int min, bool length_first)
{
	if (value != NULL && strncmp(value, "arn:", 4) == 0)
	{
		if (pg_mbstrlen(value) > DYN_TABLE_ARN_MAX)
			dynpg_req_length(req, value, path, 1, DYN_TABLE_ARN_MAX);
		else
			dynpg_req_table_arn(req, value, path);
	}
	else
		dynpg_req_table_name(req, value, path, min, length_first);
}

/* ---- ARNs ---- */

/* the next ':'-separated field of *p, *p moved past its ':' (NULL: no ':' left) */
static char *
arn_field(const char **p)
{
	const char *colon = strchr(*p, ':');
	char	   *field;

	if (colon == NULL)
		return NULL;
	field = pnstrdup(*p, colon - *p);
	*p = colon + 1;
	return field;
}

DynArnFault
dynpg_arn_parse(const char *arn, DynArn *out)
{
	const char *p = arn;
	const char *slash;
	char	   *scheme;

	memset(out, 0, sizeof(*out));
	scheme = arn_field(&p);
	if (scheme == NULL || strcmp(scheme, "arn") != 0 ||
		(out->partition = arn_field(&p)) == NULL ||
		(out->service = arn_field(&p)) == NULL ||
		(out->region = arn_field(&p)) == NULL ||
		(out->account = arn_field(&p)) == NULL ||
		*p == '\0')
		return DYN_ARN_MALFORMED;
	slash = strchr(p, '/');
	out->resource_type = slash ? pnstrdup(p, slash - p) : pstrdup(p);
	out->name = slash ? pstrdup(slash + 1) : pstrdup("");
	if (strcmp(out->partition, DYN_OWN_PARTITION) != 0)
		return DYN_ARN_BAD_PARTITION;
	if (strcmp(out->service, "dynamodb") != 0)
		return DYN_ARN_BAD_SERVICE;
	if (strcmp(out->region, DYN_OWN_REGION) != 0)
		return DYN_ARN_BAD_REGION;
	if (strcmp(out->resource_type, "table") != 0)
		return DYN_ARN_BAD_RESOURCE_TYPE;
	if (!dynpg_req_is_table_name(out->name))
		return DYN_ARN_BAD_NAME;
	return DYN_ARN_OK;
}

/*
 * DynamoDB's texts (the live service's, 2026) for a TableName's ARN:
 * "Invalid AWS partition in '<ARN>'", "Invalid AWS region in '<ARN>'",
 * "Invalid resource type in '<ARN>'", each as one failure of the list; a
 * malformed ARN, another service's, or a table name out of its rules (an
 * index's ARN among them) gets the constraint "Valid ARN format is ..."
 * on the member.
 */
void
dynpg_req_table_arn(DynRequest *req, const char *arn, const char *path)
{
	DynArn		parsed;

	switch (dynpg_arn_parse(arn, &parsed))
	{
		case DYN_ARN_OK:
			break;
		case DYN_ARN_BAD_PARTITION:
			dynpg_req_invalid_text(req, psprintf("Invalid AWS partition in '%s'", arn));
			break;
		case DYN_ARN_BAD_REGION:
			dynpg_req_invalid_text(req, psprintf("Invalid AWS region in '%s'", arn));
			break;
		case DYN_ARN_BAD_RESOURCE_TYPE:
			dynpg_req_invalid_text(req, psprintf("Invalid resource type in '%s'", arn));
			break;
		case DYN_ARN_MALFORMED:
		case DYN_ARN_BAD_SERVICE:
		case DYN_ARN_BAD_NAME:
			add_failure(req, path,
						psprintf("Valid ARN format is 'arn:<awsPartition>:<vendor>:<region>:<subscriber>:resourceType/resourceName', "
								 "where Resource name must have length less than or equal to %d, "
								 "Resource name must have length greater than or equal to %d, "
								 "Resource name must satisfy regular expression pattern: %s",
								 DYN_TABLE_NAME_MAX, DYN_TABLE_NAME_MIN, DYN_TABLE_NAME_PATTERN));
			break;
	}
}

/* whether 'name' is a table name or (by its "arn:") a table's ARN of at most 1024 characters */
bool
dynpg_req_is_table_name_or_arn(const char *name)
{
	if (strncmp(name, "arn:", 4) == 0)
		return pg_mbstrlen(name) <= DYN_TABLE_ARN_MAX;
	return dynpg_req_is_table_name(name);
}

/*
 * The keys of a Map that are not all table names (3..255 characters of the
 * pattern; the caller has found one that is not): one failure for all.
 */
void
dynpg_req_table_name_keys(DynRequest *req, const char *value, const char *path)
{
	add_failure_quoting(req, value, path,
						psprintf("Map keys must satisfy constraint: [" MEMBER_MAX_LENGTH ", "
								 MEMBER_MIN_LENGTH ", " MEMBER_PATTERN "]",
						 DYN_TABLE_NAME_MAX, DYN_TABLE_NAME_MIN, DYN_TABLE_NAME_PATTERN));
}

/* Raise the failures collected so far, all in one ValidationException. */
void
dynpg_req_finish(DynRequest *req)
{
	if (req->nerrors == 0)
		return;
	dynpg_validation_error("%d validation error%s detected: %s",
						   req->nerrors, req->nerrors > 1 ? "s" : "",
						   req->errors.data);
}

/* ---- member tables ---- */

void
dynpg_req_read_members(const DynJson *obj, const DynMember *members, int n, void *values)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		const DynMember *m = &members[i];
		char	   *field = (char *) values + m->offset;

		switch (m->kind)
		{
			case DYN_MODEL_STRING:
			case DYN_MODEL_BLOB:
				*(char **) field = dynpg_req_string(obj, m->name);
				break;
			case DYN_MODEL_BOOLEAN:
				(void) dynpg_req_bool(obj, m->name, (bool *) field);
				break;
			case DYN_MODEL_INTEGER:
			case DYN_MODEL_LONG:
				{
					DynReqNumber *num = (DynReqNumber *) field;

					num->present = dynpg_req_long(obj, m->name, m->kind == DYN_MODEL_INTEGER,
												  &num->value);
				}
				break;
			case DYN_MODEL_STRUCTURE:
				*(DynJson **) field = dynpg_req_struct(obj, m->name);
				break;
			case DYN_MODEL_LIST:
				*(DynJson **) field = dynpg_req_list(obj, m->name);
				break;
			case DYN_MODEL_MAP:
				*(DynJson **) field = dynpg_req_map(obj, m->name);
				break;
		}
	}
}

static bool
member_present(const DynMember *m, const char *field)
{
	switch (m->kind)
	{
		case DYN_MODEL_BOOLEAN:
			return *(const bool *) field;
		case DYN_MODEL_INTEGER:
		case DYN_MODEL_LONG:
			return ((const DynReqNumber *) field)->present;
		default:
			return *(void *const *) field != NULL;
	}
}

static void
check_member(DynRequest *req, const DynMember *m, const char *field, const char *path)
{
	const char *value = NULL;
	DynJson    *list;
	int			n;

	if (m->kind == DYN_MODEL_STRING)
		value = *(char *const *) field;
	switch (m->check)
	{
		case DYN_CHECK_NONE:
			break;
		case DYN_CHECK_NOT_NULL:
			dynpg_req_not_null(req, member_present(m, field), path);
			break;
		case DYN_CHECK_ENUM:
			Assert(m->kind == DYN_MODEL_STRING);
			if (value != NULL && !in_set(value, m->allowed))
				dynpg_req_enum(req, value, path, m->allowed);
			else if (value != NULL && m->narrow != NULL && !in_set(value, m->narrow))
				dynpg_req_invalid_text(req, m->narrow_text);
			break;
		case DYN_CHECK_TABLE_NAME:
			Assert(m->kind == DYN_MODEL_STRING);
			dynpg_req_table_name_or_arn(req, value, path, m->min, false);
			break;
		case DYN_CHECK_LENGTH:
			if (m->kind == DYN_MODEL_STRING)
			{
				dynpg_req_length(req, value, path, m->min, m->max);
				break;
			}
			Assert(m->kind == DYN_MODEL_LIST);
			list = *(DynJson *const *) field;
			n = dynpg_req_list_length(list);
			if (list != NULL && n < m->min)
				dynpg_req_too_short(req, path, m->min);
			if (m->max > 0 && n > m->max)
				dynpg_req_too_long(req, path, m->max);
			break;
	}
}

void
dynpg_req_check_members(DynRequest *req, const DynMember *members, int n, const void *values,
						const char *prefix)
{
	int			last = 0;
	int			order;
	int			i;

	for (i = 0; i < n; i++)
		last = Max(last, members[i].order);
	for (order = 1; order <= last; order++)
		for (i = 0; i < n; i++)
		{
			const DynMember *m = &members[i];

			if (m->order == order)
				check_member(req, m, (const char *) values + m->offset,
							 prefix ? psprintf("%s.%s", prefix, m->path) : m->path);
		}
}

/* ---- phase 3 and later ---- */

/* The control plane's message for a missing TableName. */
void
dynpg_req_required_table_name(const char *table_name)
{
	if (table_name == NULL)
		dynpg_validation_error("The parameter 'TableName' is required but was not present in the request");
}

void
dynpg_req_table_not_found(const char *table_name)
{
	if (table_name == NULL)
		dynpg_raise(DYN_ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
	dynpg_raise(DYN_ERR_RESOURCE_NOT_FOUND,
				"Requested resource not found: Table: %s not found", table_name);
}

void
dynpg_req_key_mismatch(bool start_key)
{
	dynpg_validation_error("%sThe provided key element does not match the schema",
						   start_key ? "The provided starting key is invalid: " : "");
}

/* "One or more parameter values were invalid: ...", DynamoDB's rules' prefix */
void
dynpg_req_invalid_parameter(const char *fmt,...)
{
	va_list		args;
	char	   *msg;

	va_start(args, fmt);
	msg = dynpg_format_va(fmt, args);
	va_end(args);
	dynpg_validation_error("One or more parameter values were invalid: %s", msg);
}

/*
 * Request members dynpg does not implement yet: refuse them rather than
 * ignore them, since ignoring a condition or a projection would silently
 * do something other than what the caller asked.
 */
void
dynpg_req_not_supported(const char *name)
{
	dynpg_validation_error("dynpg does not support the parameter %s yet", name);
}

/* Each of 'names' that is present is refused, in that order. */
void
dynpg_req_unsupported(const DynJson *obj, const char *const *names)
{
	int			i;

	for (i = 0; names[i] != NULL; i++)
		if (dynpg_req_member(obj, names[i]) != NULL)
			dynpg_req_not_supported(names[i]);
}
