/*-------------------------------------------------------------------------
 *
 * dynpg_hash.h
 *	  dynpg's fixed 64-bit partition hash.
 *
 * The hash decides on-disk order and parallel-scan segments, so it must
 * never change: it is the XXH64 algorithm (seed 0) written in dynpg's own
 * code, reading input as little-endian 64- and 32-bit words explicitly, so
 * the result is the same on every platform and release.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_HASH_H
#define DYNPG_HASH_H

extern uint64 dynpg_hash64(const uint8 *data, size_t len, uint64 seed);

#endif							/* DYNPG_HASH_H */
