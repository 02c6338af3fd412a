/*-------------------------------------------------------------------------
 *
 * transact_ops.c
 *	  TransactWriteItems and TransactGetItems.
 *
 * TransactWriteItems checks the whole request as the item operations do
 * (base/dynpg_request.h's phases), then runs its actions in order with the item
 * operations' own pieces (dynpg_item_common.h: conditions, UpdateItem's compute,
 * key checks) through the one write path (am/dynpg_write.h):
 *
 *  - request-level problems (JSON types, constraints, the 4 MB limit, more
 *    than one operation in an action, expressions, unused names and values,
 *    ReturnValuesOnConditionCheckFailure) raise the plain exception for the
 *    whole request, as do a missing table (ResourceNotFoundException) and
 *    privileges;
 *  - the items and keys against their tables (AttributeValues, 400 KB, key
 *    schema and types, index key types, updates of key attributes) are
 *    checked action by action before anything is written; the first
 *    ValidationException becomes TransactionCanceledException with code
 *    ValidationError at that action, "None" everywhere else;
 *  - then two actions on one item are refused (ValidationException);
 *  - ClientRequestToken: a replay of the same request returns {} without
 *    running it again; see token_check();
 *  - the actions run.  A Put, Update or Delete with a condition runs in a
 *    subtransaction (BeginInternalSubTransaction, as PL/pgSQL's exception
 *    blocks): when its condition fails, the subtransaction is rolled back,
 *    the failure is recorded and the remaining conditions are still
 *    evaluated (no write is made after a failure: the remaining conditions
 *    are evaluated as ConditionChecks are).  Unconditional writes and
 *    ConditionChecks need no subtransaction: nothing in them is survived.
 *    If any condition failed, TransactionCanceledException lists every
 *    action's reason; raising it undoes every write of the request with the
 *    caller's (sub)transaction.
 *
 * An error while an action runs is mapped with that action's index:
 * ValidationException (e.g. an update making the item too large) to code
 * ValidationError, serialization failures (40001) and deadlocks (40P01) to
 * code TransactionConflict -- keeping their SQLSTATE, so that PostgreSQL
 * clients still retry them; the DETAIL is DynamoDB's
 * TransactionCanceledException body.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "am/dynpg_read.h"
#include "am/dynpg_write.h"
#include "api/dynpg_api.h"
#include "api/dynpg_item_common.h"
#include "api/dynpg_wire.h"
#include "catalog/dynpg_catalog.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_search_path.h"
#include "base/dynpg_error.h"
#include "expr/dynpg_expr.h"
#include "index/dynpg_index.h"
#include "types/dynpg_item.h"
#include "types/dynpg_key.h"

/* DynamoDB's limits */
#define DYN_TRANSACT_MAX_ITEMS		100
#define DYN_TRANSACT_MAX_BYTES		(4 * 1024 * 1024)
#define DYN_TOKEN_MAX				36

typedef enum TxKind
{
	TX_CHECK,
	TX_PUT,
	TX_DELETE,
	TX_UPDATE
} TxKind;

/* the members of a TransactWriteItem, in the model's order (also their paths) */
static const char *const tx_kind_member[] = {"ConditionCheck", "Put", "Delete", "Update"};

/*
 * The members of each kind of action (dynpg_request.h's member tables), in
 * the model's order, with their places among the constraint checks.
 */
static const DynMember check_members[] = {
	DYN_MEMBER_KEY(1),
	DYN_MEMBER_TABLE_NAME(2),
	{"ConditionExpression", DYN_MODEL_STRING, DYN_ITEM_MEMBER(cond_text), 3,
	"ConditionExpression", DYN_CHECK_NOT_NULL},
	{"ExpressionAttributeNames", DYN_MODEL_MAP, DYN_ITEM_MEMBER(names_jb)},
	{"ExpressionAttributeValues", DYN_MODEL_MAP, DYN_ITEM_MEMBER(values_jb)},
	DYN_MEMBER_ON_FAILURE(4),
};
static const DynMember put_members[] = {
	DYN_MEMBER_ITEM(1),
	DYN_MEMBER_TABLE_NAME(2),
	DYN_MEMBERS_CONDITION_EXPRESSION,
	DYN_MEMBER_ON_FAILURE(3),
};
static const DynMember delete_members[] = {
	DYN_MEMBER_KEY(1),
	DYN_MEMBER_TABLE_NAME(2),
	DYN_MEMBERS_CONDITION_EXPRESSION,
	DYN_MEMBER_ON_FAILURE(3),
};
static const DynMember update_members[] = {
	DYN_MEMBER_KEY(1),
	{"UpdateExpression", DYN_MODEL_STRING, DYN_ITEM_MEMBER(update_text), 2, "UpdateExpression",
	DYN_CHECK_NOT_NULL},
	DYN_MEMBER_TABLE_NAME(3),
	DYN_MEMBERS_CONDITION_EXPRESSION,
	DYN_MEMBER_ON_FAILURE(4),
};

