/*-------------------------------------------------------------------------
 *
 * dynpg_request.c
 *	  Reading DynamoDB requests from jsonb (see dynpg_request.h).
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
#include "base/dynpg_request.h"

/* Constraint failures DynamoDB lists (and counts) at most. */
#define DYN_MAX_REPORTED_ERRORS 10

static char *
numeric_text(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

/* Jackson's class for a JSON number, as DynamoDB's messages name it. */
static const char *
java_number_class(Numeric n)
{
	char	   *s = numeric_text(n);
	char	   *end;
	long long	v;

	if (strpbrk(s, ".eE") != NULL || numeric_is_nan(n) || numeric_is_inf(n))
		return "java.lang.Double";
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return "com.amazon.coral.value.json.numbers.TruncatingBigNumber";
	if (v >= PG_INT16_MIN && v <= PG_INT16_MAX)
		return "java.lang.Short";
	if (v >= PG_INT32_MIN && v <= PG_INT32_MAX)
		return "java.lang.Integer";
	return "java.lang.Long";
}

/* The messages for a container where a scalar was expected. */
static void container_not_expected(const JsonbValue *v) pg_attribute_noreturn();

static void
container_not_expected(const JsonbValue *v)
{
	Assert(v->type == jbvBinary);
	if (JsonContainerIsArray(v->val.binary.data))
		dynpg_serialization_error("Start of list found where not expected");
	dynpg_serialization_error("Start of structure or map found where not expected.");
}

/*
 * Start reading a request: it must be a JSON object (an absent body is an
 * empty object to the SQL functions; they are STRICT).
 */
void
dynpg_req_start(DynRequest *req, const char *operation, Jsonb *request)
{
	memset(req, 0, sizeof(*req));
	req->operation = operation;
	if (JB_ROOT_IS_SCALAR(request))
		dynpg_serialization_error("Expected null");
	if (JB_ROOT_IS_ARRAY(request))
		dynpg_serialization_error("Start of list found where not expected");
	req->root = &request->root;
	initStringInfo(&req->errors);
}

/* A member that is present and not null (DynamoDB ignores null members). */
bool
dynpg_req_member(JsonbContainer *obj, const char *name, JsonbValue *out)
{
	if (obj == NULL)
		return false;
	if (getKeyJsonValueFromContainer(obj, name, strlen(name), out) == NULL)
		return false;
	return out->type != jbvNull;
}

/* A String value (not null), or the deserializer's error for its type. */
static char *
string_value(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvBool:
			dynpg_serialization_error("class java.lang.Boolean can not be converted to an String");
		case jbvNumeric:
			dynpg_serialization_error("class %s can not be converted to an String",
									  java_number_class(v->val.numeric));
		case jbvBinary:
			container_not_expected(v);
		default:
			elog(ERROR, "dynpg: unexpected jsonb value type %d", (int) v->type);
	}
	return NULL;
}

/* A String member, or NULL when absent. */
char *
dynpg_req_string(JsonbContainer *obj, const char *name)
{
	JsonbValue	v;

	if (!dynpg_req_member(obj, name, &v))
		return NULL;
	return string_value(&v);
}

/* A Boolean member; false when absent. */
bool
dynpg_req_bool(JsonbContainer *obj, const char *name, bool *out)
{
	JsonbValue	v;

	*out = false;
	if (!dynpg_req_member(obj, name, &v))
		return false;
	switch (v.type)
	{
		case jbvBool:
			*out = v.val.boolean;
			return true;
		case jbvString:
			{
				/* the deserializer quotes the string upper-cased */
				char	   *up = pnstrdup(v.val.string.val, Min(v.val.string.len, 1024));
				char	   *c;

				for (c = up; *c; c++)
					*c = pg_toupper((unsigned char) *c);
				dynpg_serialization_error("'%s' can not be converted to an Boolean", up);
			}
		case jbvNumeric:
			{
				const char *cls = java_number_class(v.val.numeric);

				if (strcmp(cls, "java.lang.Double") != 0)
					dynpg_serialization_error("class %s can not be converted to an Boolean", cls);
				/* Jackson reads a fractional number as a boolean by magnitude */
				*out = fabs(strtod(numeric_text(v.val.numeric), NULL)) >= 1.0;
				return true;
			}
		case jbvBinary:
			container_not_expected(&v);
		default:
			elog(ERROR, "dynpg: unexpected jsonb value type %d", (int) v.type);
	}
	return false;
}

