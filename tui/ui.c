/*
 * ui: the screens' main loop (see ui.h). One poll() watches the terminal,
 * the engine's event pipe and a self-pipe the signal handlers write to;
 * nothing else ever blocks, and with nothing to do the loop sleeps until
 * the next minute, when "days left" may change. Keys go to a dialog or
 * the help overlay if one is open, else to the current screen's key
 * table, then to list navigation, then to the keys every screen shares.
 * The loop draws once per pass, after everything queued is handled.
 */
#include "autoconfig.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "certlist.h"
#include "cli.h"
#include "jobs.h"
#include "screen.h"
#include "store.h"
#include "ui.h"

/* Records read before the first frame (more than any screen shows), and
 * then per idle pass: a pass stays short enough not to delay a key. */
#define UI_FIRST_ROWS 256
#define UI_CHUNK_ROWS 200

/* How long the header may wait for systemd to say when the timer runs. */
#define UI_SCHEDULE_MS 1500

/* A character at or past KEY_MIN would read as a function key. */
#define UI_WIDE 0x40000000

enum ui_global_action { UI_NEXT = 1, UI_PREV, UI_GOTO, UI_HELP, UI_THEME,
	UI_BACK, UI_REFRESH };

const struct ui_key ui_global_keys[] = {
	{ '\t', "Tab/S-Tab", NULL, "next or previous screen", UI_NEXT },
	{ KEY_BTAB, "S-Tab", NULL, NULL, UI_PREV },
	{ '1', "1-4", NULL, "Certificates, Accounts, Orders, Activity", UI_GOTO },
	{ '?', "?", NULL, "this help", UI_HELP },
	{ 'T', "T", NULL, "next colour theme", UI_THEME },
	{ 'q', "q/Esc", NULL, "back; q on a top screen quits", UI_BACK },
	{ 12, "Ctrl-L", NULL, "draw the whole screen again", UI_REFRESH },
};
const size_t ui_n_global_keys = sizeof ui_global_keys / sizeof ui_global_keys[0];

static const struct screen_ops *const ui_top_ops[UI_TOP_SCREENS] = {
	&screen_certs_ops, &screen_accounts_ops, &screen_orders_ops,
	&screen_activity_ops
};

static int ui_sigpipe[2] = { -1, -1 };
static SCREEN *ui_screen;

static void
ui_on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	(void)write(ui_sigpipe[1], &b, 1);
	errno = saved;
}

struct ui_frame *
ui_current(struct ui *ui)
{
	return ui->depth > 0 ? &ui->stack[ui->depth - 1] : &ui->top[ui->top_i];
}

void
ui_message(struct ui *ui, enum theme_role role, const char *fmt, ...)
{
	va_list ap;

	ui->message[0] = ' ';
	va_start(ap, fmt);
	vsnprintf(ui->message + 1, sizeof ui->message - 1, fmt, ap);
	va_end(ap);
	ui->message_role = role;
	ui->redraw = 1;
	jobs_note(ui->jobs, role == ROLE_LOG_ERROR ? EVENT_ERROR : EVENT_INFO,
	    ui->message + 1);
}

void
ui_schedule_read(struct ui *ui)
{
	struct err err;

	/* Run at start and after an install only: systemctl is a process
	 * the whole screen waits on, so it gets little time. */
	if (schedule_view_read(ui->cli->root, UI_SCHEDULE_MS, &ui->schedule,
	    &err) != 0)
		ui_message(ui, ROLE_LOG_WARN, "renewal schedule: %s", err.msg);
	ui->redraw = 1;
}

int
ui_push(struct ui *ui, const struct screen_ops *ops, const char *arg)
{
	void *st;

	if (ui->depth == UI_STACK_MAX)
		return -1;
	if ((st = ops->open(ui, arg)) == NULL)
		return -1;
	ui->stack[ui->depth].ops = ops;
	ui->stack[ui->depth].st = st;
	ui->depth++;
	ui->redraw = 1;
	return 0;
}

static void
ui_pop(struct ui *ui)
{
	struct ui_frame *f;

	if (ui->depth == 0)
		return;
	f = &ui->stack[--ui->depth];
	f->ops->close(f->st);
	f->st = NULL;
	ui->redraw = 1;
}