/* indexed by TxKind */
static const struct
{
	const DynMember *members;
	int			n;
}			tx_members[] = {
	{check_members, lengthof(check_members)},
	{put_members, lengthof(put_members)},
	{delete_members, lengthof(delete_members)},
	{update_members, lengthof(update_members)},
};

/* TransactGetItems' Get */
static const DynMember get_members[] = {
	DYN_MEMBER_KEY(1),
	DYN_MEMBER_TABLE_NAME(2),
	{"ProjectionExpression", DYN_MODEL_STRING, DYN_ITEM_MEMBER(projection)},
	{"ExpressionAttributeNames", DYN_MODEL_MAP, DYN_ITEM_MEMBER(names_jb)},
};

typedef struct TxAction
{
	TxKind		kind;
	DynItemRequest r;			/* the action's members */
	DynExprContext ectx;
	DynUpdateArg ua;			/* ua.cond: the condition; ua.update: an Update's */

	/* checked against the table */
	DynItem    *item;			/* Put's item, or the key item */
	Relation	rel;
	DynKeySchema ks;
	StringInfoData skey;		/* storage key, for duplicates */

	/* results */
	const char *code;			/* cancellation code, NULL for None */
	char	   *message;
	int64		bytes;			/* for ConsumedCapacity: a read's size */
	DynWriteCharge charge;		/* ... a write's units, the table's and its indexes' */
	bool		measure;		/* ReturnItemCollectionMetrics SIZE */
	bool		has_collection; /* ItemCollectionMetrics (a table with LSIs) */
	DynItemCollection collection;
} TxAction;

/* ---------------------------------------------------------------------
 * CancellationReasons
 * ---------------------------------------------------------------------
 */

/* "CancellationReasons":[...] and the message's code list */
static void
cancellation_reasons(TxAction *actions, int n, StringInfo members, StringInfo message)
{
	int			i;

	appendStringInfoString(members, "\"CancellationReasons\":[");
	appendStringInfoString(message,
						   "Transaction cancelled, please refer cancellation reasons for specific reasons [");
	for (i = 0; i < n; i++)
	{
		TxAction   *a = &actions[i];
		const char *code = a->code ? a->code : "None";

		if (i > 0)
		{
			appendStringInfoChar(members, ',');
			appendStringInfoString(message, ", ");
		}
		appendStringInfoString(message, code);
		appendStringInfoString(members, "{\"Code\":");
		escape_json(members, code);
		if (a->code != NULL && a->ua.cond.failed && a->ua.cond.failed_item != NULL &&
			strcmp(a->code, "ConditionalCheckFailed") == 0)
		{
			appendStringInfoString(members, ",\"Item\":");
			dynpg_item_append_text(a->ua.cond.failed_item, members);
		}
		if (a->message != NULL)
		{
			appendStringInfoString(members, ",\"Message\":");
			escape_json(members, a->message);
		}
		appendStringInfoChar(members, '}');
	}
	appendStringInfoChar(members, ']');
	appendStringInfoChar(message, ']');
}

/*
 * Raise TransactionCanceledException; 'sqlstate' 0 is its own (YD020), a
 * conflict keeps 40001 or 40P01, with PostgreSQL's message as the hint.
 */
static void
raise_cancelled(TxAction *actions, int n, int sqlstate, const char *pg_message)
{
	StringInfoData members;
	StringInfoData message;
	char	   *body;

	initStringInfo(&members);
	initStringInfo(&message);
	cancellation_reasons(actions, n, &members, &message);
	if (sqlstate == 0)
		dynpg_raise_body(DYN_ERR_TRANSACTION_CANCELED, 0, members.data, NULL, message.data);
	body = dynpg_error_body(DYN_ERR_TRANSACTION_CANCELED, members.data, NULL, message.data);
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg_internal("%s", message.data),
			 errdetail_internal("%s", body),
			 errhint("PostgreSQL reported: %s.  Retry the transaction.", pg_message)));
	pg_unreachable();
}

