/*
 * alpn: the tls-alpn-01 responder (see alpn.h).
 *
 * Each client is a GnuTLS server session on its non-blocking socket: the
 * handshake is stepped whenever poll() reports the direction GnuTLS last
 * waited for. Right after the ClientHello a hook picks the certificate
 * for the name asked for, or ends the handshake when the name is unknown
 * or acme-tls/1 was not offered; the certificate callback then hands that
 * choice to GnuTLS. When the handshake ends either way the client gets a
 * close_notify or an alert, best-effort, and the listener half-closes and
 * drains the connection. Certificates are counted references: one held by
 * the table, one by each handshake that chose it, so removing a name never
 * frees a certificate a handshake in flight still presents. The listener
 * owns the sockets, the limits and the deadlines.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "alpn.h"
#include "crypto.h"
#include "esc.h"
#include "listener.h"

#define ALPN_OID_ACME_ID	"1.3.6.1.5.5.7.1.31"
#define ALPN_SUBJECT		"certdeck tls-alpn-01"
#define ALPN_NAME_MAX		253
#define ALPN_LABEL_MAX		63
#define ALPN_KEYAUTH_MAX	4096
#define ALPN_NOT_BEFORE_S	(60 * 60)
#define ALPN_NOT_AFTER_S	(7 * 24 * 60 * 60)
#define ALPN_SHOWN_MAX		96	/* escaped bytes of a bad name in a message */

/* One identifier's certificate; `name` is the SNI it answers, lowercase. */
struct alpn_cert {
	char		 name[ALPN_NAME_MAX + 1];
	unsigned	 refs;
	gnutls_pcert_st	 pcert;
};

/* A client during its handshake; the listener has it after. */
struct alpn_client {
	gnutls_session_t	 session;
	struct alpn_cert	*cert;		/* chosen by the hello hook */
	struct alpn		*owner;
};

struct alpn {
	struct listener			*l;
	gnutls_x509_privkey_t		 xkey;	/* owned by `key` */
	gnutls_privkey_t		 key;
	gnutls_certificate_credentials_t cred;
	struct alpn_cert		*certs[ALPN_MAX_NAMES];
	size_t				 ncerts;
	struct alpn_stats		 stats;	/* but `dropped`, the listener's */
};

/* Drops one reference to `c`, freeing it with the last. */
static void
alpn_cert_put(struct alpn_cert *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	gnutls_pcert_deinit(&c->pcert);
	free(c);
}

/* Returns the certificate served for `name` (any case), or NULL. */
static struct alpn_cert *
alpn_find(const struct alpn *a, const char *name, size_t *slot)
{
	size_t i;

	for (i = 0; i < a->ncerts; i++) {
		if (strcasecmp(a->certs[i]->name, name) != 0)
			continue;
		if (slot != NULL)
			*slot = i;
		return a->certs[i];
	}
	return NULL;
}

/* Chooses the certificate once the ClientHello is read: the name asked
 * for must be served and acme-tls/1 must have been agreed, else the
 * handshake ends here with the matching alert. GNUTLS_ALPN_MANDATORY
 * alone lets through a client that sends no ALPN extension at all, hence
 * the check here. Called again after a HelloRetryRequest, so an earlier
 * choice is let go first. */
static int
alpn_hello(gnutls_session_t session)
{
	struct alpn_client *c = gnutls_session_get_ptr(session);
	gnutls_datum_t proto;
	char name[ALPN_NAME_MAX + 2];
	size_t len = sizeof name;
	unsigned int type;

	alpn_cert_put(c->cert);
	c->cert = NULL;
	if (gnutls_alpn_get_selected_protocol(session, &proto) < 0 ||
	    proto.size != strlen(ALPN_PROTOCOL) ||
	    memcmp(proto.data, ALPN_PROTOCOL, proto.size) != 0)
		return GNUTLS_E_NO_APPLICATION_PROTOCOL;
	if (gnutls_server_name_get(session, name, &len, &type, 0) < 0 ||
	    type != GNUTLS_NAME_DNS ||
	    (c->cert = alpn_find(c->owner, name, NULL)) == NULL)
		return GNUTLS_E_UNRECOGNIZED_NAME;
	c->cert->refs++;
	return 0;
}

