/*
 * cli_help: what `certdeck --help` and `certdeck CMD --help` print.
 */
#include "autoconfig.h"

#include <string.h>

#include "cli.h"
#include "config.h"

static const char cli_global_help[] =
"Global options. Four have an environment variable, marked [env X]:\n"
"--config, --state, --server and --ca-bundle; the command line wins over\n"
"the variable, and the variable over the configuration file. [config x]\n"
"names the configuration setting an option overrides ('certdeck --help'\n"
"lists them all); options with neither are read from the command line only.\n"
"  --config FILE      configuration file (default /etc/certdeck/certdeck.conf\n"
"                     as root, else ~/.config/certdeck/certdeck.conf; an\n"
"                     empty file is every default, with a warning)\n"
"                     [env CERTDECK_CONFIG]\n"
"  --state DIR        state folder: accounts, keys, certificates (default\n"
"                     /var/lib/certdeck as root, else ~/.local/state/certdeck)\n"
"                     [env CERTDECK_STATE] [config state_dir]\n"
"  --server URL       the CA's ACME directory (default Let's Encrypt:\n"
"                     https://acme-v02.api.letsencrypt.org/directory)\n"
"                     [env CERTDECK_SERVER] [config ca, a cas entry's directory];\n"
"                     given, it also wins over a certificate's own ca\n"
"  --staging          Let's Encrypt's staging directory\n"
"  --ca NAME          a CA by name: an entry of the config's cas, or one of\n"
"                     the presets listed below [config ca]\n"
"  --ca-bundle FILE   extra trust for the CA's HTTPS, for CAs with a private\n"
"                     root such as Pebble\n"
"                     [env CERTDECK_CA_BUNDLE] [config a cas entry's ca_bundle]\n"
"  --email ADDR       contact address for the account\n"
"                     [config email, or a cas entry's email]\n"
"  --agree-tos        agree to the CA's terms of service when registering\n"
"                     [config agree_tos, or a cas entry's agree_tos]\n"
"  --account NAME     which of your accounts at the CA (default 'default')\n"
"  --account-key-type TYPE  key of a new account (and of a rollover's new\n"
"                     key): ec256 (default, signs ES256), ec384 (ES384),\n"
"                     rsa2048, rsa3072, rsa4096 (RS256); an account keeps\n"
"                     the key it has\n"
"                     [config account_key_type, or a cas entry's]\n"
"  --eab-kid KID      external account binding, for CAs that tie ACME accounts\n"
"  --eab-hmac-key KEY to an account of theirs (ZeroSSL, Google, SSL.com): the\n"
"                     key id and base64url MAC key from the CA's web console\n"
"                     [config a cas entry's eab_kid and eab_hmac_key]\n"
"  --key-type TYPE    certificate key: ec256 (default), ec384, rsa2048,\n"
"                     rsa3072, rsa4096\n"
"                     [config key_type, or a certificates entry's]\n"
"  --challenge METHOD how control is proved: http-01 (the default: the\n"
"                     built-in responder on --http-port, or files under\n"
"                     --webroot), tls-alpn-01 (a built-in TLS responder on\n"
"                     --tls-port), dns-01 (a TXT record set by --dns-hook;\n"
"                     wildcards need it) or dns-persist-01 (one standing TXT\n"
"                     record naming the CA and the account, shown when first\n"
"                     needed and looked up at --dns-resolver, else the\n"
"                     system's resolver, before the CA is asked)\n"
"                     [config a certificates entry's challenge]\n"
"  --webroot PATH     http-01 through files, with or without --challenge\n"
"                     http-01: writes PATH/.well-known/acme-challenge/TOKEN\n"
"                     (0644) for the web server that holds port 80, removed\n"
"                     after validation; refused with any other challenge\n"
"                     ('--challenge webroot' is an older name for the same)\n"
"                     [config a certificates entry's webroot]\n"
"  --http-port N      port of the built-in http-01 responder (default 80);\n"
"                     the wizard's preflight fetches a web root's test file\n"
"                     on it [config http_port]\n"
"  --http-bind ADDR   address the built-in responders listen on (default: all)\n"
"                     [config http_bind]\n"
"  --tls-port N       port of the built-in tls-alpn-01 responder (default 443)\n"
"                     [config tls_port]\n"
"  --dns-hook PROGRAM run as 'PROGRAM add|del FQDN RECORD_NAME VALUE' (and\n"
"                     CERTDECK_ACTION/DOMAIN/RECORD/VALUE in its environment),\n"
"                     never through a shell, 60 s at most; 'del' runs after\n"
"                     validation, failure or cancellation alike\n"
"                     [config dns_hook]\n"
"  --dns-resolver ADDR:PORT  wait until the record is visible there before\n"
"                     answering (bounded by --timeout); the wizard's\n"
"                     preflight looks names and CAA records up there\n"
"                     [config dns_resolver]\n"
"  --profile NAME     the CA's certificate profile (e.g. Let's Encrypt's\n"
"                     \"shortlived\"); refused, with the CA's list, if it\n"
"                     offers no such profile; kept for renewals\n"
"                     [config a certificates entry's profile]\n"
"  --preferred-chain CN  of the chains the CA offers, take the one whose top\n"
"                     certificate is issued by CN (e.g. \"ISRG Root X1\");\n"
"                     the default chain when none is\n"
"                     [config a certificates entry's preferred_chain]\n"
"  --max-jobs N       jobs run at once (default 8) [config max_jobs]\n"
"  --timeout SECONDS  bound on each order step's wait for the CA (default 90)\n"
"                     [config step_timeout]\n"
"  --no-wait          fail at once when another certdeck holds the state folder\n"
"  --metrics-file PATH  after issue, renew, revoke and probe, write a Prometheus\n"
"                     text file (for node_exporter's textfile collector) there\n"
"                     [config metrics_file]\n"
"  --demo             try certdeck against a local demo CA (Pebble on 127.0.0.1)\n"
"                     with a temporary state folder, all removed on exit\n"
"  --theme NAME       colours of the screens: default, light, high-contrast,\n"
"                     mono, or NAME.theme in the config folder's themes/\n"
"                     [config theme]\n"
"  --no-color         no colour on the screens (so does NO_COLOR)\n"
"  -q, --quiet        print failures only\n"
"  -v, --verbose      print every step, polls included\n"
"  -h, --help         this help; 'certdeck CMD --help' for one command\n"
"  --version          print the version\n";