static bool
is_conflict(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_T_R_SERIALIZATION_FAILURE ||
		sqlerrcode == ERRCODE_T_R_DEADLOCK_DETECTED;
}

#define SQLSTATE_VALIDATION		MAKE_SQLSTATE('Y', 'D', '0', '0', '1')
#define SQLSTATE_CONDITIONAL	MAKE_SQLSTATE('Y', 'D', '0', '1', '0')
#define SQLSTATE_COLLECTION		MAKE_SQLSTATE('Y', 'D', '0', '3', '0')

/*
 * In a PG_CATCH block: map the error of action 'cur' -- ValidationException
 * to ValidationError, a conflict to TransactionConflict -- and raise the
 * cancellation; anything else is rethrown as it is.
 */
static void
map_action_error(TxAction *actions, int n, int cur, MemoryContext cxt)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	if (edata->sqlerrcode != SQLSTATE_VALIDATION && edata->sqlerrcode != SQLSTATE_COLLECTION &&
		!is_conflict(edata->sqlerrcode))
	{
		FreeErrorData(edata);
		PG_RE_THROW();
	}
	FlushErrorState();
	if (edata->sqlerrcode == SQLSTATE_VALIDATION)
	{
		actions[cur].code = "ValidationError";
		actions[cur].message = edata->message;
		raise_cancelled(actions, n, 0, NULL);
	}
	if (edata->sqlerrcode == SQLSTATE_COLLECTION)
	{
		/* an item collection over 10 GB: the action's reason */
		actions[cur].code = "ItemCollectionSizeLimitExceeded";
		actions[cur].message = edata->message;
		raise_cancelled(actions, n, 0, NULL);
	}
	actions[cur].code = "TransactionConflict";
	actions[cur].message = DYN_MSG_TRANSACTION_CONFLICT;
	raise_cancelled(actions, n, edata->sqlerrcode, edata->message);
}

/* ---------------------------------------------------------------------
 * Reading the request
 * ---------------------------------------------------------------------
 */

static void
check_list_length(DynRequest *req, DynJson *list)
{
	int			n = dynpg_req_list_length(list);

	dynpg_req_not_null(req, list != NULL, "TransactItems");
	if (list == NULL)
		return;
	if (n < 1)
		dynpg_req_too_short(req, "TransactItems", 1);
	else if (n > DYN_TRANSACT_MAX_ITEMS)
		dynpg_req_too_long(req, "TransactItems", DYN_TRANSACT_MAX_ITEMS);
}

/* the request's size as JSON text, when it may be near the limit */
static void
check_request_size(DynJson *request)
{
	StringInfoData text;

	initStringInfo(&text);
	dynpg_json_write(&text, request, NULL);
	if (text.len > DYN_TRANSACT_MAX_BYTES)
		dynpg_validation_error("Transaction payload size cannot exceed 4 MB");
	pfree(text.data);
}

/*
 * Phase 1 and 2 of one TransactWriteItem: the action's members, in the
 * model's order, and its constraints.
 */
static void
read_write_action(DynRequest *req, DynJson *obj, int i, TxAction *a, int *nkinds)
{
	DynJson    *parts[4];
	DynJson    *p = NULL;
	int			k;

	*nkinds = 0;
	for (k = 0; k < 4; k++)
	{
		parts[k] = obj ? dynpg_req_struct(obj, tx_kind_member[k]) : NULL;
		if (parts[k] != NULL)
		{
			(*nkinds)++;
			if (p == NULL)
			{
				p = parts[k];
				a->kind = (TxKind) k;
			}
		}
	}
	if (p == NULL)
		return;
	dynpg_req_read_members(p, tx_members[a->kind].members, tx_members[a->kind].n, &a->r);
	dynpg_req_check_members(req, tx_members[a->kind].members, tx_members[a->kind].n, &a->r,
							psprintf("TransactItems.%d.member.%s", i + 1, tx_kind_member[a->kind]));
}