/* Starts the engine, keeping what cli_engine_start() says on failure for
 * a dialog: a line on stderr would land in the middle of the screen. */
static struct engine *
ui_engine_start(struct ui *ui, char *why, size_t whysz)
{
	struct engine *e;
	int p[2], saved;
	ssize_t n;

	snprintf(why, whysz, "the engine did not start");
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
		return NULL;
	if ((saved = dup(STDERR_FILENO)) < 0) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	fflush(stderr);
	dup2(p[1], STDERR_FILENO);
	e = cli_engine_start(ui->cli);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	if ((n = read(p[0], why, whysz - 1)) > 0) {
		why[n] = '\0';
		why[strcspn(why, "\n")] = '\0';
	}
	close(p[0]);
	return e;
}

uint32_t
ui_submit(struct ui *ui, struct engine_cmd *cmd, const char *what)
{
	struct err err;
	char why[1024], title[128];
	uint32_t id;

	if (cmd == NULL) {
		ui_message(ui, ROLE_LOG_ERROR, "out of memory");
		return 0;
	}
	if (ui->engine == NULL &&
	    (ui->engine = ui_engine_start(ui, why, sizeof why)) == NULL) {
		engine_cmd_free(cmd);
		dialog_message(ui, "The engine did not start", why);
		return 0;
	}
	if ((id = engine_submit(ui->engine, cmd, &err)) == 0) {
		snprintf(title, sizeof title, "%s not started", what);
		dialog_message(ui, title, err.msg);
	}
	return id;
}

int
ui_engine_stop_idle(struct ui *ui)
{
	if (ui->jobs->running > 0)
		return -1;
	if (ui->engine != NULL) {
		engine_stop(ui->engine);
		ui->engine = NULL;
	}
	return 0;
}

uint32_t
ui_renew(struct ui *ui, const char *name, int force)
{
	struct engine_cmd *cmd;
	struct err err;
	uint32_t id;

	if ((cmd = engine_cmd_new(ENGINE_CMD_RENEW, name)) != NULL) {
		cmd->force = force;
		if (cli_cmd_from_config(ui->cli, cmd, &err) != 0) {
			engine_cmd_free(cmd);
			dialog_message(ui, "Renewal not started", err.msg);
			return 0;
		}
	}
	if ((id = ui_submit(ui, cmd, "Renewal")) == 0)
		return 0;
	ui_message(ui, ROLE_STATUSLINE, "%s of %s started (job #%u)",
	    force ? "Forced renewal" : "Renewal", name, (unsigned)id);
	return id;
}

uint32_t
ui_probe(struct ui *ui, const char *name)
{
	const struct config_cert *cc = config_find_cert(&ui->cli->cfg, name);
	struct engine_cmd *cmd;
	uint32_t id;

	if (cc == NULL || cc->n_endpoints == 0) {
		ui_message(ui, ROLE_STATUSLINE, "%s has no endpoints to probe: add "
		    "endpoints = ( { address = \"HOST:PORT\"; } ) to its definition", name);
		return 0;
	}
	if ((cmd = engine_cmd_new(ENGINE_CMD_PROBE, name)) != NULL &&
	    endpoint_dup(&cmd->endpoints, &cmd->n_endpoints, cc->endpoints,
	    cc->n_endpoints, NULL) != 0) {
		engine_cmd_free(cmd);
		cmd = NULL;
	}
	if ((id = ui_submit(ui, cmd, "Probe")) == 0)
		return 0;
	ui_message(ui, ROLE_STATUSLINE, "Probe of %s's %zu %s started (job #%u)", name,
	    cc->n_endpoints, cc->n_endpoints == 1 ? "endpoint" : "endpoints", (unsigned)id);
	return id;
}

/* Loads theme `name`, falling back to default, then to attributes only,
 * saying why in the status line. */
