// SPDX-License-Identifier: GPL-2.0
/*
 * ioasidctl watch: one line, with time and cgroup, each time a limit
 * refuses an allocation. Every watched cgroup's ioasids.events.local, which
 * counts refusals by that cgroup's own ioasids.max, is an inotify source of
 * one sd-event loop; the kernel notifies on every refusal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "cgroup.h"
#include "loop.h"
#include "util.h"
#include "watch.h"

struct watched {
	char path[PATH_MAX];
	int64_t seen;		/* events.local when last read */
};

struct watch_ctx {
	struct watched *w;
	size_t n, cap;
};

static int on_modify(sd_event_source *s, const struct inotify_event *ev, void *data)
{
	struct watched *w = data;
	struct ioasids_stat st;
	char when[64];
	struct timespec ts;
	struct tm tm;

	(void)s;
	(void)ev;
	if (cgx_read(w->path, &st))
		return 0;
	st.events_local = cgx_events_local(w->path);
	if (st.events_local <= w->seen)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
	printf("%s %s refused %" PRId64 " allocation%s at ioasids.max %s "
	       "(current %" PRId64 ", refused %" PRId64 " in all)\n",
	       when, w->path, st.events_local - w->seen,
	       st.events_local - w->seen == 1 ? "" : "s", st.max,
	       st.current, st.events_local);
	fflush(stdout);
	w->seen = st.events_local;
	return 0;
}

static int collect(const char *path, int depth, void *data)
{
	struct watch_ctx *ctx = data;
	struct ioasids_stat st;

	(void)depth;
	/* the root has no limit to refuse with */
	if (!strcmp(path, "/") || cgx_read(path, &st))
		return 0;
	if (ctx->n == ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 16;
		struct watched *w = realloc(ctx->w, cap * sizeof(*w));

		if (!w)
			return -ENOMEM;
		ctx->w = w;
		ctx->cap = cap;
	}
	snprintf(ctx->w[ctx->n].path, sizeof(ctx->w[ctx->n].path), "%s", path);
	ctx->w[ctx->n].seen = cgx_events_local(path);
	ctx->n++;
	return 0;
}

int watch_run(char **cgroups, int n)
{
	_cleanup_(event_unrefp) sd_event *e = NULL;
	struct watch_ctx ctx = { 0 };
	int ret, status = EXIT_OK;

	for (int i = 0; i < n; i++) {
		ret = cgx_exists(cgroups[i]);
		if (!ret)
			ret = cgx_walk(cgroups[i], true, collect, &ctx);
		if (ret) {
			fprintf(stderr, "ioasidctl: %s: %s\n", cgroups[i], strerror(-ret));
			free(ctx.w);
			return ret == -ENOENT ? EXIT_NOTFOUND : EXIT_FAIL;
		}
	}
	if (n == 0 && (ret = cgx_walk("/", true, collect, &ctx))) {
		fprintf(stderr, "ioasidctl: watch: %s\n", strerror(-ret));
		free(ctx.w);
		return EXIT_FAIL;
	}
	if (ctx.n == 0) {
		fprintf(stderr, "ioasidctl: no cgroup with the ioasids controller to watch\n");
		free(ctx.w);
		return EXIT_NOTFOUND;
	}

	ret = loop_new(&e);
	for (size_t i = 0; ret >= 0 && i < ctx.n; i++) {
		char file[PATH_MAX + 64];

		snprintf(file, sizeof(file), "%s%s/ioasids.events.local", cgx_mount(),
			 strcmp(ctx.w[i].path, "/") ? ctx.w[i].path : "");
		ret = sd_event_add_inotify(e, NULL, file, IN_MODIFY, on_modify, &ctx.w[i]);
	}
	if (ret < 0) {
		fprintf(stderr, "ioasidctl: watch: %s\n", strerror(-ret));
		free(ctx.w);
		return EXIT_FAIL;
	}
	fprintf(stderr, "ioasidctl: watching %zu cgroup%s; Ctrl-C to stop\n",
		ctx.n, ctx.n == 1 ? "" : "s");
	ret = sd_event_loop(e);
	if (ret < 0) {
		fprintf(stderr, "ioasidctl: watch: %s\n", strerror(-ret));
		status = EXIT_FAIL;
	}
	free(ctx.w);
	return status;
}
