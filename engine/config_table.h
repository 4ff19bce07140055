/*
 * config_table: the table of every configuration setting, for config.c only.
 *
 * Each entry names a setting, its type, the scope it belongs to (the top
 * of the file, a cas entry or a certificates entry), its default as it
 * would be written in the file, its range or check, and where it is
 * stored. Defaults, validation, warnings and the printed reference all
 * come from here.
 */
#ifndef CERTDECK_CONFIG_TABLE_H
#define CERTDECK_CONFIG_TABLE_H

#include <stddef.h>

#include "err.h"

enum config_type {
	CONFIG_T_STRING,
	CONFIG_T_INT,
	CONFIG_T_NUMBER,
	CONFIG_T_NAMES,		/* a list of identifiers */
	CONFIG_T_GROUPS,	/* a list of { ... } entries */
	CONFIG_T_STRINGS,	/* a list of strings (a command's argv, …) */
	CONFIG_T_ENDPOINTS,	/* a list of { address; sni; } (config_endpoint.c) */
	CONFIG_T_BOOL		/* true or false */
};

enum config_scope {
	CONFIG_GLOBAL,
	CONFIG_CA,
	CONFIG_CERT
};

/* Checks a string value; returns 0 or -1 with `err` saying why. */
typedef int (*config_check_fn)(const char *value, struct err *err);

struct config_entry {
	const char		*name;
	enum config_type	 type;
	enum config_scope	 scope;
	enum config_scope	 child;	/* CONFIG_T_GROUPS: scope of entries */
	const char		*dflt;	/* as written in a file; NULL: required */
	double			 min, max;
	config_check_fn		 check;	/* CONFIG_T_STRING */
	size_t			 off;	/* in struct config, config_ca or
					   config_cert, by scope */
	const char		*help;
};

/* The entry for setting `name` in `scope`, or NULL when there is none. */
const struct config_entry *config_entry_find(const char *name,
    enum config_scope scope);

/* The whole table; *n gets its length. */
const struct config_entry *config_entries(size_t *n);

/* Sets every default of `scope` in `base` (a struct config, config_ca or
 * config_cert); returns 0 or -1 with `err` set. */
int config_scope_defaults(enum config_scope scope, void *base,
    struct err *err);

#endif