static void
ui_theme_set(struct ui *ui, const char *name, int announce)
{
	struct err err, err2;
	size_t i;

	if (!ui->colour && strcmp(name, "mono") != 0 && ui->theme.name[0] != '\0') {
		ui_message(ui, ROLE_STATUSLINE, "colour is off (NO_COLOR, --no-color "
		    "or the terminal): theme stays mono");
		return;
	}
	if (theme_load(name, ui->cli->config_path, &ui->theme, &err) != 0) {
		if (theme_load("default", ui->cli->config_path, &ui->theme, &err2) != 0)
			theme_fallback(&ui->theme);
		ui_message(ui, ROLE_LOG_ERROR, "theme: %s; using %s", err.msg,
		    ui->theme.name);
	} else if (announce)
		ui_message(ui, ROLE_STATUSLINE, "theme: %s", ui->theme.name);
	ui->theme_index = -1;
	for (i = 0; i < theme_builtin_count; i++)
		if (strcmp(theme_builtin_names[i], ui->theme.name) == 0)
			ui->theme_index = (int)i;
	ui_theme_apply(ui);
	ui->redraw = 1;
}

static void
ui_switch(struct ui *ui, int top)
{
	while (ui->depth > 0)
		ui_pop(ui);
	ui->top_i = (top + UI_TOP_SCREENS) % UI_TOP_SCREENS;
	ui->redraw = 1;
}

static void
ui_quit_yes(struct ui *ui, const char *arg, int flag)
{
	(void)arg;
	(void)flag;
	ui->quit = 1;
}

static void
ui_ask_quit(struct ui *ui)
{
	char text[160];

	if (ui->jobs->running == 0) {
		ui->quit = 1;
		return;
	}
	snprintf(text, sizeof text, "%zu job%s running. Quit and cancel %s?",
	    ui->jobs->running, ui->jobs->running == 1 ? " is" : "s are",
	    ui->jobs->running == 1 ? "it" : "them");
	dialog_confirm(ui, "Quit certdeck", text, 1, ui_quit_yes, NULL, 0);
}

