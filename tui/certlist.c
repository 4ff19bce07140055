/*
 * certlist: certificate rows from the records, filtered and sorted (see
 * certlist.h).
 */
#include "autoconfig.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "certlist.h"
#include "config.h"
#include "names.h"
#include "store.h"

static const char *const certlist_col_names[CERTLIST_NCOLS] = {
	[CERTLIST_STATUS] = "STATUS",
	[CERTLIST_NAME] = "NAME",
	[CERTLIST_DOMAINS] = "DOMAINS",
	[CERTLIST_DAYS] = "DAYS LEFT",
	[CERTLIST_EXPIRES] = "EXPIRES",
	[CERTLIST_ENDPOINT] = "LIVE",
	[CERTLIST_ISSUER] = "ISSUER",
	[CERTLIST_KEY] = "KEY",
	[CERTLIST_CA] = "CA",
	[CERTLIST_NEXT] = "RENEWAL",
};

const char *
certlist_col_name(enum certlist_col col)
{
	return col < CERTLIST_NCOLS ? certlist_col_names[col] : "?";
}

/* The CA as a person knows it: a preset's name, else the URL's host. */
static void
certlist_ca_name(const char *url, char *out, size_t outsz)
{
	const struct config_preset *p;
	const char *host;
	size_t n, i;

	snprintf(out, outsz, "-");
	if (url == NULL)
		return;
	p = config_presets(&n);
	for (i = 0; i < n; i++)
		if (strcmp(p[i].directory, url) == 0) {
			snprintf(out, outsz, "%s", p[i].name);
			return;
		}
	host = strstr(url, "://");
	host = host != NULL ? host + 3 : url;
	snprintf(out, outsz, "%.*s", (int)strcspn(host, "/"), host);
}

static void
certlist_lower_append(char *dst, size_t *len, const char *src)
{
	for (; src != NULL && *src != '\0'; src++)
		dst[(*len)++] = (char)tolower((unsigned char)*src);
	dst[(*len)++] = '\t';
	dst[*len] = '\0';
}

/* What the filter looks in, lowercased once so a keystroke costs one
 * substring search per row; an IDN is there in Unicode too. */
static int
certlist_hay(struct cert_row *r)
{
	size_t total = strlen(r->name) + 2, len = 0, i;
	struct names_id id;

	for (i = 0; i < r->rec.n_domains; i++)
		total += 2 * strlen(r->rec.domains[i]) + 2 +
		    (strstr(r->rec.domains[i], "xn--") != NULL ? sizeof id.display : 0);
	total += r->rec.issuer != NULL ? strlen(r->rec.issuer) + 1 : 1;
	if ((r->hay = malloc(total + 1)) == NULL)
		return -1;
	r->hay[0] = '\0';
	certlist_lower_append(r->hay, &len, r->name);
	for (i = 0; i < r->rec.n_domains; i++) {
		certlist_lower_append(r->hay, &len, r->rec.domains[i]);
		if (strstr(r->rec.domains[i], "xn--") != NULL &&
		    names_parse(r->rec.domains[i], &id, NULL) == 0)
			certlist_lower_append(r->hay, &len, id.display);
	}
	certlist_lower_append(r->hay, &len, r->rec.issuer);
	return 0;
}

static void
certlist_status(const struct certlist *cl, struct cert_row *r)
{
	struct status_input in = {
		.status = r->rec.status,
		.unmanaged = r->rec.unmanaged,
		.last_error = r->rec.last_error,
		.have_cert = r->rec.version > 0 && r->rec.not_after > 0,
		.not_before = r->rec.not_before,
		.not_after = r->rec.not_after,
		.renew_fraction = cl->fraction,
		.renew_days = cl->renew_days,
	};
	time_t life = r->rec.not_after - r->rec.not_before;

	r->status = status_of(&in, cl->now);
	r->next_renewal = 0;
	if (!in.have_cert || r->status == STATUS_REVOKED ||
	    r->status == STATUS_UNMANAGED)
		return;
	if (r->rec.ari_pick > 0)
		r->next_renewal = r->rec.ari_pick;
	else if (cl->renew_days > 0)
		r->next_renewal = r->rec.not_after - (time_t)cl->renew_days * 86400;
	else
		r->next_renewal = r->rec.not_after -
		    (time_t)((double)life * (cl->fraction > 0 ? cl->fraction : 1.0 / 3));
}

static void
certlist_row_free(struct cert_row *r)
{
	certrec_free(&r->rec);
	free(r->name);
	free(r->hay);
}

