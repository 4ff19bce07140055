/*
 * challenge: the ways certdeck proves control of an identifier, each a
 * small table of operations the issue job drives (engine-internal).
 *
 * present() puts the proof in place (the responder serves it, a file is
 * written, a record is added); cleanup() takes it down again and is
 * called for every presented proof, after validation, failure or
 * cancellation alike. A solver whose proof takes time to appear (a DNS
 * record) returns 1 from present() and is asked again through ready().
 */
#ifndef CERTDECK_CHALLENGE_H
#define CERTDECK_CHALLENGE_H

#include "acme.h"
#include "err.h"

struct job;

/* How a certificate proves control; the names users write. */
enum challenge_method {
	CHALLENGE_HTTP = 0,		/* "http-01": built-in responder */
	CHALLENGE_WEBROOT,		/* "http-01" through files in a webroot */
	CHALLENGE_DNS,			/* "dns-01" through the user's hook */
	CHALLENGE_DNS_PERSIST,		/* "dns-persist-01": a standing record */
	CHALLENGE_ALPN,			/* "tls-alpn-01": built-in TLS responder */
	CHALLENGE_COUNT
};

struct solve {
	const struct solver *solver;
	struct acme_identifier ident;
	char *token;
	char *keyauth;
	int presented;
	int dirfd;			/* webroot: the challenge folder, or -1 */
	void *priv;			/* the solver's own state (dns-01) */
	const char *issuer;		/* dns-persist-01: the CA's issuer domain */
	int wildcard;			/* the authorization is for a wildcard */
};

struct solver {
	const char *acme_type;		/* the challenge type it answers */
	const char *label;		/* for events: "http-01 on port 80" … */
	int no_token;			/* its challenge carries no token */
	/* 0: ready to answer; 1: pending, ask ready(); -1: error. cleanup()
	 * runs when the proof was presented or left state in `priv`. */
	int (*present)(struct job *job, struct solve *s, struct err *err);
	int (*ready)(struct job *job, struct solve *s, struct err *err);
	void (*cleanup)(struct job *job, struct solve *s);
};

/* Parses a method name ("http-01", "webroot", "http-01-webroot");
 * 0 or -1 with the valid names in the error. */
int challenge_method_parse(const char *name, enum challenge_method *out,
    struct err *err);
const char *challenge_method_name(enum challenge_method m);

const struct solver *challenge_solver(enum challenge_method m);

/* challenge_dns.c */
extern const struct solver challenge_dns_solver;
extern const struct solver challenge_persist_solver;

/* Fills a solve for `token` (checked: base64url of 22 characters or
 * more, else refused with the token shown escaped) and its key
 * authorization. */
int challenge_solve_init(struct solve *s, const struct solver *solver,
    const struct acme_identifier *ident, const char *token, const char *keyauth,
    struct err *err);

/* Takes the proof down (if presented) and frees the solve's fields. */
void challenge_solve_release(struct job *job, struct solve *s);

#endif
