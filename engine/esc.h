/*
 * esc: untrusted text made safe for a terminal or a log line.
 *
 * Anything a CA, a file or a user sends may carry escape sequences (ESC[2J,
 * OSC 52), carriage returns that overwrite a line, bidi overrides that
 * reorder it, or bytes that are not UTF-8. These functions keep printable
 * text as it is and turn everything else into a visible escape: \n \r \t
 * \e, \xNN for other C0 bytes, DEL and bytes that are not valid UTF-8, and
 * \u{XXXX} for C1 controls and bidi overrides/isolates. A backslash is kept
 * as it is, so the output is for reading, not for decoding.
 */
#ifndef CERTDECK_ESC_H
#define CERTDECK_ESC_H

#include <stddef.h>

/* Copies `in` (len bytes, may hold NUL) into a newly allocated string safe
 * for a terminal or a log line; the result is at most `max_out` bytes
 * (0: no cap), an escape is never cut in half and "…" marks truncation.
 * Caller frees; NULL only on allocation failure. */
char *esc_text(const char *in, size_t len, size_t max_out);

/* Same into a caller buffer of `outsz` bytes (always NUL-terminated when
 * outsz > 0, truncated with "…"); returns out. */
char *esc_buf(const char *in, size_t len, char *out, size_t outsz);

#endif