static const struct {
	const char *name;
	const char *synopsis;
	const char *text;
} cli_commands[] = {
	{ "issue", "issue NAME -d DOMAIN [-d DOMAIN...] | issue --batch FILE",
	  "Issues a new certificate NAME for the domains (DNS names or IP addresses),\n"
	  "proving control as --challenge says: http-01 by default, answered by the\n"
	  "built-in responder on --http-port, or through files under --webroot PATH;\n"
	  "tls-alpn-01 by the built-in TLS responder on --tls-port; dns-01 through\n"
	  "--dns-hook (the only way for a wildcard); dns-persist-01. The key,\n"
	  "certificate and chain are stored as STATE/live/NAME/{privkey,cert,chain,\n"
	  "fullchain}.pem. An existing NAME is refused (renew it instead).\n"
	  "  -d, --domain DOMAIN  a name for the certificate (repeat for more)\n"
	  "  --batch FILE         one certificate a line, 'NAME DOMAIN [DOMAIN...]'\n"
	  "                       ('#' starts a comment); all are issued at once as\n"
	  "                       concurrent jobs, then a summary is printed\n"
	  "  --force              issue again even if NAME exists\n"
	  "A run that is interrupted or killed keeps its order; running the same\n"
	  "command again resumes it.\n" },
	{ "renew", "renew NAME... | renew --all [--force]",
	  "Renews the certificates that are due: by default when less than a third\n"
	  "of their lifetime is left (renew_fraction, renew_days in the config).\n"
	  "A certificate that is not due is left alone, and so is a revoked one.\n"
	  "One no longer managed (x in the screens: its definition archived in\n"
	  "removed.d beside the config file) is passed by, even with --force,\n"
	  "until a definition in the config names it again.\n"
	  "When the CA publishes renewal information (RFC 9773), a certificate is\n"
	  "also due once a moment picked in the CA's suggested window has come,\n"
	  "or at once when the CA moves the window earlier with an explanation\n"
	  "(an incident). The CA is asked again only after its Retry-After (one\n"
	  "minute to one day, six hours without one); until then the window it\n"
	  "gave decides. --force renews without asking.\n"
	  "Every earlier version stays in STATE/archive/NAME/.\n"
	  "Exit status: 0 when something was renewed, 3 when nothing was due,\n"
	  "1 when a renewal failed, 2 for a usage error.\n"
	  "  --all                every certificate in the store, and those defined\n"
	  "                       in the config that were never issued\n"
	  "  --force              renew even when not due\n"
	  "  --jitter SECONDS     first wait a random time up to SECONDS (at most\n"
	  "                       86400), so a fleet's timers do not all call at once\n" },
	{ "revoke", "revoke NAME [--reason REASON] [--with-cert-key]",
	  "Revokes NAME's current certificate, signed with the account key. The\n"
	  "files stay in the store, marked revoked, and it is no longer renewed.\n"
	  "  --reason REASON      unspecified (default), keyCompromise, superseded,\n"
	  "                       cessationOfOperation, affiliationChanged\n"
	  "  --with-cert-key      sign with the certificate's own key instead of the\n"
	  "                       account's: for a certificate whose account is lost,\n"
	  "                       or a key known to be compromised\n" },
	{ "notify", "notify --test",
	  "Sends a test message through every channel configured for failures:\n"
	  "  --notify-webhook URL   a JSON POST (certificate, event, message, time)\n"
	  "  --notify-program PATH  run as 'PATH EVENT NAME MESSAGE', no shell\n"
	  "  --notify-mail ADDR     through the local /usr/sbin/sendmail\n"
	  "(and notify_webhook, notify_program, notify_mail in the config; a\n"
	  "certificate's own notify_* there replace them for it, notify = false\n"
	  "silences it). A failed issuance or renewal is sent the same way, as\n"
	  "'failure', or 'expiring' when the certificate has less than 7 days left;\n"
	  "an endpoint found stale by a probe (or unreachable right after a deploy)\n"
	  "as 'endpoint'.\n" },
	{ "probe", "probe [NAME...] [--json]",
	  "Connects to the endpoints each certificate lists in the config\n"
	  "(endpoints = ( { address = \"HOST:PORT\"; sni = \"NAME\"; } )) with TLS and\n"
	  "reports, one line an endpoint (name, address, SNI, state, detail), which\n"
	  "certificate each serves: served (the current version), stale (an older\n"
	  "version or another certificate: renewed but not deployed), unreachable,\n"
	  "or tls-error with the reason. Without NAME, every certificate with\n"
	  "endpoints. The results are kept in the certificate's record (show, the\n"
	  "screens, the metrics file); a stale endpoint is notified like a failure.\n"
	  "The same check runs after every deploy.\n"
	  "Exit status: 0 when every endpoint serves the current certificate, 1 when\n"
	  "one does not, 2 for a usage error (a NAME without endpoints).\n"
	  "  --json               machine-readable output\n" },
	{ "list", "list [--json]",
	  "Lists every certificate: status (valid, due, expiring, expired, revoked,\n"
	  "failed, pending), days left, expiry, names and issuer.\n"
	  "  --json               machine-readable output\n" },
	{ "show", "show NAME [--json]",
	  "Shows one certificate: names, validity, issuer, serial, fingerprint, key,\n"
	  "stored versions, CA and the last error.\n"
	  "  --json               machine-readable output\n" },
	{ "schedule", "schedule install|remove|status [--root DIR] [--systemd|--cron]",
	  "Runs 'certdeck renew --all --quiet' twice a day with nobody at the\n"
	  "keyboard, with the --config and --state given here.\n"
	  "install: where systemd runs, writes certdeck-renew.service and\n"
	  "certdeck-renew.timer (twice a day, spread over 12 hours, runs missed\n"
	  "while off made up at boot) to /etc/systemd/system and enables the\n"
	  "timer; elsewhere /etc/cron.d/certdeck (twice a day at a minute picked\n"
	  "at install). A file certdeck did not write is never replaced.\n"
	  "remove: disables the timer and removes exactly the files install wrote.\n"
	  "status: what is installed, the command it runs and its next run; exit\n"
	  "status 0 when a schedule is installed, 3 when none is.\n"
	  "  --root DIR           write under DIR instead of /, and leave the\n"
	  "                       running system alone (packages, tests); the\n"
	  "                       screens (certdeck --root DIR) show and offer the\n"
	  "                       schedule under DIR too\n"
	  "  --systemd, --cron    choose the kind instead of detecting it\n"
	  "  --force              replace files certdeck did not write\n" },
	{ "account", "account [show|register|update|rollover|deactivate]",
	  "show: the accounts in the store (URL, CA, status, key, contacts).\n"
	  "register: creates the account at the CA (--email, --agree-tos) or finds\n"
	  "the one its stored key already has.\n"
	  "update --email ADDR: replaces the account's contact address.\n"
	  "rollover: moves the account to a new key (RFC 8555 §7.3.5); the new key\n"
	  "is stored before the CA is asked and the old one is kept. When the CA's\n"
	  "answer is lost, the record names the new key pending and the next run\n"
	  "asks the CA which key the account has, then goes on with that one.\n"
	  "deactivate: ends the account at the CA for good (§7.3.6); asks you to\n"
	  "type its name, or --yes without a terminal.\n"
	  "  --account NAME       which account (default 'default'); several\n"
	  "                       accounts per CA are kept side by side\n" },
};

