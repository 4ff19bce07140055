/*
 * dnsq: one non-blocking DNS query, TXT, A, AAAA or CAA (see dnsq.h).
 * The packet parser reads hostile input: every offset is checked against
 * the packet length before it is read, and compression pointers must
 * point strictly before the part of the name that led to them, so
 * following them always ends.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caa.h"
#include "dnsq.h"

#define DNS_HDR		12
#define DNS_NAME_MAX	255	/* wire form, root label included */
#define DNS_TYPE_CNAME	5
#define DNS_CLASS_IN	1
#define DNS_UDP_MAX	4096
#define DNS_MAX_HOPS	64
#define DNSQ_RECV_PASS	16	/* datagrams read per pass */

enum dnsq_state { DNSQ_UDP, DNSQ_TCP_CONNECT, DNSQ_TCP_IO, DNSQ_DONE };

struct dnsq {
	enum dnsq_state		 state;
	int			 fd;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 resolver[80];
	char			 name[256];
	unsigned		 qtype;		/* DNSQ_TXT… */
	unsigned char		 qname[DNS_NAME_MAX];
	size_t			 qnamelen;
	unsigned char		 query[2 + DNS_HDR + DNS_NAME_MAX + 4];
	size_t			 qlen;		/* without the TCP length */
	uint16_t		 id;
	int			 sends;
	long long		 next_ms;
	long long		 deadline_ms;
	size_t			 tcp_sent;
	unsigned char		*rx;		/* TCP answer, 2-byte length first */
	size_t			 rxlen;
	size_t			 rxneed;
	int			 failed;
	struct err		 err;
	char			**txts;
	size_t			 n;
};

