/*-------------------------------------------------------------------------
 *
 * dynpg_request.h
 *	  Reading a DynamoDB request (a JSON tree, base/dynpg_json.h), with
 *	  DynamoDB's deserialization and validation errors.  Below every layer that reads requests: the API
 *	  operations (src/api), the expression parameters (src/expr), and the
 *	  AttributeValues (src/types), whose deserializer messages are these.
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
 *	   "N validation error(s) detected: ...; ..." (at most 10 listed);
 *	3. the operation's own rules, one message each;
 *	4. the table: ResourceNotFoundException, privileges;
 *	5. the key against the table's key schema.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_REQUEST_H
#define DYNPG_REQUEST_H

#include "lib/stringinfo.h"
#include "base/dynpg_json.h"

/* DynamoDB's TableName rules */
#define DYN_TABLE_NAME_MIN		3
#define DYN_TABLE_NAME_MAX		255
#define DYN_TABLE_NAME_PATTERN	"[a-zA-Z0-9_.-]+"
/* ... and of a table's ARN where an operation takes one for its TableName */
#define DYN_TABLE_ARN_MAX		1024
/*
 * dynpg's own partition, region and account, as its ARNs carry them
 * (DynamoDB Local's: arn:aws:dynamodb:ddblocal:000000000000:table/NAME)
 */
#define DYN_OWN_PARTITION		"aws"
#define DYN_OWN_REGION			"ddblocal"
#define DYN_OWN_ACCOUNT			"000000000000"
/* ... and those of key attribute names in a KeySchema or AttributeDefinitions */
#define DYN_KEY_NAME_MAX		255

/* The request being checked, and the constraint failures found so far. */
typedef struct DynRequest
{
	const char *operation;		/* DynamoDB operation name, e.g. "PutItem" */
	DynJson    *root;			/* the request object */
	StringInfoData errors;		/* failures, joined by "; " */
	int			nerrors;
} DynRequest;

/*
 * The JSON types of DynamoDB's model, as its deserializer reads them: a
 * Structure has the model's members, a Map any keys; a Blob is a String
 * holding base64 (an AttributeValue's B).
 */
typedef enum DynModelType
{
	DYN_MODEL_STRING,
	DYN_MODEL_BLOB,
	DYN_MODEL_BOOLEAN,
	DYN_MODEL_INTEGER,
	DYN_MODEL_LONG,
	DYN_MODEL_STRUCTURE,
	DYN_MODEL_LIST,
	DYN_MODEL_MAP
} DynModelType;

/* What a request holds where the deserializer expected a DynModelType. */
typedef enum DynFoundKind
{
	DYN_FOUND_NULL,
	DYN_FOUND_BOOLEAN,
	DYN_FOUND_NUMBER,
	DYN_FOUND_STRING,
	DYN_FOUND_OBJECT,
	DYN_FOUND_ARRAY
} DynFoundKind;

/*
 * phase 1: the deserializer's messages, raised as SerializationException.
 * dynpg_req_unexpected() raises the one for a value of kind 'found' where
 * 'expected' was expected ("Start of list found where not expected",
 * "Start of structure or map found where not expected.", "Expected null",
 * "Expected list or null", "Expected map or null", "class X can not be
 * converted to an Y", "'X' can not be converted to an Boolean"); 'text' is
 * a number's Java class (e.g. "java.lang.Short", or
 * DYN_JAVA_BIG_NUMBER for one no Long holds), or a string's text, or NULL.
 * Every reader of requests (here, and types/ for AttributeValues) uses it.
 */
#define DYN_JAVA_BIG_NUMBER "com.amazon.coral.value.json.numbers.TruncatingBigNumber"

extern void dynpg_req_unexpected(DynModelType expected, DynFoundKind found, const char *text)
			pg_attribute_noreturn();

/* The same for JSON value 'v', whatever its kind, where 'expected' was expected. */
extern void dynpg_req_unexpected_value(const DynJson *v, DynModelType expected) pg_attribute_noreturn();

/*
 * Jackson's class for a JSON number's text, as DynamoDB's messages name it:
 * java.lang.Short, Integer, Long or Double, or DYN_JAVA_BIG_NUMBER.
 */
extern const char *dynpg_req_number_class(const char *s, int len);

