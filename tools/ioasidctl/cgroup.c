// SPDX-License-Identifier: GPL-2.0
/* ioasidctl: the ioasids files of a cgroup, through libcgroup. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <libcgroup.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

static char mount_point[PATH_MAX];

static void cgroupp(struct cgroup **cg)
{
	if (*cg)
		cgroup_free(cg);
}

#define _cleanup_cgroup_ _cleanup_(cgroupp)

/* libcgroup's status as -errno */
static int cg_errno(int ret)
{
	switch (ret) {
	case 0:
		return 0;
	case ECGROUPNOTEXIST:
		return -ENOENT;
	case ECGROUPNOTOWNER:
	case ECGROUPNOTALLOWED:
		return -EACCES;
	case ECGOTHER:
	case ECGROUPVALUENOTEXIST:
	default: {
		int e = cgroup_get_last_errno();

		return e ? -e : -EIO;
	}
	}
}

const char *cgx_mount(void)
{
	return mount_point;
}

int cgx_init(void)
{
	_cleanup_cgroup_ struct cgroup *root = NULL;
	char *mnt = NULL;
	int ret;

	ret = cgroup_init();
	if (ret == ECGROUPNOTMOUNTED)
		return -ENODEV;
	if (ret)
		return cg_errno(ret);
	/* the controller shows at the root once the kernel has it */
	ret = cgroup_get_subsys_mount_point("ioasids", &mnt);
	if (ret || !mnt)
		return -ENODEV;
	snprintf(mount_point, sizeof(mount_point), "%s", mnt);
	free(mnt);
	return 0;
}

