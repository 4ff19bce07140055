/*
 * probe_set: probes in the engine's poll loop (see probe_set.h).
 */
#include "autoconfig.h"

#include <stdlib.h>

#include "probe_set.h"

struct probe_entry {
	unsigned long id;
	struct probe *p;
	probe_set_done_fn done;
	void *arg;
	int fd_index;			/* its entry in the last pollfds, or -1 */
	struct probe_entry *next;
};

struct probe_set {
	struct probe_entry *list;
	unsigned long next_id;
};

struct probe_set *
probe_set_new(struct err *err)
{
	struct probe_set *ps = calloc(1, sizeof *ps);

	if (ps == NULL)
		err_nomem(err, "probe set");
	return ps;
}

static void
probe_entry_free(struct probe_entry *en)
{
	probe_free(en->p);
	free(en);
}

void
probe_set_free(struct probe_set *ps)
{
	struct probe_entry *en, *next;

	if (ps == NULL)
		return;
	for (en = ps->list; en != NULL; en = next) {
		next = en->next;
		probe_entry_free(en);
	}
	free(ps);
}

unsigned long
probe_set_add(struct probe_set *ps, struct probe *p, probe_set_done_fn done, void *arg,
    struct err *err)
{
	struct probe_entry *en = calloc(1, sizeof *en);

	if (en == NULL) {
		probe_free(p);
		err_nomem(err, "probe");
		return 0;
	}
	en->id = ++ps->next_id;
	en->p = p;
	en->done = done;
	en->arg = arg;
	en->fd_index = -1;
	en->next = ps->list;
	ps->list = en;
	return en->id;
}

void
probe_set_cancel(struct probe_set *ps, unsigned long id)
{
	struct probe_entry **pp, *en;

	for (pp = &ps->list; (en = *pp) != NULL; pp = &en->next)
		if (en->id == id) {
			*pp = en->next;
			probe_entry_free(en);
			return;
		}
}

int
probe_set_pollfds(struct probe_set *ps, struct pollfd *fds, int max)
{
	struct probe_entry *en;
	int n = 0;

	for (en = ps->list; en != NULL; en = en->next) {
		en->fd_index = -1;
		if (n < max && probe_pollfd(en->p, &fds[n])) {
			fds[n].revents = 0;
			en->fd_index = n++;
		}
	}
	return n;
}

void
probe_set_handle(struct probe_set *ps, const struct pollfd *fds, int n, long long now_ms)
{
	struct probe_entry **pp = &ps->list, *en;

	while ((en = *pp) != NULL) {
		const struct pollfd *fd = en->fd_index >= 0 && en->fd_index < n ?
		    &fds[en->fd_index] : NULL;

		/* Entries added after the poll have no descriptor yet: a call
		 * without readiness starts their clock. */
		if (probe_handle(en->p, fd, now_ms) == 0) {
			pp = &en->next;
			continue;
		}
		*pp = en->next;
		en->done(en->arg, en->p);
		probe_entry_free(en);
	}
}

int
probe_set_timeout_ms(const struct probe_set *ps, long long now_ms)
{
	const struct probe_entry *en;
	int best = -1, t;

	for (en = ps->list; en != NULL; en = en->next) {
		t = probe_timeout_ms(en->p, now_ms);
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}
