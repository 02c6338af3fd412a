/*-------------------------------------------------------------------------
 *
 * base64.c
 *	  Strict base64 (RFC 4648, padded) for DynamoDB's binary values.
 *
 * DynamoDB refuses base64 whose length is not a multiple of 4, that holds a
 * character outside the alphabet or '=' anywhere but at the end, or whose
 * last character before the padding carries bits that decoding would drop.
 * All are SerializationExceptions naming the value; values longer than
 * 1024 characters are shortened in the message.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "base/dynpg_error.h"
#include "types/dynpg_base64.h"

static const char b64chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

#define MSG_VALUE_MAX 1024

static void
b64_fail(const char *src, int len, const char *what) pg_attribute_noreturn();

static void
b64_fail(const char *src, int len, const char *what)
{
	dynpg_serialization_error("'%.*s%s' can not be converted to a Blob: %s",
							  len > MSG_VALUE_MAX ? MSG_VALUE_MAX : len, src,
							  len > MSG_VALUE_MAX ? "..." : "", what);
}

void
dynpg_base64_decode(const char *src, int len, StringInfo out)
{
	int			npad = 0;
	int			i;
	uint32		acc = 0;
	int			nacc = 0;

	if (len % 4 != 0)
	{
		char		what[96];

		snprintf(what, sizeof(what),
				 "Base64 encoded length is expected a multiple of 4 bytes but found: %d", len);
		b64_fail(src, len, what);
	}
	while (npad < 2 && npad < len && src[len - 1 - npad] == '=')
		npad++;
	for (i = 0; i < len - npad; i++)
	{
		int			v = b64value((unsigned char) src[i]);

		if (v < 0)
		{
			char		what[64];

			if ((unsigned char) src[i] >= 0x20 && (unsigned char) src[i] < 0x7f)
				snprintf(what, sizeof(what), "Invalid Base64 character: '%c'", src[i]);
			else
				snprintf(what, sizeof(what), "Invalid Base64 character: '\\x%02x'",
						 (unsigned char) src[i]);
			b64_fail(src, len, what);
		}
		acc = (acc << 6) | (uint32) v;
		nacc++;
		if (nacc == 4)
		{
			appendStringInfoChar(out, (char) ((acc >> 16) & 0xFF));
			appendStringInfoChar(out, (char) ((acc >> 8) & 0xFF));
			appendStringInfoChar(out, (char) (acc & 0xFF));
			acc = 0;
			nacc = 0;
		}
	}
	if (nacc == 3)
	{
		/* 18 bits: two bytes and 2 unused bits */
		if (acc & 0x3)
			b64_fail(src, len, "Invalid last non-pad Base64 character dectected");
		appendStringInfoChar(out, (char) ((acc >> 10) & 0xFF));
		appendStringInfoChar(out, (char) ((acc >> 2) & 0xFF));
	}
	else if (nacc == 2)
	{
		/* 12 bits: one byte and 4 unused bits */
		if (acc & 0xF)
			b64_fail(src, len, "Invalid last non-pad Base64 character dectected");
		appendStringInfoChar(out, (char) ((acc >> 4) & 0xFF));
	}
	else if (nacc == 1)
		b64_fail(src, len, "Invalid Base64 character: '='");
}

int
dynpg_base64_encoded_len(int len)
{
	return ((len + 2) / 3) * 4;
}

void
dynpg_base64_encode(const uint8 *src, int len, StringInfo out)
{
	int			i;

	enlargeStringInfo(out, dynpg_base64_encoded_len(len));
	for (i = 0; i + 2 < len; i += 3)
	{
		uint32		v = ((uint32) src[i] << 16) | ((uint32) src[i + 1] << 8) | src[i + 2];

		out->data[out->len++] = b64chars[(v >> 18) & 0x3F];
		out->data[out->len++] = b64chars[(v >> 12) & 0x3F];
		out->data[out->len++] = b64chars[(v >> 6) & 0x3F];
		out->data[out->len++] = b64chars[v & 0x3F];
	}
	if (len - i == 1)
	{
		uint32		v = (uint32) src[i] << 16;

		out->data[out->len++] = b64chars[(v >> 18) & 0x3F];
		out->data[out->len++] = b64chars[(v >> 12) & 0x3F];
		out->data[out->len++] = '=';
		out->data[out->len++] = '=';
	}
	else if (len - i == 2)
	{
		uint32		v = ((uint32) src[i] << 16) | ((uint32) src[i + 1] << 8);

		out->data[out->len++] = b64chars[(v >> 18) & 0x3F];
		out->data[out->len++] = b64chars[(v >> 12) & 0x3F];
		out->data[out->len++] = b64chars[(v >> 6) & 0x3F];
		out->data[out->len++] = '=';
	}
	out->data[out->len] = '\0';
}