int cgx_exists(const char *path)
{
	char full[PATH_MAX];
	struct stat st;

	if (snprintf(full, sizeof(full), "%s/%s", mount_point, path) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	if (stat(full, &st) || !S_ISDIR(st.st_mode))
		return -ENOENT;
	return 0;
}

int cgx_create(const char *path)
{
	char full[PATH_MAX];
	size_t base = strlen(mount_point);

	if (snprintf(full, sizeof(full), "%s%s", mount_point, path) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	/*
	 * mkdir(2) itself: libcgroup 2.0.2's cgroup_create_cgroup() fails with
	 * ENOENT for a nested cgroup v2 path ("/a/b") where "/a" does not exist.
	 */
	for (char *p = full + base + 1; ; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(full, 0755) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			return 0;
	}
}

/*
 * One line of an ioasids file of @path, through libcgroup, without the
 * newline. -EMEDIUMTYPE when the file is not there: the controller is not
 * enabled for @path (libcgroup lists it either way; only the files tell).
 *
 * One file at a time, not cgroup_get_cgroup(): that reads every file of
 * every controller of the cgroup, and made "show -r" over 111 cgroups 5.6
 * times slower than cgget reading two files each.
 */
static int read_line(const char *path, const char *name, char *buf, int len)
{
	void *h = NULL;
	int ret;

	buf[0] = '\0';
	ret = cgroup_read_value_begin("ioasids", path, (char *)name, &h, buf, len);
	if (h)
		cgroup_read_value_end(&h);
	if (ret && ret != ECGEOF)
		return ret == ECGOTHER && cgroup_get_last_errno() == ENOENT ? -EMEDIUMTYPE :
			cg_errno(ret);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int64_t num(const char *path, const char *name)
{
	char buf[64];

	if (read_line(path, name, buf, sizeof(buf)))
		return -1;
	/* "max N" in ioasids.events */
	return strtoll(strncmp(buf, "max ", 4) ? buf : buf + 4, NULL, 10);
}

/* A libcgroup handle for an existing cgroup; 0 or -errno. */
static int open_cgroup(const char *path, struct cgroup **cg)
{
	int ret = cgx_exists(path);

	if (ret)
		return ret;
	*cg = cgroup_new_cgroup(path);
	return *cg ? 0 : -ENOMEM;
}

int cgx_read(const char *path, struct ioasids_stat *st)
{
	char cur[32];
	int ret;

	/* the cgroup's existence is asked only when the read fails: one syscall less each */
	ret = read_line(path, "ioasids.current", cur, sizeof(cur));
	if (ret == -EMEDIUMTYPE && cgx_exists(path))
		ret = -ENOENT;
	if (ret)
		return ret;
	memset(st, 0, sizeof(*st));
	st->current = strtoll(cur, NULL, 10);
	if (read_line(path, "ioasids.max", st->max, sizeof(st->max)))
		st->max[0] = '\0';
	st->peak = num(path, "ioasids.peak");
	st->events = num(path, "ioasids.events");
	st->events_local = -1;
	return 0;
}

int64_t cgx_events_local(const char *path)
{
	return num(path, "ioasids.events.local");
}

int cgx_set_max(const char *path, const char *value)
{
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	struct cgroup_controller *c;
	int ret;

	ret = open_cgroup(path, &cg);
	if (ret)
		return ret;
	c = cgroup_add_controller(cg, "ioasids");
	if (!c || cgroup_add_value_string(c, "ioasids.max", value))
		return -ENOMEM;
	ret = cgroup_modify_cgroup(cg);
	if (ret && cgroup_get_last_errno() == 0) {
		/* libcgroup does not always say why a write failed: ask */
		char file[PATH_MAX];

		if (snprintf(file, sizeof(file), "%s/%s/ioasids.max", mount_point,
			     path) < (int)sizeof(file) &&
		    access(file, W_OK) && (errno == EACCES || errno == EPERM))
			return -errno;
	}
	return cg_errno(ret);
}

/* Is ioasids in @path's parent's cgroup.subtree_control? 1, 0 or -errno. */
static int has_files(const char *path)
{
	struct ioasids_stat st;
	int ret = cgx_read(path, &st);

	return ret == -EMEDIUMTYPE ? 0 : ret ? ret : 1;
}

static int enable_below(const char *dir)
{
	_cleanup_cgroup_ struct cgroup *cg = cgroup_new_cgroup(dir);
	struct cgroup_controller *c;

	if (!cg)
		return -ENOMEM;
	c = cgroup_add_controller(cg, "cgroup");
	if (!c || cgroup_add_value_string(c, "cgroup.subtree_control", "+ioasids"))
		return -ENOMEM;
	return cg_errno(cgroup_modify_cgroup(cg));
}

int cgx_enable_below(const char *path, void (*note)(const char *cgroup))
{
	_cleanup_free_ char *line = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	char file[PATH_MAX];
	size_t n = 0;
	int ret;

	if (snprintf(file, sizeof(file), "%s%s/cgroup.subtree_control", mount_point,
		     strcmp(path, "/") ? path : "") >= (int)sizeof(file))
		return -ENAMETOOLONG;
	f = fopen(file, "re");
	if (!f)
		return -errno;
	if (getline(&line, &n, f) > 0) {
		for (char *w = strtok(line, " \n"); w; w = strtok(NULL, " \n"))
			if (!strcmp(w, "ioasids"))
				return 0;
	}
	ret = enable_below(path);
	if (!ret && note)
		note(path);
	return ret;
}

int cgx_enable_above(const char *path, void (*note)(const char *cgroup))
{
	char dir[PATH_MAX];
	size_t n;
	int ret;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	/*
	 * For "/a/b/c", from the top: the child "/a" tells whether "/" has
	 * ioasids in its subtree_control, "/a/b" whether "/a" has, and so on.
	 */
	for (n = 1; dir[n - 1]; n++) {
		char saved, parent[PATH_MAX];

		while (dir[n] && dir[n] != '/')
			n++;
		saved = dir[n];
		dir[n] = '\0';
		ret = has_files(dir);
		if (ret == 0) {
			snprintf(parent, sizeof(parent), "%s", dir);
			*strrchr(parent, '/') = '\0';
			ret = enable_below(parent[0] ? parent : "/");
			if (ret)
				return ret;
			if (note)
				note(parent[0] ? parent : "/");
		}
		if (ret < 0)
			return ret;
		dir[n] = saved;
		if (!saved)
			break;
	}
	return 0;
}

int cgx_root(uint64_t *capacity, uint64_t *in_use)
{
	int64_t cap = num("/", "ioasids.capacity");

	if (cap < 0)
		return -ENODEV;
	*capacity = (uint64_t)cap;
	*in_use = (uint64_t)num("/", "ioasids.current");
	return 0;
}

struct enabled_ctx {
	char *list;
	size_t len;
};

/* Is @item one of the newline-terminated lines of @list? */
static bool has_line(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *l = list; l && *l; l = strchr(l, '\n') + 1)
		if (!strncmp(l, item, n) && l[n] == '\n')
			return true;
	return false;
}

/* A cgroup with the ioasids files: its parent has the controller enabled. */
static int add_parent(const char *path, int depth, void *data)
{
	struct enabled_ctx *ctx = data;
	char parent[PATH_MAX], *l;
	const char *p;
	size_t n;
	int ret;

	(void)depth;
	if (!strcmp(path, "/"))
		return 0;
	ret = has_files(path);
	if (ret <= 0)
		return ret;
	snprintf(parent, sizeof(parent), "%s", path);
	*strrchr(parent, '/') = '\0';
	p = parent[0] ? parent : "/";
	/* siblings share a parent: list it once */
	if (has_line(ctx->list, p))
		return 0;
	n = strlen(p);
	l = realloc(ctx->list, ctx->len + n + 2);
	if (!l)
		return -ENOMEM;
	memcpy(l + ctx->len, p, n);
	l[ctx->len + n] = '\n';
	l[ctx->len + n + 1] = '\0';
	ctx->list = l;
	ctx->len += n + 1;
	return 0;
}

int cgx_enabled_in(char **list)
{
	struct enabled_ctx ctx = { 0 };
	int ret = cgx_walk("/", true, add_parent, &ctx);

	if (ret) {
		free(ctx.list);
		return ret;
	}
	if (ctx.len)
		ctx.list[ctx.len - 1] = '\0';	/* no trailing newline */
	*list = ctx.list ? ctx.list : strdup("");
	return *list ? 0 : -ENOMEM;
}

static int only_dirs(const struct dirent *e)
{
	return e->d_type == DT_DIR && e->d_name[0] != '.';
}

/*
 * @rel (relative to the mount, "/" for the root) and, with @recursive, its
 * subtree, parents before children and siblings in name order.
 *
 * Not libcgroup's cgroup_walk_tree_begin(): its fts stats every file of
 * every cgroup (24 newfstatat calls per cgroup, measured with strace), and
 * made "show -r" of 931 cgroups take 2.3 s where reading the same cgroups
 * one by one took 1.1 s. d_type from getdents says which entries are
 * directories without a stat.
 */
static int walk(char *rel, size_t len, int depth, bool recursive,
		int (*cb)(const char *path, int depth, void *data), void *data)
{
	char full[PATH_MAX];
	struct dirent **ents;
	int n, ret;

	ret = cb(rel, depth, data);
	if (ret || (!recursive && depth > 0))
		return ret;
	if (snprintf(full, sizeof(full), "%s%s", mount_point, rel) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	n = scandir(full, &ents, only_dirs, alphasort);
	if (n < 0)
		return depth ? 0 : -errno;	/* removed under us: skip it */
	for (int i = 0; i < n; i++) {
		size_t add = strlen(ents[i]->d_name) + (len > 1);

		if (!ret && len + add < PATH_MAX) {
			snprintf(rel + len, PATH_MAX - len, "%s%s", len > 1 ? "/" : "",
				 ents[i]->d_name);
			ret = walk(rel, len + add, depth + 1, recursive, cb, data);
			rel[len] = '\0';
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

int cgx_walk(const char *path, bool recursive,
	     int (*cb)(const char *path, int depth, void *data), void *data)
{
	char rel[PATH_MAX];
	int ret = cgx_exists(path);

	if (ret)
		return ret;
	snprintf(rel, sizeof(rel), "%s", path);
	return walk(rel, strlen(rel), 0, recursive, cb, data);
}
