/*-------------------------------------------------------------------------
 *
 * http_keys.c
 *	  Access keys: the credentials HTTP clients sign with, each mapped to a
 *	  PostgreSQL role (src/http/README, "Keys and roles").
 *
 * dynpg._access_keys (access_key_id, secret_access_key, role, created)
 * belongs to the extension's owner and grants nothing to anyone: only the
 * functions here touch it, as its owner under a restricted security
 * context, after their own privilege check.  SigV4 needs the secret itself
 * (the signature is an HMAC keyed by it), so the secret is stored as
 * issued, protected as pg_authid's password hashes are: by privileges.
 * dynpg.access_keys is the view of the keys without their secrets.
 *
 * A key's role must be one the caller may administer: a superuser manages
 * every key, another role the keys of roles it has ADMIN OPTION on.
 *
 * Each HTTP worker caches what it looked up for KEY_CACHE_MS, so a dropped
 * key stops working within that time; a key not found is not cached.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "base/dynpg_preload.h"
#include "base/dynpg_search_path.h"
#include "http/dynpg_http_internal.h"

#define KEY_CACHE_MS		2000
#define KEY_ID_PREFIX		"DYNP"
#define KEY_ID_LEN			20
#define SECRET_LEN			40

/* ---------------------------------------------------------------------
 * Running as the keys table's owner
 * ---------------------------------------------------------------------
 */
typedef struct AsOwner
{
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;	/* the search_path (base/dynpg_search_path.h) */
} AsOwner;

static void
become_owner(AsOwner *s)
{
	Oid			nsp = get_namespace_oid("dynpg", false);
	Oid			rel = get_relname_relid("_access_keys", nsp);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(rel))
		elog(ERROR, "dynpg: dynpg._access_keys is missing");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "dynpg: cache lookup failed for relation %u", rel);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	GetUserIdAndSecContext(&s->save_userid, &s->save_sec);
	SetUserIdAndSecContext(owner, s->save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	s->save_nestlevel = dynpg_search_path_push();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
}

static void
back_from_owner(AsOwner *s)
{
	SPI_finish();
	dynpg_search_path_pop(s->save_nestlevel);
	/* (an error in between ends the transaction, which restores the user) */
	SetUserIdAndSecContext(s->save_userid, s->save_sec);
}

/* May the current user manage the keys of 'role'? */
static void
check_may_manage(Oid role)
{
	if (superuser() || is_admin_of_role(GetUserId(), role))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to manage the access keys of role \"%s\"",
					GetUserNameFromId(role, false)),
			 errdetail("Only superusers and roles with ADMIN OPTION on a role manage its keys.")));
}

/* 'n' random characters of 'alphabet' (whose length divides 256 evenly or not: rejection). */
static void
random_chars(char *out, int n, const char *alphabet)
{
	int			len = strlen(alphabet);
	int			limit = 256 - (256 % len);
	int			i = 0;

	while (i < n)
	{
		uint8		b[64];
		int			k;

		if (!pg_strong_random(b, sizeof(b)))
			ereport(ERROR, (errmsg("dynpg: could not generate random bytes for an access key")));
		for (k = 0; k < (int) sizeof(b) && i < n; k++)
			if (b[k] < limit)
				out[i++] = alphabet[b[k] % len];
	}
	out[n] = '\0';
}

/*
 * dynpg.create_access_key(role regrole) -> (access_key_id, secret_access_key):
 * a new key for 'role'.  The secret is shown this once.
 */
PG_FUNCTION_INFO_V1(dynpg_create_access_key);
Datum
dynpg_create_access_key(PG_FUNCTION_ARGS)
{
	Oid			role = PG_GETARG_OID(0);
	char		id[KEY_ID_LEN + 1];
	char		secret[SECRET_LEN + 1];
	Oid			types[3] = {TEXTOID, TEXTOID, OIDOID};
	Datum		values[3];
	TupleDesc	desc;
	Datum		out[2];
	bool		nulls[2] = {false, false};
	AsOwner		s;
	int			rc;

	dynpg_require_preload();
	if (!OidIsValid(role) || !SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
						errmsg("role with OID %u does not exist", role)));
	check_may_manage(role);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "dynpg: create_access_key must return a record");
	memcpy(id, KEY_ID_PREFIX, strlen(KEY_ID_PREFIX));
	random_chars(id + strlen(KEY_ID_PREFIX), KEY_ID_LEN - strlen(KEY_ID_PREFIX),
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
	random_chars(secret, SECRET_LEN,
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	values[0] = CStringGetTextDatum(id);
	values[1] = CStringGetTextDatum(secret);
	values[2] = ObjectIdGetDatum(role);
	become_owner(&s);
	rc = SPI_execute_with_args("INSERT INTO dynpg._access_keys (access_key_id, secret_access_key, role) "
							   "VALUES ($1, $2, $3)", 3, types, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "dynpg: storing the access key failed: %s", SPI_result_code_string(rc));
	back_from_owner(&s);
	out[0] = CStringGetTextDatum(id);
	out[1] = CStringGetTextDatum(secret);
	desc = BlessTupleDesc(desc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, out, nulls)));
}