/*
 * Phase 4 and 5 of an action: its table (ResourceNotFoundException and
 * privileges, raised for the whole request), then the item or key against
 * the table (a ValidationException here is the action's ValidationError).
 */
static void
open_write_action(TxAction *a)
{
	bool		cond = a->ua.cond.condition != NULL;

	switch (a->kind)
	{
		case TX_PUT:
			a->rel = dynpg_api_open_item_table(a->r.table_name, RowExclusiveLock, ACL_INSERT,
											   cond, &a->ks);
			break;
		case TX_DELETE:
			a->rel = dynpg_api_open_item_table(a->r.table_name, RowExclusiveLock, ACL_DELETE,
											   cond, &a->ks);
			break;
		case TX_UPDATE:
			a->rel = dynpg_api_open_item_table(a->r.table_name, RowExclusiveLock, ACL_UPDATE,
											   cond || dynpg_expr_update_reads_item(a->ua.update),
											   &a->ks);
			dynpg_api_check_privilege(a->rel, ACL_INSERT);
			break;
		case TX_CHECK:
			a->rel = dynpg_api_open_item_table(a->r.table_name, AccessShareLock, ACL_SELECT,
											   false, &a->ks);
			break;
	}
}

static void
check_write_action(TxAction *a)
{
	DynKey		key;

	a->item = dynpg_item_from_json(a->r.item_jb, false);
	if (a->kind == TX_PUT)
	{
		dynpg_key_from_item(a->item, &a->ks, &key);
		if (dynpg_table_def(a->rel)->nindexes > 0)
			dynpg_index_check_item(dynpg_table_def(a->rel), a->item, false);
	}
	else
	{
		dynpg_api_check_key(a->item, &a->ks);
		dynpg_key_from_item(a->item, &a->ks, &key);
	}
	if (a->kind == TX_UPDATE)
	{
		a->ua.key_item = a->item;
		if (a->ua.update != NULL)
			dynpg_api_check_update_keys(a->rel, a->ua.update, &a->ks);
	}
	initStringInfo(&a->skey);
	dynpg_storage_key(&key, &a->skey);
}

/* ---------------------------------------------------------------------
 * ClientRequestToken
 * ---------------------------------------------------------------------
 */

/*
 * Record the token with a hash of the request without it, in
 * dynpg.transaction_tokens, in the caller's transaction: it exists only if
 * the transaction commits.  Returns true for a replay (the same request
 * within 10 minutes), raises IdempotentParameterMismatchException for a
 * different one.  Expired tokens are deleted on the way.  A token whose
 * first use is still running in another session: the insert waits for
 * that transaction (the primary key's unique check), then sees its outcome.
 */
static bool
token_check(const char *token, DynJson *request)
{
	Oid			types[3] = {TEXTOID, TEXTOID, OIDOID};
	StringInfoData canonical;
	Datum		values[3];
	bool		replay = false;
	int			rc;
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;
	Oid			tokens;
	Oid			owner;
	Oid			nsp = get_namespace_oid("dynpg", false);
	HeapTuple	tup;

	/*
	 * Tokens are the caller's own (a role's tokens never meet another
	 * role's), and the table is dynpg's: it is read and written as its owner,
	 * under a restricted security context, so callers need no privilege on
	 * it and cannot see or delete each other's tokens.
	 */
	tokens = get_relname_relid("transaction_tokens", nsp);
	if (!OidIsValid(tokens))
		elog(ERROR, "dynpg: dynpg.transaction_tokens is missing");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(tokens));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "dynpg: cache lookup failed for relation %u", tokens);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);

	values[0] = CStringGetTextDatum(token);
	/* the request without its token, in a canonical text (members ordered, as jsonb's) */
	initStringInfo(&canonical);
	dynpg_json_write_canonical(&canonical, request, "ClientRequestToken");
	values[1] = CStringGetTextDatum(canonical.data);
	values[2] = ObjectIdGetDatum(GetUserId());
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = dynpg_search_path_push();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	rc = SPI_execute("DELETE FROM dynpg.transaction_tokens "
					 "WHERE created < now() - interval '10 minutes'", false, 0);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "dynpg: deleting expired tokens failed: %s", SPI_result_code_string(rc));
	rc = SPI_execute_with_args("INSERT INTO dynpg.transaction_tokens (role, token, request_hash) "
							   "VALUES ($3, $1, sha256(convert_to($2, 'UTF8'))) "
							   "ON CONFLICT (role, token) DO NOTHING",
							   3, types, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "dynpg: recording the token failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
	{
		bool		isnull;
		Datum		same;

		rc = SPI_execute_with_args("SELECT request_hash = sha256(convert_to($2, 'UTF8')) "
								   "FROM dynpg.transaction_tokens WHERE role = $3 AND token = $1",
								   3, types, values, NULL, false, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "dynpg: reading the token failed: %s", SPI_result_code_string(rc));
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to a concurrent use of ClientRequestToken")));
		same = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!DatumGetBool(same))
			dynpg_raise(DYN_ERR_IDEMPOTENT_PARAMETER_MISMATCH,
						"The request uses the same client token as a previous, but different, request.");
		replay = true;
	}
	SPI_finish();
	/* (an error above ends the (sub)transaction, which restores both) */
	dynpg_search_path_pop(save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec);
	return replay;
}

