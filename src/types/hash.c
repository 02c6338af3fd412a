/*-------------------------------------------------------------------------
 *
 * hash.c
 *	  The partition hash: XXH64, from its published specification.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "types/dynpg_hash.h"

#define P1 UINT64CONST(0x9E3779B185EBCA87)
#define P2 UINT64CONST(0xC2B2AE3D27D4EB4F)
#define P3 UINT64CONST(0x165667B19E3779F9)
#define P4 UINT64CONST(0x85EBCA77C2B2AE63)
#define P5 UINT64CONST(0x27D4EB2F165667C5)

static inline uint64
rotl64(uint64 x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64
read_le64(const uint8 *p)
{
	return (uint64) p[0] | ((uint64) p[1] << 8) | ((uint64) p[2] << 16) |
		((uint64) p[3] << 24) | ((uint64) p[4] << 32) | ((uint64) p[5] << 40) |
		((uint64) p[6] << 48) | ((uint64) p[7] << 56);
}

static inline uint32
read_le32(const uint8 *p)
{
	return (uint32) p[0] | ((uint32) p[1] << 8) | ((uint32) p[2] << 16) |
		((uint32) p[3] << 24);
}

static inline uint64
xx_round(uint64 acc, uint64 input)
{
	acc += input * P2;
	acc = rotl64(acc, 31);
	return acc * P1;
}

static inline uint64
xx_merge(uint64 acc, uint64 val)
{
	acc ^= xx_round(0, val);
	return acc * P1 + P4;
}

uint64
dynpg_hash64(const uint8 *data, size_t len, uint64 seed)
{
	const uint8 *p = data;
	const uint8 *end = data + len;
	uint64		h;

	if (len >= 32)
	{
		uint64		v1 = seed + P1 + P2;
		uint64		v2 = seed + P2;
		uint64		v3 = seed;
		uint64		v4 = seed - P1;

		while (p + 32 <= end)
		{
			v1 = xx_round(v1, read_le64(p));
			v2 = xx_round(v2, read_le64(p + 8));
			v3 = xx_round(v3, read_le64(p + 16));
			v4 = xx_round(v4, read_le64(p + 24));
			p += 32;
		}
		h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
		h = xx_merge(h, v1);
		h = xx_merge(h, v2);
		h = xx_merge(h, v3);
		h = xx_merge(h, v4);
	}
	else
		h = seed + P5;
	h += (uint64) len;
	while (p + 8 <= end)
	{
		h ^= xx_round(0, read_le64(p));
		h = rotl64(h, 27) * P1 + P4;
		p += 8;
	}
	if (p + 4 <= end)
	{
		h ^= (uint64) read_le32(p) * P1;
		h = rotl64(h, 23) * P2 + P3;
		p += 4;
	}
	while (p < end)
	{
		h ^= (uint64) (*p) * P5;
		h = rotl64(h, 11) * P1;
		p++;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}
