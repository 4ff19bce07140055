/*
 * metrics: a Prometheus text file (node_exporter's textfile collector)
 * describing every certificate, rewritten atomically after each run.
 */
#ifndef CERTDECK_METRICS_H
#define CERTDECK_METRICS_H

#include "cli.h"
#include "err.h"

/* Writes the metrics of the store to `path`; `run_ok` is the outcome of
 * the run just finished. 0, or -1 with `err` set (nothing replaced). */
int metrics_write(const struct cli *c, const char *path, int run_ok, struct err *err);

#endif
