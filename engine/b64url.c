/*
 * b64url: base64url encode and decode without padding (see b64url.h).
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Explicit ranges rather than isalnum(): the result must not depend on
 * the locale, since it decides what may become a file name. */
static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

size_t
b64url_encoded_len(size_t len)
{
	return (len / 3) * 4 + (len % 3 ? len % 3 + 1 : 0);
}

char *
b64url_encode(const void *data, size_t len, struct err *err)
{
	const unsigned char *in = data;
	size_t i, o = 0;
	char *out;

	if (len > ((size_t)-1 / 4) * 3 - 3) {
		err_set(err, ERR_NOMEM, "base64url: input too large");
		return NULL;
	}
	if ((out = malloc(b64url_encoded_len(len) + 1)) == NULL) {
		err_nomem(err, "base64url output");
		return NULL;
	}
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64url_alphabet[v >> 18 & 63];
		out[o++] = b64url_alphabet[v >> 12 & 63];
		out[o++] = b64url_alphabet[v >> 6 & 63];
		out[o++] = b64url_alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = b64url_alphabet[v >> 18 & 63];
		out[o++] = b64url_alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64url_alphabet[v >> 18 & 63];
		out[o++] = b64url_alphabet[v >> 12 & 63];
		out[o++] = b64url_alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return out;
}

unsigned char *
b64url_decode(const char *text, size_t text_len, size_t *out_len, struct err *err)
{
	unsigned char *out;
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0, v;

	if (text_len % 4 == 1) {
		err_set(err, ERR_PROTO, "base64url: impossible length %zu", text_len);
		return NULL;
	}
	if ((out = malloc(text_len / 4 * 3 + 3)) == NULL) {
		err_nomem(err, "base64url output");
		return NULL;
	}
	for (i = 0; i < text_len; i++) {
		if ((v = b64url_value((unsigned char)text[i])) < 0) {
			free(out);
			err_set(err, ERR_PROTO, "base64url: invalid character at offset %zu", i);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero, else the text is not a canonical encoding. */
	if (acc != 0) {
		free(out);
		err_set(err, ERR_PROTO, "base64url: non-canonical trailing bits");
		return NULL;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

int
b64url_is_valid(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (b64url_value((unsigned char)*s) < 0)
			return 0;
	return 1;
}
