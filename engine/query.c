/*
 * query: the shared reply of the front ends' questions (see query.h).
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme.h"
#include "esc.h"
#include "query.h"

struct engine_reply *
engine_reply_new(void)
{
	struct engine_reply *r = calloc(1, sizeof *r);

	if (r != NULL)
		atomic_init(&r->refs, 1);
	return r;
}

struct engine_reply *
engine_reply_ref(struct engine_reply *r)
{
	atomic_fetch_add(&r->refs, 1);
	return r;
}

void
engine_reply_unref(struct engine_reply *r)
{
	if (r != NULL && atomic_fetch_sub(&r->refs, 1) == 1)
		free(r);
}

void
engine_reply_line(struct engine_reply *r, enum query_mark mark,
    const char *fmt, ...)
{
	va_list ap;

	if (r->n_lines >= QUERY_LINES_MAX)
		return;
	r->lines[r->n_lines].mark = mark;
	va_start(ap, fmt);
	vsnprintf(r->lines[r->n_lines].text, sizeof r->lines[0].text, fmt, ap);
	va_end(ap);
	r->n_lines++;
}

static void
query_esc(char *out, size_t outsz, const char *in)
{
	esc_buf(in != NULL ? in : "", in != NULL ? strlen(in) : 0, out, outsz);
}

void
query_dir_from(struct query_dir *out, const struct acme_directory *d)
{
	size_t i;

	memset(out, 0, sizeof *out);
	query_esc(out->terms, sizeof out->terms, d->terms_of_service);
	query_esc(out->website, sizeof out->website, d->website);
	out->eab_required = d->external_account_required;
	for (i = 0; i < d->n_caa_identities && i < QUERY_LIST_MAX; i++)
		query_esc(out->caa[i], sizeof out->caa[i], d->caa_identities[i]);
	out->n_caa = i;
	for (i = 0; i < d->n_profiles && i < QUERY_LIST_MAX; i++) {
		query_esc(out->profiles[i], sizeof out->profiles[i], d->profiles[i]);
		query_esc(out->profile_descs[i], sizeof out->profile_descs[i],
		    d->profile_descs[i]);
	}
	out->n_profiles = i;
}
