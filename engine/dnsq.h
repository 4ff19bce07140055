/*
 * dnsq: one non-blocking DNS query to one resolver (`--dns-resolver
 * ADDR:PORT`, or the system's first nameserver): TXT for the dns-01
 * propagation check and the dns-persist-01 presence check, A, AAAA and
 * CAA for the wizard's preflight.
 *
 * A minimal stub resolver living in the engine's poll loop: the query goes
 * out over UDP, is sent again every 500 ms at most three times, moves to
 * TCP when the answer is truncated, and gives up after 3 s in all. The
 * answer is hostile input: it must come from the resolver's address, carry
 * our random ID and echo our question, and the parser bounds every count,
 * length and compression pointer. Times are the loop's clock in
 * milliseconds (CLOCK_MONOTONIC); the 3 s start at the first dnsq_handle().
 */
#ifndef CERTDECK_DNSQ_H
#define CERTDECK_DNSQ_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define DNSQ_RETRY_MS		500
#define DNSQ_RETRIES		3
#define DNSQ_TOTAL_MS		3000
#define DNSQ_MAX_ANSWERS	64	/* TXT records kept */
#define DNSQ_MAX_CNAMES		8

struct dnsq;

/* Query types (their numbers on the wire). */
#define DNSQ_A		1
#define DNSQ_TXT	16
#define DNSQ_AAAA	28
#define DNSQ_CAA	257

/* Like dnsq_txt_start() for type `qtype`; dnsq_result() then gives each
 * record as text: an address ("192.0.2.1", "2001:db8::1") or a CAA
 * record as caa_rdata_text() writes it. */
struct dnsq *dnsq_start(const char *resolver, const char *name,
    unsigned qtype, struct err *err);

/* "TXT", "A", "AAAA" or "CAA". */
const char *dnsq_type_name(unsigned qtype);

/* Prepares a TXT query for `name` (a host name, trailing dot optional)
 * to `resolver`, a numeric "ADDR:PORT", "[V6ADDR]:PORT" or address alone
 * (port 53), sent by the first dnsq_handle(); returns the query the
 * caller frees with dnsq_free(), or NULL with `err`. */
struct dnsq *dnsq_txt_start(const char *resolver, const char *name,
    struct err *err);

/* Fills `fd` with the descriptor to watch; returns 1, or 0 when there is
 * none (the query has finished). */
int dnsq_pollfd(struct dnsq *q, struct pollfd *fd);

/* Drives the query with the readiness in `fd` (may be NULL) at `now_ms`;
 * never blocks. Returns 1 when finished (see dnsq_result()), 0 while
 * still waiting. */
int dnsq_handle(struct dnsq *q, const struct pollfd *fd, long long now_ms);

/* Returns the milliseconds until dnsq_handle() must run without
 * readiness, 0 when due or finished. */
int dnsq_timeout_ms(const struct dnsq *q, long long now_ms);

/* After the query finished: returns 0 with a copy of the TXT strings (each
 * record's character-strings joined) in a NULL-terminated array the caller
 * frees with dnsq_strings_free(), their number in `n`; NXDOMAIN is 0 with
 * no strings. Returns -1 with `err` naming the resolver on SERVFAIL,
 * REFUSED, timeouts, a malformed answer, or when not finished. */
int dnsq_result(const struct dnsq *q, char ***txts, size_t *n,
    struct err *err);

/* Parses one answer packet of `len` bytes to the TXT question for `name`
 * with ID `id`, without a socket (for fuzzing): returns what dnsq_result()
 * would, or -1 when the packet does not answer that question. */
int dnsq_parse_answer(const unsigned char *pkt, size_t len, uint16_t id,
    const char *name, char ***txts, size_t *n, struct err *err);
/* Frees what dnsq_result() returned; NULL is allowed. */
void dnsq_strings_free(char **txts);

/* Closes the socket and frees the query; NULL is allowed. */
void dnsq_free(struct dnsq *q);

#define DNSQ_RESOLV_CONF "/etc/resolv.conf"

/* The system's resolver: the first `nameserver` of the resolv.conf at
 * `path` (normally DNSQ_RESOLV_CONF) in `out`; 0, or -1 with `err` when
 * the file cannot be read or names none. */
int dnsq_system_resolver(const char *path, char *out, size_t outsz,
    struct err *err);

#endif