/* ---------------------------------------------------------------------
 * Running the actions
 * ---------------------------------------------------------------------
 */

/* ConditionCheck's check (and every condition after a failure): no ERROR */
static void
eval_condition(const DynItem *current, void *arg)
{
	DynConditionArg *ca = (DynConditionArg *) arg;

	if (dynpg_expr_eval_condition(ca->condition, current))
		return;
	ca->failed = true;
	if (ca->all_old_on_failure && current != NULL)
	{
		ca->failed_item = palloc(VARSIZE_ANY(current));
		memcpy(ca->failed_item, current, VARSIZE_ANY(current));
	}
}

/* The write of a Put, Update or Delete. */
static void
write_action(TxAction *a, bool need_old)
{
	DynItem    *old = NULL;
	DynItem    *new = NULL;
	bool		cond = a->ua.cond.condition != NULL;
	bool		want_old = need_old || dynpg_api_has_lsi(a->rel);

	switch (a->kind)
	{
		case TX_PUT:
			(void) dynpg_write_put(a->rel, a->item, DYN_WRITE_PUT,
								   cond ? dynpg_api_condition_check : NULL, &a->ua.cond,
								   want_old ? &old : NULL);
			new = a->item;
			break;
		case TX_DELETE:
			(void) dynpg_write_delete(a->rel, a->item, cond ? dynpg_api_condition_check : NULL,
									  &a->ua.cond, want_old ? &old : NULL);
			break;
		case TX_UPDATE:
			(void) dynpg_write_update(a->rel, a->item, dynpg_api_update_compute, &a->ua,
									  &old, &new);
			break;
		case TX_CHECK:
			break;
	}
	if (a->kind == TX_CHECK)
		return;
	if (need_old)
		dynpg_api_charge_write(a->rel, old, new, &a->charge);
	a->has_collection = dynpg_api_item_collection(a->rel, a->item, old, new, a->measure,
												  &a->collection);
}

/*
 * A conditional write in a subtransaction.  A failed condition rolls it
 * back and returns (the action records the failure); any other error is
 * rethrown after the rollback.
 */
static void
write_in_subtransaction(TxAction *a, bool need_old)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	/* allocations (the failed item, sizes) belong to the caller's context */
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		write_action(a, need_old);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (!(a->ua.cond.failed && edata->sqlerrcode == SQLSTATE_CONDITIONAL))
			ReThrowError(edata);
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/*
 * ItemCollectionMetrics of a transaction: per table with LSIs, in order of
 * first use, a collection per Put, Update and Delete (none: absent).
 */
static void
push_collections(DynOut **st, TxAction *actions, int n)
{
	bool		open = false;
	int			i,
				j;

	for (i = 0; i < n; i++)
	{
		bool		seen = false;

		if (!actions[i].has_collection)
			continue;
		for (j = 0; j < i; j++)
			if (actions[j].has_collection &&
				strcmp(actions[j].r.table_name, actions[i].r.table_name) == 0)
				seen = true;
		if (seen)
			continue;
		if (!open)
			dynpg_out_begin_object(st, "ItemCollectionMetrics");
		open = true;
		dynpg_out_begin_array(st, actions[i].r.table_name);
		for (j = i; j < n; j++)
			if (actions[j].has_collection &&
				strcmp(actions[j].r.table_name, actions[i].r.table_name) == 0)
				dynpg_api_push_item_collection(st, NULL, &actions[j].collection);
		dynpg_out_end_array(st);
	}
	if (open)
		dynpg_out_end_object(st);
}

