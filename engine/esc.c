/*
 * esc: untrusted text made safe for a terminal or a log line (see esc.h).
 *
 * The input is read one piece at a time: a valid UTF-8 sequence, or one
 * byte that is not part of one. Each piece is either copied or replaced by
 * its escape. UTF-8 is decoded strictly (no overlong forms, no surrogates,
 * nothing past U+10FFFF) because a lenient decoder lets 0xC0 0x9B through
 * as a disguised CSI.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"

#define ESC_ELLIPSIS	"\xe2\x80\xa6"
#define ESC_ELLIPSIS_LEN 3
#define ESC_PIECE_MAX	16

/* Length of the valid UTF-8 sequence at p (1-4) with its code point in
 * *cp, or 0 when the bytes there are not one. */
static size_t
esc_utf8(const unsigned char *p, size_t left, unsigned int *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		*cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		*cp = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* UTF-16 surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		*cp = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* past U+10FFFF */
	} else
		return 0;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	return n;
}

/* Whether code point cp is shown as an escape rather than as itself. */
static int
esc_hidden(unsigned int cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return 1;
	if (cp >= 0x80 && cp <= 0x9f)
		return 1;
	if (cp >= 0x202a && cp <= 0x202e)
		return 1;
	return cp >= 0x2066 && cp <= 0x2069;
}

/* Escapes the piece at p into `piece`; returns its length and sets *used
 * to the input bytes it stands for. */
static size_t
esc_piece(const unsigned char *p, size_t left, char *piece, size_t *used)
{
	unsigned int cp;
	size_t n;

	n = esc_utf8(p, left, &cp);
	if (n == 0) {
		*used = 1;
		return snprintf(piece, ESC_PIECE_MAX, "\\x%02x", p[0]);
	}
	*used = n;
	if (!esc_hidden(cp)) {
		memcpy(piece, p, n);
		return n;
	}
	switch (cp) {
	case '\n':
		return snprintf(piece, ESC_PIECE_MAX, "\\n");
	case '\r':
		return snprintf(piece, ESC_PIECE_MAX, "\\r");
	case '\t':
		return snprintf(piece, ESC_PIECE_MAX, "\\t");
	case 0x1b:
		return snprintf(piece, ESC_PIECE_MAX, "\\e");
	}
	if (cp < 0x80)
		return snprintf(piece, ESC_PIECE_MAX, "\\x%02x", cp);
	return snprintf(piece, ESC_PIECE_MAX, "\\u{%04X}", cp);
}

/* Escaped length of the whole input, counting no further than `stop`. */
static size_t
esc_measure(const unsigned char *p, size_t len, size_t stop)
{
	char piece[ESC_PIECE_MAX];
	size_t total = 0, used;

	while (len > 0 && total <= stop) {
		total += esc_piece(p, len, piece, &used);
		p += used;
		len -= used;
	}
	return total;
}

char *
esc_buf(const char *in, size_t len, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)in;
	char piece[ESC_PIECE_MAX];
	size_t cap, room, total = 0, n, used;

	if (outsz == 0)
		return out;
	if (in == NULL)
		len = 0;
	cap = outsz - 1;
	room = cap;
	/* Room for the mark when the text will not fit; a buffer too small
	 * for it is simply cut short. */
	if (cap >= ESC_ELLIPSIS_LEN && esc_measure(p, len, cap) > cap)
		room = cap - ESC_ELLIPSIS_LEN;
	while (len > 0) {
		n = esc_piece(p, len, piece, &used);
		if (total + n > room)
			break;
		memcpy(out + total, piece, n);
		total += n;
		p += used;
		len -= used;
	}
	if (len > 0 && total + ESC_ELLIPSIS_LEN <= cap) {
		memcpy(out + total, ESC_ELLIPSIS, ESC_ELLIPSIS_LEN);
		total += ESC_ELLIPSIS_LEN;
	}
	out[total] = '\0';
	return out;
}

char *
esc_text(const char *in, size_t len, size_t max_out)
{
	size_t need;
	char *out;

	if (in == NULL)
		len = 0;
	need = esc_measure((const unsigned char *)in, len, max_out == 0 ?
	    (size_t)-1 : max_out);
	if (max_out != 0 && need > max_out)
		need = max_out;
	if ((out = malloc(need + 1)) == NULL)
		return NULL;
	return esc_buf(in, len, out, need + 1);
}
