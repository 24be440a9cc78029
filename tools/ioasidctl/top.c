// SPDX-License-Identifier: GPL-2.0
/*
 * ioasidctl top: like systemd-cgtop, the cgroups holding the most IOASIDs,
 * refreshed every interval, with refusals per second. One sd-event loop:
 * a timer draws a frame, standard input (a terminal, in raw mode) gives q,
 * SIGINT and SIGTERM end it, SIGWINCH redraws. Off a terminal each frame is
 * printed after the last, for logs and pipes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <systemd/sd-event.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "name.h"
#include "top.h"
#include "util.h"

struct top_ctx {
	char **cgroups;
	int ncgroups;
	double delay;
	unsigned long iterations, frames;
	bool tty;
	struct top_row *prev;	/* the last frame's rows, sorted by path */
	size_t nprev;
	uint64_t prev_usec;
	int status;
};

double top_rate(int64_t before, int64_t now, double secs)
{
	if (secs <= 0 || before < 0 || now < 0)
		return -1;
	return (double)(now >= before ? now - before : now) / secs;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(((const struct top_row *)a)->path, ((const struct top_row *)b)->path);
}

static int cmp_top(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->st.current != y->st.current)
		return x->st.current > y->st.current ? -1 : 1;
	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	if (x->st.peak != y->st.peak)
		return x->st.peak > y->st.peak ? -1 : 1;
	return strcmp(x->path, y->path);
}

void top_sort(struct top_row *rows, size_t n)
{
	qsort(rows, n, sizeof(*rows), cmp_top);
}

static void rows_free(struct top_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].path);
	free(rows);
}

int top_print(FILE *f, const struct top_row *rows, size_t n, uint64_t capacity,
	      uint64_t in_use, double delay, size_t max_rows, size_t width, bool tty)
{
	static const struct {
		const char *name;
		double width;
		int flags;
	} cols[] = {
		{ "CGROUP", 0.5, SCOLS_FL_TRUNC },
		{ "CURRENT", 7, SCOLS_FL_RIGHT },
		{ "MAX", 7, SCOLS_FL_RIGHT },
		{ "PEAK", 7, SCOLS_FL_RIGHT },
		{ "REFUSED/S", 9, SCOLS_FL_RIGHT },
		{ "REFUSED", 7, SCOLS_FL_RIGHT },
		{ "WORKLOAD", 0.3, SCOLS_FL_TRUNC },
	};
	struct libscols_table *tb = scols_new_table();
	/* a narrow window drops the names before it cuts the numbers */
	size_t ncols = width && width < 80 ? 6 : 7;
	char when[16], buf[6][32];
	time_t now = time(NULL);
	struct tm tm;
	int ret = -ENOMEM;

	if (!tb)
		return -ENOMEM;
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(f, "%s  IOASIDs in use: %" PRIu64 " of %" PRIu64 ", every %.1f s%s\n",
		when, in_use, capacity, delay, tty ? "; q quits" : "");
	for (size_t i = 0; i < ncols; i++) {
		struct libscols_column *cl;

		cl = scols_table_new_column(tb, cols[i].name, cols[i].width, cols[i].flags);
		if (!cl)
			goto out;
	}
	/* the cells are made safe by cg_display() */
	scols_table_enable_noencoding(tb, 1);
	if (width) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb, width);
	}
	for (size_t i = 0; i < n && (!max_rows || i < max_rows); i++) {
		const struct ioasids_stat *st = &rows[i].st;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		struct cg_names names;
		char workload[300], shown[4 * PATH_MAX];

		if (!ln)
			goto out;
		snprintf(buf[1], sizeof(buf[1]), "%" PRId64, st->current);
		snprintf(buf[2], sizeof(buf[2]), "%s", st->max[0] ? st->max : "-");
		snprintf(buf[3], sizeof(buf[3]), st->peak < 0 ? "-" : "%" PRId64, st->peak);
		if (rows[i].rate < 0)
			snprintf(buf[4], sizeof(buf[4]), "-");
		else
			snprintf(buf[4], sizeof(buf[4]), "%.1f", rows[i].rate);
		snprintf(buf[5], sizeof(buf[5]), st->events < 0 ? "-" : "%" PRId64, st->events);
		if (scols_line_set_data(ln, 0, cg_display(rows[i].path, shown, sizeof(shown))))
			goto out;
		for (int c = 1; c < 6; c++)
			if (scols_line_set_data(ln, c, buf[c]))
				goto out;
		cg_names(rows[i].path, &names);
		if (ncols > 6 &&
		    scols_line_set_data(ln, 6, cg_display(cg_workload(&names, workload, sizeof(workload)),
							  shown, sizeof(shown))))
			goto out;
	}
	scols_table_set_stream(tb, f);
	ret = scols_print_table(tb) ? -EIO : 0;
out:
	scols_unref_table(tb);
	return ret;
}

struct collect {
	struct top_row *rows;
	size_t n, cap;
};

static int collect_one(const char *path, int depth, void *data)
{
	struct collect *c = data;
	struct ioasids_stat st;

	(void)depth;
	/* cgroups without the controller, or gone since the walk saw them */
	if (cgx_read(path, &st))
		return 0;
	if (!strcmp(path, "/")) {
		st.max[0] = '\0';
		st.peak = st.events = -1;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct top_row *r = realloc(c->rows, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		c->rows = r;
		c->cap = cap;
	}
	c->rows[c->n].path = strdup(path);
	if (!c->rows[c->n].path)
		return -ENOMEM;
	c->rows[c->n].st = st;
	c->rows[c->n].rate = -1;
	c->n++;
	return 0;
}

static void window(size_t *rows, size_t *cols)
{
	struct winsize ws;

	*rows = *cols = 0;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws)) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* Read, compute rates against the last frame, draw. */
