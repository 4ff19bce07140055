/*
 * config_endpoint: the `endpoints` list of a certificates entry, for
 * config.c only.
 */
#ifndef CERTDECK_CONFIG_ENDPOINT_H
#define CERTDECK_CONFIG_ENDPOINT_H

#include <libconfig.h>

#include "config.h"

#define CONFIG_ENDPOINTS_MAX 32

/* (config.c) Sets "FILE:LINE: message" in `err` for setting `s` of file
 * `path`; returns -1. */
int config_setting_fail(const char *path, const config_setting_t *s, struct err *err,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Reads list `s` ( { address = "HOST:PORT"; sni = "NAME"; }, ... ) of
 * file `path` into t->endpoints, replacing what was there. Returns 0, or
 * -1 with `err` saying "FILE:LINE: ..." about the bad entry. */
int config_endpoints_load(const char *path, const config_setting_t *s,
    struct config_cert *t, struct err *err);

/* Gives every endpoint of `t` without an sni the default one (the first
 * name); a wildcard first name cannot be one: -1 with "FILE:LINE: ...". */
int config_endpoints_finish(const char *path, struct config_cert *t,
    struct err *err);

#endif
