/*
 * fuzz_ari: a CA's renewal information (RFC 9773) through
 * ari_window_parse(), the pick inside a parsed window, and the input as
 * an RFC 3339 time through ari_time_parse().
 */
#include "autoconfig.h"

#include <stdlib.h>

#include "ari.h"
#include "fuzz.h"

#define URL "https://ca.test/acme/renewal-info/x"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ari_window w;
	struct err err;
	time_t t, pick;
	char *text;

	if (ari_window_parse((const char *)data, size, URL, &w, &err) == 0) {
		FUZZ_CHECK(w.start < w.end, "window with start >= end");
		pick = ari_pick(&w);
		FUZZ_CHECK(pick >= w.start && pick < w.end,
		    "pick outside the window");
		ari_window_free(&w);
	}
	text = fuzz_strndup(data, size);
	(void)ari_time_parse(text, &t);
	free(text);
	return 0;
}
