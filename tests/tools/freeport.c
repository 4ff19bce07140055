/*
 * freeport: prints N distinct free TCP ports on 127.0.0.1, one per line,
 * so every test run picks its own and parallel runs never collide.
 * All sockets stay bound until all ports are chosen, so the N differ.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, i;
	int fds[64];

	if (n < 1 || n > 64) {
		fprintf(stderr, "usage: freeport [N (1-64)]\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		socklen_t len = sizeof sin;

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((fds[i] = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
		    bind(fds[i], (struct sockaddr *)&sin, sizeof sin) != 0 ||
		    getsockname(fds[i], (struct sockaddr *)&sin, &len) != 0) {
			perror("freeport");
			return 1;
		}
		printf("%d\n", ntohs(sin.sin_port));
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	return 0;
}
