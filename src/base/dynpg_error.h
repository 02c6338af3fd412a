/*-------------------------------------------------------------------------
 *
 * dynpg_error.h
 *	  DynamoDB exception types as PostgreSQL errors.
 *
 * Every DynamoDB exception type has its own SQLSTATE in the private class
 * "YD" (implementation-defined classes start with I-Z).  The message is
 * DynamoDB's own text; the DETAIL is DynamoDB's error response body, e.g.
 * {"__type":"com.amazon.coral.validate#ValidationException","message":"..."}.
 * The table in dynpg_error.c is the one place that maps the three; the SQL
 * function dynpg.error_types() shows it and the README lists it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_ERROR_H
#define DYNPG_ERROR_H

typedef enum DynErrorType
{
	DYN_ERR_VALIDATION = 0,
	DYN_ERR_SERIALIZATION,
	DYN_ERR_UNKNOWN_OPERATION,
	DYN_ERR_CONDITIONAL_CHECK_FAILED,
	DYN_ERR_RESOURCE_NOT_FOUND,
	DYN_ERR_RESOURCE_IN_USE,
	DYN_ERR_LIMIT_EXCEEDED,
	DYN_ERR_TRANSACTION_CANCELED,
	DYN_ERR_TRANSACTION_CONFLICT,
	DYN_ERR_TRANSACTION_IN_PROGRESS,
	DYN_ERR_IDEMPOTENT_PARAMETER_MISMATCH,
	DYN_ERR_ITEM_COLLECTION_SIZE_LIMIT_EXCEEDED,
	DYN_ERR_PROVISIONED_THROUGHPUT_EXCEEDED,
	DYN_ERR_REQUEST_LIMIT_EXCEEDED,
	DYN_ERR_THROTTLING,
	DYN_ERR_DUPLICATE_ITEM,
	DYN_ERR_ACCESS_DENIED,
	DYN_ERR_EXPIRED_ITERATOR,	/* DynamoDB Streams */
	DYN_ERR_TRIMMED_DATA_ACCESS,
	DYN_ERR_EXPORT_NOT_FOUND,	/* exports */
	DYN_ERR_TABLE_NOT_FOUND,
	DYN_ERR_IMPORT_NOT_FOUND,	/* DescribeImport */
	DYN_ERR_INVALID_EXPORT_TIME,	/* ExportTableToPointInTime */
	DYN_ERR_SERVICE_UNAVAILABLE,	/* a request a standby cannot serve (HTTP 503) */
	DYN_ERR_INTERNAL_SERVER_ERROR,
	DYN_ERR__COUNT
} DynErrorType;

/*
 * Raise DynamoDB exception 'type' with DynamoDB's message.  The DETAIL
 * carries the error response JSON; extra_json, if not NULL, is a string of
 * further members (without braces) appended to it, e.g. "\"Item\":{...}".
 */
#define dynpg_raise(type, ...) dynpg_raise_extra((type), NULL, __VA_ARGS__)
extern void dynpg_raise_extra(DynErrorType type, const char *extra_json,
							  const char *fmt,...)
			pg_attribute_printf(3, 4) pg_attribute_noreturn();
/* A message formatted as dynpg_raise() formats it, for wrappers that add to it */
extern char *dynpg_format_va(const char *fmt, va_list args) pg_attribute_printf(1, 0);

extern const char *dynpg_error_name(DynErrorType type);

/*
 * The error response body of 'type' with members around the message:
 * {"__type":..., <before>, "message":..., <after>} ('before' and 'after'
 * are members without braces, or NULL).  TransactionCanceledException
 * puts CancellationReasons before its Message, as DynamoDB does.
 */
extern char *dynpg_error_body(DynErrorType type, const char *before, const char *after,
							  const char *message);
/*
 * Raise 'type' with that body; 'sqlstate' (a MAKE_SQLSTATE value) replaces
 * the type's own when not 0 -- the wire layer keeps 40001 and 40P01 on the
 * conflicts it maps, so that clients still retry them.
 */
extern void dynpg_raise_body(DynErrorType type, int sqlstate, const char *before,
							 const char *after, const char *message) pg_attribute_noreturn();

#define dynpg_validation_error(...) dynpg_raise(DYN_ERR_VALIDATION, __VA_ARGS__)
#define dynpg_serialization_error(...) dynpg_raise(DYN_ERR_SERIALIZATION, __VA_ARGS__)

#endif							/* DYNPG_ERROR_H */
