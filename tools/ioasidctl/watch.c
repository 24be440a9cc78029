// SPDX-License-Identifier: GPL-2.0
/*
 * ioasidctl watch: one line, with time and cgroup (and the unit, libvirt
 * domain or pod it belongs to), each time a limit refuses an allocation. Every watched cgroup's ioasids.events.local, which
 * counts refusals by that cgroup's own ioasids.max, is an inotify source of
 * one sd-event loop; the kernel notifies on every refusal.
 *
 * The tree is followed: each cgroup directory is an inotify source too.
 * A directory made under it (mkdir(2) notifies IN_CREATE) is watched from
 * then on, one removed (IN_DELETE) is dropped, and a write to its
 * cgroup.subtree_control (IN_MODIFY), which adds or removes the ioasids
 * files of its children, makes the children be looked at again. Refusals
 * counted by a cgroup that appeared after the start all happened after it,
 * so each is reported, even one made before the watch on it was in place.
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
#include "name.h"
#include "util.h"
#include "watch.h"

struct watch_ctx;

struct watched {
	struct watched *next;
	struct watch_ctx *ctx;
	sd_event_source *dir;	/* the cgroup's directory */
	sd_event_source *file;	/* its ioasids.events.local, if it has one */
	int64_t seen;		/* events.local when last read */
	char path[];		/* relative to the mount: "/" or "/a/b" */
};

struct watch_ctx {
	sd_event *e;
	struct watched *list;
	size_t files;		/* cgroups with a file source */
	bool fresh;		/* cgroups found now appeared after the start */
	int err;		/* the first error of a walk */
};

static void report(struct watched *w)
{
	char when[64], workload[300], shown[4 * PATH_MAX], shown2[1200];
	struct ioasids_stat st;
	struct cg_names names;
	struct timespec ts;
	struct tm tm;

	if (cgx_read(w->path, &st))
		return;
	st.events_local = cgx_events_local(w->path);
	if (st.events_local <= w->seen)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
	cg_names(w->path, &names);
	cg_workload(&names, workload, sizeof(workload));
	printf("%s %s refused %" PRId64 " allocation%s at ioasids.max %s "
	       "(current %" PRId64 ", refused %" PRId64 " in all)%s%s\n",
	       when, cg_display(w->path, shown, sizeof(shown)), st.events_local - w->seen,
	       st.events_local - w->seen == 1 ? "" : "s", st.max,
	       st.current, st.events_local, workload[0] ? ": " : "",
	       cg_display(workload, shown2, sizeof(shown2)));
	fflush(stdout);
	w->seen = st.events_local;
}

static int on_modify(sd_event_source *s, const struct inotify_event *ev, void *data)
{
	(void)s;
	(void)ev;
	report(data);
	return 0;
}

static void full_path(char *buf, size_t size, const char *path, const char *file)
{
	snprintf(buf, size, "%s%s%s%s", cgx_mount(), strcmp(path, "/") ? path : "",
		 file ? "/" : "", file ? file : "");
}

/*
 * Give @w a file source if its cgroup has the controller's files now, or
 * take it away if they went. The root has no limit to refuse with.
 */
static int sync_file(struct watched *w, bool fresh)
{
	char file[PATH_MAX + 64];
	int64_t local;
	int ret;

	if (!strcmp(w->path, "/"))
		return 0;
	local = cgx_events_local(w->path);
	if (local < 0 && w->file) {
		w->file = sd_event_source_disable_unref(w->file);
		w->ctx->files--;
	}
	if (local < 0 || w->file)
		return 0;
	full_path(file, sizeof(file), w->path, "ioasids.events.local");
	ret = sd_event_add_inotify(w->ctx->e, &w->file, file, IN_MODIFY, on_modify, w);
	if (ret < 0)
		return ret == -ENOENT ? 0 : ret;	/* gone meanwhile */
	w->ctx->files++;
	w->seen = fresh ? 0 : local;
	if (fresh)
		report(w);
	return 0;
}

static struct watched *find(struct watch_ctx *ctx, const char *path)
{
	for (struct watched *w = ctx->list; w; w = w->next)
		if (!strcmp(w->path, path))
			return w;
	return NULL;
}

/* Drop @path and every cgroup below it. */
static void drop_tree(struct watch_ctx *ctx, const char *path)
{
	size_t len = strlen(path);

	for (struct watched **p = &ctx->list; *p;) {
		struct watched *w = *p;

		if (strncmp(w->path, path, len) || (w->path[len] && w->path[len] != '/')) {
			p = &w->next;
			continue;
		}
		*p = w->next;
		if (w->file)
			ctx->files--;
		sd_event_source_disable_unref(w->file);
		sd_event_source_disable_unref(w->dir);
		free(w);
	}
}

