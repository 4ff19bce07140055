/*
 * certdeck: entry point. A command runs the command-line front end; the
 * screens come without one.
 */
#include "autoconfig.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "demo.h"
#include "http.h"

int
main(int argc, char **argv)
{
	struct cli c;
	struct err err;
	int rc;

	/* A closed stdout or a vanished reader gives EPIPE, not death. */
	signal(SIGPIPE, SIG_IGN);
	if (http_global_init(&err) != 0) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		return CLI_FAILED;
	}
	rc = cli_parse(&c, argc, argv);
	if (rc == 0)
		rc = c.demo ? demo_run(&c) : cli_run(&c);
	else if (rc < 0)
		rc = CLI_OK;	/* --help or --version printed */
	cli_free(&c);
	return rc;
}
