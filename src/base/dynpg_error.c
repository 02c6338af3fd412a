/*-------------------------------------------------------------------------
 *
 * dynpg_error.c
 *	  The DynamoDB exception table and the functions that raise them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "base/dynpg_error.h"

typedef struct DynErrorInfo
{
	const char *name;			/* DynamoDB exception name */
	int			sqlstate;		/* MAKE_SQLSTATE(...) */
	const char *sqlstate_str;	/* the same, as text */
	const char *type_prefix;	/* __type up to and including '#' */
	const char *message_key;	/* "message" or "Message", as DynamoDB sends */
	bool		retryable;
} DynErrorInfo;

#define DDB "com.amazonaws.dynamodb.v20120810#"

/* Indexed by DynErrorType; keep in the enum's order. */
static const DynErrorInfo dyn_errors[DYN_ERR__COUNT] = {
	{"ValidationException", MAKE_SQLSTATE('Y', 'D', '0', '0', '1'), "YD001",
	"com.amazon.coral.validate#", "message", false},
	{"SerializationException", MAKE_SQLSTATE('Y', 'D', '0', '0', '2'), "YD002",
	"com.amazon.coral.service#", "Message", false},
	{"UnknownOperationException", MAKE_SQLSTATE('Y', 'D', '0', '0', '3'), "YD003",
	"com.amazon.coral.service#", "message", false},
	{"ConditionalCheckFailedException", MAKE_SQLSTATE('Y', 'D', '0', '1', '0'), "YD010",
	DDB, "message", false},
	{"ResourceNotFoundException", MAKE_SQLSTATE('Y', 'D', '0', '1', '1'), "YD011",
	DDB, "message", false},
	{"ResourceInUseException", MAKE_SQLSTATE('Y', 'D', '0', '1', '2'), "YD012",
	DDB, "message", false},
	{"LimitExceededException", MAKE_SQLSTATE('Y', 'D', '0', '1', '3'), "YD013",
	DDB, "message", true},
	/* "Message", as AWS sends it (boto3#2657's captured response) */
	{"TransactionCanceledException", MAKE_SQLSTATE('Y', 'D', '0', '2', '0'), "YD020",
	DDB, "Message", false},
	{"TransactionConflictException", MAKE_SQLSTATE('Y', 'D', '0', '2', '1'), "YD021",
	DDB, "message", true},
	{"TransactionInProgressException", MAKE_SQLSTATE('Y', 'D', '0', '2', '2'), "YD022",
	DDB, "message", true},
	{"IdempotentParameterMismatchException", MAKE_SQLSTATE('Y', 'D', '0', '2', '3'), "YD023",
	DDB, "message", false},
	{"ItemCollectionSizeLimitExceededException", MAKE_SQLSTATE('Y', 'D', '0', '3', '0'), "YD030",
	DDB, "message", true},
	{"ProvisionedThroughputExceededException", MAKE_SQLSTATE('Y', 'D', '0', '3', '1'), "YD031",
	DDB, "message", true},
	{"RequestLimitExceeded", MAKE_SQLSTATE('Y', 'D', '0', '3', '2'), "YD032",
	DDB, "message", true},
	{"ThrottlingException", MAKE_SQLSTATE('Y', 'D', '0', '3', '3'), "YD033",
	"com.amazon.coral.availability#", "message", true},
	{"DuplicateItemException", MAKE_SQLSTATE('Y', 'D', '0', '4', '0'), "YD040",
	DDB, "message", false},
	{"AccessDeniedException", MAKE_SQLSTATE('Y', 'D', '0', '4', '1'), "YD041",
	"com.amazon.coral.service#", "Message", false},
	{"ExpiredIteratorException", MAKE_SQLSTATE('Y', 'D', '0', '5', '0'), "YD050",
	DDB, "message", false},
	{"TrimmedDataAccessException", MAKE_SQLSTATE('Y', 'D', '0', '5', '1'), "YD051",
	DDB, "message", false},
	{"ExportNotFoundException", MAKE_SQLSTATE('Y', 'D', '0', '6', '0'), "YD060",
	DDB, "message", false},
	{"TableNotFoundException", MAKE_SQLSTATE('Y', 'D', '0', '6', '1'), "YD061",
	DDB, "message", false},
	{"ImportNotFoundException", MAKE_SQLSTATE('Y', 'D', '0', '6', '2'), "YD062",
	DDB, "message", false},
	{"InvalidExportTimeException", MAKE_SQLSTATE('Y', 'D', '0', '6', '3'), "YD063",
	DDB, "message", false},
	/* HTTP 503; a standby's answer to a write or a strongly consistent read */
	{"ServiceUnavailable", MAKE_SQLSTATE('Y', 'D', '5', '0', '3'), "YD503",
	DDB, "message", true},
	{"InternalServerError", MAKE_SQLSTATE('Y', 'D', '5', '0', '0'), "YD500",
	DDB, "message", true},
};

