/*-------------------------------------------------------------------------
 *
 * dynpg_base64.h
 *	  Strict base64 for DynamoDB's B type, with DynamoDB's messages.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_BASE64_H
#define DYNPG_BASE64_H

#include "lib/stringinfo.h"

/* Decode src into out (appended); raises SerializationException on bad input. */
extern void dynpg_base64_decode(const char *src, int len, StringInfo out);
extern void dynpg_base64_encode(const uint8 *src, int len, StringInfo out);
extern int	dynpg_base64_encoded_len(int len);

#endif							/* DYNPG_BASE64_H */
