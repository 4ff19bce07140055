/*
 * demo: `certdeck --demo`, certdeck against a local test CA (Pebble and
 * pebble-challtestsrv on 127.0.0.1) with a temporary state folder and
 * configuration, for a first look without a real CA or the internet.
 */
#ifndef CERTDECK_DEMO_H
#define CERTDECK_DEMO_H

struct cli;

/* Starts the demo CA, runs certdeck against it and, on every way out
 * (done, failure, SIGINT, SIGTERM, SIGHUP), stops exactly the servers it
 * started and removes its temporary folder, which is kept (and named)
 * only after a failure. Only the verbosity of `c` is used. Returns the
 * process exit code (CLI_OK or CLI_FAILED). */
int demo_run(const struct cli *c);

#endif