static int
ui_global_key(struct ui *ui, int key)
{
	switch (key) {
	case '\t': ui_switch(ui, ui->top_i + 1); break;
	case KEY_BTAB: ui_switch(ui, ui->top_i - 1); break;
	case '1': case '2': case '3': case '4': ui_switch(ui, key - '1'); break;
	case '?': ui->help = 1; break;
	case 'T':
		ui_theme_set(ui, theme_builtin_names[ui->theme_index < 0 ? 0 :
		    ((size_t)ui->theme_index + 1) % theme_builtin_count], 1);
		break;
	case 'q': case 27:
		if (ui->depth > 0)
			ui_pop(ui);
		else if (key == 'q')
			ui_ask_quit(ui);
		break;
	case 12: clearok(curscr, TRUE); break;
	case KEY_RESIZE: break;
	default: return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int
ui_help_key(struct ui *ui, int key)
{
	if (key == KEY_DOWN || key == 'j')
		ui->help++;
	else if ((key == KEY_UP || key == 'k') && ui->help > 1)
		ui->help--;
	else if (key != KEY_MOUSE && key != KEY_RESIZE)
		ui->help = 0;
	return UI_HANDLED | UI_REDRAW;
}

static int
ui_screen_key(struct ui *ui, int key)
{
	struct ui_frame *f = ui_current(ui);
	struct ui_list *l;
	int action = 0, flags;
	size_t i;

	for (i = 0; i < f->ops->n_keys; i++)
		if (f->ops->keys[i].key == key)
			action = f->ops->keys[i].action;
	flags = f->ops->key != NULL ? f->ops->key(ui, f->st, action, key) : 0;
	if (!(flags & UI_HANDLED) && f->ops->list != NULL &&
	    (l = f->ops->list(f->st)) != NULL)
		flags = ui_list_key(ui, l, key);
	if (!(flags & UI_HANDLED))
		flags = ui_global_key(ui, key);
	if (flags & UI_CLOSE)
		ui_pop(ui);
	if (flags & UI_QUIT)
		ui_ask_quit(ui);
	return flags;
}

static void
ui_key(struct ui *ui, int key)
{
	int flags;

	if (key != KEY_RESIZE)
		ui->message[0] = '\0';
	if (ui->dialog.active)
		flags = dialog_key(ui, key);
	else if (ui->help)
		flags = ui_help_key(ui, key);
	else if (ui_too_small())
		flags = key == 'q' ? (ui_ask_quit(ui), UI_REDRAW) : UI_REDRAW;
	else
		flags = ui_screen_key(ui, key);
	if (flags & UI_REDRAW || key == KEY_RESIZE)
		ui->redraw = 1;
}

static void
ui_read_keys(struct ui *ui)
{
	wint_t wc;
	int rc;

	while ((rc = get_wch(&wc)) != ERR && !ui->quit) {
		if ((rc == KEY_CODE_YES && wc == KEY_ENTER) || (rc == OK && wc == '\n'))
			ui_key(ui, '\r');	/* one Enter, whatever the terminal sends */
		else if (rc == KEY_CODE_YES)
			ui_key(ui, (int)wc);
		else
			ui_key(ui, wc >= KEY_MIN ? (int)wc | UI_WIDE : (int)wc);
	}
}

static void
ui_broadcast(struct ui *ui, const struct event *ev)
{
	int i;

	for (i = 0; i < UI_TOP_SCREENS; i++)
		if (ui->top[i].ops->event != NULL &&
		    ui->top[i].ops->event(ui, ui->top[i].st, ev) & UI_REDRAW)
			ui->redraw = 1;
	for (i = 0; i < ui->depth; i++)
		if (ui->stack[i].ops->event != NULL &&
		    ui->stack[i].ops->event(ui, ui->stack[i].st, ev) & UI_REDRAW)
			ui->redraw = 1;
}

static void
ui_on_event(struct ui *ui, const struct event *ev)
{
	struct err err;
	char text[EVENT_MSG_MAX + 256], title[128];

	(void)jobs_add(ui->jobs, ev);
	/* The event is newer news, but an error stays until a key is pressed:
	 * it may have come before the first frame (a broken theme, say). */
	if (ui->message_role != ROLE_LOG_ERROR)
		ui->message[0] = '\0';
	if (ev->kind == EVENT_STATE_CHANGED && ev->object == OBJECT_CERT &&
	    ev->subject[0] != '\0' &&
	    certlist_reload(ui->certs, ui->store, ev->subject, &err) != 0)
		ui_message(ui, ROLE_LOG_ERROR, "%s: %s", ev->subject, err.msg);
	ui_broadcast(ui, ev);
	if (ev->kind == EVENT_FAILED && ev->err_code == ERR_CANCELLED) {
		snprintf(title, sizeof title, "Job #%u for %s cancelled",
		    (unsigned)ev->job, ev->subject[0] ? ev->subject : "-");
		snprintf(text, sizeof text, "%s\n\nCleaned up: its challenge answers "
		    "were withdrawn (responder entries, webroot files, DNS records) "
		    "and nothing new was stored.", ev->msg);
		dialog_message(ui, title, text);
	} else if (ev->kind == EVENT_FAILED) {
		snprintf(title, sizeof title, "Job #%u for %s failed", (unsigned)ev->job,
		    ev->subject[0] ? ev->subject : "-");
		snprintf(text, sizeof text, "%s%s%s", ev->msg,
		    ev->problem[0] ? "\n\nCA problem: " : "", ev->problem);
		dialog_message(ui, title, text);
	}
	ui->redraw = 1;
}

static void
ui_read_events(struct ui *ui, int *fd)
{
	struct event ev;
	struct err err;
	int rc;

	while ((rc = event_read(*fd, &ev, &err)) == 1)
		ui_on_event(ui, &ev);
	if (rc == 0) {
		/* The next command starts a new one. */
		*fd = -1;
		engine_stop(ui->engine);
		ui->engine = NULL;
		ui_message(ui, ROLE_LOG_ERROR, "the engine stopped");
	}
}

static void
ui_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

/* Drains the self-pipe; returns 1 when the loop must end at once. */
static int
ui_read_signals(struct ui *ui)
{
	unsigned char sigs[32];
	ssize_t n, i;
	int stop = 0;

	while ((n = read(ui_sigpipe[0], sigs, sizeof sigs)) > 0)
		for (i = 0; i < n; i++) {
			if (sigs[i] == SIGWINCH) {
				ui_resize();
				ui->redraw = 1;
			} else if (sigs[i] == SIGINT && !ui->dialog.active)
				ui_ask_quit(ui);
			else if (sigs[i] == SIGTERM || sigs[i] == SIGHUP)
				stop = 1;
		}
	return stop;
}

static void
ui_draw(struct ui *ui)
{
	struct ui_frame *f = ui_current(ui);
	struct ui_list *l;

	erase();
	if (ui_too_small()) {
		ui_draw_too_small(ui);
		move(0, 0);
	} else {
		ui_draw_frame(ui, f);
		ui->cursor_y = -1;
		f->ops->draw(ui, f->st);
		/* The real cursor on the selected row or the field being
		 * typed in, for screen readers. */
		l = f->ops->list != NULL ? f->ops->list(f->st) : NULL;
		if (ui->cursor_y >= 0)
			move(ui->cursor_y, ui->cursor_x);
		else if (l != NULL && l->cursor && l->n > 0)
			move(l->y0 + (int)(l->sel - l->top), 0);
		else
			move(LINES - 1, COLS - 1);
		if (ui->help)
			ui_draw_help(ui, f);
		if (ui->dialog.active)
			dialog_draw(ui);
	}
	wnoutrefresh(stdscr);
	doupdate();
	ui->redraw = 0;
}

static int
ui_signals(int install)
{
	static const int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = install ? ui_on_signal : SIG_DFL;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -1;
	return 0;
}

static int64_t
ui_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Milliseconds to the next whole minute, when "days left" may change. */
static int
ui_timeout(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int)(60000 - (ts.tv_sec % 60) * 1000 - ts.tv_nsec / 1000000);
}

/* The benchmarking aids: exit after the first full frame, and a log of
 * how long each pass over typed keys took. */
struct ui_bench {
	int exit_after_first;
	FILE *log;
	int64_t started;
};

/* Reads the next chunk of records while nothing else is waiting. */
static void
ui_load_more(struct ui *ui, struct ui_bench *b)
{
	if (certlist_load_more(ui->certs, ui->store, UI_CHUNK_ROWS) == 0 &&
	    b->log != NULL) {
		fprintf(b->log, "all-read us=%lld\n", (long long)(ui_now_us() - b->started));
		fflush(b->log);
	}
	ui->redraw = 1;
}

static void
ui_loop(struct ui *ui, struct ui_bench *b)
{
	struct pollfd pfd[3];
	int64_t t0;
	int efd = -1, frames = 0, rc, loading;

	while (!ui->quit) {
		if (ui->redraw) {
			ui_draw(ui);
			if (frames++ == 0 && b->log != NULL) {
				fprintf(b->log, "first-frame us=%lld\n",
				    (long long)(ui_now_us() - b->started));
				fflush(b->log);
			}
			if (b->exit_after_first)
				break;
		}
		/* The engine may have been stopped and started again. */
		efd = ui->engine != NULL ? engine_event_fd(ui->engine) : -1;
		pfd[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = ui_sigpipe[0], .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = efd, .events = POLLIN };
		loading = ui->certs->n_loaded < ui->certs->n;
		rc = poll(pfd, 3, loading ? 0 : ui_timeout());
		if (rc < 0 && errno != EINTR)
			break;
		if (rc == 0 && loading) {
			ui_load_more(ui, b);
			continue;
		}
		if (rc == 0) {
			ui->now = time(NULL);
			certlist_refresh(ui->certs, ui->now);
			ui->redraw = 1;
			continue;
		}
		if (pfd[1].revents & POLLIN && ui_read_signals(ui))
			break;
		if (efd >= 0 && pfd[2].revents & (POLLIN | POLLHUP))
			ui_read_events(ui, &efd);
		if (pfd[0].revents & (POLLHUP | POLLERR))
			break;	/* the terminal is gone */
		if (pfd[0].revents & POLLIN) {
			t0 = ui_now_us();
			ui_read_keys(ui);
			if (ui->redraw)
				ui_draw(ui);
			if (b->log != NULL) {
				fprintf(b->log, "keys us=%lld\n", (long long)(ui_now_us() - t0));
				fflush(b->log);
			}
		}
	}
}

static int
ui_open_screens(struct ui *ui)
{
	int i;

	for (i = 0; i < UI_TOP_SCREENS; i++) {
		ui->top[i].ops = ui_top_ops[i];
		if ((ui->top[i].st = ui_top_ops[i]->open(ui, NULL)) == NULL)
			return -1;
	}
	return 0;
}

static void
ui_free(struct ui *ui)
{
	int i;

	while (ui->depth > 0)
		ui_pop(ui);
	for (i = 0; i < UI_TOP_SCREENS; i++)
		if (ui->top[i].st != NULL)
			ui->top[i].ops->close(ui->top[i].st);
	if (ui->engine != NULL)
		engine_stop(ui->engine);
	certlist_free(ui->certs);
	jobs_free(ui->jobs);
	store_close(ui->store);
}

/* Everything that needs no terminal: the store, the list, the model. */
static int
ui_prepare(struct ui *ui, const struct cli *c)
{
	struct err err;
	double fraction = c->renew_fraction > 0 ? c->renew_fraction : 1.0 / 3;

	ui->cli = c;
	ui->theme_index = -1;
	ui->now = time(NULL);
	ui->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if ((ui->jobs = jobs_new()) == NULL) {
		fprintf(stderr, "certdeck: out of memory\n");
		return -1;
	}
	if ((ui->store = store_open(c->state_dir, &err)) == NULL ||
	    (ui->certs = certlist_load(ui->store, UI_FIRST_ROWS, fraction,
	    c->renew_days, ui->now, &err)) == NULL) {
		fprintf(stderr, "certdeck: %s\n", err.msg);
		return -1;
	}
	ui_schedule_read(ui);
	return 0;
}

static int
ui_terminal(struct ui *ui, const struct cli *c)
{
	const char *nc = getenv("NO_COLOR");

	if ((ui_screen = newterm(NULL, stdout, stdin)) == NULL) {
		fprintf(stderr, "certdeck: cannot use terminal '%s'\n",
		    getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
	    BUTTON5_PRESSED, NULL);
	ui->colour = has_colors() && !c->no_color && (nc == NULL || *nc == '\0');
	if (ui->colour) {
		start_color();
		use_default_colors();
	}
	ui_theme_set(ui, !ui->colour ? "mono" : c->theme != NULL ? c->theme :
	    c->cfg.theme != NULL && *c->cfg.theme != '\0' ? c->cfg.theme : "default", 0);
	return 0;
}

int
ui_run(const struct cli *c)
{
	struct ui ui;
	struct ui_bench b;
	const char *env;
	int rc = CLI_FAILED, term = 0;

	memset(&ui, 0, sizeof ui);
	memset(&b, 0, sizeof b);
	b.started = ui_now_us();
	setlocale(LC_ALL, "");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "certdeck: the screens need a terminal\n");
		return CLI_FAILED;
	}
	if ((env = getenv("CERTDECK_EXIT_AFTER_FIRST_FRAME")) != NULL && *env == '1')
		b.exit_after_first = 1;
	if ((env = getenv("CERTDECK_KEY_LOG")) != NULL && *env != '\0')
		b.log = fopen(env, "a");
	if (pipe2(ui_sigpipe, O_CLOEXEC | O_NONBLOCK) != 0 || ui_signals(1) != 0) {
		fprintf(stderr, "certdeck: signal pipe: %s\n", strerror(errno));
		goto out;
	}
	if (ui_prepare(&ui, c) != 0 || ui_terminal(&ui, c) != 0)
		goto out;
	term = 1;
	if (ui_open_screens(&ui) != 0)
		goto out;
	ui.redraw = 1;
	ui_loop(&ui, &b);
	rc = CLI_OK;
out:
	if (term)
		endwin();
	ui_free(&ui);
	if (term)
		delscreen(ui_screen);
	(void)ui_signals(0);
	if (ui_sigpipe[0] >= 0) {
		close(ui_sigpipe[0]);
		close(ui_sigpipe[1]);
		ui_sigpipe[0] = ui_sigpipe[1] = -1;
	}
	if (b.log != NULL)
		fclose(b.log);
	return rc;
}
