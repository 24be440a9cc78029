// SPDX-License-Identifier: GPL-2.0
/*
 * ioasidctl watch: one line, with time and cgroup (and the unit, libvirt
 * domain or pod it belongs to), each time a limit refuses an allocation.
 * Every watched cgroup's ioasids.events.local, which counts refusals by
 * that cgroup's own ioasids.max, is an inotify source of one sd-event loop;
 * the kernel notifies on every refusal.
 *
 * The tree is followed: each cgroup directory is an inotify source too.
 * A directory made under it (mkdir(2) notifies IN_CREATE) is watched from
 * then on, one removed (IN_DELETE) is dropped, and a write to its
 * cgroup.subtree_control (IN_MODIFY), which adds or removes the ioasids
 * files of its children, makes the children be looked at again. The
 * parent of each cgroup named on the command line is watched for that
 * name alone, so that a named cgroup made again (a unit's, at a restart)
 * is followed too. Refusals counted by a cgroup that appeared after the
 * start all happened after it, so each is reported, even one made before
 * the watch on it was in place. A lost event (the inotify queue
 * overflowed) makes everything be looked at again.
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
#include <sys/resource.h>
#include <sys/stat.h>
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
	ino_t file_ino;		/* the file's inode: a new one is a new file */
	int64_t seen;		/* events.local when last read */
	const char *only;	/* a named cgroup's parent: that child alone */
	char path[];		/* relative to the mount: "/" or "/a/b" */
};