/* ConsumedCapacity of a transaction: per table, in order of first use */
static void
push_capacity(DynOut **st, const char *mode, TxAction *actions, int n, bool write)
{
	int			i,
				j;

	if (!dynpg_api_capacity_wanted(mode))
		return;
	dynpg_out_begin_array(st, "ConsumedCapacity");
	for (i = 0; i < n; i++)
	{
		int64		units = 0;
		char	   *text;
		bool		seen = false;

		for (j = 0; j < i; j++)
			if (strcmp(actions[j].r.table_name, actions[i].r.table_name) == 0)
				seen = true;
		if (seen)
			continue;
		if (write)
		{
			/* the table's writes summed, then doubled: transactional writes cost twice */
			DynWriteCharge sum = {0};
			int			k;

			for (j = i; j < n; j++)
			{
				const DynWriteCharge *c = &actions[j].charge;

				if (strcmp(actions[j].r.table_name, actions[i].r.table_name) != 0)
					continue;
				sum.table_units += c->table_units;
				if (c->index_names == NULL)
					continue;
				if (sum.index_names == NULL)
				{
					sum.nindexes = c->nindexes;
					sum.index_names = c->index_names;
					sum.index_global = c->index_global;
					sum.index_units = palloc0(sizeof(int64) * c->nindexes);
				}
				for (k = 0; k < Min(sum.nindexes, c->nindexes); k++)
					sum.index_units[k] += c->index_units[k];
			}
			dynpg_api_push_write_capacity(st, NULL, mode, actions[i].r.table_name, &sum, 2, true);
			continue;
		}
		/* transactional reads cost twice the units */
		for (j = i; j < n; j++)
			if (strcmp(actions[j].r.table_name, actions[i].r.table_name) == 0)
				units += 2 * dynpg_api_units_for(actions[j].bytes, DYN_READ_UNIT_BYTES);
		text = psprintf(INT64_FORMAT ".0", units);
		dynpg_out_begin_object(st, NULL);
		dynpg_out_string(st, "TableName", actions[i].r.table_name);
		dynpg_out_numeric_text(st, "CapacityUnits", text);
		dynpg_out_numeric_text(st, "ReadCapacityUnits", text);
		if (strcmp(mode, "INDEXES") == 0)
		{
			dynpg_out_begin_object(st, "Table");
			dynpg_out_numeric_text(st, "CapacityUnits", text);
			dynpg_out_numeric_text(st, "ReadCapacityUnits", text);
			dynpg_out_end_object(st);
		}
		dynpg_out_end_object(st);
	}
	dynpg_out_end_array(st);
}

/* ---------------------------------------------------------------------
 * TransactWriteItems
 * ---------------------------------------------------------------------
 */
