/*-------------------------------------------------------------------------
 *
 * dynpg_request.h
 *	  Reading a DynamoDB request from jsonb, with DynamoDB's deserialization
 *	  and validation errors.  Below every layer that reads requests: the API
 *	  operations (src/api) and the expression parameters (src/expr).
 *
 * DynamoDB checks a request in phases, and every operation here follows
 * them in the same order (src/api/README has the details):
 *
 *	1. deserialization: each member must have its JSON type
 *	   (SerializationException, e.g. "class java.lang.Boolean can not be
 *	   converted to an String"); null members count as absent and unknown
 *	   members are ignored;
 *	2. constraints: every failed constraint (not null, length, pattern,
 *	   enum, range) is collected and reported at once as
 *	   "N validation error(s) detected: Value 'x' at 'path' failed to
 *	   satisfy constraint: ...; ..." (at most 10 listed);
 *	3. the operation's own rules, one message each;
 *	4. the table: ResourceNotFoundException, privileges;
 *	5. the key against the table's key schema.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_REQUEST_H
#define DYNPG_REQUEST_H

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

/* DynamoDB's TableName rules */
#define DYN_TABLE_NAME_MIN		3
#define DYN_TABLE_NAME_MAX		255
#define DYN_TABLE_NAME_PATTERN	"[a-zA-Z0-9_.-]+"
/* ... and those of key attribute names in a KeySchema or AttributeDefinitions */
#define DYN_KEY_NAME_MAX		255

/* The request being checked, and the constraint failures found so far. */
typedef struct DynRequest
{
	const char *operation;		/* DynamoDB operation name, e.g. "PutItem" */
	JsonbContainer *root;		/* the request object */
	StringInfoData errors;		/* failures, joined by "; " */
	int			nerrors;
} DynRequest;

/* phase 1: the request object and its members */
extern void dynpg_req_start(DynRequest *req, const char *operation, Jsonb *request);
extern bool dynpg_req_member(JsonbContainer *obj, const char *name, JsonbValue *out);
extern char *dynpg_req_string(JsonbContainer *obj, const char *name);
extern bool dynpg_req_bool(JsonbContainer *obj, const char *name, bool *out);
extern bool dynpg_req_long(JsonbContainer *obj, const char *name, bool is_int32,
						   int64 *out);
extern JsonbContainer *dynpg_req_struct(JsonbContainer *obj, const char *name);
extern JsonbContainer *dynpg_req_list(JsonbContainer *obj, const char *name);
extern Jsonb *dynpg_req_map(JsonbContainer *obj, const char *name);
extern JsonbContainer *dynpg_req_list_struct(JsonbContainer *list, int i);
extern char *dynpg_req_list_string(JsonbContainer *list, int i);
extern int	dynpg_req_list_length(JsonbContainer *list);

/* phase 2: constraint failures, reported together by dynpg_req_finish() */
extern void dynpg_req_invalid(DynRequest *req, const char *value, const char *path,
							  const char *constraint);
extern void dynpg_req_invalid_text(DynRequest *req, const char *text);
extern void dynpg_req_not_null(DynRequest *req, bool present, const char *path);
extern void dynpg_req_enum(DynRequest *req, const char *value, const char *path,
						   const char *const *allowed);
extern void dynpg_req_length(DynRequest *req, const char *value, const char *path,
							 int min, int max);
extern void dynpg_req_table_name(DynRequest *req, const char *value, const char *path,
								 int min, bool length_first);
extern void dynpg_req_finish(DynRequest *req);

/* phase 3 and later */
extern void dynpg_req_required_table_name(const char *table_name);
extern void dynpg_req_unsupported(JsonbContainer *obj, const char *const *names);

#endif							/* DYNPG_REQUEST_H */
