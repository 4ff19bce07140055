/*
 * rsptest: the loopback clients the http-01 responder unit tests drive in
 * one poll() loop with the responder, and their fixture.
 */
#ifndef CERTDECK_RSPTEST_H
#define CERTDECK_RSPTEST_H

#include <stddef.h>
#include <sys/resource.h>

#include "responder.h"
#include "unittest.h"

#define TOKEN		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define KEYAUTH		TOKEN ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
#define PREFIX		"/.well-known/acme-challenge/"
#define MAX_TC		80
#define DRIVE_MS	5000	/* a stuck exchange fails the test after this */

struct tclient {
	int		 fd;
	const char	*req;
	size_t		 reqlen;
	size_t		 sent;
	int		 slot;
	int		 done;		/* end of file or reset seen */
	int		 reset;
	size_t		 got;
	char		 resp[8192];
};

typedef int (*until_fn)(struct responder *, struct tclient *, int);

/* now_ms(): unittest.h */

/* Connects without blocking to addr:port and queues `req` to be sent. */
int tc_open(struct tclient *c, const char *addr, int port, const char *req,
    size_t reqlen);

/* Moves one client on: sends what is left of its request, then reads. */
void tc_step(struct tclient *c, short rev);

/* How many clients the responder holds open. */
int open_clients(struct responder *r);

/* Runs the responder and the clients in one poll() loop until `until`
 * holds; fails the test past DRIVE_MS. */
void drive(struct responder *r, struct tclient *tc, int n, until_fn until);

/* until_fn: every client has seen the end of its answer. */
int all_done(struct responder *r, struct tclient *tc, int n);

/* until_fn: the responder holds no client. */
int server_idle(struct responder *r, struct tclient *tc, int n);

/* Closes every client socket. */
void tc_close_all(struct tclient *tc, int n);

/* Sends one raw request to the responder and waits for the whole answer
 * and for the server side to be closed; returns the client. */
void exchange(struct responder *r, const char *req, struct tclient *c);

/* GETs `path` and returns the response in `c`. */
void get(struct responder *r, const char *path, struct tclient *c);

/* The HTTP status of the answer in `c`, or -1. */
int status_of(const struct tclient *c);

/* GETs `path` and fails the test unless the answer has `status`. */
void expect(struct responder *r, const char *path, int status);

/* A descriptor limit a failed test lowered, put back before the next. */
extern struct rlimit saved_nofile;
extern int nofile_lowered;

/* cmocka setup and teardown: a responder on 127.0.0.1, any port, in
 * *state. */
int rsptest_setup(void **state);
int rsptest_teardown(void **state);

#endif
