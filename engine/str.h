/*
 * str: the small string chores every record and command shares.
 */
#ifndef CERTDECK_STR_H
#define CERTDECK_STR_H

#include <stddef.h>

#include "err.h"

/* Replaces `*field` with a copy of `value` (NULL clears it), freeing the
 * old string; 0, or -1 with `err` set and `*field` unchanged. */
int str_set(char **field, const char *value, struct err *err);

/* `s` when it says something, else NULL (a setting left empty). */
const char *str_given(const char *s);

/* Frees `n` strings and the array holding them; NULL is allowed. */
void strv_free(char **v, size_t n);

#endif
