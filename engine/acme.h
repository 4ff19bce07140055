/*
 * acme: RFC 8555 messages, without any I/O.
 *
 * Parsers turn what a CA sent (already bounded by http and json) into plain
 * structs, refusing anything that is not exactly what the RFC allows: a
 * missing or unknown status, the wrong JSON type, a non-https URL. Builders
 * produce the JSON payloads the engine signs. The state machines that send
 * them live in job_*.c.
 */
#ifndef CERTDECK_ACME_H
#define CERTDECK_ACME_H

#include <stddef.h>
#include <time.h>

#include "err.h"

#define ACME_ERR_PREFIX "urn:ietf:params:acme:error:"
#define ACME_MAX_IDENTIFIERS 100
#define ACME_MAX_CHALLENGES 16
#define ACME_MAX_SUBPROBLEMS 32

enum acme_status {
	ACME_STATUS_UNKNOWN = 0,
	ACME_STATUS_PENDING,
	ACME_STATUS_READY,
	ACME_STATUS_PROCESSING,
	ACME_STATUS_VALID,
	ACME_STATUS_INVALID,
	ACME_STATUS_DEACTIVATED,
	ACME_STATUS_EXPIRED,
	ACME_STATUS_REVOKED
};

struct acme_directory {
	char *new_nonce, *new_account, *new_order, *revoke_cert, *key_change;
	char *renewal_info;		/* RFC 9773, or NULL */
	char *terms_of_service, *website;
	char **caa_identities;
	size_t n_caa_identities;
	char **profiles;		/* names from meta.profiles */
	char **profile_descs;		/* their descriptions ("" when not a
					 * string), raw CA text: escape to show */
	size_t n_profiles;
	int external_account_required;
};

struct acme_identifier {
	char type[8];			/* "dns" or "ip" */
	char value[256];
};

struct acme_problem {
	char *type;			/* full URN, or "about:blank" */
	char *detail;			/* raw CA text: escape before showing */
	char *instance;			/* a URL for the person to visit, or NULL */
	int status;			/* HTTP status in the document, or 0 */
	struct acme_identifier identifier;	/* empty type when absent */
	struct acme_problem *sub;
	size_t n_sub;
};

struct acme_challenge {
	char *type, *url, *token;
	char **issuer_domains;		/* dns-persist-01: "issuer-domain-names" */
	size_t n_issuer_domains;
	enum acme_status status;
	struct acme_problem *error;	/* NULL when none */
};

struct acme_authz {
	struct acme_identifier identifier;
	enum acme_status status;
	int wildcard;
	struct acme_challenge *challenges;
	size_t n_challenges;
};

struct acme_order {
	enum acme_status status;
	struct acme_identifier *identifiers;
	size_t n_identifiers;
	char **authorizations;
	size_t n_authorizations;
	char *finalize;
	char *certificate;		/* NULL until valid */
	struct acme_problem *error;	/* NULL when none */
};

struct acme_account {
	enum acme_status status;
	char **contacts;
	size_t n_contacts;
	char *orders;
};

/* Name of a status as the RFC spells it ("pending", …; "unknown"). */
const char *acme_status_name(enum acme_status s);

/* Parses a directory; `url` names it in errors. Required: newNonce,
 * newAccount, newOrder, revokeCert, each an https URL. */
int acme_directory_parse(const char *json, size_t len, const char *url,
    struct acme_directory *out, struct err *err);
void acme_directory_free(struct acme_directory *d);

/* Parses a problem document (RFC 7807, RFC 8555 §6.7). */
int acme_problem_parse(const char *json, size_t len, const char *url,
    struct acme_problem *out, struct err *err);
void acme_problem_free(struct acme_problem *p);

/* True when the problem's type is ACME_ERR_PREFIX `name`. */
int acme_problem_is(const struct acme_problem *p, const char *name);

/* Writes a one-line explanation, control characters escaped: "type:
 * detail (identifier: detail; …)", using the short type name. */
void acme_problem_format(const struct acme_problem *p, char *out, size_t outsz);

int acme_order_parse(const char *json, size_t len, const char *url,
    struct acme_order *out, struct err *err);
void acme_order_free(struct acme_order *o);

int acme_authz_parse(const char *json, size_t len, const char *url,
    struct acme_authz *out, struct err *err);
void acme_authz_free(struct acme_authz *a);

/* The challenge of `type` in `a`, or NULL. */
const struct acme_challenge *acme_authz_find(const struct acme_authz *a,
    const char *type);

int acme_account_parse(const char *json, size_t len, const char *url,
    struct acme_account *out, struct err *err);
void acme_account_free(struct acme_account *a);

/* Checks that an order is the one we asked for: the same identifier set
 * (order-free, case-insensitive), and exactly one authorization per
 * identifier at most. Names the first difference. */
int acme_order_matches(const struct acme_order *o,
    const struct acme_identifier *want, size_t n_want, struct err *err);

/* Fills an identifier from a normalised name: IP literals become "ip". */
void acme_identifier_set(struct acme_identifier *id, const char *name);

/* Payload builders; each returns JSON text the caller frees. */
char *acme_payload_new_account(const char *const *contacts, size_t n_contacts,
    int agree_tos, int only_existing, const char *eab_json, struct err *err);
char *acme_payload_new_order(const struct acme_identifier *ids, size_t n,
    const char *profile, const char *replaces, struct err *err);
char *acme_payload_finalize(const unsigned char *csr_der, size_t len,
    struct err *err);
char *acme_payload_revoke(const unsigned char *cert_der, size_t len,
    int reason, struct err *err);

/* RFC 5280 reason codes that RFC 8555 lets a subscriber ask for. */
int acme_revoke_reason_parse(const char *name, int *code, struct err *err);
const char *acme_revoke_reason_name(int code);

#endif