/* Hands GnuTLS the certificate the hello hook chose. */
static int
alpn_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn,
    int nreqs, const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
    gnutls_pcert_st **pcert, unsigned int *pcert_length,
    gnutls_privkey_t *privkey)
{
	struct alpn_client *c = gnutls_session_get_ptr(session);

	(void)req_ca_dn;
	(void)nreqs;
	(void)pk_algos;
	(void)pk_algos_length;
	if (c == NULL || c->cert == NULL)
		return -1;
	*pcert = &c->cert->pcert;
	*pcert_length = 1;
	*privkey = c->owner->key;
	return 0;
}

/* Makes the ECDSA P-256 key every certificate of this responder uses and
 * the credentials that serve them. */
static int
alpn_setup_tls(struct alpn *a, struct err *err)
{
	int rc;

	if ((rc = gnutls_x509_privkey_init(&a->xkey)) < 0 ||
	    (rc = gnutls_x509_privkey_generate(a->xkey, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0 ||
	    (rc = gnutls_privkey_init(&a->key)) < 0)
		return crypto_gnutls_err(err, "tls-alpn-01 responder key", rc);
	if ((rc = gnutls_privkey_import_x509(a->key, a->xkey,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0)
		return crypto_gnutls_err(err, "tls-alpn-01 responder key", rc);
	if ((rc = gnutls_certificate_allocate_credentials(&a->cred)) < 0)
		return crypto_gnutls_err(err, "tls-alpn-01 credentials", rc);
	gnutls_certificate_set_retrieve_function2(a->cred, alpn_retrieve);
	return 0;
}

/* Ends a client's session and lets go of its certificate; the socket is
 * the listener's to close. */
static void
alpn_client_close(void *client)
{
	struct alpn_client *c = client;

	if (c->session != NULL)
		gnutls_deinit(c->session);
	alpn_cert_put(c->cert);
	free(c);
}

/* Starts a server session on the accepted socket `fd`; returns the
 * client, or NULL. */
static void *
alpn_client_new(void *arg, int fd)
{
	struct alpn *a = arg;
	static const gnutls_datum_t proto = {
		(unsigned char *)ALPN_PROTOCOL, sizeof ALPN_PROTOCOL - 1
	};
	struct alpn_client *c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	if (gnutls_init(&c->session, GNUTLS_SERVER | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL | GNUTLS_NO_TICKETS) < 0) {
		free(c);
		return NULL;
	}
	if (gnutls_set_default_priority(c->session) < 0 ||
	    gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE,
	    a->cred) < 0 ||
	    gnutls_alpn_set_protocols(c->session, &proto, 1,
	    GNUTLS_ALPN_MANDATORY) < 0) {
		gnutls_deinit(c->session);
		free(c);
		return NULL;
	}
	gnutls_handshake_set_post_client_hello_function(c->session,
	    alpn_hello);
	/* Deadlines are the caller's clock, never GnuTLS's. */
	gnutls_handshake_set_timeout(c->session, 0);
	gnutls_session_set_ptr(c->session, c);
	gnutls_transport_set_int(c->session, fd);
	c->owner = a;
	return c;
}

static short
alpn_events(void *client)
{
	struct alpn_client *c = client;

	return gnutls_record_get_direction(c->session) == 1 ? POLLOUT : POLLIN;
}

/* Steps the handshake; once it ends, sends close_notify or the alert that
 * explains the refusal, and leaves the rest to the listener. */
static enum listener_step
alpn_shake(void *client)
{
	struct alpn_client *c = client;
	int rc;

	rc = gnutls_handshake(c->session);
	if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
		return LISTENER_WAIT;
	if (rc == GNUTLS_E_PREMATURE_TERMINATION || rc == GNUTLS_E_PUSH_ERROR ||
	    rc == GNUTLS_E_PULL_ERROR)
		return LISTENER_DROP;
	/* Best-effort on a non-blocking socket: a client that does not read
	 * misses the goodbye, not the validation. */
	if (rc == 0) {
		c->owner->stats.served++;
		gnutls_bye(c->session, GNUTLS_SHUT_WR);
	} else {
		c->owner->stats.refused++;
		gnutls_alert_send_appropriate(c->session, rc);
	}
	return LISTENER_DONE;
}

static const struct listener_ops alpn_listener_ops = {
	.max_clients = ALPN_MAX_CLIENTS,
	.client_ms = ALPN_CLIENT_MS,
	.open = alpn_client_new,
	.events = alpn_events,
	.ready = alpn_shake,
	.close = alpn_client_close,
};

struct alpn *
alpn_new(const char *bind_addr, int port, struct err *err)
{
	struct alpn *a;

	if ((a = calloc(1, sizeof *a)) == NULL) {
		err_nomem(err, "tls-alpn-01 responder");
		return NULL;
	}
	if ((a->l = listener_new(bind_addr, port, &alpn_listener_ops, a,
	    err)) == NULL || alpn_setup_tls(a, err) == -1) {
		alpn_free(a);
		return NULL;
	}
	return a;
}

void
alpn_free(struct alpn *a)
{
	size_t i;

	if (a == NULL)
		return;
	/* First: handshakes hold certificates and use the credentials. */
	listener_free(a->l);
	for (i = 0; i < a->ncerts; i++)
		alpn_cert_put(a->certs[i]);
	if (a->cred != NULL)
		gnutls_certificate_free_credentials(a->cred);
	if (a->key != NULL)
		gnutls_privkey_deinit(a->key);
	else if (a->xkey != NULL)
		gnutls_x509_privkey_deinit(a->xkey);
	free(a);
}

int
alpn_port(const struct alpn *a)
{
	return listener_port(a->l);
}

/* Writes the reverse-DNS name of the `len`-byte address `ip` (RFC 8738
 * §6) into `out`, which holds ALPN_NAME_MAX + 1 bytes. */
static void
alpn_reverse_name(const unsigned char *ip, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (len == 4) {
		snprintf(out, ALPN_NAME_MAX + 1, "%u.%u.%u.%u.in-addr.arpa",
		    ip[3], ip[2], ip[1], ip[0]);
		return;
	}
	for (i = len; i-- > 0;) {
		out[o++] = hex[ip[i] & 0xf];
		out[o++] = '.';
		out[o++] = hex[ip[i] >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa", sizeof "ip6.arpa");
}

/* Turns a reverse-DNS name back into its address text in `fwd` (at least
 * INET6_ADDRSTRLEN bytes); returns 0, or -1 when it is not one. */
static int
alpn_unreverse(const char *name, char *fwd)
{
	char d[4][4];
	size_t i, len = strlen(name), o = 0;
	int used = -1;

	if (len == 72 && strcasecmp(name + 64, "ip6.arpa") == 0) {
		for (i = 32; i-- > 0;) {
			if (name[2 * i + 1] != '.' || name[2 * i] == '\0' ||
			    strchr("0123456789abcdefABCDEF", name[2 * i]) ==
			    NULL)
				return -1;
			fwd[o++] = name[2 * i];
			if (i % 4 == 0 && i > 0)
				fwd[o++] = ':';
		}
		fwd[o] = '\0';
		return 0;
	}
	if (len > 13 && strcasecmp(name + len - 13, ".in-addr.arpa") == 0 &&
	    sscanf(name, "%3[0-9].%3[0-9].%3[0-9].%3[0-9]%n", d[0], d[1],
	    d[2], d[3], &used) == 4 && (size_t)used == len - 13) {
		snprintf(fwd, INET6_ADDRSTRLEN, "%s.%s.%s.%s", d[3], d[2],
		    d[1], d[0]);
		return 0;
	}
	return -1;
}

/* Reads the address text `text` into `ip`, its length in `*len`; returns
 * 0, or -1 when it is not an address. */
static int
alpn_pton(const char *text, unsigned char ip[16], size_t *len)
{
	if (inet_pton(AF_INET, text, ip) == 1)
		*len = 4;
	else if (inet_pton(AF_INET6, text, ip) == 1)
		*len = 16;
	else
		return -1;
	return 0;
}

/* Reads an IP identifier, given as an address or its reverse name, into
 * `ip` (4 or 16 bytes, the count in `*len`) and the reverse name into
 * `sni`; returns 0, or -1 when it is neither. */
static int
alpn_parse_ip(const char *id, unsigned char ip[16], size_t *len, char *sni)
{
	char fwd[INET6_ADDRSTRLEN + 1];

	if (strlen(id) > ALPN_NAME_MAX)
		return -1;
	if (alpn_pton(id, ip, len) == -1 &&
	    (alpn_unreverse(id, fwd) == -1 || alpn_pton(fwd, ip, len) == -1))
		return -1;
	alpn_reverse_name(ip, *len, sni);
	return 0;
}

/* Checks a DNS identifier (labels of [A-Za-z0-9-], 1 to 63 bytes, 253 in
 * all; no wildcard, which tls-alpn-01 cannot prove) and writes it in
 * lowercase to `sni`; returns 0 or -1. */
static int
alpn_parse_dns(const char *id, char *sni)
{
	size_t i, label = 0;
	char ch;

	for (i = 0; id[i] != '\0'; i++) {
		if (i >= ALPN_NAME_MAX)
			return -1;
		ch = id[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if ((ch >= 'a' && ch <= 'z') || ch == '-' ||
		    (ch >= '0' && ch <= '9')) {
			if (++label > ALPN_LABEL_MAX)
				return -1;
		} else
			return -1;
		sni[i] = ch;
	}
	sni[i] = '\0';
	return label == 0 ? -1 : 0;
}

/* Reads `id` into the SNI it answers and the SAN it carries (`san`,
 * `*sanlen`, `*santype`); returns 0, or -1 with `err` set. */
static int
alpn_parse_id(const char *id, int is_ip, char *sni, unsigned char *san,
    size_t *sanlen, gnutls_x509_subject_alt_name_t *santype,
    struct err *err)
{
	char shown[ALPN_SHOWN_MAX];

	if (id == NULL)
		return err_set(err, ERR_PROTO, "tls-alpn-01: no identifier");
	if (is_ip && alpn_parse_ip(id, san, sanlen, sni) == 0) {
		*santype = GNUTLS_SAN_IPADDRESS;
		return 0;
	}
	if (!is_ip && alpn_parse_dns(id, sni) == 0) {
		*sanlen = strlen(sni);
		memcpy(san, sni, *sanlen);
		*santype = GNUTLS_SAN_DNSNAME;
		return 0;
	}
	esc_buf(id, strlen(id), shown, sizeof shown);
	return err_set(err, ERR_PROTO, "tls-alpn-01: \"%s\": not %s", shown,
	    is_ip ? "an IP address or its reverse-DNS name" :
	    "a DNS name without wildcard");
}

/* Signs, with the responder's key, a certificate for one SAN carrying the
 * critical acmeIdentifier extension: the DER OCTET STRING of `digest`. */
static int
alpn_sign_cert(struct alpn *a, gnutls_x509_crt_t crt,
    gnutls_x509_subject_alt_name_t santype, const unsigned char *san,
    size_t sanlen, const unsigned char digest[32])
{
	unsigned char ext[2 + 32], serial[16];
	time_t now = time(NULL);
	int rc;

	ext[0] = 0x04;		/* OCTET STRING */
	ext[1] = 32;
	memcpy(ext + 2, digest, 32);
	if ((rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
		return rc;
	serial[0] = (unsigned char)((serial[0] & 0x3f) | 0x40);	/* positive */
	if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
	    (rc = gnutls_x509_crt_set_activation_time(crt,
	    now - ALPN_NOT_BEFORE_S)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(crt,
	    now + ALPN_NOT_AFTER_S)) < 0 ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, ALPN_SUBJECT,
	    strlen(ALPN_SUBJECT))) < 0 ||
	    (rc = gnutls_x509_crt_set_subject_alt_name(crt, santype, san,
	    (unsigned int)sanlen, GNUTLS_FSAN_SET)) < 0 ||
	    (rc = gnutls_x509_crt_set_extension_by_oid(crt, ALPN_OID_ACME_ID,
	    ext, sizeof ext, 1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key(crt, a->xkey)) < 0 ||
	    (rc = gnutls_x509_crt_sign2(crt, crt, a->xkey, GNUTLS_DIG_SHA256,
	    0)) < 0)
		return rc;
	return 0;
}

/* Builds the certificate entry for `id`; returns it with one reference,
 * or NULL with `err` set. */
static struct alpn_cert *
alpn_make_cert(struct alpn *a, const char *id, int is_ip,
    const char *key_authorization, struct err *err)
{
	gnutls_x509_subject_alt_name_t santype = GNUTLS_SAN_DNSNAME;
	gnutls_x509_crt_t crt;
	struct alpn_cert *c;
	unsigned char san[ALPN_NAME_MAX + 1], digest[32];
	size_t sanlen;
	int rc;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		err_nomem(err, "tls-alpn-01 certificate");
		return NULL;
	}
	if (alpn_parse_id(id, is_ip, c->name, san, &sanlen, &santype,
	    err) == -1 || crypto_sha256(key_authorization,
	    strlen(key_authorization), digest, err) == -1) {
		free(c);
		return NULL;
	}
	if ((rc = gnutls_x509_crt_init(&crt)) < 0) {
		free(c);
		crypto_gnutls_err(err, "tls-alpn-01 certificate", rc);
		return NULL;
	}
	if ((rc = alpn_sign_cert(a, crt, santype, san, sanlen, digest)) < 0 ||
	    (rc = gnutls_pcert_import_x509(&c->pcert, crt, 0)) < 0) {
		gnutls_x509_crt_deinit(crt);
		crypto_gnutls_err(err, "tls-alpn-01 certificate", rc);
		err_prefix(err, "%s", c->name);
		free(c);
		return NULL;
	}
	gnutls_x509_crt_deinit(crt);
	c->refs = 1;
	return c;
}

int
alpn_add(struct alpn *a, const char *identifier, int is_ip,
    const char *key_authorization, struct err *err)
{
	struct alpn_cert *c;
	size_t slot;

	if (key_authorization == NULL || *key_authorization == '\0' ||
	    strlen(key_authorization) > ALPN_KEYAUTH_MAX)
		return err_set(err, ERR_PROTO, "tls-alpn-01: key "
		    "authorization missing or over %d bytes", ALPN_KEYAUTH_MAX);
	if ((c = alpn_make_cert(a, identifier, is_ip, key_authorization,
	    err)) == NULL)
		return -1;
	if (alpn_find(a, c->name, &slot) != NULL) {
		alpn_cert_put(a->certs[slot]);
		a->certs[slot] = c;
		return 0;
	}
	if (a->ncerts == ALPN_MAX_NAMES) {
		alpn_cert_put(c);
		return err_set(err, ERR_FAIL, "tls-alpn-01 responder: already "
		    "serving %d identifiers", ALPN_MAX_NAMES);
	}
	a->certs[a->ncerts++] = c;
	return 0;
}

void
alpn_remove(struct alpn *a, const char *identifier)
{
	unsigned char ip[16];
	char sni[ALPN_NAME_MAX + 1];
	size_t len, slot;

	if (identifier == NULL)
		return;
	/* Either kind: "1.2.3.4" may have been added as a DNS name too. */
	if ((alpn_parse_ip(identifier, ip, &len, sni) == -1 ||
	    alpn_find(a, sni, &slot) == NULL) &&
	    (alpn_parse_dns(identifier, sni) == -1 ||
	    alpn_find(a, sni, &slot) == NULL))
		return;
	alpn_cert_put(a->certs[slot]);
	a->certs[slot] = a->certs[--a->ncerts];
}

size_t
alpn_count(const struct alpn *a)
{
	return a->ncerts;
}

int
alpn_pollfds(struct alpn *a, struct pollfd *fds, int max)
{
	return listener_pollfds(a->l, fds, max);
}

void
alpn_handle(struct alpn *a, const struct pollfd *fds, int n,
    long long now_ms)
{
	listener_handle(a->l, fds, n, now_ms);
}

int
alpn_timeout_ms(const struct alpn *a, long long now_ms)
{
	return listener_timeout_ms(a->l, now_ms);
}

void
alpn_stats(const struct alpn *a, struct alpn_stats *out)
{
	*out = a->stats;
	out->dropped = listener_dropped(a->l);
}