/*
 * A Long (or, with is_int32, Integer) member; false when absent.  Fractions
 * are truncated toward minus infinity, as the deserializer does.
 */
bool
dynpg_req_long(JsonbContainer *obj, const char *name, bool is_int32, int64 *out)
{
	const char *jtype = is_int32 ? "Integer" : "Long";
	JsonbValue	v;
	char	   *s;
	char	   *end;
	long long	val;

	*out = 0;
	if (!dynpg_req_member(obj, name, &v))
		return false;
	switch (v.type)
	{
		case jbvNumeric:
			break;
		case jbvBool:
			dynpg_serialization_error("class java.lang.Boolean can not be converted to an %s", jtype);
		case jbvString:
			dynpg_serialization_error("class java.lang.String can not be converted to an %s", jtype);
		case jbvBinary:
			container_not_expected(&v);
		default:
			elog(ERROR, "dynpg: unexpected jsonb value type %d", (int) v.type);
	}
	s = numeric_text(DatumGetNumeric(DirectFunctionCall1(numeric_floor,
														 NumericGetDatum(v.val.numeric))));
	errno = 0;
	val = strtoll(s, &end, 10);
	if (errno == ERANGE || *end != '\0' ||
		(is_int32 && (val < PG_INT32_MIN || val > PG_INT32_MAX)))
		dynpg_serialization_error("class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an %s",
								  jtype);
	*out = (int64) val;
	return true;
}

/* A Structure member (a JSON object), or NULL when absent. */
JsonbContainer *
dynpg_req_struct(JsonbContainer *obj, const char *name)
{
	JsonbValue	v;

	if (!dynpg_req_member(obj, name, &v))
		return NULL;
	if (v.type != jbvBinary)
		dynpg_serialization_error("Expected null");
	if (JsonContainerIsArray(v.val.binary.data))
		dynpg_serialization_error("Start of list found where not expected");
	return v.val.binary.data;
}

/* A List member (a JSON array), or NULL when absent. */
JsonbContainer *
dynpg_req_list(JsonbContainer *obj, const char *name)
{
	JsonbValue	v;

	if (!dynpg_req_member(obj, name, &v))
		return NULL;
	if (v.type != jbvBinary)
		dynpg_serialization_error("Expected list or null");
	if (JsonContainerIsObject(v.val.binary.data))
		dynpg_serialization_error("Start of structure or map found where not expected.");
	return v.val.binary.data;
}

/*
 * A Map member (a JSON object) as a jsonb datum of its own, to hand an Item
 * or a Key to the types layer; NULL when absent.
 */
Jsonb *
dynpg_req_map(JsonbContainer *obj, const char *name)
{
	JsonbValue	v;

	if (!dynpg_req_member(obj, name, &v))
		return NULL;
	if (v.type != jbvBinary)
		dynpg_serialization_error("Expected map or null");
	if (JsonContainerIsArray(v.val.binary.data))
		dynpg_serialization_error("Start of list found where not expected");
	/* a nested container is self-contained: copying its bytes makes a datum */
	return JsonbValueToJsonb(&v);
}

int
dynpg_req_list_length(JsonbContainer *list)
{
	return list ? (int) JsonContainerSize(list) : 0;
}

/* Element i of a List of Structures, or NULL when it is null. */
JsonbContainer *
dynpg_req_list_struct(JsonbContainer *list, int i)
{
	JsonbValue *v = getIthJsonbValueFromContainer(list, i);

	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type != jbvBinary)
		dynpg_serialization_error("Expected null");
	if (JsonContainerIsArray(v->val.binary.data))
		dynpg_serialization_error("Start of list found where not expected");
	return v->val.binary.data;
}

