/*
 * cli_probe: `certdeck probe [NAME...]`: which certificate the endpoints
 * of each certificate serve. The engine probes (a job per certificate)
 * and records the results; this prints them from the records, one line
 * an endpoint, and turns them into the exit status.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "certrec.h"
#include "cli.h"
#include "store.h"

/* The probe command for `name`'s endpoints in the config, or NULL after
 * saying why (*usage set when it is the user's mistake). */
static struct engine_cmd *
cli_probe_cmd(const struct cli *c, const char *name, int *usage)
{
	const struct config_cert *cc = config_find_cert(&c->cfg, name);
	struct engine_cmd *cmd;
	struct err err;

	if (cc == NULL || cc->n_endpoints == 0) {
		fprintf(stderr, "certdeck: %s: no endpoints configured (endpoints = ( { "
		    "address = \"HOST:PORT\"; } ) in its certificates entry%s%s)\n", name,
		    c->cfg.path ? " of " : "", c->cfg.path ? c->cfg.path : "");
		*usage = 1;
		return NULL;
	}
	if ((cmd = engine_cmd_new(ENGINE_CMD_PROBE, name)) == NULL ||
	    endpoint_dup(&cmd->endpoints, &cmd->n_endpoints, cc->endpoints,
	    cc->n_endpoints, &err) != 0) {
		fprintf(stderr, "certdeck: %s: out of memory\n", name);
		engine_cmd_free(cmd);
		return NULL;
	}
	return cmd;
}

/* The record's result for endpoint `ep`, or NULL when it has none. */
static const struct certrec_endpoint *
cli_probe_result(const struct certrec *rec, const struct endpoint *ep)
{
	size_t i;

	for (i = 0; i < rec->n_endpoints; i++)
		if (strcmp(rec->endpoints[i].address, ep->address) == 0 &&
		    rec->endpoints[i].sni != NULL && strcmp(rec->endpoints[i].sni, ep->sni) == 0)
			return &rec->endpoints[i];
	return NULL;
}

/* Prints `name`'s endpoints as recorded; returns how many are not served. */
static int
cli_probe_print(const struct cli *c, struct store *s, const char *name, json_t *arr)
{
	const struct config_cert *cc = config_find_cert(&c->cfg, name);
	const struct certrec_endpoint *r;
	struct certrec rec;
	enum endpoint_state st;
	int bad = 0;
	size_t i;

	if (certrec_load(s, name, &rec, NULL) != 1)
		memset(&rec, 0, sizeof rec);
	for (i = 0; i < cc->n_endpoints; i++) {
		const struct endpoint *ep = &cc->endpoints[i];
		const char *detail;

		r = cli_probe_result(&rec, ep);
		st = r != NULL ? r->state : ENDPOINT_UNKNOWN;
		detail = r != NULL && r->detail != NULL ? r->detail : "not probed";
		bad += st != ENDPOINT_SERVED;
		if (arr != NULL)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}",
			    "name", name, "address", ep->address, "sni", ep->sni,
			    "state", endpoint_state_name(st), "detail", detail,
			    "checked", (json_int_t)(r != NULL ? r->checked : 0)));
		else
			printf("%-20s %-22s %-24s %-11s %s\n", name, ep->address,
			    ep->sni[0] ? ep->sni : "-", endpoint_state_name(st), detail);
	}
	certrec_free(&rec);
	return bad;
}

/* The names to probe: those given, or every definition with endpoints. */
static int
cli_probe_names(const struct cli *c, const char ***names, size_t *n)
{
	size_t i;

	*n = 0;
	if ((*names = calloc(c->n_args + c->cfg.n_certs + 1, sizeof **names)) == NULL)
		return -1;
	for (i = 0; i < (size_t)c->n_args; i++)
		(*names)[(*n)++] = c->args[i];
	for (i = 0; c->n_args == 0 && i < c->cfg.n_certs; i++)
		if (c->cfg.certs[i].n_endpoints > 0)
			(*names)[(*n)++] = c->cfg.certs[i].name;
	return 0;
}

/* Prints every result; returns the exit status. */
static int
cli_probe_report(const struct cli *c, const char **names, size_t n, int failed)
{
	json_t *arr = c->json ? json_array() : NULL;
	struct store *s;
	struct err err;
	size_t i;
	int bad = 0;

	if ((s = store_open(c->state_dir, &err)) == NULL) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		return CLI_FAILED;
	}
	if (!c->json)
		printf("%-20s %-22s %-24s %-11s %s\n", "NAME", "ADDRESS", "SNI", "STATE",
		    "DETAIL");
	for (i = 0; i < n; i++)
		bad += cli_probe_print(c, s, names[i], arr);
	if (arr != NULL) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
	}
	store_close(s);
	return bad > 0 || failed > 0 ? CLI_FAILED : CLI_OK;
}

int
cli_probe(const struct cli *c)
{
	struct cli quiet = *c;	/* the results are printed below, once */
	struct engine_cmd *cmd;
	const char **names;
	struct engine *e;
	uint32_t *ids;
	size_t n, i, k = 0;
	int usage = 0, failed;
	struct err err;

	if (cli_probe_names(c, &names, &n) != 0)
		return CLI_FAILED;
	if (n == 0) {
		fprintf(stderr, "certdeck: no certificate has endpoints to probe "
		    "(endpoints = ( { address = \"HOST:PORT\"; } ) in the config)\n");
		free(names);
		return CLI_USAGE;
	}
	for (i = 0; i < n; i++)
		if (config_find_cert(&c->cfg, names[i]) == NULL ||
		    config_find_cert(&c->cfg, names[i])->n_endpoints == 0)
			(void)cli_probe_cmd(c, names[i], &usage);
	if (usage || (ids = calloc(n, sizeof *ids)) == NULL) {
		free(names);
		return usage ? CLI_USAGE : CLI_FAILED;
	}
	if ((e = cli_engine_start(c)) == NULL) {
		free(ids);
		free(names);
		return CLI_FAILED;
	}
	for (i = 0; i < n; i++) {
		if ((cmd = cli_probe_cmd(c, names[i], &usage)) == NULL)
			continue;
		if ((ids[k] = engine_submit(e, cmd, &err)) != 0)
			k++;
		else
			fprintf(stderr, "certdeck: %s: %s\n", names[i], err.msg);
	}
	quiet.verbosity = CLI_QUIET;
	failed = cli_wait(&quiet, e, ids, k, NULL) + (int)(n - k);
	engine_stop(e);
	free(ids);
	failed = cli_probe_report(c, names, n, failed);
	free(names);
	return failed;
}