struct watch_ctx {
	sd_event *e;
	struct watched *list;
	char **args;		/* the cgroups named, or "/" */
	int nargs;
	size_t files;		/* cgroups with a file source */
	bool fresh;		/* cgroups found now appeared after the start */
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

static int sync_file(struct watched *w, bool fresh);

static int on_modify(sd_event_source *s, const struct inotify_event *ev, void *data)
{
	struct watched *w = data;

	(void)s;
	if (ev->mask & IN_IGNORED) {
		/* the file went (the controller was disabled above): look again */
		sync_file(w, true);
		return 0;
	}
	report(w);
	return 0;
}

/* @path's directory, or a file in it, under the mount; false if too long */
static bool full_path(char *buf, size_t size, const char *path, const char *file)
{
	return snprintf(buf, size, "%s%s%s%s", cgx_mount(), strcmp(path, "/") ? path : "",
			file ? "/" : "", file ? file : "") < (int)size;
}

/* Errors that end the watch: the others skip the one cgroup they hit. */
static bool fatal(int err)
{
	return err == -ENOMEM || err == -EMFILE || err == -ENFILE || err == -ENOSPC;
}

static void skipped(const char *path, int err)
{
	fprintf(stderr, "ioasidctl: watch: %s: %s%s; not watched\n", path, strerror(-err),
		err == -ENOSPC ? " (the inotify watches of this user are used up: "
		"fs.inotify.max_user_watches)" : "");
}

/*
 * Give @w a file source if its cgroup has the controller's files now, or
 * take it away if they went or were made anew (a new inode: the
 * controller disabled and enabled again). The root has no limit to
 * refuse with. The watch is in place before the count is read, so no
 * refusal falls between the two.
 */
static int sync_file(struct watched *w, bool fresh)
{
	char file[PATH_MAX + 64];
	struct stat st;
	int ret;

	if (!strcmp(w->path, "/") || w->only)
		return 0;
	if (!full_path(file, sizeof(file), w->path, "ioasids.events.local"))
		return 0;
	ret = stat(file, &st) ? -errno : 0;
	if (w->file && (ret || st.st_ino != w->file_ino)) {
		w->file = sd_event_source_disable_unref(w->file);
		w->ctx->files--;
		fresh = true;	/* a new file counts from 0 */
	}
	if (ret || w->file)
		return 0;
	ret = sd_event_add_inotify(w->ctx->e, &w->file, file, IN_MODIFY, on_modify, w);
	if (ret < 0) {
		if (ret == -ENOENT)
			return 0;	/* gone meanwhile */
		if (fatal(ret))
			return ret;
		skipped(w->path, ret);
		return 0;
	}
	w->file_ino = st.st_ino;
	w->ctx->files++;
	w->seen = fresh ? 0 : cgx_events_local(w->path);
	if (fresh)
		report(w);
	return 0;
}

static struct watched *find(struct watch_ctx *ctx, const char *path)
{
	for (struct watched *w = ctx->list; w; w = w->next)
		if (!w->only && !strcmp(w->path, path))
			return w;
	return NULL;
}

static void drop(struct watch_ctx *ctx, struct watched **p)
{
	struct watched *w = *p;

	*p = w->next;
	if (w->file)
		ctx->files--;
	sd_event_source_disable_unref(w->file);
	sd_event_source_disable_unref(w->dir);
	free(w);
}

static void drop_all(struct watch_ctx *ctx)
{
	while (ctx->list)
		drop(ctx, &ctx->list);
}

/* Drop @path and every cgroup below it ("" for all); never the anchors. */
static void drop_tree(struct watch_ctx *ctx, const char *path)
{
	size_t len;

	if (!strcmp(path, "/"))
		path = "";
	len = strlen(path);
	for (struct watched **p = &ctx->list; *p;) {
		struct watched *w = *p;

		if (w->only || strncmp(w->path, path, len) || (w->path[len] && w->path[len] != '/'))
			p = &w->next;
		else
			drop(ctx, p);
	}
}

static int add_tree(struct watch_ctx *ctx, const char *path, bool recursive);
static void rescan(struct watch_ctx *ctx);

static int on_dir(sd_event_source *s, const struct inotify_event *ev, void *data)
{
	struct watched *w = data;
	struct watch_ctx *ctx = w->ctx;
	char child[PATH_MAX];

	(void)s;
	if (ev->mask & IN_Q_OVERFLOW) {
		rescan(ctx);
		return 0;
	}
	if (ev->mask & IN_IGNORED) {
		/* the directory went; its parent's IN_DELETE may not come first */
		if (!w->only) {
			snprintf(child, sizeof(child), "%s", w->path);
			drop_tree(ctx, child);
		}
		return 0;
	}
	if (!ev->len || (w->only && strcmp(ev->name, w->only) &&
			 strcmp(ev->name, "cgroup.subtree_control")))
		return 0;
	if (snprintf(child, sizeof(child), "%s/%s", strcmp(w->path, "/") ? w->path : "",
		     w->only && !(ev->mask & IN_ISDIR) ? w->only : ev->name) >= (int)sizeof(child))
		return 0;
	if ((ev->mask & IN_MODIFY) && !strcmp(ev->name, "cgroup.subtree_control")) {
		/* the children's ioasids files came or went */
		if (w->only)
			add_tree(ctx, child, false);
		else
			add_tree(ctx, w->path, false);
		return 0;
	}
	if (!(ev->mask & IN_ISDIR))
		return 0;
	if (ev->mask & IN_CREATE)
		add_tree(ctx, child, true);
	else if (ev->mask & IN_DELETE)
		drop_tree(ctx, child);
	return 0;
}

/* A watch on @path's directory: a cgroup of the tree, or a named one's parent */
static int watch_dir(struct watch_ctx *ctx, const char *path, const char *only,
		     struct watched **out)
{
	char dir[PATH_MAX + 64];
	struct watched *w;
	int ret;

