/*
 * fuzz_config: the configuration file through config_load(), as written
 * by a person: each input becomes the file (config_load reads a path and
 * refuses anything but a regular file, so a memfd will not do). The file
 * lives in a private folder, since as root config_load refuses one in a
 * folder others can write to.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

static char dir[] = "/tmp/certdeck-fuzz-config.XXXXXX";
static char path[sizeof dir + 16];

static void
fuzz_cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (mkdtemp(dir) == NULL)
		fuzz_fail(strerror(errno));
	snprintf(path, sizeof path, "%s/certdeck.conf", dir);
	atexit(fuzz_cleanup);
	return 0;
}

static void
fuzz_write(const uint8_t *data, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		fuzz_fail(strerror(errno));
	while (size > 0) {
		if ((n = write(fd, data, size)) == -1) {
			if (errno == EINTR)
				continue;
			fuzz_fail(strerror(errno));
		}
		data += n;
		size -= (size_t)n;
	}
	if (close(fd) == -1)
		fuzz_fail(strerror(errno));
}

/* What config.h promises of a loaded configuration. */
static void
fuzz_check(const struct config *c)
{
	const char *p;
	size_t i, j;

	for (i = 0; i < c->n_certs; i++) {
		FUZZ_CHECK(c->certs[i].name != NULL, "certificate without name");
		FUZZ_CHECK(c->certs[i].ca != NULL && c->certs[i].key_type !=
		    NULL, "certificate without ca or key_type");
		FUZZ_CHECK(config_find_cert(c, c->certs[i].name) != NULL,
		    "certificate not found by its name");
		for (j = 0; j < c->certs[i].n_domains; j++)
			for (p = c->certs[i].domains[j]; *p != '\0'; p++)
				FUZZ_CHECK(*p < 'A' || *p > 'Z',
				    "domain not normalised to lowercase");
	}
	for (i = 0; i < c->n_cas; i++)
		FUZZ_CHECK(c->cas[i].name != NULL && c->cas[i].directory !=
		    NULL, "CA without name or directory");
	for (i = 0; i < c->n_warnings; i++)
		FUZZ_CHECK(c->warnings[i] != NULL, "NULL warning");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct err err;

	fuzz_write(data, size);
	memset(&c, 0, sizeof c);
	if (config_load(&c, path, &err) == 0) {
		fuzz_check(&c);
		config_free(&c);
	} else
		FUZZ_CHECK(c.path == NULL && c.n_certs == 0,
		    "failed load changed the configuration");
	return 0;
}