static int frame(struct top_ctx *ctx, sd_event *e)
{
	struct collect c = { 0 };
	uint64_t capacity, in_use, now;
	size_t lines = 0, width = 0;
	double secs;
	int ret = 0;

	for (int i = 0; i < (ctx->ncgroups ?: 1) && !ret; i++)
		ret = cgx_walk(ctx->ncgroups ? ctx->cgroups[i] : "/", true, collect_one, &c);
	if (!ret)
		ret = cgx_root(&capacity, &in_use);
	if (ret) {
		rows_free(c.rows, c.n);
		return ret;
	}
	sd_event_now(e, CLOCK_MONOTONIC, &now);
	secs = ctx->prev ? (double)(now - ctx->prev_usec) / 1e6 : 0;
	for (size_t i = 0; i < c.n && ctx->prev; i++) {
		struct top_row *p = bsearch(&c.rows[i], ctx->prev, ctx->nprev,
					    sizeof(*p), cmp_path);

		if (p)
			c.rows[i].rate = top_rate(p->st.events, c.rows[i].st.events, secs);
	}
	top_sort(c.rows, c.n);
	if (ctx->tty) {
		window(&lines, &width);
		/* the header, the table's header, a last empty line */
		lines = lines > 3 ? lines - 3 : 1;
		fputs("\033[H\033[2J", stdout);
	} else if (ctx->frames) {
		putchar('\n');
	}
	ret = top_print(stdout, c.rows, c.n, capacity, in_use, ctx->delay, lines, width,
			ctx->tty);
	fflush(stdout);
	qsort(c.rows, c.n, sizeof(*c.rows), cmp_path);
	rows_free(ctx->prev, ctx->nprev);
	ctx->prev = c.rows;
	ctx->nprev = c.n;
	ctx->prev_usec = now;
	ctx->frames++;
	return ret;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *data)
{
	struct top_ctx *ctx = data;
	int ret;

	(void)usec;
	ret = frame(ctx, sd_event_source_get_event(s));
	if (ret) {
		fprintf(stderr, "ioasidctl: top: %s\n", strerror(-ret));
		ctx->status = EXIT_FAIL;
		return sd_event_exit(sd_event_source_get_event(s), 0);
	}
	if (ctx->iterations && ctx->frames >= ctx->iterations)
		return sd_event_exit(sd_event_source_get_event(s), 0);
	ret = sd_event_source_set_time_relative(s, (uint64_t)(ctx->delay * 1e6));
	return ret < 0 ? ret : sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static int on_key(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	char keys[32];
	ssize_t n;

	(void)revents;
	(void)data;
	n = read(fd, keys, sizeof(keys));
	/* q, Q, or the end of input */
	if (n <= 0 || memchr(keys, 'q', (size_t)n) || memchr(keys, 'Q', (size_t)n))
		return sd_event_exit(sd_event_source_get_event(s), 0);
	return 0;
}

static int on_winch(sd_event_source *s, const struct signalfd_siginfo *si, void *data)
{
	(void)si;
	/* a failure shows at the next tick */
	(void)frame(data, sd_event_source_get_event(s));
	return 0;
}

int top_run(char **cgroups, int n, double delay, unsigned long iterations)
{
	_cleanup_(event_unrefp) sd_event *e = NULL;
	struct top_ctx ctx = {
		.cgroups = cgroups, .ncgroups = n, .delay = delay,
		.iterations = iterations, .status = EXIT_OK,
	};
	struct termios saved, raw;
	bool raw_mode = false;
	sigset_t mask;
	int ret;

	for (int i = 0; i < n; i++) {
		ret = cgx_exists(cgroups[i]);
		if (ret) {
			fprintf(stderr, "ioasidctl: %s: %s\n", cgroups[i], strerror(-ret));
			return ret == -ENOENT ? EXIT_NOTFOUND : EXIT_FAIL;
		}
	}
	ctx.tty = isatty(STDOUT_FILENO);
	/* SIGWINCH too, read by the loop: a new window size redraws */
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	ret = loop_new(&e);
	if (ret >= 0 && ctx.tty)
		ret = sd_event_add_signal(e, NULL, SIGWINCH, on_winch, &ctx);
	/* the first frame at once */
	if (ret >= 0)
		ret = sd_event_add_time_relative(e, NULL, CLOCK_MONOTONIC, 0, 0, on_tick, &ctx);
	/* keys only from a terminal: q quits without Enter or echo */
	if (ret >= 0 && ctx.tty && isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved)) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		raw_mode = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		ret = sd_event_add_io(e, NULL, STDIN_FILENO, EPOLLIN, on_key, NULL);
	}
	if (ret < 0) {
		fprintf(stderr, "ioasidctl: top: %s\n", strerror(-ret));
		ctx.status = EXIT_FAIL;
		goto out;
	}
	/* the alternate screen, as full-screen programs use; the cursor hidden */
	if (ctx.tty)
		fputs("\033[?1049h\033[?25l", stdout);
	ret = sd_event_loop(e);
	if (ctx.tty) {
		fputs("\033[?25h\033[?1049l", stdout);
		fflush(stdout);
	}
	if (ret < 0) {
		fprintf(stderr, "ioasidctl: top: %s\n", strerror(-ret));
		ctx.status = EXIT_FAIL;
	}
out:
	if (raw_mode)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	rows_free(ctx.prev, ctx.nprev);
	return ctx.status;
}
