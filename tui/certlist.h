/*
 * certlist: the rows of the Certificates screen, read from the per-
 * certificate records alone (certs/NAME.json) so that thousands open at
 * once: no certificate is parsed for the list. The names come first, in
 * name order; records are read a screenful at first and the rest in
 * chunks while the screens are idle, so the first frame never waits for
 * ten thousand files. Rows are kept in name order; a view of indexes
 * gives the filtered, sorted order shown, over the rows read so far.
 */
#ifndef CERTDECK_CERTLIST_H
#define CERTDECK_CERTLIST_H

#include <stddef.h>
#include <time.h>

#include "certrec.h"
#include "err.h"
#include "status.h"

struct store;

enum certlist_col {
	CERTLIST_STATUS = 0,
	CERTLIST_NAME,
	CERTLIST_DOMAINS,
	CERTLIST_DAYS,
	CERTLIST_EXPIRES,
	CERTLIST_ENDPOINT,		/* the endpoints' worst state */
	CERTLIST_ISSUER,
	CERTLIST_KEY,
	CERTLIST_CA,
	CERTLIST_NEXT,
	CERTLIST_NCOLS
};

struct cert_row {
	struct certrec rec;
	char *name;			/* the store's name for it */
	int loaded;			/* rec and the rest are read */
	enum status status;
	time_t next_renewal;		/* 0 when none is planned */
	char ca[48];			/* a preset's name, else the host */
	char *hay;			/* lowercase name, domains and issuer */
};

struct certlist {
	struct cert_row *rows;
	size_t n, cap;
	size_t n_loaded, next;		/* rows read; where reading goes on */
	size_t *order;			/* every row read, sorted */
	size_t n_order;
	size_t *view;			/* the rows of `order` the filter
					 * lets through, as shown */
	size_t n_view;
	enum certlist_col sort;
	int desc;
	char filter[128];		/* lowercase */
	double fraction;
	int renew_days;
	time_t now;
};

/* Lists the store's certificates and reads the records of the first
 * `first` names; returns a list to free with certlist_free(), or NULL
 * with `err` set. A record that cannot be read still gives a row, marked
 * failed with the reason. */
struct certlist *certlist_load(struct store *s, size_t first,
    double fraction, int renew_days, time_t now, struct err *err);

/* Reads up to `max` more records and rebuilds the view; returns how many
 * are still to read (0: all are). */
size_t certlist_load_more(struct certlist *cl, struct store *s, size_t max);

void certlist_free(struct certlist *cl);

/* Reads NAME's record again (adding a row for a new name) and rebuilds
 * the view; 0, or -1 with `err` set. */
int certlist_reload(struct certlist *cl, struct store *s, const char *name,
    struct err *err);

/* Recomputes statuses at `now` and rebuilds the view. */
void certlist_refresh(struct certlist *cl, time_t now);

/* Sets the filter (matched case-insensitively against name, every domain
 * and the issuer; "" shows all) and rebuilds the view. */
void certlist_set_filter(struct certlist *cl, const char *text);

/* Sorts the view by `col`, descending with `desc`. */
void certlist_sort(struct certlist *cl, enum certlist_col col, int desc);

/* The row shown at view position `i`, or NULL. */
struct cert_row *certlist_at(const struct certlist *cl, size_t i);

/* The view position of NAME, or (size_t)-1 when not shown. */
size_t certlist_find(const struct certlist *cl, const char *name);

/* The column's heading ("NAME"). */
const char *certlist_col_name(enum certlist_col col);

#endif
