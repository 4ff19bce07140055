/*
 * fuzz_util: the helpers of fuzz.h, linked into every harness both under
 * libFuzzer and in the replay driver.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}

char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		fuzz_fail("out of memory");
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void
fuzz_check_escaped(const char *s, size_t outsz, const char *what)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < outsz && p[i] != '\0'; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			fuzz_fail(what);
		/* C1 controls U+0080-U+009F, in UTF-8 C2 80-C2 9F. */
		if (p[i] == 0xc2 && i + 1 < outsz && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f)
			fuzz_fail(what);
		/* Bidi overrides U+202A-U+202E and isolates U+2066-U+2069. */
		if (p[i] == 0xe2 && i + 2 < outsz &&
		    ((p[i + 1] == 0x80 && p[i + 2] >= 0xaa && p[i + 2] <= 0xae) ||
		    (p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9)))
			fuzz_fail(what);
	}
	if (i == outsz)
		fuzz_fail(what);
}

/*
 * Read by LeakSanitizer, under libFuzzer and in a sanitizer build of the
 * replay alike. libconfig 1.5 (Debian 12) loses its string buffer on
 * some syntax errors (libconfig issue #142, fixed in 1.7.3); the engine
 * cannot free what the library lost, so that one stack is not reported.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}
