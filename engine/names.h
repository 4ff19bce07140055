/*
 * names: ACME identifiers and certificate names, checked locally.
 *
 * A name the CA would refuse is refused here first, with the rule it
 * breaks, before any order is placed (a refused order still counts
 * against the CA's rate limits). DNS names are normalised to lowercase
 * A-labels; internationalised names keep a Unicode form for display.
 */
#ifndef CERTDECK_NAMES_H
#define CERTDECK_NAMES_H

#include <stddef.h>

#include "err.h"

/* The most names one certificate may carry (Let's Encrypt's limit). */
#define NAMES_MAX_PER_CERT 100

enum names_kind {
	NAMES_DNS = 1,
	NAMES_IP
};

struct names_id {
	enum names_kind kind;
	char value[256];	/* lowercase A-label DNS name, or canonical IP text */
	char display[512];	/* Unicode form for IDNs, else same as value */
	int wildcard;		/* value starts with "*." */
};

/* Checks and normalises one identifier typed by a user or read from a
 * file into *out; returns 0, or -1 with `err` naming the (escaped) name and
 * the rule it breaks. */
int names_parse(const char *text, struct names_id *out, struct err *err);

/* Checks `n` identifiers into out[0..n-1] (1 to NAMES_MAX_PER_CERT, no
 * duplicates after normalisation); returns 0 or -1 with `err` set. */
int names_parse_list(const char *const *texts, size_t n, struct names_id *out,
    struct err *err);

/* Checks a certificate or store name: 1-64 of [A-Za-z0-9._-], not
 * starting with '.'; returns 0 or -1 with `err` set. */
int names_cert_name_ok(const char *name, struct err *err);

/* Writes into `out` a certificate name derived from an identifier
 * ("*.example.com" gives "example.com"; "wildcard" when nothing usable is
 * left); the result passes names_cert_name_ok() when outsz > 1. */
void names_suggest_cert_name(const struct names_id *first, char *out,
    size_t outsz);

#endif