/* Fills `r` for NAME; a record that cannot be read is shown as failed
 * with the reason, so one broken file never hides the others. */
static int
certlist_row_load(struct certlist *cl, struct store *s, const char *name,
    struct cert_row *r)
{
	struct err err;
	int rc;

	memset(r, 0, sizeof *r);
	r->rec.revoked_reason = -1;
	r->loaded = 1;
	if ((r->name = strdup(name)) == NULL)
		return -1;
	rc = certrec_load(s, name, &r->rec, &err);
	if (rc < 0) {
		memset(&r->rec, 0, sizeof r->rec);
		r->rec.revoked_reason = -1;
		if (str_set(&r->rec.last_error, err.msg, NULL) != 0)
			return -1;
	}
	certlist_ca_name(r->rec.directory, r->ca, sizeof r->ca);
	certlist_status(cl, r);
	return certlist_hay(r);
}

static int
certlist_grow(struct certlist *cl, size_t want)
{
	struct cert_row *rows;
	size_t *view, *order, cap = cl->cap ? cl->cap : 64;

	if (want <= cl->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if ((rows = realloc(cl->rows, cap * sizeof *rows)) == NULL)
		return -1;
	cl->rows = rows;
	if ((view = realloc(cl->view, cap * sizeof *view)) == NULL)
		return -1;
	cl->view = view;
	if ((order = realloc(cl->order, cap * sizeof *order)) == NULL)
		return -1;
	cl->order = order;
	cl->cap = cap;
	return 0;
}

static const struct certlist *certlist_sorting;

static int
certlist_cmp_str(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int
certlist_cmp_time(time_t a, time_t b)
{
	return a < b ? -1 : a > b;
}

static int
certlist_cmp_col(const struct cert_row *a, const struct cert_row *b,
    enum certlist_col col)
{
	switch (col) {
	case CERTLIST_STATUS:
		/* Worst first: the order of the enum is mild to severe. */
		return (int)b->status - (int)a->status;
	case CERTLIST_DOMAINS:
		return certlist_cmp_str(a->rec.n_domains ? a->rec.domains[0] : NULL,
		    b->rec.n_domains ? b->rec.domains[0] : NULL);
	case CERTLIST_DAYS:
	case CERTLIST_EXPIRES:
		return certlist_cmp_time(a->rec.not_after, b->rec.not_after);
	case CERTLIST_ENDPOINT:
		return (int)certrec_endpoints_worst(&a->rec) -
		    (int)certrec_endpoints_worst(&b->rec);
	case CERTLIST_ISSUER:
		return certlist_cmp_str(a->rec.issuer, b->rec.issuer);
	case CERTLIST_KEY:
		return certlist_cmp_str(a->rec.key_desc, b->rec.key_desc);
	case CERTLIST_CA:
		return strcmp(a->ca, b->ca);
	case CERTLIST_NEXT:
		return certlist_cmp_time(a->next_renewal, b->next_renewal);
	default:
		return 0;
	}
}

/* qsort has no context argument in C11; the UI thread alone sorts. */
static int
certlist_cmp(const void *pa, const void *pb)
{
	const struct certlist *cl = certlist_sorting;
	const struct cert_row *a = &cl->rows[*(const size_t *)pa];
	const struct cert_row *b = &cl->rows[*(const size_t *)pb];
	int c = certlist_cmp_col(a, b, cl->sort);

	if (c == 0)
		c = strcmp(a->name, b->name);
	return cl->desc ? -c : c;
}

/* The view: the sorted rows the filter lets through. A keystroke in the
 * filter costs this pass alone, no sorting. */
static void
certlist_filter(struct certlist *cl)
{
	size_t i;

	cl->n_view = 0;
	for (i = 0; i < cl->n_order; i++)
		if (cl->filter[0] == '\0' || strstr(cl->rows[cl->order[i]].hay,
		    cl->filter) != NULL)
			cl->view[cl->n_view++] = cl->order[i];
}

/* Sorts every row read, then filters. */
static void
certlist_rebuild(struct certlist *cl)
{
	size_t i;

	cl->n_order = 0;
	for (i = 0; i < cl->n; i++)
		if (cl->rows[i].loaded)
			cl->order[cl->n_order++] = i;
	certlist_sorting = cl;
	if (cl->n_order > 1)
		qsort(cl->order, cl->n_order, sizeof *cl->order, certlist_cmp);
	certlist_sorting = NULL;
	certlist_filter(cl);
}

/* Reads the record of row `i`, which holds only its name so far. */
static int
certlist_read_row(struct certlist *cl, struct store *s, size_t i)
{
	char *name = cl->rows[i].name;
	int rc;

	rc = certlist_row_load(cl, s, name, &cl->rows[i]);
	free(name);
	if (rc != 0) {
		certlist_row_free(&cl->rows[i]);
		memset(&cl->rows[i], 0, sizeof cl->rows[i]);
		return -1;
	}
	cl->n_loaded++;
	return 0;
}

size_t
certlist_load_more(struct certlist *cl, struct store *s, size_t max)
{
	size_t done = 0;

	for (; cl->next < cl->n && done < max; cl->next++) {
		if (cl->rows[cl->next].loaded || cl->rows[cl->next].name == NULL)
			continue;
		if (certlist_read_row(cl, s, cl->next) != 0)
			break;	/* out of memory: the rest stays unread */
		done++;
	}
	if (done > 0)
		certlist_rebuild(cl);
	return cl->n - cl->n_loaded;
}

struct certlist *
certlist_load(struct store *s, size_t first, double fraction, int renew_days,
    time_t now, struct err *err)
{
	struct certlist *cl;
	char **names = NULL;
	size_t n = 0, i;

	if ((cl = calloc(1, sizeof *cl)) == NULL) {
		err_nomem(err, "certificate list");
		return NULL;
	}
	cl->fraction = fraction;
	cl->renew_days = renew_days;
	cl->now = now;
	cl->sort = CERTLIST_NAME;
	if (store_cert_list(s, &names, &n, err) != 0) {
		free(cl);
		return NULL;
	}
	if (certlist_grow(cl, n) != 0)
		goto nomem;
	/* The names are the rows; their records come later. */
	for (i = 0; i < n; i++) {
		memset(&cl->rows[i], 0, sizeof cl->rows[i]);
		cl->rows[i].name = names[i];
		names[i] = NULL;
	}
	cl->n = n;
	free(names);
	names = NULL;
	n = 0;
	(void)certlist_load_more(cl, s, first);
	certlist_rebuild(cl);
	return cl;
nomem:
	store_names_free(names, n);
	certlist_free(cl);
	err_nomem(err, "certificate list");
	return NULL;
}

void
certlist_free(struct certlist *cl)
{
	size_t i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->n; i++)
		certlist_row_free(&cl->rows[i]);
	free(cl->rows);
	free(cl->view);
	free(cl->order);
	free(cl);
}

int
certlist_reload(struct certlist *cl, struct store *s, const char *name,
    struct err *err)
{
	struct cert_row r;
	size_t i;

	if (certlist_row_load(cl, s, name, &r) != 0) {
		certlist_row_free(&r);
		return err_nomem(err, "certificate row");
	}
	for (i = 0; i < cl->n; i++)
		if (cl->rows[i].name != NULL && strcmp(cl->rows[i].name, name) == 0)
			break;
	if (i == cl->n) {
		if (certlist_grow(cl, cl->n + 1) != 0) {
			certlist_row_free(&r);
			return err_nomem(err, "certificate row");
		}
		cl->n++;
	} else {
		cl->n_loaded -= cl->rows[i].loaded;
		certlist_row_free(&cl->rows[i]);
	}
	cl->rows[i] = r;
	cl->n_loaded++;
	certlist_rebuild(cl);
	return 0;
}

void
certlist_refresh(struct certlist *cl, time_t now)
{
	size_t i;

	cl->now = now;
	for (i = 0; i < cl->n; i++)
		if (cl->rows[i].loaded)
			certlist_status(cl, &cl->rows[i]);
	certlist_rebuild(cl);
}

void
certlist_set_filter(struct certlist *cl, const char *text)
{
	size_t i;

	for (i = 0; text[i] != '\0' && i < sizeof cl->filter - 1; i++)
		cl->filter[i] = (char)tolower((unsigned char)text[i]);
	cl->filter[i] = '\0';
	certlist_filter(cl);
}

void
certlist_sort(struct certlist *cl, enum certlist_col col, int desc)
{
	cl->sort = col;
	cl->desc = desc;
	certlist_rebuild(cl);
}

struct cert_row *
certlist_at(const struct certlist *cl, size_t i)
{
	return i < cl->n_view ? &cl->rows[cl->view[i]] : NULL;
}

size_t
certlist_find(const struct certlist *cl, const char *name)
{
	size_t i;

	for (i = 0; i < cl->n_view; i++)
		if (strcmp(cl->rows[cl->view[i]].name, name) == 0)
			return i;
	return (size_t)-1;
}
