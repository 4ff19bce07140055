/*
 * engine_cmd: the commands a front end builds and hands to the engine
 * (see engine.h): made, filled and freed here, owned by the engine once
 * submitted.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy.h"
#include "engine.h"
#include "query.h"

struct engine_cmd *
engine_cmd_new(enum engine_cmd_kind kind, const char *name)
{
	struct engine_cmd *cmd = calloc(1, sizeof *cmd);

	if (cmd == NULL)
		return NULL;
	cmd->kind = kind;
	cmd->deploy.mode = -1;
	snprintf(cmd->name, sizeof cmd->name, "%s", name != NULL ? name : "");
	return cmd;
}

int
engine_cmd_add_domain(struct engine_cmd *cmd, const char *domain, struct err *err)
{
	char **grown = realloc(cmd->domains, (cmd->n_domains + 1) * sizeof *grown);

	if (grown == NULL)
		return err_nomem(err, "domain list");
	cmd->domains = grown;
	if ((cmd->domains[cmd->n_domains] = strdup(domain)) == NULL)
		return err_nomem(err, "domain");
	cmd->n_domains++;
	return 0;
}

void
engine_cmd_free(struct engine_cmd *cmd)
{
	size_t i;

	if (cmd == NULL)
		return;
	free(cmd->challenge);
	free(cmd->webroot);
	free(cmd->preferred_chain);
	free(cmd->profile);
	free(cmd->notify_event);
	free(cmd->message);
	free(cmd->url);
	free(cmd->ca_url);
	free(cmd->ca_bundle);
	free(cmd->ca_email);
	free(cmd->ca_eab_kid);
	free(cmd->ca_eab_hmac_key);
	free(cmd->dns_hook);
	free(cmd->dns_resolver);
	engine_reply_unref(cmd->reply);
	deploy_free(&cmd->deploy);
	endpoint_free(cmd->endpoints, cmd->n_endpoints);
	for (i = 0; i < cmd->n_domains; i++)
		free(cmd->domains[i]);
	free(cmd->domains);
	free(cmd);
}
