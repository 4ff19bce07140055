/*
 * caa: CAA records (RFC 8659) read and judged, without any I/O: which CA
 * may issue for a name. The records come from a resolver the user chose,
 * which is hostile input like anything from the network.
 */
#ifndef CERTDECK_CAA_H
#define CERTDECK_CAA_H

#include <stddef.h>

/* Longest record text kept: "FLAGS TAG VALUE". */
#define CAA_TEXT_MAX 300

/* Writes the record data `rd` (`len` bytes: flags, tag length, tag,
 * value) as "FLAGS TAG VALUE" into `out`, the value escaped (esc.h) and
 * cut to fit. Returns 0, or -1 with `why` when the data is malformed
 * (a tag that is empty, longer than 15 or not ASCII letters and digits,
 * or longer than the record). */
int caa_rdata_text(const unsigned char *rd, size_t len, char *out,
    size_t outsz, const char **why);

/* Judges the CAA record set found for a name (each "FLAGS TAG VALUE"):
 * 1 when a CA known by one of `ids` (the directory's caaIdentities) may
 * issue, wildcard certificates by issuewild when the set has one; 0 when
 * it may not, with `why` saying which CAs may; -1 when it cannot be told
 * (no ids given), `why` naming the CAs the records allow. An empty set,
 * or one with no issue property, allows every CA unless a critical
 * property is unknown (RFC 8659 §4.1). */
int caa_allows(char *const *recs, size_t n, int wildcard,
    char *const *ids, size_t n_ids, char *why, size_t whysz);

#endif