/* Element i of a List of Strings, or NULL when it is null. */
char *
dynpg_req_list_string(JsonbContainer *list, int i)
{
	JsonbValue *v = getIthJsonbValueFromContainer(list, i);

	if (v == NULL || v->type == jbvNull)
		return NULL;
	return string_value(v);
}

/* ---- phase 2: constraint failures ---- */

/* Add one failure: "Value 'x' at 'path' failed to satisfy constraint: ..." */
void
dynpg_req_invalid(DynRequest *req, const char *value, const char *path,
				  const char *constraint)
{
	if (req->nerrors >= DYN_MAX_REPORTED_ERRORS)
		return;
	if (req->nerrors > 0)
		appendStringInfoString(&req->errors, "; ");
	if (value == NULL)
		appendStringInfoString(&req->errors, "Value null");
	else
		appendStringInfo(&req->errors, "Value '%s'", value);
	appendStringInfo(&req->errors, " at '%s' failed to satisfy constraint: %s",
					 path, constraint);
	req->nerrors++;
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
		dynpg_req_invalid(req, NULL, path, "Member must not be null");
}

void
dynpg_req_enum(DynRequest *req, const char *value, const char *path,
			   const char *const *allowed)
{
	StringInfoData set;
	int			i;

	if (value == NULL)
		return;
	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(value, allowed[i]) == 0)
			return;
	initStringInfo(&set);
	appendStringInfoString(&set, "Member must satisfy enum value set: [");
	for (i = 0; allowed[i] != NULL; i++)
		appendStringInfo(&set, "%s%s", i > 0 ? ", " : "", allowed[i]);
	appendStringInfoChar(&set, ']');
	dynpg_req_invalid(req, value, path, set.data);
}

/* Length in characters, as DynamoDB's (Java) constraints count it. */
void
dynpg_req_length(DynRequest *req, const char *value, const char *path,
				 int min, int max)
{
	int			len;

	if (value == NULL)
		return;
	len = pg_mbstrlen(value);
	if (min > 0 && len < min)
		dynpg_req_invalid(req, value, path,
						  psprintf("Member must have length greater than or equal to %d", min));
	if (max > 0 && len > max)
		dynpg_req_invalid(req, value, path,
						  psprintf("Member must have length less than or equal to %d", max));
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

/*
 * A table name: not null, the pattern, length min..255.  DynamoDB's control
 * plane reports the length before the pattern, its data plane after.
 */
void
dynpg_req_table_name(DynRequest *req, const char *value, const char *path,
					 int min, bool length_first)
{
	if (value == NULL)
	{
		dynpg_req_not_null(req, false, path);
		return;
	}
	if (length_first)
		dynpg_req_length(req, value, path, min, DYN_TABLE_NAME_MAX);
	if (!table_name_chars_ok(value))
		dynpg_req_invalid(req, value, path,
						  "Member must satisfy regular expression pattern: " DYN_TABLE_NAME_PATTERN);
	if (!length_first)
		dynpg_req_length(req, value, path, min, DYN_TABLE_NAME_MAX);
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

/* The control plane's message for a missing TableName. */
void
dynpg_req_required_table_name(const char *table_name)
{
	if (table_name == NULL)
		dynpg_validation_error("The parameter 'TableName' is required but was not present in the request");
}

/*
 * Request members dynpg does not implement yet: refuse them rather than
 * ignore them, since ignoring a condition or a projection would silently
 * do something other than what the caller asked.
 */
void
dynpg_req_unsupported(JsonbContainer *obj, const char *const *names)
{
	JsonbValue	v;
	int			i;

	for (i = 0; names[i] != NULL; i++)
		if (dynpg_req_member(obj, names[i], &v))
			dynpg_validation_error("dynpg does not support the parameter %s yet", names[i]);
}