/* dynpg.drop_access_key(access_key_id text) -> boolean: whether it existed. */
PG_FUNCTION_INFO_V1(dynpg_drop_access_key);
Datum
dynpg_drop_access_key(PG_FUNCTION_ARGS)
{
	text	   *id = PG_GETARG_TEXT_PP(0);
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	Oid			role = InvalidOid;
	AsOwner		s;
	int			rc;

	dynpg_require_preload();
	values[0] = PointerGetDatum(id);
	become_owner(&s);
	rc = SPI_execute_with_args("SELECT role FROM dynpg._access_keys WHERE access_key_id = $1 FOR UPDATE",
							   1, types, values, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "dynpg: reading the access key failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		bool		isnull;

		role = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	back_from_owner(&s);
	if (!OidIsValid(role))
		PG_RETURN_BOOL(false);
	/* the check as the caller; a role that was dropped leaves its keys to superusers */
	if (SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)))
		check_may_manage(role);
	else if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to drop an access key of a dropped role")));
	become_owner(&s);
	rc = SPI_execute_with_args("DELETE FROM dynpg._access_keys WHERE access_key_id = $1",
							   1, types, values, NULL, false, 0);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "dynpg: dropping the access key failed: %s", SPI_result_code_string(rc));
	back_from_owner(&s);
	PG_RETURN_BOOL(true);
}

/* ---------------------------------------------------------------------
 * Looking a key up (HTTP workers)
 * ---------------------------------------------------------------------
 */
typedef struct KeyEntry
{
	char		id[KEY_ID_LEN * 4 + 1];	/* hash key (access key ids of any length up to this) */
	char	   *secret;
	Oid			role;
	TimestampTz fetched;
} KeyEntry;

static HTAB *key_cache = NULL;

bool
dynpg_http_key_lookup(const char *id, size_t idlen, char **secret, Oid *role)
{
	char		key[KEY_ID_LEN * 4 + 1];
	KeyEntry   *e;
	bool		found;
	TimestampTz now = GetCurrentTimestamp();
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	AsOwner		s;
	int			rc;
	bool		exists = false;

	if (idlen == 0 || idlen >= sizeof(key) || memchr(id, '\0', idlen) != NULL)
		return false;
	memset(key, 0, sizeof(key));
	memcpy(key, id, idlen);
	if (key_cache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(key);
		ctl.entrysize = sizeof(KeyEntry);
		ctl.hcxt = TopMemoryContext;
		key_cache = hash_create("dynpg access keys", 64, &ctl,
								HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	e = hash_search(key_cache, key, HASH_FIND, &found);
	if (found && !TimestampDifferenceExceeds(e->fetched, now, KEY_CACHE_MS))
	{
		*secret = pstrdup(e->secret);
		*role = e->role;
		return true;
	}

	values[0] = CStringGetTextDatum(key);
	become_owner(&s);
	rc = SPI_execute_with_args("SELECT secret_access_key, role FROM dynpg._access_keys WHERE access_key_id = $1",
							   1, types, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "dynpg: reading the access key failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		bool		isnull;
		char	   *sec = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		Oid			r = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc, 2, &isnull));

		e = hash_search(key_cache, key, HASH_ENTER, &found);
		if (found && e->secret)
			pfree(e->secret);
		e->secret = MemoryContextStrdup(TopMemoryContext, sec);
		e->role = r;
		e->fetched = now;
		exists = true;
	}
	back_from_owner(&s);
	if (!exists)
	{
		dynpg_http_key_forget(id, idlen);
		return false;
	}
	*secret = pstrdup(e->secret);
	*role = e->role;
	return true;
}

void
dynpg_http_key_forget(const char *id, size_t idlen)
{
	char		key[KEY_ID_LEN * 4 + 1];
	KeyEntry   *e;

	if (key_cache == NULL || idlen == 0 || idlen >= sizeof(key))
		return;
	memset(key, 0, sizeof(key));
	memcpy(key, id, idlen);
	e = hash_search(key_cache, key, HASH_FIND, NULL);
	if (e == NULL)
		return;
	if (e->secret)
		pfree(e->secret);
	(void) hash_search(key_cache, key, HASH_REMOVE, NULL);
}