static int add_tree(struct watch_ctx *ctx, const char *path, bool recursive);

static int on_dir(sd_event_source *s, const struct inotify_event *ev, void *data)
{
	struct watched *w = data;
	struct watch_ctx *ctx = w->ctx;
	char child[PATH_MAX];

	(void)s;
	if (ev->mask & IN_IGNORED) {
		/* the directory went; its parent's IN_DELETE may not come first */
		snprintf(child, sizeof(child), "%s", w->path);
		drop_tree(ctx, child);
		return 0;
	}
	if (ev->mask & IN_Q_OVERFLOW) {
		/* events were lost: look at the children again */
		add_tree(ctx, w->path, false);
		return 0;
	}
	if (!ev->len)
		return 0;
	if ((ev->mask & IN_MODIFY) && !strcmp(ev->name, "cgroup.subtree_control")) {
		/* the children's ioasids files came or went */
		add_tree(ctx, w->path, false);
		return 0;
	}
	if (!(ev->mask & IN_ISDIR) ||
	    snprintf(child, sizeof(child), "%s/%s", strcmp(w->path, "/") ? w->path : "",
		     ev->name) >= (int)sizeof(child))
		return 0;
	if (ev->mask & IN_CREATE)
		add_tree(ctx, child, true);
	else if (ev->mask & IN_DELETE)
		drop_tree(ctx, child);
	return 0;
}

static int add_one(const char *path, int depth, void *data)
{
	struct watch_ctx *ctx = data;
	struct watched *w = find(ctx, path);
	char dir[PATH_MAX + 64];
	int ret;

	(void)depth;
	if (!w) {
		w = calloc(1, sizeof(*w) + strlen(path) + 1);
		if (!w)
			return -ENOMEM;
		strcpy(w->path, path);
		w->ctx = ctx;
		full_path(dir, sizeof(dir), path, NULL);
		/* the directory's watch first: what is made in it after is seen */
		ret = sd_event_add_inotify(ctx->e, &w->dir, dir,
					   IN_CREATE | IN_DELETE | IN_MODIFY | IN_ONLYDIR,
					   on_dir, w);
		if (ret < 0) {
			free(w);
			return ret == -ENOENT ? 0 : ret;	/* gone meanwhile */
		}
		w->next = ctx->list;
		ctx->list = w;
	}
	return sync_file(w, ctx->fresh);
}

/* Watch @path and, if @recursive, every cgroup below it; else its children. */
static int add_tree(struct watch_ctx *ctx, const char *path, bool recursive)
{
	int ret = cgx_walk(path, recursive, add_one, ctx);

	if (ret == -ENOENT && ctx->fresh)
		return 0;	/* made and removed before we looked */
	if (ret < 0 && ctx->fresh) {
		fprintf(stderr, "ioasidctl: watch: %s: %s\n", path, strerror(-ret));
		if (!ctx->err)
			ctx->err = ret;
		sd_event_exit(ctx->e, EXIT_FAIL);
	}
	return ret;
}

static void free_all(struct watch_ctx *ctx)
{
	drop_tree(ctx, "");
}

int watch_run(char **cgroups, int n)
{
	_cleanup_(event_unrefp) sd_event *e = NULL;
	struct watch_ctx ctx = { 0 };
	char *all = "/";
	int ret;

	ret = loop_new(&e);
	if (ret < 0) {
		fprintf(stderr, "ioasidctl: watch: %s\n", strerror(-ret));
		return EXIT_FAIL;
	}
	ctx.e = e;
	if (n == 0) {
		cgroups = &all;
		n = 1;
	}
	for (int i = 0; i < n; i++) {
		ret = cgx_exists(cgroups[i]);
		if (!ret)
			ret = add_tree(&ctx, cgroups[i], true);
		if (ret) {
			fprintf(stderr, "ioasidctl: %s: %s\n", cgroups[i], strerror(-ret));
			free_all(&ctx);
			return ret == -ENOENT ? EXIT_NOTFOUND : EXIT_FAIL;
		}
	}
	ctx.fresh = true;
	fprintf(stderr, "ioasidctl: watching %zu cgroup%s, and those made below; Ctrl-C to stop\n",
		ctx.files, ctx.files == 1 ? "" : "s");
	ret = sd_event_loop(e);
	free_all(&ctx);
	if (ret < 0) {
		fprintf(stderr, "ioasidctl: watch: %s\n", strerror(-ret));
		return EXIT_FAIL;
	}
	return ctx.err ? EXIT_FAIL : EXIT_OK;
}
