/*
 * fuzz_dnsq: a resolver's answer to our TXT question, through the same
 * parser a live query uses (dnsq_parse_answer): names with compression
 * pointers, CNAME chains, character-strings. The question is fixed, so
 * inputs that echo it (the seeds do) reach the answer section. The same
 * bytes are also read as one CAA record's data, turned into text and
 * judged as the preflight does (caa.h).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "caa.h"
#include "dnsq.h"
#include "fuzz.h"

#define QID	0x1234
#define QNAME	"_acme-challenge.example.com"

static void
fuzz_caa(const uint8_t *data, size_t size)
{
	char text[CAA_TEXT_MAX], why[400], *recs[1] = { text };
	char *ids[1] = { "ca.example" };
	const char *bad = NULL;
	int rc;

	if (caa_rdata_text(data, size, text, sizeof text, &bad) != 0) {
		FUZZ_CHECK(bad != NULL, "CAA data refused without a reason");
		return;
	}
	FUZZ_CHECK(strlen(text) < sizeof text, "CAA text past its buffer");
	rc = caa_allows(recs, 1, size & 1, ids, 1, why, sizeof why);
	FUZZ_CHECK(rc == 0 || rc == 1, "CAA judged unknown with identities");
	FUZZ_CHECK(why[0] != '\0', "CAA judged without a reason");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err err;
	char **txts;
	size_t n, i;

	fuzz_caa(data, size);
	if (dnsq_parse_answer(data, size, QID, QNAME, &txts, &n, &err) == -1) {
		FUZZ_CHECK(txts == NULL && n == 0,
		    "failed parse returned strings");
		return 0;
	}
	FUZZ_CHECK(n <= DNSQ_MAX_ANSWERS, "more strings than the bound");
	FUZZ_CHECK(n == 0 || txts != NULL, "strings counted but missing");
	for (i = 0; i < n; i++)
		FUZZ_CHECK(txts[i] != NULL && strlen(txts[i]) < size,
		    "string missing or longer than the packet");
	FUZZ_CHECK(txts == NULL || txts[n] == NULL, "array not terminated");
	dnsq_strings_free(txts);
	return 0;
}