	*out = NULL;
	if (!full_path(dir, sizeof(dir), path, NULL)) {
		skipped(path, -ENAMETOOLONG);
		return 0;
	}
	w = calloc(1, sizeof(*w) + strlen(path) + 1);
	if (!w)
		return -ENOMEM;
	strcpy(w->path, path);
	w->ctx = ctx;
	w->only = only;
	ret = sd_event_add_inotify(ctx->e, &w->dir, dir,
				   IN_CREATE | IN_DELETE | IN_MODIFY | IN_ONLYDIR, on_dir, w);
	if (ret < 0) {
		free(w);
		if (ret == -ENOENT)
			return 0;	/* gone meanwhile */
		if (fatal(ret))
			return ret;
		skipped(path, ret);
		return 0;
	}
	w->next = ctx->list;
	ctx->list = w;
	*out = w;
	return 0;
}

static int add_one(const char *path, int depth, void *data)
{
	struct watch_ctx *ctx = data;
	struct watched *w = find(ctx, path);
	int ret;

	(void)depth;
	if (!w) {
		/* the directory's watch first: what is made in it after is seen */
		ret = watch_dir(ctx, path, NULL, &w);
		if (ret || !w)
			return ret;
	}
	return sync_file(w, ctx->fresh);
}

/*
 * Watch @path and, if @recursive, every cgroup below it; else @path and
 * its children.
 * Only running out of memory, files or inotify watches is an error: a
 * cgroup that cannot be read is said and skipped.
 */
static int add_tree(struct watch_ctx *ctx, const char *path, bool recursive)
{
	int ret = cgx_walk(path, recursive, add_one, ctx);

	if (ret == -ENOENT)
		return 0;	/* made and removed before we looked */
	if (ret < 0 && !fatal(ret)) {
		skipped(path, ret);
		return 0;
	}
	if (ret < 0 && ctx->fresh) {
		fprintf(stderr, "ioasidctl: watch: %s: %s\n", path, strerror(-ret));
		sd_event_exit(ctx->e, EXIT_FAIL);
	}
	return ret;
}

/* After lost events: drop what went, then walk every named tree again. */
static void rescan(struct watch_ctx *ctx)
{
	for (struct watched **p = &ctx->list; *p;) {
		if (!(*p)->only && cgx_exists((*p)->path))
			drop(ctx, p);
		else
			p = &(*p)->next;
	}
	for (int i = 0; i < ctx->nargs; i++)
		add_tree(ctx, ctx->args[i], true);
}

/* Each named cgroup's parent, watched for that name alone. */
static int watch_anchor(struct watch_ctx *ctx, const char *path)
{
	char parent[PATH_MAX];
	const char *slash;
	struct watched *w;

	if (!strcmp(path, "/") || !(slash = strrchr(path, '/')) || !slash[1])
		return 0;
	snprintf(parent, sizeof(parent), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return watch_dir(ctx, parent, slash + 1, &w);
}

/* One watch per cgroup needs a file descriptor each while the walk runs. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int watch_run(char **cgroups, int n)
{
	_cleanup_(event_unrefp) sd_event *e = NULL;
	struct watch_ctx ctx = { 0 };
	char *all = "/";
	int ret;

	raise_nofile();
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
	ctx.args = cgroups;
	ctx.nargs = n;
	for (int i = 0; i < n; i++) {
		ret = cgx_exists(cgroups[i]);
		if (!ret)
			ret = watch_anchor(&ctx, cgroups[i]);
		if (!ret)
			ret = add_tree(&ctx, cgroups[i], true);
		if (ret) {
			fprintf(stderr, "ioasidctl: %s: %s\n", cgroups[i], strerror(-ret));
			drop_all(&ctx);
			return ret == -ENOENT ? EXIT_NOTFOUND : EXIT_FAIL;
		}
	}
	ctx.fresh = true;
	fprintf(stderr, "ioasidctl: watching %zu cgroup%s, and those made below; Ctrl-C to stop\n",
		ctx.files, ctx.files == 1 ? "" : "s");
	ret = sd_event_loop(e);
	drop_all(&ctx);
	if (ret < 0) {
		fprintf(stderr, "ioasidctl: watch: %s\n", strerror(-ret));
		return EXIT_FAIL;
	}
	return ret ? EXIT_FAIL : EXIT_OK;
}