/*
 * phase 1: the request object and its members, read from its JSON tree.
 * Objects, Lists and Maps are returned as the tree's nodes; Strings as C
 * strings (dynpg_req_value_name gives an attribute name's bytes, which may
 * hold U+0000).
 */
extern void dynpg_req_start(DynRequest *req, const char *operation, DynJson *request);
extern DynJson *dynpg_req_member(const DynJson *obj, const char *name);
extern char *dynpg_req_string(const DynJson *obj, const char *name);
extern bool dynpg_req_bool(const DynJson *obj, const char *name, bool *out);
extern bool dynpg_req_long(const DynJson *obj, const char *name, bool is_int32,
						   int64 *out);
extern DynJson *dynpg_req_struct(const DynJson *obj, const char *name);
extern DynJson *dynpg_req_list(const DynJson *obj, const char *name);
extern DynJson *dynpg_req_map(const DynJson *obj, const char *name);
extern int	dynpg_req_list_length(const DynJson *list);
/* element i of a List (NULL when it is null) */
extern DynJson *dynpg_req_list_struct(const DynJson *list, int i);
extern char *dynpg_req_list_string(const DynJson *list, int i);
extern DynJson *dynpg_req_list_map(const DynJson *list, int i);
/* a value already found (a Map's value, a List's element): NULL when null */
extern char *dynpg_req_value_string(const DynJson *v);
extern const char *dynpg_req_value_name(const DynJson *v, int *len);
extern DynJson *dynpg_req_value_struct(const DynJson *v);
extern DynJson *dynpg_req_value_list(const DynJson *v);
extern DynJson *dynpg_req_value_map(const DynJson *v);

/*
 * phase 2: constraint failures, reported together by dynpg_req_finish().
 * Only these functions word them (DynamoDB's current "Value at 'Path'
 * failed to satisfy constraint: Member must ...", the path naming members
 * as the API does: "TableName", "RequestItems.t.member.Keys",
 * "TransactItems.1.member.Put.TableName"; dynpg_request.c writes that
 * wording once).  Each adds a failure when its check fails;
 * dynpg_req_too_short and dynpg_req_too_long add one for a length the
 * caller found out of bounds.
 */
extern void dynpg_req_collect(DynRequest *req, const char *operation);
extern void dynpg_req_invalid_text(DynRequest *req, const char *text);
extern void dynpg_req_not_null(DynRequest *req, bool present, const char *path);
extern void dynpg_req_enum(DynRequest *req, const char *value, const char *path,
						   const char *const *allowed);
extern void dynpg_req_length(DynRequest *req, const char *value, const char *path,
							 int min, int max);
extern void dynpg_req_too_short(DynRequest *req, const char *path, int min);
extern void dynpg_req_too_long(DynRequest *req, const char *path, int max);
extern void dynpg_req_range(DynRequest *req, int64 value, const char *path, int64 min,
							int64 max);
/*
 * A table or index name: not null, the pattern, 3..255 characters; an
 * empty one breaks only the length rule, with 'min' (1 on the data plane,
 * whose TableName may also be an ARN, 3 on the control plane).
 */
extern void dynpg_req_table_name(DynRequest *req, const char *value, const char *path,
								 int min, bool length_first);
/* a TableName that may be an ARN ("arn:...", 1..1024 characters) */
extern void dynpg_req_table_name_or_arn(DynRequest *req, const char *value, const char *path,
										int min, bool length_first);
/*
 * An ARN, arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, RESOURCE being
 * TYPE/NAME (TYPE alone when it has no '/'): the one parser of ARNs, for
 * TableName and ResourceArn alike.  dynpg_arn_parse returns the first
 * fault found, in this order: not "arn:" with six fields (MALFORMED), a
 * partition other than dynpg's, a service other than dynamodb, a region
 * other than dynpg's, a resource type other than "table", a table name not
 * 3..255 characters of the pattern (an index's or a stream's ARN has a
 * '/' in it).  The account is not checked: another account's table is one
 * dynpg does not have (not found).
 */
typedef enum DynArnFault
{
	DYN_ARN_OK,
	DYN_ARN_MALFORMED,
	DYN_ARN_BAD_PARTITION,
	DYN_ARN_BAD_SERVICE,
	DYN_ARN_BAD_REGION,
	DYN_ARN_BAD_RESOURCE_TYPE,
	DYN_ARN_BAD_NAME
} DynArnFault;

