/*
 * str: string field and vector helpers (see str.h).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "str.h"

int
str_set(char **field, const char *value, struct err *err)
{
	char *copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL)
		return err_nomem(err, "string");
	free(*field);
	*field = copy;
	return 0;
}

void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

const char *
str_given(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}