DynJson *
dynpg_api_transact_write_items(DynJson *request)
{
	DynRequest	req;
	DynJson    *list;
	char	   *capacity;
	char	   *metrics;
	char	   *token;
	int			n;
	int			i;
	TxAction   *actions;
	int		   *nkinds;
	volatile int cur = 0;
	volatile bool any_failed = false;
	bool		need_old;
	MemoryContext cxt = CurrentMemoryContext;
	DynOut	   *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "TransactWriteItems", request);
	list = dynpg_req_list(req.root, "TransactItems");
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");
	metrics = dynpg_req_string(req.root, "ReturnItemCollectionMetrics");
	token = dynpg_req_string(req.root, "ClientRequestToken");
	n = dynpg_req_list_length(list);
	actions = palloc0(sizeof(TxAction) * Max(n, 1));
	nkinds = palloc0(sizeof(int) * Max(n, 1));
	for (i = 0; i < n && i <= DYN_TRANSACT_MAX_ITEMS; i++)
		read_write_action(&req, dynpg_req_list_struct(list, i), i, &actions[i], &nkinds[i]);

	check_list_length(&req, list);
	dynpg_req_enum(&req, capacity, "ReturnConsumedCapacity", dynpg_api_return_consumed_capacity);
	dynpg_req_enum(&req, metrics, "ReturnItemCollectionMetrics",
				   dynpg_api_return_item_collection_metrics);
	if (token != NULL)
		dynpg_req_length(&req, token, "ClientRequestToken", 1, DYN_TOKEN_MAX);
	dynpg_req_finish(&req);

	/* phase 3: the request's own rules, action by action */
	check_request_size(request);
	for (i = 0; i < n; i++)
		if (nkinds[i] != 1)
			dynpg_validation_error("TransactItems can only contain one of Check, Put, Update or Delete");
	for (i = 0; i < n; i++)
		dynpg_api_write_expressions(&actions[i].r, actions[i].kind == TX_UPDATE,
									&actions[i].ectx, &actions[i].ua);

	/* phases 4 and 5: tables, then items and keys (ValidationError) */
	for (i = 0; i < n; i++)
		open_write_action(&actions[i]);
	PG_TRY();
	{
		for (cur = 0; cur < n; cur++)
			check_write_action(&actions[cur]);
	}
	PG_CATCH();
	{
		map_action_error(actions, n, cur, cxt);
	}
	PG_END_TRY();

	for (i = 0; i < n; i++)
	{
		int			j;

		for (j = 0; j < i; j++)
			if (RelationGetRelid(actions[j].rel) == RelationGetRelid(actions[i].rel) &&
				actions[j].skey.len == actions[i].skey.len &&
				memcmp(actions[j].skey.data, actions[i].skey.data, actions[i].skey.len) == 0)
				dynpg_validation_error("Transaction request cannot include multiple operations on one item");
	}

	if (token != NULL && token_check(token, request))
	{
		for (i = 0; i < n; i++)
			table_close(actions[i].rel, NoLock);
		dynpg_out_begin_object(&st, NULL);
		return dynpg_out_finish(dynpg_out_end_object(&st));
	}

	/* run them */
	need_old = dynpg_api_capacity_wanted(capacity);
	for (i = 0; i < n; i++)
		actions[i].measure = dynpg_api_metrics_wanted(metrics);
	PG_TRY();
	{
		for (cur = 0; cur < n; cur++)
		{
			TxAction   *a = &actions[cur];

			if (a->kind == TX_CHECK || (any_failed && a->ua.cond.condition != NULL))
			{
				/* a ConditionCheck; after a failure, only conditions are evaluated */
				(void) dynpg_write_check(a->rel, a->item, eval_condition, &a->ua.cond);
				/* a ConditionCheck costs one unit of the table, the item read or not */
				if (need_old)
					dynpg_api_charge_table(&a->charge, 1);
			}
			else if (any_failed)
				continue;
			else if (a->ua.cond.condition == NULL)
				write_action(a, need_old);
			else
				write_in_subtransaction(a, need_old);
			if (a->ua.cond.failed)
			{
				any_failed = true;
				a->code = "ConditionalCheckFailed";
				a->message = DYN_MSG_CONDITION_FAILED;
			}
		}
	}
	PG_CATCH();
	{
		map_action_error(actions, n, cur, cxt);
	}
	PG_END_TRY();

	if (any_failed)
		raise_cancelled(actions, n, 0, NULL);

	for (i = 0; i < n; i++)
		table_close(actions[i].rel, NoLock);
	dynpg_out_begin_object(&st, NULL);
	push_capacity(&st, capacity, actions, n, true);
	if (dynpg_api_metrics_wanted(metrics))
		push_collections(&st, actions, n);
	return dynpg_out_finish(dynpg_out_end_object(&st));
}

/* ---------------------------------------------------------------------
 * TransactGetItems
 *
 * Every Get reads the statement's snapshot (the active snapshot, as
 * GetItem does), so one call sees each concurrent transaction entirely or
 * not at all.  Responses are in request order: {"Item": ...}, or {} for a
 * missing item.  Two Gets of one item are refused with TransactWriteItems'
 * message ("Transaction request cannot include multiple operations on one
 * item"), after the keys are checked.
 * ---------------------------------------------------------------------
 */
typedef struct TxGet
{
	DynItemRequest r;			/* the Get's members */
	DynExprPath *paths;
	int			npaths;
	DynItem    *key_item;
	Relation	rel;
	DynKeySchema ks;
	StringInfoData skey;		/* storage key, for duplicates */
} TxGet;