/* One resource record of the answer section. */
struct dns_rr {
	unsigned char	owner[DNS_NAME_MAX];
	size_t		ownerlen;
	unsigned	type;
	unsigned	class;
	size_t		rdoff;
	size_t		rdlen;
};

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static int
dnsq_parse_resolver(struct dnsq *q, const char *resolver, struct err *err)
{
	struct addrinfo hints, *ai;
	char host[64];
	const char *port = "53", *colon, *end;
	size_t len;
	int rc;

	if (resolver == NULL || *resolver == '\0')
		return err_set(err, ERR_CONFIG, "dns resolver: none given");
	snprintf(q->resolver, sizeof q->resolver, "%s", resolver);
	colon = strrchr(resolver, ':');
	if (resolver[0] == '[') {
		if ((end = strchr(resolver, ']')) == NULL ||
		    (end[1] != '\0' && end[1] != ':'))
			return err_set(err, ERR_CONFIG, "dns resolver %s: "
			    "expected [ADDRESS]:PORT", q->resolver);
		resolver++;
		len = (size_t)(end - resolver);
		if (end[1] == ':')
			port = end + 2;
	} else if (colon != NULL && strchr(resolver, ':') == colon) {
		len = (size_t)(colon - resolver);
		port = colon + 1;
	} else
		len = strlen(resolver);	/* an IPv6 address alone */
	if (len >= sizeof host)
		return err_set(err, ERR_CONFIG, "dns resolver %s: address too "
		    "long", q->resolver);
	memcpy(host, resolver, len);
	host[len] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_DGRAM;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		return err_set(err, ERR_CONFIG, "dns resolver %s: %s "
		    "(a numeric address and port are expected)", q->resolver,
		    gai_strerror(rc));
	memcpy(&q->addr, ai->ai_addr, ai->ai_addrlen);
	q->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* Encodes `name` in lower-case wire form into q->qname. */
static int
dnsq_encode_name(struct dnsq *q, const char *name, struct err *err)
{
	size_t len, i, lab = 0, out = 1;
	unsigned char c;

	len = name == NULL ? 0 : strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return err_set(err, ERR_CONFIG, "dns query: name is empty or "
		    "longer than 253 characters");
	snprintf(q->name, sizeof q->name, "%.*s", (int)len, name);
	for (i = 0; i <= len; i++) {
		c = i < len ? (unsigned char)name[i] : '.';
		if (c == '.') {
			if (lab == 0 || lab > 63)
				return err_set(err, ERR_CONFIG, "dns query "
				    "%s: empty label or label over 63 "
				    "characters", q->name);
			q->qname[out - lab - 1] = (unsigned char)lab;
			lab = 0;
			out++;
			continue;
		}
		/* Explicit ASCII ranges: the name may come from a CA. */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return err_set(err, ERR_CONFIG, "dns query: name has "
			    "a character outside A-Z a-z 0-9 - _");
		q->qname[out++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
		lab++;
	}
	q->qname[out - 1] = 0;
	q->qnamelen = out;
	return 0;
}

static int
dnsq_build(struct dnsq *q, struct err *err)
{
	unsigned char *p = q->query + 2;

	if (getrandom(&q->id, sizeof q->id, 0) != sizeof q->id)
		return err_errno(err, "dns query: getrandom");
	memset(p, 0, DNS_HDR);
	p[0] = q->id >> 8;
	p[1] = q->id & 0xff;
	p[2] = 0x01;			/* RD: the resolver recurses */
	p[5] = 1;			/* one question */
	memcpy(p + DNS_HDR, q->qname, q->qnamelen);
	p += DNS_HDR + q->qnamelen;
	p[0] = q->qtype >> 8;
	p[1] = q->qtype & 0xff;
	p[2] = 0;
	p[3] = DNS_CLASS_IN;
	q->qlen = DNS_HDR + q->qnamelen + 4;
	q->query[0] = q->qlen >> 8;
	q->query[1] = q->qlen & 0xff;
	return 0;
}

/* Ends the query, its outcome recorded; returns 1 (finished). */
static int
dnsq_finish(struct dnsq *q)
{
	q->state = DNSQ_DONE;
	if (q->fd != -1)
		close(q->fd);
	q->fd = -1;
	return 1;
}

static int
dnsq_fail(struct dnsq *q, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Finishes the query with an error naming the resolver and the name. */
static int
dnsq_fail(struct dnsq *q, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(&q->err, code, fmt, ap);
	va_end(ap);
	err_prefix(&q->err, "dns %s: %s %s", q->resolver, q->name,
	    dnsq_type_name(q->qtype));
	q->failed = 1;
	return dnsq_finish(q);
}

static void
dnsq_udp_send(struct dnsq *q, long long now_ms)
{
	q->sends++;
	q->next_ms = now_ms + DNSQ_RETRY_MS;
	if (send(q->fd, q->query + 2, q->qlen, MSG_NOSIGNAL) == -1 &&
	    errno != EAGAIN && errno != EWOULDBLOCK)
		dnsq_fail(q, ERR_NET, "send: %s", strerror(errno));
}

const char *
dnsq_type_name(unsigned qtype)
{
	switch (qtype) {
	case DNSQ_A: return "A";
	case DNSQ_AAAA: return "AAAA";
	case DNSQ_CAA: return "CAA";
	default: return "TXT";
	}
}

struct dnsq *
dnsq_txt_start(const char *resolver, const char *name, struct err *err)
{
	return dnsq_start(resolver, name, DNSQ_TXT, err);
}

struct dnsq *
dnsq_start(const char *resolver, const char *name, unsigned qtype,
    struct err *err)
{
	struct dnsq *q;

	if ((q = calloc(1, sizeof *q)) == NULL) {
		err_nomem(err, "dns query");
		return NULL;
	}
	q->fd = -1;
	q->qtype = qtype;
	if (dnsq_parse_resolver(q, resolver, err) == -1 ||
	    dnsq_encode_name(q, name, err) == -1 || dnsq_build(q, err) == -1)
		goto fail;
	q->fd = socket(q->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	/* Connected: the kernel drops datagrams from other addresses. */
	if (q->fd == -1 || connect(q->fd, (struct sockaddr *)&q->addr,
	    q->addrlen) == -1) {
		err_errno(err, "dns %s: socket", q->resolver);
		goto fail;
	}
	/* The first dnsq_handle() sends, on the loop's own clock. */
	return q;
fail:
	dnsq_free(q);
	return NULL;
}

/* Reads a name at `*off` into lower-case wire form; moves `*off` past it.
 * Returns 0, or -1 with `why`. */
static int
dns_name(const unsigned char *pkt, size_t len, size_t *off,
    unsigned char *out, size_t *outlen, const char **why)
{
	size_t pos = *off, limit = *off, n = 0, next = 0, i, target;
	unsigned c, hops = 0;

	for (;;) {
		if (pos >= len)
			return *why = "name runs past the packet", -1;
		c = pkt[pos];
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= len)
				return *why = "name runs past the packet", -1;
			target = (c & 0x3f) << 8 | pkt[pos + 1];
			if (next == 0)
				next = pos + 2;
			/* Strictly backwards from where this part began. */
			if (target >= limit || ++hops > DNS_MAX_HOPS)
				return *why = "compression pointer loop", -1;
			pos = limit = target;
			continue;
		}
		if (c & 0xc0)
			return *why = "unknown label type", -1;
		if (pos + 1 + c > len)
			return *why = "label runs past the packet", -1;
		if (n + 1 + c > DNS_NAME_MAX)
			return *why = "name longer than 255 bytes", -1;
		out[n++] = (unsigned char)c;
		for (i = 0; i < c; i++) {
			unsigned char b = pkt[pos + 1 + i];
			out[n++] = (b >= 'A' && b <= 'Z') ? b + 32 : b;
		}
		pos += 1 + c;
		if (c == 0)
			break;
	}
	*off = next != 0 ? next : pos;
	*outlen = n;
	return 0;
}

/* Returns 1 when the answer is to our question: ID, response bit, opcode
 * and the question echoed. Anything else is someone else's packet. */
static int
dnsq_ours(const struct dnsq *q, const unsigned char *pkt, size_t len)
{
	unsigned char name[DNS_NAME_MAX];
	size_t off = DNS_HDR, nlen;
	const char *why;

	if (len < DNS_HDR || get16(pkt) != q->id || !(pkt[2] & 0x80) ||
	    (pkt[2] & 0x78) != 0 || get16(pkt + 4) != 1)
		return 0;
	if (dns_name(pkt, len, &off, name, &nlen, &why) == -1 ||
	    nlen != q->qnamelen || memcmp(name, q->qname, nlen) != 0 ||
	    off + 4 > len || get16(pkt + off) != q->qtype ||
	    get16(pkt + off + 2) != DNS_CLASS_IN)
		return 0;
	return 1;
}

/* Splits the answer section into records; returns how many, or -1 with
 * `why`. */
static int
dns_answers(const unsigned char *pkt, size_t len, struct dns_rr *rr,
    const char **why)
{
	size_t off = DNS_HDR, n, i;
	unsigned ancount = get16(pkt + 6);
	unsigned char skip[DNS_NAME_MAX];

	if (ancount > DNSQ_MAX_ANSWERS)
		return *why = "too many answers", -1;
	if (dns_name(pkt, len, &off, skip, &n, why) == -1)
		return -1;
	off += 4;
	for (i = 0; i < ancount; i++) {
		if (dns_name(pkt, len, &off, rr[i].owner, &rr[i].ownerlen,
		    why) == -1)
			return -1;
		if (off + 10 > len)
			return *why = "record runs past the packet", -1;
		rr[i].type = get16(pkt + off);
		rr[i].class = get16(pkt + off + 2);
		rr[i].rdlen = get16(pkt + off + 8);
		rr[i].rdoff = off + 10;
		if (rr[i].rdoff + rr[i].rdlen > len)
			return *why = "record data runs past the packet", -1;
		off = rr[i].rdoff + rr[i].rdlen;
	}
	return (int)ancount;
}

/* Joins one TXT record's character-strings; returns NULL with `why` on a
 * malformed record, or "" marked by `*skip` when it holds a NUL (no ACME
 * value does, and a C string would cut it short). */
static char *
dns_txt(const unsigned char *pkt, const struct dns_rr *rr, int *skip,
    const char **why)
{
	size_t pos = rr->rdoff, end = rr->rdoff + rr->rdlen, n = 0, l;
	char *s;

	*skip = 0;
	if ((s = malloc(rr->rdlen + 1)) == NULL)
		return *why = "out of memory", NULL;
	while (pos < end) {
		l = pkt[pos];
		if (pos + 1 + l > end) {
			free(s);
			return *why = "TXT string runs past its record", NULL;
		}
		memcpy(s + n, pkt + pos + 1, l);
		n += l;
		pos += 1 + l;
	}
	s[n] = '\0';
	if (memchr(s, '\0', n) != NULL)
		*skip = 1;
	return s;
}

/* One record of the type asked for, as text: TXT strings joined, an
 * address in its usual form, CAA as "FLAGS TAG VALUE" (caa.h). */
static char *
dns_rdata_text(const unsigned char *pkt, const struct dns_rr *rr,
    unsigned qtype, int *skip, const char **why)
{
	char text[INET6_ADDRSTRLEN + CAA_TEXT_MAX], *s;

	*skip = 0;
	if (qtype == DNSQ_TXT)
		return dns_txt(pkt, rr, skip, why);
	if (qtype == DNSQ_CAA) {
		if (caa_rdata_text(pkt + rr->rdoff, rr->rdlen, text, sizeof text,
		    why) != 0)
			return NULL;
	} else if (rr->rdlen != (qtype == DNSQ_A ? 4u : 16u) ||
	    inet_ntop(qtype == DNSQ_A ? AF_INET : AF_INET6, pkt + rr->rdoff,
	    text, sizeof text) == NULL)
		return *why = "address of the wrong length", NULL;
	if ((s = strdup(text)) == NULL)
		*why = "out of memory";
	return s;
}

static int
dns_same(const struct dns_rr *rr, const unsigned char *name, size_t len)
{
	return rr->ownerlen == len && memcmp(rr->owner, name, len) == 0;
}

/* Follows CNAMEs from our name (a delegated _acme-challenge); leaves the
 * name whose TXT records count in `name`. */
static int
dnsq_follow(const unsigned char *pkt, size_t len, const struct dns_rr *rr,
    int nrr, unsigned char *name, size_t *nlen, const char **why)
{
	size_t off, hops;
	int i;

	for (hops = 0; hops <= DNSQ_MAX_CNAMES; hops++) {
		for (i = 0; i < nrr; i++)
			if (rr[i].type == DNS_TYPE_CNAME &&
			    rr[i].class == DNS_CLASS_IN &&
			    dns_same(&rr[i], name, *nlen))
				break;
		if (i == nrr)
			return 0;
		off = rr[i].rdoff;
		if (dns_name(pkt, len, &off, name, nlen, why) == -1)
			return -1;
	}
	return *why = "too many CNAMEs", -1;
}

static int
dnsq_collect(struct dnsq *q, const unsigned char *pkt, size_t len)
{
	struct dns_rr rr[DNSQ_MAX_ANSWERS];
	unsigned char name[DNS_NAME_MAX];
	size_t nlen = q->qnamelen;
	const char *why = NULL;
	char *s;
	int nrr, i, skip;

	memcpy(name, q->qname, nlen);
	if ((nrr = dns_answers(pkt, len, rr, &why)) == -1 ||
	    dnsq_follow(pkt, len, rr, nrr, name, &nlen, &why) == -1)
		return dnsq_fail(q, ERR_PROTO, "malformed answer: %s", why);
	if ((q->txts = calloc((size_t)nrr + 1, sizeof *q->txts)) == NULL)
		return dnsq_fail(q, ERR_NOMEM, "out of memory");
	for (i = 0; i < nrr; i++) {
		if (rr[i].type != q->qtype || rr[i].class != DNS_CLASS_IN ||
		    !dns_same(&rr[i], name, nlen))
			continue;
		if ((s = dns_rdata_text(pkt, &rr[i], q->qtype, &skip, &why)) == NULL)
			return dnsq_fail(q, ERR_PROTO, "malformed answer: %s",
			    why);
		if (skip) {
			free(s);
			continue;
		}
		q->txts[q->n++] = s;
	}
	return dnsq_finish(q);
}

static int dnsq_tcp_open(struct dnsq *q);

/* Takes an answer to our question; returns 1 when finished. */
static int
dnsq_answer(struct dnsq *q, const unsigned char *pkt, size_t len)
{
	unsigned rcode = pkt[3] & 0x0f;

	if ((pkt[2] & 0x02) && q->state == DNSQ_UDP)
		return dnsq_tcp_open(q);
	switch (rcode) {
	case 0:
		return dnsq_collect(q, pkt, len);
	case 3:		/* NXDOMAIN: no record yet, not an error */
		return dnsq_finish(q);
	case 2:
		return dnsq_fail(q, ERR_NET, "SERVFAIL");
	case 5:
		return dnsq_fail(q, ERR_NET, "REFUSED");
	default:
		return dnsq_fail(q, ERR_PROTO, "response code %u", rcode);
	}
}

static int
dnsq_same_addr(const struct dnsq *q, const struct sockaddr_storage *ss,
    socklen_t len)
{
	const struct sockaddr_in *a4 = (const void *)&q->addr;
	const struct sockaddr_in *b4 = (const void *)ss;
	const struct sockaddr_in6 *a6 = (const void *)&q->addr;
	const struct sockaddr_in6 *b6 = (const void *)ss;

	if (len != q->addrlen || ss->ss_family != q->addr.ss_family)
		return 0;
	if (ss->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof a6->sin6_addr) == 0;
}

static int
dnsq_udp_recv(struct dnsq *q)
{
	unsigned char pkt[DNS_UDP_MAX];
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t k;
	int i;

	for (i = 0; i < DNSQ_RECV_PASS; i++) {
		fromlen = sizeof from;
		k = recvfrom(q->fd, pkt, sizeof pkt, MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (k == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			return dnsq_fail(q, ERR_NET, "%s", strerror(errno));
		/* Someone else's, or too big to be an answer without EDNS. */
		if ((size_t)k > sizeof pkt || !dnsq_same_addr(q, &from,
		    fromlen) || !dnsq_ours(q, pkt, (size_t)k))
			continue;
		return dnsq_answer(q, pkt, (size_t)k);
	}
	return 0;
}

static int
dnsq_tcp_open(struct dnsq *q)
{
	close(q->fd);
	q->fd = socket(q->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (q->fd == -1)
		return dnsq_fail(q, ERR_NET, "truncated answer, TCP socket: "
		    "%s", strerror(errno));
	if (connect(q->fd, (struct sockaddr *)&q->addr, q->addrlen) == -1 &&
	    errno != EINPROGRESS)
		return dnsq_fail(q, ERR_NET, "truncated answer, TCP connect: "
		    "%s", strerror(errno));
	q->state = DNSQ_TCP_CONNECT;
	q->tcp_sent = 0;
	q->rxneed = 2;
	return 0;
}

static int
dnsq_tcp_connected(struct dnsq *q)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr == EINPROGRESS)
		return 0;
	if (soerr != 0)
		return dnsq_fail(q, ERR_NET, "TCP connect: %s",
		    strerror(soerr));
	q->state = DNSQ_TCP_IO;
	return 0;
}

/* Sends the length-prefixed query, then reads the length-prefixed answer
 * (a 16-bit length, so bounded at 64 KiB). */
static int
dnsq_tcp_io(struct dnsq *q)
{
	unsigned char *nrx;
	ssize_t k;

	if (q->tcp_sent < q->qlen + 2) {
		k = send(q->fd, q->query + q->tcp_sent, q->qlen + 2 -
		    q->tcp_sent, MSG_NOSIGNAL);
		if (k == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return dnsq_fail(q, ERR_NET, "TCP send: %s",
			    strerror(errno));
		if (k > 0)
			q->tcp_sent += (size_t)k;
		return 0;
	}
	if (q->rx == NULL && (q->rx = malloc(2 + 65535)) == NULL)
		return dnsq_fail(q, ERR_NOMEM, "out of memory");
	for (;;) {
		k = recv(q->fd, q->rx + q->rxlen, q->rxneed - q->rxlen, 0);
		if (k == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return 0;
		if (k == -1)
			return dnsq_fail(q, ERR_NET, "TCP receive: %s",
			    strerror(errno));
		if (k == 0)
			return dnsq_fail(q, ERR_NET, "TCP answer cut short");
		q->rxlen += (size_t)k;
		if (q->rxlen < q->rxneed)
			continue;
		if (q->rxneed == 2 && (q->rxneed += get16(q->rx)) > 2)
			continue;
		break;
	}
	nrx = q->rx + 2;
	/* On our own connection, a foreign answer is an error, not noise. */
	if (!dnsq_ours(q, nrx, q->rxlen - 2))
		return dnsq_fail(q, ERR_PROTO, "TCP answer does not match the "
		    "question");
	return dnsq_answer(q, nrx, q->rxlen - 2);
}

/*
 * The answer parser alone, with no socket: exported for the fuzz harness
 * (tests/fuzz/fuzz_dnsq.c), which must reach the same code a resolver's
 * answer reaches. It takes the TCP path, where a truncated answer is not
 * followed up, and changes nothing in how a live query parses.
 */
int
dnsq_parse_answer(const unsigned char *pkt, size_t len, uint16_t id,
    const char *name, char ***txts, size_t *n, struct err *err)
{
	struct dnsq *q;
	int rc;

	*txts = NULL;
	*n = 0;
	if ((q = calloc(1, sizeof *q)) == NULL)
		return err_nomem(err, "dns query");
	q->fd = -1;
	q->state = DNSQ_TCP_IO;
	q->qtype = DNSQ_TXT;
	q->id = id;
	snprintf(q->resolver, sizeof q->resolver, "answer");
	if (dnsq_encode_name(q, name, err) == -1)
		rc = -1;
	else if (!dnsq_ours(q, pkt, len))
		rc = err_set(err, ERR_PROTO, "dns answer: does not match the "
		    "question");
	else {
		dnsq_answer(q, pkt, len);
		rc = dnsq_result(q, txts, n, err);
	}
	dnsq_free(q);
	return rc;
}

int
dnsq_pollfd(struct dnsq *q, struct pollfd *fd)
{
	if (q->state == DNSQ_DONE || q->fd == -1)
		return 0;
	fd->fd = q->fd;
	fd->events = POLLIN;
	if (q->state == DNSQ_TCP_CONNECT ||
	    (q->state == DNSQ_TCP_IO && q->tcp_sent < q->qlen + 2))
		fd->events = POLLOUT;
	fd->revents = 0;
	return 1;
}

int
dnsq_handle(struct dnsq *q, const struct pollfd *fd, long long now_ms)
{
	/* Reading and writing are non-blocking, so they are simply tried;
	 * only a connect in progress needs poll()'s word that it ended. */
	if (q->state == DNSQ_UDP)
		dnsq_udp_recv(q);
	if (q->state == DNSQ_TCP_CONNECT && fd != NULL && fd->fd == q->fd &&
	    (fd->revents & (POLLOUT | POLLERR | POLLHUP)))
		dnsq_tcp_connected(q);
	if (q->state == DNSQ_TCP_IO)
		dnsq_tcp_io(q);
	if (q->state == DNSQ_DONE)
		return 1;
	if (q->sends == 0) {
		q->deadline_ms = now_ms + DNSQ_TOTAL_MS;
		dnsq_udp_send(q, now_ms);
		return q->state == DNSQ_DONE;
	}
	if (now_ms >= q->deadline_ms)
		return dnsq_fail(q, ERR_NET, "no answer within %d ms (%d "
		    "queries sent%s)", DNSQ_TOTAL_MS, q->sends,
		    q->state == DNSQ_UDP ? "" : ", then TCP");
	if (q->state == DNSQ_UDP && now_ms >= q->next_ms &&
	    q->sends <= DNSQ_RETRIES)
		dnsq_udp_send(q, now_ms);
	return q->state == DNSQ_DONE;
}

int
dnsq_timeout_ms(const struct dnsq *q, long long now_ms)
{
	long long t = q->deadline_ms;

	if (q->state == DNSQ_DONE || q->sends == 0)
		return 0;
	if (q->state == DNSQ_UDP && q->sends <= DNSQ_RETRIES &&
	    q->next_ms < t)
		t = q->next_ms;
	return t <= now_ms ? 0 : (int)(t - now_ms);
}

int
dnsq_result(const struct dnsq *q, char ***txts, size_t *n, struct err *err)
{
	char **out;
	size_t i;

	*txts = NULL;
	*n = 0;
	if (q->state != DNSQ_DONE)
		return err_set(err, ERR_FAIL, "dns %s: %s %s: not finished",
		    q->resolver, q->name, dnsq_type_name(q->qtype));
	if (q->failed)
		return err_copy(err, &q->err);
	if ((out = calloc(q->n + 1, sizeof *out)) == NULL)
		return err_nomem(err, "TXT strings");
	for (i = 0; i < q->n; i++) {
		if ((out[i] = strdup(q->txts[i])) == NULL) {
			dnsq_strings_free(out);
			return err_nomem(err, "TXT strings");
		}
	}
	*txts = out;
	*n = q->n;
	return 0;
}

void
dnsq_strings_free(char **txts)
{
	size_t i;

	if (txts == NULL)
		return;
	for (i = 0; txts[i] != NULL; i++)
		free(txts[i]);
	free(txts);
}

void
dnsq_free(struct dnsq *q)
{
	if (q == NULL)
		return;
	if (q->fd != -1)
		close(q->fd);
	dnsq_strings_free(q->txts);
	free(q->rx);
	free(q);
}

int
dnsq_system_resolver(const char *path, char *out, size_t outsz, struct err *err)
{
	char line[256], addr[64];
	FILE *f;

	out[0] = '\0';
	if ((f = fopen(path, "re")) == NULL)
		return err_errno(err, "%s", path);
	while (out[0] == '\0' && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, " nameserver %63s", addr) == 1)
			snprintf(out, outsz, "%s", addr);
	fclose(f);
	if (out[0] == '\0')
		return err_set(err, ERR_CONFIG, "%s names no nameserver", path);
	return 0;
}
