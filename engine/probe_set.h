/*
 * probe_set: the probes in flight, driven by the engine's one poll loop
 * like the hooks of proc_set: the loop asks for their descriptors and
 * their next timeout, hands back the readiness, and each finished probe
 * is given to the callback its job registered (engine-internal).
 */
#ifndef CERTDECK_PROBE_SET_H
#define CERTDECK_PROBE_SET_H

#include <poll.h>
#include <stddef.h>

#include "err.h"
#include "probe.h"

/* Called once when `p` has finished; the set frees `p` after it returns. */
typedef void (*probe_set_done_fn)(void *arg, struct probe *p);

struct probe_set;

/* An empty set; NULL with `err` when out of memory. */
struct probe_set *probe_set_new(struct err *err);

/* Frees the set and every probe still in it, without callbacks. */
void probe_set_free(struct probe_set *ps);

/* Takes `p` (from probe_start()) into the set; `done` runs when it has
 * finished. Returns an id (> 0) for probe_set_cancel(), or 0 with `err`
 * (the probe is freed). */
unsigned long probe_set_add(struct probe_set *ps, struct probe *p, probe_set_done_fn done,
    void *arg, struct err *err);

/* Forgets probe `id` without its callback (its job was cancelled); ids
 * of finished probes are ignored. */
void probe_set_cancel(struct probe_set *ps, unsigned long id);

/* Fills up to `max` entries of `fds`; returns how many. */
int probe_set_pollfds(struct probe_set *ps, struct pollfd *fds, int max);

/* Drives every probe with the readiness poll() put in `fds` (the `n`
 * entries probe_set_pollfds() filled) and calls the callbacks of those
 * that finished. */
void probe_set_handle(struct probe_set *ps, const struct pollfd *fds, int n,
    long long now_ms);

/* Milliseconds until probe_set_handle() must run, -1 when no probe is in
 * flight. */
int probe_set_timeout_ms(const struct probe_set *ps, long long now_ms);

#endif