DynJson *
dynpg_api_transact_get_items(DynJson *request)
{
	DynRequest	req;
	DynJson    *list;
	char	   *capacity;
	int			n;
	int			i;
	TxGet	   *gets;
	TxAction   *reasons;
	volatile int cur = 0;
	MemoryContext cxt = CurrentMemoryContext;
	DynOut	   *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "TransactGetItems", request);
	list = dynpg_req_list(req.root, "TransactItems");
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");
	n = dynpg_req_list_length(list);
	gets = palloc0(sizeof(TxGet) * Max(n, 1));
	for (i = 0; i < n && i <= DYN_TRANSACT_MAX_ITEMS; i++)
	{
		DynJson    *obj = dynpg_req_list_struct(list, i);
		DynJson    *g = obj ? dynpg_req_struct(obj, "Get") : NULL;
		char	   *path = psprintf("TransactItems.%d.member.Get", i + 1);

		dynpg_req_not_null(&req, g != NULL, path);
		if (g == NULL)
			continue;
		dynpg_req_read_members(g, get_members, lengthof(get_members), &gets[i].r);
		dynpg_req_check_members(&req, get_members, lengthof(get_members), &gets[i].r, path);
	}
	check_list_length(&req, list);
	dynpg_req_enum(&req, capacity, "ReturnConsumedCapacity", dynpg_api_return_consumed_capacity);
	dynpg_req_finish(&req);

	for (i = 0; i < n; i++)
	{
		DynExprContext ectx;

		dynpg_api_expression_params(&ectx, gets[i].r.names_jb, NULL, gets[i].r.projection != NULL,
									NULL);
		if (gets[i].r.projection != NULL)
			gets[i].paths = dynpg_expr_parse_projection(&ectx, gets[i].r.projection,
														&gets[i].npaths);
		dynpg_expr_check_unused(&ectx);
	}
	for (i = 0; i < n; i++)
		gets[i].rel = dynpg_api_open_item_table(gets[i].r.table_name, AccessShareLock, ACL_SELECT,
												false, &gets[i].ks);

	/* the keys: a ValidationException is the Get's ValidationError */
	reasons = palloc0(sizeof(TxAction) * Max(n, 1));
	for (i = 0; i < n; i++)
		reasons[i].r.table_name = gets[i].r.table_name;
	PG_TRY();
	{
		for (cur = 0; cur < n; cur++)
		{
			gets[cur].key_item = dynpg_item_from_json(gets[cur].r.item_jb, false);
			dynpg_api_check_key(gets[cur].key_item, &gets[cur].ks);
		}
	}
	PG_CATCH();
	{
		map_action_error(reasons, n, cur, cxt);
	}
	PG_END_TRY();

	/* two Gets of one item are refused, as two writes of one item are */
	for (i = 0; i < n; i++)
	{
		DynKey		key;
		int			j;

		dynpg_key_from_item(gets[i].key_item, &gets[i].ks, &key);
		initStringInfo(&gets[i].skey);
		dynpg_storage_key(&key, &gets[i].skey);
		for (j = 0; j < i; j++)
			if (RelationGetRelid(gets[j].rel) == RelationGetRelid(gets[i].rel) &&
				gets[j].skey.len == gets[i].skey.len &&
				memcmp(gets[j].skey.data, gets[i].skey.data, gets[i].skey.len) == 0)
				dynpg_validation_error("Transaction request cannot include multiple operations on one item");
	}

	dynpg_out_begin_object(&st, NULL);
	dynpg_out_begin_array(&st, "Responses");
	for (i = 0; i < n; i++)
	{
		DynItem    *found = dynpg_read_get(gets[i].rel, gets[i].key_item);

		dynpg_out_begin_object(&st, NULL);
		if (found != NULL)
		{
			reasons[i].bytes = dynpg_item_size(found);
			dynpg_api_push_item(&st, "Item", gets[i].paths ?
								dynpg_expr_project(found, gets[i].paths, gets[i].npaths) : found);
		}
		dynpg_out_end_object(&st);
	}
	dynpg_out_end_array(&st);
	for (i = 0; i < n; i++)
		table_close(gets[i].rel, NoLock);
	push_capacity(&st, capacity, reasons, n, false);
	return dynpg_out_finish(dynpg_out_end_object(&st));
}
