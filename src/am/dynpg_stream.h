/*-------------------------------------------------------------------------
 *
 * dynpg_stream.h
 *	  DynamoDB Streams, the write side and the numbering (dynpg_stream.c):
 *	  records appended to dynpg.stream_records in the writing transaction,
 *	  and the sequence numbers that let a reader never miss one.
 *
 * Sequence numbers are drawn from one cluster-wide counter in shared
 * memory, never below the WAL insert position, so they rise across
 * restarts and crashes with nothing to persist.  A number is drawn at write
 * time, so transactions may commit out of number order; a reader therefore
 * returns only numbers below the horizon: the smallest number an open
 * transaction holds, or the next number to be drawn when none is open.
 * Every number below the horizon belongs to a transaction that has ended,
 * so a reader that has passed a number never later sees a smaller one
 * commit (src/am/README, "Streams").
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_STREAM_H
#define DYNPG_STREAM_H

#include "lib/stringinfo.h"
#include "utils/relcache.h"

#include "catalog/dynpg_catalog.h"
#include "types/dynpg_item.h"

/* dynpg.stream_records' columns, in order */
#define DYN_STREAM_RECORD_NATTS		10

/* eventName, as dynpg.stream_records.event holds it */
#define DYN_STREAM_INSERT	'I'
#define DYN_STREAM_MODIFY	'M'
#define DYN_STREAM_REMOVE	'R'

/* _PG_init: shared memory and the transaction callback (preload only) */
extern void dynpg_stream_init(void);

/*
 * Append the record of one item change to the table's stream, if it has
 * one enabled: 'old_item' NULL for an insert, 'new_item' NULL for a
 * delete; nothing when both are equal (a write that changes nothing has
 * no record).  'skey' is the item's storage key (its hash picks the
 * shard); 'by_service': a TTL deletion.
 */
extern void dynpg_stream_append(Relation rel, const StringInfo skey, const DynItem *old_item,
								const DynItem *new_item, bool by_service);

/* Draw a sequence number for the current transaction (and hold the horizon) */
extern int64 dynpg_stream_next_seq(void);

/*
 * The horizon: every number below it is decided (its transaction has
 * committed or aborted), so a snapshot taken after this call sees every
 * committed record below it.  On a standby, the horizon the primary's
 * worker last published (at most its naptime old).
 */
extern int64 dynpg_stream_horizon(void);

/* dynpg.stream_retention: minutes records and closed streams are kept */
extern int	dynpg_stream_retention;
/* dynpg.stream_notify: NOTIFY dynpg_stream, '<table>' at commit */
extern bool dynpg_stream_notify;

/*
 * Delete records older than 'older_than' (interval text) and streams
 * closed that long ago, moving each stream's trim point; returns the
 * number of records deleted (the worker calls it every minute)
 */
extern int64 dynpg_stream_trim(const char *older_than);

/* dynpg.stream_shard_rollover (minutes) and dynpg.stream_shard_max_records */
extern int	dynpg_stream_shard_rollover;
extern int	dynpg_stream_shard_max_records;

/*
 * Close the stream's open shard generation and open the next (returns the
 * new generation, -1 if the stream is closed); the worker's step rolls every
 * stream that is due (returns how many)
 */
extern int	dynpg_stream_roll(int64 stream_id);
extern int	dynpg_stream_roll_due(void);

/* The database's worker: publish the horizon for standbys (dynpg.stream_horizon) */
extern void dynpg_stream_publish_horizon(void);

/* Whether the database's extension has the stream tables (an older one may not) */
extern bool dynpg_stream_installed(void);

/* The OIDs of dynpg.streams, dynpg.stream_records and its index (ERROR if missing) */
extern Oid	dynpg_stream_records_relid(void);
extern Oid	dynpg_stream_records_index(void);
extern Oid	dynpg_streams_relid(void);
extern Oid	dynpg_stream_shards_relid(void);
extern Oid	dynpg_stream_shards_index(void);

#endif							/* DYNPG_STREAM_H */