const char *
dynpg_error_name(DynErrorType type)
{
	if (type < 0 || type >= DYN_ERR__COUNT)
		elog(ERROR, "dynpg: unknown error type %d", (int) type);
	return dyn_errors[type].name;
}

/*
 * The error response body: __type, then 'before' (members without braces,
 * or NULL), the message member, then 'after'.
 */
char *
dynpg_error_body(DynErrorType type, const char *before, const char *after,
				 const char *message)
{
	const DynErrorInfo *info;
	StringInfoData detail;
	StringInfoData typestr;

	if (type < 0 || type >= DYN_ERR__COUNT)
		elog(ERROR, "dynpg: unknown error type %d", (int) type);
	info = &dyn_errors[type];

	initStringInfo(&typestr);
	appendStringInfo(&typestr, "%s%s", info->type_prefix, info->name);

	initStringInfo(&detail);
	appendStringInfoString(&detail, "{\"__type\":");
	escape_json(&detail, typestr.data);
	if (before && before[0])
	{
		appendStringInfoChar(&detail, ',');
		appendStringInfoString(&detail, before);
	}
	appendStringInfo(&detail, ",\"%s\":", info->message_key);
	escape_json(&detail, message);
	if (after && after[0])
	{
		appendStringInfoChar(&detail, ',');
		appendStringInfoString(&detail, after);
	}
	appendStringInfoChar(&detail, '}');
	return detail.data;
}

void
dynpg_raise_body(DynErrorType type, int sqlstate, const char *before, const char *after,
				 const char *message)
{
	char	   *body = dynpg_error_body(type, before, after, message);

	ereport(ERROR,
			(errcode(sqlstate != 0 ? sqlstate : dyn_errors[type].sqlstate),
			 errmsg_internal("%s", message),
			 errdetail_internal("%s", body)));
	pg_unreachable();
}

static void
dynpg_raise_internal(DynErrorType type, const char *extra_json,
					 const char *message) pg_attribute_noreturn();

static void
dynpg_raise_internal(DynErrorType type, const char *extra_json,
					 const char *message)
{
	dynpg_raise_body(type, 0, NULL, extra_json, message);
}

char *
dynpg_format_va(const char *fmt, va_list args)
{
	StringInfoData msg;

	initStringInfo(&msg);
	for (;;)
	{
		va_list		copy;
		int			needed;

		va_copy(copy, args);
		needed = appendStringInfoVA(&msg, fmt, copy);
		va_end(copy);
		if (needed == 0)
			break;
		enlargeStringInfo(&msg, needed);
	}
	return msg.data;
}

void
dynpg_raise_extra(DynErrorType type, const char *extra_json, const char *fmt,...)
{
	va_list		args;
	char	   *msg;

	va_start(args, fmt);
	msg = dynpg_format_va(fmt, args);
	va_end(args);
	dynpg_raise_internal(type, extra_json, msg);
}

/*
 * dynpg.error_types(): the exception table, for the README and for clients
 * that map SQLSTATEs back to DynamoDB exceptions.
 */
PG_FUNCTION_INFO_V1(dynpg_error_types);
Datum
dynpg_error_types(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < DYN_ERR__COUNT; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		char	   *type;

		type = psprintf("%s%s", dyn_errors[i].type_prefix, dyn_errors[i].name);
		values[0] = CStringGetTextDatum(dyn_errors[i].name);
		values[1] = CStringGetTextDatum(dyn_errors[i].sqlstate_str);
		values[2] = CStringGetTextDatum(type);
		values[3] = BoolGetDatum(dyn_errors[i].retryable);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * dynpg.raise_error(exception, message): raise a DynamoDB exception from SQL
 * (used by SQL-language parts of dynpg and by tests of the mapping).
 */
PG_FUNCTION_INFO_V1(dynpg_raise_error_sql);
Datum
dynpg_raise_error_sql(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *message = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int			i;

	for (i = 0; i < DYN_ERR__COUNT; i++)
	{
		if (strcmp(dyn_errors[i].name, name) == 0)
			dynpg_raise_internal((DynErrorType) i, NULL, message);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown DynamoDB exception type \"%s\"", name)));
	PG_RETURN_VOID();
}