typedef struct DynArn
{
	char	   *partition;
	char	   *service;
	char	   *region;
	char	   *account;
	char	   *resource_type;
	char	   *name;			/* after the first '/' of the resource ("" if none) */
} DynArn;

extern DynArnFault dynpg_arn_parse(const char *arn, DynArn *out);
/*
 * A TableName's ARN that is not a well-formed table ARN of dynpg's
 * partition and region: DynamoDB's constraint failure (in the request's
 * list of failures), "Invalid AWS region in '<ARN>'" and so on.
 */
extern void dynpg_req_table_arn(DynRequest *req, const char *arn, const char *path);
/* whether 'name' is a table name (3..255 characters of the pattern); or an ARN */
extern bool dynpg_req_is_table_name(const char *name);
extern bool dynpg_req_is_table_name_or_arn(const char *name);
/*
 * A batch's RequestItems whose keys are not all table names: the one
 * constraint DynamoDB still words quoting the value ('value': the
 * request's RequestItems as JSON) at the model's lower-case 'requestItems'.
 */
extern void dynpg_req_table_name_keys(DynRequest *req, const char *value, const char *path);
extern void dynpg_req_finish(DynRequest *req);

/*
 * Member tables: an operation's members described once, read in the
 * model's order (phase 1) and checked in DynamoDB's order of its
 * constraints (phase 2), which differs.  Each member's value goes to
 * 'offset' in the caller's struct, by its kind: a String's as char *
 * (NULL when absent), a Boolean's as bool (false when absent), a Long's or
 * an Integer's as DynReqNumber, a Structure's, a List's or a Map's as
 * DynJson * (NULL when absent).
 */
typedef enum DynCheck
{
	DYN_CHECK_NONE,
	DYN_CHECK_NOT_NULL,
	DYN_CHECK_ENUM,				/* 'allowed'; then 'narrow', if set */
	DYN_CHECK_TABLE_NAME,		/* the data plane's: pattern, then length min..255 */
	DYN_CHECK_LENGTH			/* a String's characters, a List's elements: min..max */
} DynCheck;

typedef struct DynReqNumber
{
	bool		present;
	int64		value;
} DynReqNumber;

typedef struct DynMember
{
	const char *name;			/* the request's member, e.g. "TableName" */
	DynModelType kind;
	size_t		offset;			/* of its value in the caller's struct */
	int			order;			/* its place among the checks (1, 2, ...; 0: none) */
	const char *path;			/* the constraint messages' path, e.g. "TableName" */
	DynCheck	check;
	const char *const *allowed; /* DYN_CHECK_ENUM's values */
	int			min;			/* DYN_CHECK_TABLE_NAME, DYN_CHECK_LENGTH */
	int			max;			/* DYN_CHECK_LENGTH (0: none) */

	/*
	 * DYN_CHECK_ENUM: a value of 'allowed' the operation does not take
	 * fails with 'narrow_text' (e.g. "ReturnValues can only be ALL_OLD or
	 * NONE"), in the same list
	 */
	const char *const *narrow;
	const char *narrow_text;
} DynMember;

extern void dynpg_req_read_members(const DynJson *obj, const DynMember *members, int n,
								   void *values);
/* 'prefix': the path of the members' object ("TransactItems.1.member.Put"), or NULL */
extern void dynpg_req_check_members(DynRequest *req, const DynMember *members, int n,
									const void *values, const char *prefix);

/* phase 3 and later */
extern void dynpg_req_required_table_name(const char *table_name);
/*
 * phase 4: ResourceNotFoundException for a table; the control plane names
 * it ('table_name'), the data plane does not (NULL)
 */
extern void dynpg_req_table_not_found(const char *table_name) pg_attribute_noreturn();
/* phase 5: a key (ExclusiveStartKey: 'start_key') that does not match the key schema */
extern void dynpg_req_key_mismatch(bool start_key) pg_attribute_noreturn();
extern void dynpg_req_invalid_parameter(const char *fmt,...)
			pg_attribute_printf(1, 2) pg_attribute_noreturn();
extern void dynpg_req_not_supported(const char *name) pg_attribute_noreturn();
extern void dynpg_req_unsupported(const DynJson *obj, const char *const *names);

#endif							/* DYNPG_REQUEST_H */