void
cli_usage(FILE *out)
{
	const struct config_preset *presets;
	size_t i, n;

	fprintf(out, "Usage: certdeck [OPTIONS] COMMAND [ARGS]\n\n"
	    "certdeck manages ACME (RFC 8555) certificates: it issues, renews and\n"
	    "revokes them, and keeps every version in its state folder. Without a\n"
	    "command, on a terminal, it opens the screens: n sets up a certificate\n"
	    "(names, CA, proof, key, copies with their owner, group and mode, a\n"
	    "reload command), e edits its definition, x stops managing it, ? lists\n"
	    "every key.\n"
	    "\nCommands:\n");
	for (i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
		fprintf(out, "  certdeck %s\n", cli_commands[i].synopsis);
	fprintf(out, "\n%s\nCAs by name (--ca NAME, or ca = \"NAME\" in the config);\n"
	    "any other RFC 8555 directory URL works with --server:\n", cli_global_help);
	presets = config_presets(&n);
	for (i = 0; i < n; i++)
		fprintf(out, "  %-20s %s\n%23s%s\n", presets[i].name, presets[i].directory,
		    "", presets[i].notes ? presets[i].notes : "");
	fprintf(out, "A CA that needs external account binding gives the key id and MAC\n"
	    "key in its web console: pass them as --eab-kid and --eab-hmac-key.\n");
	fprintf(out, "\nExit status: 0 success, 1 failure (one line on stderr says what\n"
	    "and why), 2 usage error; renew: 0 when something was renewed, 3 when\n"
	    "nothing was due.\n\nConfiguration settings:\n");
	config_print_reference(out);
}

int
cli_command_help(const char *command, FILE *out)
{
	size_t i;

	for (i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
		if (strcmp(cli_commands[i].name, command) == 0) {
			fprintf(out, "Usage: certdeck %s\n\n%s\n%s", cli_commands[i].synopsis,
			    cli_commands[i].text, cli_global_help);
			return 0;
		}
	fprintf(stderr, "certdeck: unknown command '%s'\n", command);
	return -1;
}
