// SPDX-License-Identifier: GPL-2.0
/*
 * What a user sees of the ioasids controller and /dev/ioasid: cgroupfs
 * files, limits at every level, events, migration, rmdir, the uAPI's error
 * cases. Runs as root in the booted test kernel, on cgroup v2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ioasid.h>

#include "../kselftest_harness.h"
#include "cgroup_util.h"

#define DEV "/dev/ioasid"
#define IOASID_CAPACITY_MAX ((1U << 20) - 1)

/* ---- small helpers ------------------------------------------------------ */

/* @cg/@file into @buf (PATH_MAX bytes); a path too long is a bug here. */
static char *cg_path(char *buf, const char *cg, const char *file)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", cg, file) >= PATH_MAX)
		abort();
	return buf;
}

/* Write @len bytes in one write(); 0 or -errno. */
static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

static int cg_set(const char *cg, const char *file, const char *val)
{
	char path[PATH_MAX];

	return write_file(cg_path(path, cg, file), val, strlen(val));
}

/* The value after "max " in ioasids.events[.local] */
static long cg_events(const char *cg, const char *file)
{
	return cg_read_key_long(cg, file, "max ");
}

static int dev_open(void)
{
	return open(DEV, O_RDWR | O_CLOEXEC);
}

static int id_alloc_range(int fd, unsigned int min, unsigned int max,
			  unsigned int *id)
{
	struct ioasid_alloc a = { .argsz = sizeof(a), .min = min, .max = max };

	if (ioctl(fd, IOASID_ALLOC, &a))
		return -errno;
	if (id)
		*id = a.id;
	return 0;
}

static int id_alloc(int fd, unsigned int *id)
{
	return id_alloc_range(fd, 0, 0, id);
}

static int id_free(int fd, unsigned int id)
{
	struct ioasid_free f = { .argsz = sizeof(f), .id = id };

	return ioctl(fd, IOASID_FREE, &f) ? -errno : 0;
}

static struct ioasid_info dev_info(void)
{
	struct ioasid_info info = { .argsz = sizeof(info) };
	int fd = dev_open();

	if (fd >= 0) {
		if (ioctl(fd, IOASID_GET_INFO, &info))
			info.capacity = 0;
		close(fd);
	}
	return info;
}

/*
 * A worker: a child process that enters a cgroup, opens /dev/ioasid and
 * then does what the test tells it over a pipe, so a test can allocate in
 * one cgroup, migrate the worker, and free later.
 */
struct worker {
	pid_t pid;
	int cmd;	/* write end */
	int res;	/* read end */
};

struct wcmd {
	char op;	/* 'a' alloc, 'r' alloc in [arg-1, arg], 'f' free, */
			/* 'c' close, 'o' reopen */
	unsigned int arg;
};

static void worker_main(const char *cg, int cmd, int res)
{
	struct wcmd c;
	int fd, r;

	if (cg_enter_current(cg))
		_exit(1);
	fd = dev_open();
	r = fd < 0 ? -errno : 0;
	if (write(res, &r, sizeof(r)) != sizeof(r))
		_exit(1);

	while (read(cmd, &c, sizeof(c)) == sizeof(c)) {
		unsigned int id = 0;

		switch (c.op) {
		case 'a':
			r = id_alloc(fd, &id);
			if (!r)
				r = (int)id;
			break;
		case 'r':
			r = id_alloc_range(fd, c.arg - 1, c.arg, &id);
			if (!r)
				r = (int)id;
			break;
		case 'f':
			r = id_free(fd, c.arg);
			break;
		case 'c':
			r = close(fd) ? -errno : 0;
			fd = -1;
			break;
		case 'o':
			fd = dev_open();
			r = fd < 0 ? -errno : 0;
			break;
		default:
			r = -EINVAL;
		}
		if (write(res, &r, sizeof(r)) != sizeof(r))
			_exit(1);
	}
	_exit(0);
}

/* Start a worker in @cg; 0 once it has opened the device, else -errno. */
static int worker_start(struct worker *w, const char *cg)
{
	int cmd[2], res[2], r;

	if (pipe2(cmd, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		return -errno;
	w->pid = fork();
	if (w->pid < 0)
		return -errno;
	if (w->pid == 0) {
		close(cmd[1]);
		close(res[0]);
		worker_main(cg, cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	w->cmd = cmd[1];
	w->res = res[0];
	if (read(w->res, &r, sizeof(r)) != sizeof(r))
		return -EIO;
	return r;
}

static int worker_do(struct worker *w, char op, unsigned int arg)
{
	struct wcmd c = { .op = op, .arg = arg };
	int r;

	if (write(w->cmd, &c, sizeof(c)) != sizeof(c))
		return -EIO;
	if (read(w->res, &r, sizeof(r)) != sizeof(r))
		return -EIO;
	return r;
}

/* Allocate one ID; the ID (> 0) or -errno. */
static int worker_alloc(struct worker *w)
{
	return worker_do(w, 'a', 0);
}

static void worker_kill(struct worker *w)
{
	if (w->pid <= 0)
		return;
	close(w->cmd);
	close(w->res);
	kill(w->pid, SIGKILL);
	waitpid(w->pid, NULL, 0);
	w->pid = 0;
}

/* Graceful exit without closing the device: the process dies holding it. */
static void worker_exit(struct worker *w)
{
	close(w->cmd);
	close(w->res);
	waitpid(w->pid, NULL, 0);
	w->pid = 0;
}

/* ---- the fixture: <root>/ioasid_test.PID/{A, A/B, A/B/C, A/B/D} ------------ */

/*
 * The tests that race or loop thousands of times take minutes, not the
 * harness's default 30 s, on a debug kernel under QEMU's TCG with more
 * vCPUs than the host has cores and a build beside it. Their timeout only
 * catches a hang.
 */
#define RACE_TIMEOUT 300

FIXTURE(cg)
{
	char root[PATH_MAX];
	char *top, *a, *b, *c, *d;
	struct worker w[2];
	unsigned int in_use_start;
};

FIXTURE_SETUP(cg)
{
	char name[64];

	ASSERT_EQ(0, cg_find_unified_root(self->root, sizeof(self->root), NULL))
		TH_LOG("cgroup v2 is not mounted");
	ASSERT_EQ(0, cg_set(self->root, "cgroup.subtree_control", "+ioasids"))
		TH_LOG("the ioasids controller cannot be enabled");

	snprintf(name, sizeof(name), "ioasid_test.%d", getpid());
	self->top = cg_name(self->root, name);
	self->a = cg_name(self->top, "A");
	self->b = cg_name(self->a, "B");
	self->c = cg_name(self->b, "C");
	self->d = cg_name(self->b, "D");
	ASSERT_EQ(0, cg_create(self->top));
	ASSERT_EQ(0, cg_set(self->top, "cgroup.subtree_control", "+ioasids"));
	ASSERT_EQ(0, cg_create(self->a));
	ASSERT_EQ(0, cg_set(self->a, "cgroup.subtree_control", "+ioasids"));
	ASSERT_EQ(0, cg_create(self->b));
	ASSERT_EQ(0, cg_set(self->b, "cgroup.subtree_control", "+ioasids"));
	ASSERT_EQ(0, cg_create(self->c));
	ASSERT_EQ(0, cg_create(self->d));
	memset(self->w, 0, sizeof(self->w));
	self->in_use_start = dev_info().in_use;
}

FIXTURE_TEARDOWN(cg)
{
	worker_kill(&self->w[0]);
	worker_kill(&self->w[1]);
	cg_destroy(self->c);
	cg_destroy(self->d);
	cg_destroy(self->b);
	cg_destroy(self->a);
	cg_destroy(self->top);
}

/* ---- files --------------------------------------------------------------- */

TEST_F(cg, root_files)
{
	struct ioasid_info info = dev_info();
	char path[PATH_MAX];

	ASSERT_NE(0, info.capacity);
	EXPECT_EQ(info.capacity, cg_read_long(self->root, "ioasids.capacity"));
	EXPECT_EQ(info.in_use, cg_read_long(self->root, "ioasids.current"));
	cg_path(path, self->root, "ioasids.max");
	EXPECT_NE(0, access(path, F_OK));
	cg_path(path, self->a, "ioasids.capacity");
	EXPECT_NE(0, access(path, F_OK));
}

TEST_F(cg, default_max)
{
	EXPECT_EQ(0, cg_read_strcmp(self->c, "ioasids.max", "max\n"));
	EXPECT_EQ(0, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(0, cg_read_long(self->c, "ioasids.peak"));
	EXPECT_EQ(0, cg_read_strcmp(self->c, "ioasids.events", "max 0\n"));
	EXPECT_EQ(0, cg_read_strcmp(self->c, "ioasids.events.local", "max 0\n"));
}

/* The limit holds wherever it is set: on the leaf, its parent, its grandparent. */
TEST_F(cg, limit_at_each_level)
{
	const char *levels[] = { self->c, self->b, self->a };
	int l, i;

	for (l = 0; l < 3; l++) {
		ASSERT_EQ(0, cg_set(levels[l], "ioasids.max", "3"));
		ASSERT_EQ(0, worker_start(&self->w[0], self->c));
		for (i = 0; i < 3; i++)
			ASSERT_LT(0, worker_alloc(&self->w[0])) TH_LOG("level %d", l);
		EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[0])) TH_LOG("level %d", l);
		EXPECT_EQ(3, cg_read_long(self->a, "ioasids.current"));
		EXPECT_EQ(3, cg_read_long(self->b, "ioasids.current"));
		EXPECT_EQ(3, cg_read_long(self->c, "ioasids.current"));
		EXPECT_EQ(1, cg_events(levels[l], "ioasids.events.local"));
		worker_kill(&self->w[0]);
		EXPECT_EQ(0, cg_read_long(self->a, "ioasids.current"));
		ASSERT_EQ(0, cg_set(levels[l], "ioasids.max", "max"));
	}
	EXPECT_EQ(self->in_use_start, dev_info().in_use);
}

/* Siblings share their parent's limit; an unlimited sibling elsewhere does not. */
TEST_F(cg, siblings_share_parent_limit)
{
	ASSERT_EQ(0, cg_set(self->b, "ioasids.max", "3"));
	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	ASSERT_EQ(0, worker_start(&self->w[1], self->d));
	ASSERT_LT(0, worker_alloc(&self->w[0]));
	ASSERT_LT(0, worker_alloc(&self->w[1]));
	ASSERT_LT(0, worker_alloc(&self->w[1]));
	EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[0]));
	EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[1]));
	EXPECT_EQ(1, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(2, cg_read_long(self->d, "ioasids.current"));
	EXPECT_EQ(3, cg_read_long(self->b, "ioasids.current"));
}

TEST_F(cg, max_is_read_back)
{
	EXPECT_EQ(0, cg_set(self->c, "ioasids.max", "42\n"));
	EXPECT_EQ(0, cg_read_strcmp(self->c, "ioasids.max", "42\n"));
	EXPECT_EQ(0, cg_set(self->c, "ioasids.max", "0"));
	EXPECT_EQ(0, cg_read_strcmp(self->c, "ioasids.max", "0\n"));
	EXPECT_EQ(0, cg_set(self->c, "ioasids.max", "1048575"));
	EXPECT_EQ(0, cg_read_strcmp(self->c, "ioasids.max", "1048575\n"));
	EXPECT_EQ(0, cg_set(self->c, "ioasids.max", "max"));
	EXPECT_EQ(0, cg_read_strcmp(self->c, "ioasids.max", "max\n"));
}

TEST_F(cg, peak)
{
	int ids[5], i;

	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	for (i = 0; i < 5; i++) {
		ids[i] = worker_alloc(&self->w[0]);
		ASSERT_LT(0, ids[i]);
	}
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, worker_do(&self->w[0], 'f', ids[i]));
	EXPECT_EQ(2, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(5, cg_read_long(self->c, "ioasids.peak"));
	EXPECT_EQ(5, cg_read_long(self->a, "ioasids.peak"));
	/* a refusal higher up is not a peak below */
	ASSERT_EQ(0, cg_set(self->b, "ioasids.max", "2"));
	EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[0]));
	EXPECT_EQ(5, cg_read_long(self->c, "ioasids.peak"));
	EXPECT_EQ(0, cg_read_long(self->d, "ioasids.peak"));
}

/* events counts at the refusing level and above; events.local only there. */
TEST_F(cg, events_and_events_local)
{
	ASSERT_EQ(0, cg_set(self->b, "ioasids.max", "1"));
	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	ASSERT_LT(0, worker_alloc(&self->w[0]));
	EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[0]));
	EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[0]));

	EXPECT_EQ(0, cg_events(self->c, "ioasids.events"));
	EXPECT_EQ(0, cg_events(self->c, "ioasids.events.local"));
	EXPECT_EQ(2, cg_events(self->b, "ioasids.events"));
	EXPECT_EQ(2, cg_events(self->b, "ioasids.events.local"));
	EXPECT_EQ(2, cg_events(self->a, "ioasids.events"));
	EXPECT_EQ(0, cg_events(self->a, "ioasids.events.local"));
	EXPECT_EQ(2, cg_events(self->top, "ioasids.events"));
	EXPECT_EQ(0, cg_events(self->d, "ioasids.events"));
}

/*
 * The kernel's log lines, read from @fd (/dev/kmsg) since the last call,
 * that contain @what; the last one is copied to @line. *@others counts the
 * refusal lines that do not.
 */
static int kmsg_count(int fd, const char *what, char *line, size_t len, int *others)
{
	char rec[2048];
	int n = 0;
	ssize_t r;

	/* one record per read; EAGAIN at the end, EPIPE if one was overwritten */
	while ((r = read(fd, rec, sizeof(rec) - 1)) > 0 || (r < 0 && errno == EPIPE)) {
		if (r <= 0)
			continue;
		rec[r] = '\0';
		if (strstr(rec, what)) {
			n++;
			snprintf(line, len, "%s", rec);
		} else if (strstr(rec, "refused an IOASID")) {
			(*others)++;
		}
	}
	return n;
}

TEST_F(cg, refusal_logged_once_per_cgroup)
{
	char want_b[PATH_MAX + 64], want_d[PATH_MAX + 64], of_b[PATH_MAX + 8];
	const char *rel_b = self->b + strlen(self->root);
	const char *rel_d = self->d + strlen(self->root);
	char line[2048], pid[32];
	int fd, i, others = 0;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		SKIP(return, "/dev/kmsg cannot be read");
	ASSERT_LE(0, lseek(fd, 0, SEEK_END));
	snprintf(want_b, sizeof(want_b), "refused an IOASID by ioasids.max (1) of %s\n", rel_b);
	snprintf(want_d, sizeof(want_d), "refused an IOASID by ioasids.max (0) of %s\n", rel_d);
	snprintf(of_b, sizeof(of_b), " of %s\n", rel_b);

	/* three refusals by B's max: one line, naming the task, the limit, B */
	ASSERT_EQ(0, cg_set(self->b, "ioasids.max", "1"));
	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	ASSERT_LT(0, worker_alloc(&self->w[0]));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[0]));
	EXPECT_EQ(1, kmsg_count(fd, want_b, line, sizeof(line), &others));
	snprintf(pid, sizeof(pid), "[%d] refused", self->w[0].pid);
	EXPECT_NE(NULL, strstr(line, pid)) TH_LOG("%s", line);

	/* another cgroup's first refusal has its own line */
	ASSERT_EQ(0, cg_set(self->d, "ioasids.max", "0"));
	ASSERT_EQ(0, worker_start(&self->w[1], self->d));
	EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[1]));
	EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[1]));
	EXPECT_EQ(1, kmsg_count(fd, want_d, line, sizeof(line), &others));

	/*
	 * Whoever owns a delegated cgroup can write its max: a loop of new
	 * limits and refusals logs nothing more, whatever the limit.
	 */
	for (i = 0; i < 300; i++) {
		ASSERT_EQ(0, cg_set(self->b, "ioasids.max", i % 2 ? "0" : "1"));
		EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[0]));
	}
	EXPECT_EQ(0, kmsg_count(fd, of_b, line, sizeof(line), &others))
		TH_LOG("%s", line);
	/* no other refusal line: none for C, A or the root, which refused nothing */
	EXPECT_EQ(0, others);
	EXPECT_EQ(303, cg_events(self->b, "ioasids.events.local"));
	close(fd);
}

static int wait_modify(int ifd, int timeout_ms)
{
	struct pollfd p = { .fd = ifd, .events = POLLIN };
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (poll(&p, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	return read(ifd, buf, sizeof(buf)) > 0 ? 0 : -errno;
}

TEST_F(cg, events_wake_inotify)
{
	char path[PATH_MAX];
	int ifd;

	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ASSERT_LE(0, ifd);
	cg_path(path, self->a, "ioasids.events");
	ASSERT_LE(0, inotify_add_watch(ifd, path, IN_MODIFY));
	cg_path(path, self->c, "ioasids.events.local");
	ASSERT_LE(0, inotify_add_watch(ifd, path, IN_MODIFY));

	ASSERT_EQ(0, cg_set(self->c, "ioasids.max", "0"));
	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	/* nothing happened yet: no wake-up */
	EXPECT_EQ(-ETIMEDOUT, wait_modify(ifd, 100));
	EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[0]));
	EXPECT_EQ(0, wait_modify(ifd, 5000));
	close(ifd);
}

/* Charges stay with the cgroup that allocated when the task moves. */
TEST_F(cg, charge_stays_after_migration)
{
	int id1, id2, id3;

	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	id1 = worker_alloc(&self->w[0]);
	id2 = worker_alloc(&self->w[0]);
	ASSERT_LT(0, id1);
	ASSERT_LT(0, id2);

	ASSERT_EQ(0, cg_enter(self->d, self->w[0].pid));
	EXPECT_EQ(2, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(0, cg_read_long(self->d, "ioasids.current"));

	id3 = worker_alloc(&self->w[0]);
	ASSERT_LT(0, id3);
	EXPECT_EQ(1, cg_read_long(self->d, "ioasids.current"));
	EXPECT_EQ(2, cg_read_long(self->c, "ioasids.current"));

	/* freed from D, uncharged from C */
	ASSERT_EQ(0, worker_do(&self->w[0], 'f', id1));
	ASSERT_EQ(0, worker_do(&self->w[0], 'f', id2));
	EXPECT_EQ(0, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(1, cg_read_long(self->d, "ioasids.current"));
	EXPECT_EQ(1, cg_read_long(self->b, "ioasids.current"));
}

/* A removed cgroup keeps its charge until its last IOASID is freed. */
TEST_F(cg, rmdir_while_held)
{
	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	ASSERT_LT(0, worker_alloc(&self->w[0]));
	ASSERT_LT(0, worker_alloc(&self->w[0]));
	ASSERT_EQ(0, cg_enter(self->d, self->w[0].pid));

	ASSERT_EQ(0, rmdir(self->c)) TH_LOG("rmdir: %s", strerror(errno));
	EXPECT_EQ(2, cg_read_long(self->b, "ioasids.current"));
	EXPECT_EQ(2, cg_read_long(self->a, "ioasids.current"));
	EXPECT_EQ(0, cg_read_long(self->d, "ioasids.current"));

	ASSERT_EQ(0, worker_do(&self->w[0], 'c', 0));
	EXPECT_EQ(0, cg_read_long(self->b, "ioasids.current"));
	EXPECT_EQ(0, cg_read_long(self->a, "ioasids.current"));
	EXPECT_EQ(self->in_use_start, dev_info().in_use);
}

TEST_F(cg, close_frees_everything)
{
	int i;

	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	for (i = 0; i < 7; i++)
		ASSERT_LT(0, worker_alloc(&self->w[0]));
	EXPECT_EQ(7, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(self->in_use_start + 7, dev_info().in_use);
	ASSERT_EQ(0, worker_do(&self->w[0], 'c', 0));
	EXPECT_EQ(0, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(0, cg_read_long(self->a, "ioasids.current"));
	EXPECT_EQ(self->in_use_start, dev_info().in_use);
	/* and a new file starts from nothing */
	ASSERT_EQ(0, worker_do(&self->w[0], 'o', 0));
	ASSERT_LT(0, worker_alloc(&self->w[0]));
	EXPECT_EQ(1, cg_read_long(self->c, "ioasids.current"));
}

TEST_F(cg, death_frees_everything)
{
	int i;

	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	ASSERT_EQ(0, worker_start(&self->w[1], self->d));
	for (i = 0; i < 5; i++) {
		ASSERT_LT(0, worker_alloc(&self->w[0]));
		ASSERT_LT(0, worker_alloc(&self->w[1]));
	}
	EXPECT_EQ(10, cg_read_long(self->b, "ioasids.current"));
	worker_kill(&self->w[0]);	/* SIGKILL */
	worker_exit(&self->w[1]);	/* exit() without close() */
	EXPECT_EQ(0, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(0, cg_read_long(self->d, "ioasids.current"));
	EXPECT_EQ(0, cg_read_long(self->b, "ioasids.current"));
	EXPECT_EQ(self->in_use_start, dev_info().in_use);
}

/* Lowering max below current is allowed and only stops new allocations. */
TEST_F(cg, lower_max_below_current)
{
	int ids[4], i;

	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	for (i = 0; i < 4; i++) {
		ids[i] = worker_alloc(&self->w[0]);
		ASSERT_LT(0, ids[i]);
	}
	ASSERT_EQ(0, cg_set(self->c, "ioasids.max", "2"));
	EXPECT_EQ(4, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[0]));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, worker_do(&self->w[0], 'f', ids[i]));
	EXPECT_LT(0, worker_alloc(&self->w[0]));
	EXPECT_EQ(-ENOSPC, worker_alloc(&self->w[0]));
	EXPECT_EQ(2, cg_read_long(self->c, "ioasids.current"));
}

/*
 * 16 processes race for 160 IDs under a max of 50: exactly 50 succeed,
 * and a reader polling ioasids.current never sees more than 50.
 */
TEST_F_TIMEOUT(cg, concurrent_never_exceed_max, RACE_TIMEOUT)
{
	enum { NPROC = 16, TRIES = 10, MAX = 50 };
	int ready[2], start[2], done[2], release[2];
	int i, ok = 0, seen_max = 0, status;
	pid_t pids[NPROC];
	char c;

	ASSERT_EQ(0, cg_set(self->b, "ioasids.max", "50"));
	/*
	 * Barriers, never sleeps, so a slow kernel orders the steps as
	 * surely as a fast one. Every child is in its cgroup with the device
	 * open (ready) before all are let go at once (start: EOF when the
	 * parent closes it); every child has made all its tries (done) before
	 * the parent counts; and none frees before the parent has counted
	 * (release: EOF again).
	 */
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(start, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(release, O_CLOEXEC));

	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int fd, n = 0, t;

			close(ready[0]);
			close(start[1]);
			close(done[0]);
			close(release[1]);
			if (cg_enter_current(i % 2 ? self->c : self->d))
				_exit(255);
			fd = dev_open();
			if (fd < 0)
				_exit(255);
			if (write(ready[1], "r", 1) != 1 ||
			    read(start[0], &c, 1) != 0)
				_exit(255);
			for (t = 0; t < TRIES; t++) {
				int r = id_alloc(fd, NULL);

				if (!r)
					n++;
				else if (r != -ENOSPC)
					_exit(254);
			}
			/* hold them until the parent has counted */
			if (write(done[1], "d", 1) != 1 ||
			    read(release[0], &c, 1) != 0)
				_exit(255);
			_exit(n);
		}
	}
	close(ready[1]);
	close(start[0]);
	close(done[1]);
	close(release[0]);
	for (i = 0; i < NPROC; i++)
		ASSERT_EQ(1, read(ready[0], &c, 1));
	close(start[1]);
	/* watch the counter while they race, until every child is done */
	for (i = 0; i < NPROC;) {
		struct pollfd pfd = { .fd = done[0], .events = POLLIN };
		long cur = cg_read_long(self->b, "ioasids.current");

		if (cur > seen_max)
			seen_max = cur;
		if (poll(&pfd, 1, 0) == 1) {
			ASSERT_EQ(1, read(done[0], &c, 1));
			i++;
		}
	}
	EXPECT_EQ(MAX, cg_read_long(self->b, "ioasids.current"));
	close(release[1]);
	for (i = 0; i < NPROC; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_GT(254, WEXITSTATUS(status));
		ok += WEXITSTATUS(status);
	}
	close(ready[0]);
	close(done[0]);
	EXPECT_EQ(MAX, ok);
	EXPECT_GE(MAX, seen_max);
	EXPECT_EQ(MAX, cg_read_long(self->b, "ioasids.peak"));
	EXPECT_EQ(NPROC * TRIES - MAX, cg_events(self->b, "ioasids.events.local"));
	EXPECT_EQ(0, cg_read_long(self->b, "ioasids.current"));
	EXPECT_EQ(self->in_use_start, dev_info().in_use);
}

/*
 * A child whose own max is "max", under a parent limited to 4: while 8
 * processes in it and in its sibling race for IDs, neither child's
 * ioasids.current nor its ioasids.peak may ever show more than the
 * parent allows, even though charges the parent refuses pass through the
 * child on their way up. One process of c holds 2 IDs from before the
 * start to the end, so c's peak is not 0 and every burst of 3 meets the
 * limit, however the scheduler interleaves the others (on a kernel
 * without preemption, it may not interleave them at all).
 */
TEST_F_TIMEOUT(cg, peak_never_above_an_ancestors_max, RACE_TIMEOUT)
{
	enum { NPROC = 8, ROUNDS = 300, BURST = 3, LIMIT = 4, HELD = 2 };
	int start[2], ready[2], i, status;
	pid_t pids[NPROC];
	char c;

	ASSERT_EQ(0, cg_set(self->b, "ioasids.max", "4"));
	ASSERT_EQ(0, pipe2(start, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			const char *cg = i % 2 ? self->c : self->d;
			unsigned int ids[BURST], held[HELD];
			int fd, r, n, k;

			close(start[1]);
			close(ready[0]);
			if (i != 1)
				close(ready[1]);
			if (cg_enter_current(cg))
				_exit(255);
			fd = dev_open();
			if (fd < 0)
				_exit(255);
			/* i == 1 is in c; its IDs stay held until it exits */
			for (k = 0; i == 1 && k < HELD; k++)
				if (id_alloc(fd, &held[k]))
					_exit(252);
			if (i == 1 && (write(ready[1], "r", 1) != 1 || close(ready[1])))
				_exit(255);
			if (read(start[0], &c, 1) != 0)
				_exit(255);
			for (r = 0; r < ROUNDS; r++) {
				for (n = 0; n < BURST; n++)
					if (id_alloc(fd, &ids[n]))
						break;
				if (cg_read_long(cg, "ioasids.current") > LIMIT)
					_exit(253);
				for (k = 0; k < n; k++)
					if (id_free(fd, ids[k]))
						_exit(254);
			}
			_exit(0);
		}
	}
	close(start[0]);
	close(ready[1]);
	/* the start, once c holds its 2: a barrier, not a sleep */
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	close(start[1]);
	for (i = 0; i < NPROC; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status))
			TH_LOG("253: a child's current above the parent's max");
	}
	EXPECT_GE(LIMIT, cg_read_long(self->b, "ioasids.peak"));
	EXPECT_GE(LIMIT, cg_read_long(self->c, "ioasids.peak"));
	EXPECT_GE(LIMIT, cg_read_long(self->d, "ioasids.peak"));
	EXPECT_LE(HELD, cg_read_long(self->c, "ioasids.peak"));
	/* they did contend */
	EXPECT_LT(0, cg_events(self->b, "ioasids.events.local"));
	EXPECT_EQ(0, cg_read_long(self->b, "ioasids.current"));
}

struct race_arg {
	int fd;
	unsigned int id;
	bool frees;
	pthread_barrier_t *go;
	long wrong, allocated;
};

static void *alloc_free_racer(void *p)
{
	struct race_arg *r = p;
	unsigned int id = 0;
	int i;

	pthread_barrier_wait(r->go);
	for (i = 0; i < 5000; i++) {
		if (r->frees) {
			id_free(r->fd, r->id);
		} else if (!id_alloc_range(r->fd, r->id, r->id, &id)) {
			r->allocated++;
			if (id != r->id)
				r->wrong++;
		}
	}
	return NULL;
}

/*
 * Two threads allocate exactly X in one file while two others free X in the
 * same file: every allocation that succeeds gets X, and none touches what a
 * free released (on the KASAN kernels, a use-after-free is a report).
 */
TEST_F_TIMEOUT(cg, alloc_races_free_on_one_file, RACE_TIMEOUT)
{
	struct race_arg r[4];
	pthread_barrier_t go;
	pthread_t t[4];
	unsigned int x = dev_info().max_id;
	long allocated = 0;
	int fd, i;

	ASSERT_EQ(0, cg_enter_current(self->c));
	fd = dev_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, 4));
	for (i = 0; i < 4; i++) {
		r[i] = (struct race_arg){ .fd = fd, .id = x, .frees = i % 2,
					  .go = &go };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, alloc_free_racer, &r[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, r[i].wrong) TH_LOG("thread %d got IDs other than %u", i, x);
		allocated += r[i].allocated;
	}
	EXPECT_LT(0, allocated);
	id_free(fd, x);
	EXPECT_EQ(0, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(0, cg_read_long(self->b, "ioasids.current"));
	close(fd);
	EXPECT_EQ(self->in_use_start, dev_info().in_use);
	ASSERT_EQ(0, cg_enter_current(self->root));
	pthread_barrier_destroy(&go);
}

/*
 * A thread that rewrites argsz while another allocates: the kernel keeps
 * the argsz it checked, so every IOASID_ALLOC that succeeds hands out its
 * ID, and none stays charged that the caller never learnt. Only an SMP
 * kernel can run the two threads at once.
 */
struct argsz_race {
	struct ioasid_alloc *a;
	pthread_barrier_t *go;
	int stop;
};

static void *argsz_flipper(void *p)
{
	struct argsz_race *r = p;

	pthread_barrier_wait(r->go);
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		__atomic_store_n(&r->a->argsz, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&r->a->argsz, sizeof(*r->a), __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST_F_TIMEOUT(cg, argsz_changed_during_alloc, RACE_TIMEOUT)
{
	enum { N = 10000 };
	struct ioasid_alloc a = { .argsz = sizeof(a) };
	struct argsz_race r = { .a = &a };
	long ok = 0, unknown = 0, bad = 0, refused = 0;
	pthread_barrier_t go;
	unsigned int id;
	pthread_t t;
	int fd, i;

	ASSERT_EQ(0, cg_enter_current(self->c));
	fd = dev_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, 2));
	r.go = &go;
	ASSERT_EQ(0, pthread_create(&t, NULL, argsz_flipper, &r));
	pthread_barrier_wait(&go);
	for (i = 0; i < N; i++) {
		__atomic_store_n(&a.id, 0, __ATOMIC_RELAXED);
		if (ioctl(fd, IOASID_ALLOC, &a)) {
			if (errno == EINVAL)
				refused++;
			else
				bad++;
			continue;
		}
		ok++;
		id = __atomic_load_n(&a.id, __ATOMIC_RELAXED);
		if (!id)
			unknown++;
		else if (id_free(fd, id))
			bad++;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	ASSERT_EQ(0, pthread_join(t, NULL));
	TH_LOG("%ld allocated, %ld refused for argsz 0", ok, refused);
	EXPECT_LT(0, ok);
	EXPECT_EQ(0, unknown) TH_LOG("%ld allocations handed out no ID", unknown);
	EXPECT_EQ(0, bad);
	/* every ID was freed: nothing is charged that the caller never learnt */
	EXPECT_EQ(0, cg_read_long(self->c, "ioasids.current"));
	close(fd);
	ASSERT_EQ(0, cg_enter_current(self->root));
	pthread_barrier_destroy(&go);
}

/*
 * An allocation whose ID cannot be copied out (a read-only argument) frees
 * it again: and only it. Another thread of the same file, allocating and
 * freeing that one ID, never frees the ID in flight, nor loses its own to
 * that free. Only an SMP kernel can run the two threads at once.
 */
struct copyout_race {
	int fd;
	const struct ioasid_alloc *ro;
	pthread_barrier_t *go;
	int stop;
	long efault, other;
};

static void *copyout_failer(void *p)
{
	struct copyout_race *r = p;

	pthread_barrier_wait(r->go);
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		if (!ioctl(r->fd, IOASID_ALLOC, (void *)r->ro))
			r->other++;
		else if (errno == EFAULT)
			r->efault++;
		else if (errno != ENOSPC)
			r->other++;
	}
	return NULL;
}

TEST_F_TIMEOUT(cg, failed_copy_out_frees_only_its_own, RACE_TIMEOUT)
{
	enum { N = 10000 };
	unsigned int x = dev_info().max_id;
	struct copyout_race r = { 0 };
	long mine = 0, stolen = 0, lost = 0;
	struct ioasid_alloc *ro;
	pthread_barrier_t go;
	pthread_t t;
	int fd, i;

	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	*ro = (struct ioasid_alloc){ .argsz = sizeof(*ro), .min = x, .max = x };
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));

	ASSERT_EQ(0, cg_enter_current(self->c));
	fd = dev_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, 2));
	r = (struct copyout_race){ .fd = fd, .ro = ro, .go = &go };
	ASSERT_EQ(0, pthread_create(&t, NULL, copyout_failer, &r));
	pthread_barrier_wait(&go);
	for (i = 0; i < N; i++) {
		if (!id_alloc_range(fd, x, x, NULL)) {
			mine++;
			if (id_free(fd, x))
				lost++;		/* the other thread freed mine */
		} else if (!id_free(fd, x)) {
			stolen++;		/* I freed the other's ID */
		}
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	ASSERT_EQ(0, pthread_join(t, NULL));
	TH_LOG("%ld of mine, %ld failed copy-outs", mine, r.efault);
	EXPECT_LT(0, mine);
	EXPECT_LT(0, r.efault);
	EXPECT_EQ(0, r.other);
	EXPECT_EQ(0, stolen) TH_LOG("freed the ID of an allocation in flight %ld times", stolen);
	EXPECT_EQ(0, lost) TH_LOG("lost my own ID %ld times", lost);
	EXPECT_EQ(0, cg_read_long(self->c, "ioasids.current"));
	close(fd);
	EXPECT_EQ(self->in_use_start, dev_info().in_use);
	ASSERT_EQ(0, cg_enter_current(self->root));
	pthread_barrier_destroy(&go);
	munmap(ro, 4096);
}

/*
 * The charge walks every level, and whoever owns a delegated subtree
 * chooses how many: at 1,000 levels the limit at the top still holds,
 * and everything is returned. The walk runs with interrupts on (a lockdep
 * kernel checks it at every charge). The levels are made and read with
 * paths relative to the directory walked down, so the test does not cost
 * the square of the depth in path lookups.
 */
TEST_F_TIMEOUT(cg, deep_hierarchy, RACE_TIMEOUT)
{
	enum { LEVELS = 1000 };
	int fd, top, i;

	top = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, top);
	ASSERT_EQ(0, chdir(self->c));
	for (i = 0; i < LEVELS; i++) {
		ASSERT_EQ(0, mkdir("n", 0755)) TH_LOG("level %d", i + 1);
		ASSERT_EQ(0, cg_set(".", "cgroup.subtree_control", "+ioasids"))
			TH_LOG("level %d", i + 1);
		ASSERT_EQ(0, chdir("n"));
	}
	ASSERT_EQ(0, cg_set(".", "cgroup.procs", "0"));
	fd = dev_open();
	ASSERT_LE(0, fd);
	/* the limit at the top of the 1,000 levels */
	ASSERT_EQ(0, cg_set(self->c, "n/ioasids.max", "2"));
	EXPECT_EQ(0, id_alloc(fd, NULL));
	EXPECT_EQ(0, id_alloc(fd, NULL));
	EXPECT_EQ(-ENOSPC, id_alloc(fd, NULL));
	EXPECT_EQ(2, cg_read_long(".", "ioasids.peak"));
	EXPECT_EQ(2, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(1, cg_events(self->c, "n/ioasids.events.local"));
	EXPECT_EQ(1, cg_events(self->a, "ioasids.events"));
	/* every level holds the two, going up */
	for (i = LEVELS; i > 0; i--) {
		EXPECT_EQ(2, cg_read_long(".", "ioasids.current")) TH_LOG("level %d", i);
		ASSERT_EQ(0, chdir(".."));
	}
	ASSERT_EQ(0, cg_enter_current(self->root));
	close(fd);
	EXPECT_EQ(0, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(0, cg_read_long(self->a, "ioasids.current"));
	/* and down again, to remove them from the bottom */
	for (i = 0; i < LEVELS; i++)
		ASSERT_EQ(0, chdir("n"));
	for (i = 0; i < LEVELS; i++) {
		ASSERT_EQ(0, chdir(".."));
		EXPECT_EQ(0, rmdir("n"));
	}
	ASSERT_EQ(0, fchdir(top));
	close(top);
}

/*
 * A domain controller, like memory: an IOASID belongs to an address space
 * or an open file, which all threads of a process share, so a threaded
 * subtree cannot have it, and a cgroup that gives it to its children cannot
 * become a thread root.
 */
TEST_F(cg, not_in_a_threaded_subtree)
{
	char *x = cg_name(self->c, "x");

	ASSERT_NE(NULL, x);
	/* B gives ioasids to C: C cannot become threaded */
	EXPECT_EQ(-EOPNOTSUPP, cg_set(self->c, "cgroup.type", "threaded"));
	EXPECT_EQ(0, cg_read_strcmp(self->c, "cgroup.type", "domain\n"));

	/* C as a thread root: its children cannot be given ioasids */
	ASSERT_EQ(0, cg_create(x));
	ASSERT_EQ(0, cg_set(x, "cgroup.type", "threaded"));
	EXPECT_EQ(-EOPNOTSUPP, cg_set(self->c, "cgroup.subtree_control", "+ioasids"));
	EXPECT_NE(0, cg_read_strstr(x, "cgroup.controllers", "ioasids"))
		TH_LOG("x's controllers list ioasids");
	EXPECT_EQ(0, rmdir(x));
	free(x);
}

/* The kernel memory behind a tenant's IOASIDs is charged to its memcg. */
TEST_F_TIMEOUT(cg, memory_is_charged_to_memcg, RACE_TIMEOUT)
{
	enum { N = 16384 };
	long before, after;
	unsigned int id;
	int fd, i;

	struct ioasid_info info = dev_info();

	if (cg_read_strstr(self->root, "cgroup.controllers", "memory"))
		SKIP(return, "no memory controller");
	if (info.max_id - info.min_id + 1 - info.in_use < N)
		SKIP(return, "room for %u IDs only", info.max_id - info.min_id + 1);
	ASSERT_EQ(0, cg_set(self->root, "cgroup.subtree_control", "+memory"));
	ASSERT_EQ(0, cg_set(self->top, "cgroup.subtree_control", "+memory"));
	ASSERT_EQ(0, cg_set(self->a, "cgroup.subtree_control", "+memory"));
	ASSERT_EQ(0, cg_set(self->b, "cgroup.subtree_control", "+memory"));
	ASSERT_EQ(0, cg_enter_current(self->c));
	fd = dev_open();
	ASSERT_LE(0, fd);
	/*
	 * memory.current, not memory.stat: the charge is taken at once,
	 * while the statistics are flushed lazily. It moves in batches of
	 * 64 pages, so allocate well past one: 16384 IDs hold over 640 KiB.
	 */
	before = cg_read_long(self->c, "memory.current");
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, id_alloc(fd, &id));
	after = cg_read_long(self->c, "memory.current");
	/* 40 bytes an ID at least, less the batch charged before */
	EXPECT_LE(before + N * 16, after)
		TH_LOG("memory.current: %ld before, %ld after %d IDs",
		       before, after, N);
	close(fd);
	ASSERT_EQ(0, cg_enter_current(self->root));
}

/* Every malformed write is refused with EINVAL and changes nothing. */
TEST_F(cg, malformed_max_writes)
{
	static const struct { const char *s; size_t len; } bad[] = {
#define B(str) { str, sizeof(str) - 1 }
		B(" "), B("\n"), B("\t\n"), B("-1"), B("-0"), B("+5"), B("0x10"),
		B("0X10"), B("010"), B("00"), B("1.5"), B("5x"), B("5 5"),
		B("max5"), B("MAX"), B("Max"), B("maxx"), B("max max"),
		B("infinity"), B("1e3"), B("0b1"), B("1048576"),
		B("4294967296"), B("18446744073709551616"),
		B("99999999999999999999999"), B("5\0junk"), B("7\n8"),
		B("\x80"),
#undef B
	};
	char path[PATH_MAX];
	unsigned int i;

	_Static_assert(sizeof(bad) / sizeof(bad[0]) >= 20, "the issue asks for 20 or more");
	ASSERT_EQ(0, cg_set(self->c, "ioasids.max", "7"));
	cg_path(path, self->c, "ioasids.max");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, write_file(path, bad[i].s, bad[i].len))
			TH_LOG("write #%u was not refused", i);
		EXPECT_EQ(0, cg_read_strcmp(self->c, "ioasids.max", "7\n"))
			TH_LOG("write #%u changed the value", i);
	}
	/* a zero-byte write() never reaches the file: a no-op, not an error */
	EXPECT_EQ(0, write_file(path, "", 0));
	EXPECT_EQ(0, cg_read_strcmp(self->c, "ioasids.max", "7\n"));
}

TEST_F(cg, unprivileged_cannot_write_max)
{
	char path[PATH_MAX];
	pid_t pid;
	int status;

	ASSERT_EQ(0, cg_set(self->c, "ioasids.max", "5"));
	cg_path(path, self->c, "ioasids.max");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int r;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		r = write_file(path, "max", 3);
		_exit(r == -EACCES || r == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, cg_read_strcmp(self->c, "ioasids.max", "5\n"));
}

/* ---- /dev/ioasid ----------------------------------------------------------- */

/* ioasid.@param= from the kernel command line, or @dflt */
static unsigned long boot_param(const char *param, unsigned long dflt)
{
	char cmdline[4096], key[64], *p;

	snprintf(key, sizeof(key), "ioasid.%s=", param);
	if (read_text("/proc/cmdline", cmdline, sizeof(cmdline)) <= 0)
		return dflt;
	p = strstr(cmdline, key);
	return p ? strtoul(p + strlen(key), NULL, 10) : dflt;
}

/*
 * IDs 1 to ioasid.reserved (65535 by default, at most half the capacity)
 * are the IOMMU layer's: sets start above them.
 */
static unsigned int expected_min_id(unsigned int capacity)
{
	unsigned long reserved = boot_param("reserved", 65535);

	return 1 + (reserved > capacity / 2 ? capacity / 2 : reserved);
}

TEST(api_version_and_info)
{
	struct ioasid_info info = { .argsz = sizeof(info) };
	int fd = dev_open();

	ASSERT_LE(0, fd) TH_LOG("%s: %s", DEV, strerror(errno));
	EXPECT_EQ(IOASID_API_VERSION, ioctl(fd, IOASID_GET_API_VERSION));
	ASSERT_EQ(0, ioctl(fd, IOASID_GET_INFO, &info));
	EXPECT_EQ(expected_min_id(info.capacity), info.min_id);
	EXPECT_EQ(info.min_id - 1,
		  cg_read_long("/sys/module/ioasid/parameters", "reserved"));
	EXPECT_EQ(info.capacity, info.max_id);
	EXPECT_GE(IOASID_CAPACITY_MAX, info.capacity);
	EXPECT_EQ(0, info.flags);
	close(fd);
}

TEST(device_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

TEST(free_other_files_id)
{
	int fd1 = dev_open(), fd2 = dev_open();
	unsigned int id1 = 0, id2 = 0;

	ASSERT_LE(0, fd1);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, id_alloc(fd1, &id1));
	ASSERT_EQ(0, id_alloc(fd2, &id2));
	EXPECT_NE(id1, id2);
	EXPECT_EQ(-ENOENT, id_free(fd2, id1));
	EXPECT_EQ(-ENOENT, id_free(fd1, 0));
	EXPECT_EQ(-ENOENT, id_free(fd1, IOASID_CAPACITY_MAX + 1));
	EXPECT_EQ(0, id_free(fd1, id1));
	EXPECT_EQ(-ENOENT, id_free(fd1, id1));
	EXPECT_EQ(0, id_free(fd2, id2));
	close(fd1);
	close(fd2);
}

TEST(bad_arguments)
{
	struct ioasid_info before = dev_info(), after;
	struct {
		struct ioasid_alloc a;
		__u32 extra[4];
	} big;
	struct ioasid_alloc a;
	struct ioasid_free f;
	unsigned int cap = before.capacity;
	int fd = dev_open();

	ASSERT_LE(0, fd);
#define ALLOC(sz, fl, lo, hi) \
	(a = (struct ioasid_alloc){ .argsz = (sz), .flags = (fl), .min = (lo), \
				    .max = (hi) }, \
	 ioctl(fd, IOASID_ALLOC, &a) ? -errno : 0)
	EXPECT_EQ(-EINVAL, ALLOC(0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, ALLOC(4, 0, 0, 0));
	EXPECT_EQ(-EINVAL, ALLOC(sizeof(a) - 1, 0, 0, 0));
	EXPECT_EQ(-EINVAL, ALLOC(sizeof(a), 1, 0, 0));
	EXPECT_EQ(-EINVAL, ALLOC(sizeof(a), 0x80000000, 0, 0));
	EXPECT_EQ(-EINVAL, ALLOC(sizeof(a), 0, 5, 4));
	EXPECT_EQ(-EINVAL, ALLOC(sizeof(a), 0, 0, 5));
	EXPECT_EQ(-EINVAL, ALLOC(sizeof(a), 0, 1, cap + 1));
	EXPECT_EQ(-EINVAL, ALLOC(sizeof(a), 0, cap + 1, cap + 1));
	EXPECT_EQ(-EINVAL, ALLOC(sizeof(a), 0, 1, 0xffffffff));
	/* below min_id: the IOMMU layer's IDs */
	if (before.min_id > 1) {
		EXPECT_EQ(-EINVAL, ALLOC(sizeof(a), 0, 1, cap));
		EXPECT_EQ(-EINVAL, ALLOC(sizeof(a), 0, before.min_id - 1,
					 before.min_id));
		EXPECT_EQ(0, ALLOC(sizeof(a), 0, before.min_id, before.min_id));
		EXPECT_EQ(0, id_free(fd, a.id));
	}
#undef ALLOC

	/* a longer struct is fine if the tail is zero, E2BIG if not */
	memset(&big, 0, sizeof(big));
	big.a.argsz = sizeof(big);
	big.extra[3] = 1;
	EXPECT_EQ(-1, ioctl(fd, IOASID_ALLOC, &big));
	EXPECT_EQ(E2BIG, errno);
	big.a.argsz = 1 << 20;
	EXPECT_EQ(-1, ioctl(fd, IOASID_ALLOC, &big));
	EXPECT_EQ(E2BIG, errno);
	big.extra[3] = 0;
	big.a.argsz = sizeof(big);
	EXPECT_EQ(0, ioctl(fd, IOASID_ALLOC, &big));
	EXPECT_EQ(0, id_free(fd, big.a.id));

	f = (struct ioasid_free){ .argsz = sizeof(f) - 1 };
	EXPECT_EQ(-1, ioctl(fd, IOASID_FREE, &f));
	EXPECT_EQ(EINVAL, errno);
	f = (struct ioasid_free){ .argsz = sizeof(f), .flags = 2 };
	EXPECT_EQ(-1, ioctl(fd, IOASID_FREE, &f));
	EXPECT_EQ(EINVAL, errno);

	after = (struct ioasid_info){ .argsz = sizeof(after), .flags = 1 };
	EXPECT_EQ(-1, ioctl(fd, IOASID_GET_INFO, &after));
	EXPECT_EQ(EINVAL, errno);
	after = (struct ioasid_info){ .argsz = 8 };
	EXPECT_EQ(-1, ioctl(fd, IOASID_GET_INFO, &after));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, ioctl(fd, _IO(IOASID_TYPE, 0x0f), &a));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, IOASID_ALLOC, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	after = dev_info();
	EXPECT_EQ(before.in_use, after.in_use);
	close(fd);
}

/* The last IDs of the space, then ENOSPC, which is not a limit event. */
TEST_F(cg, range_exhaustion)
{
	unsigned int cap = dev_info().capacity;

	ASSERT_EQ(0, worker_start(&self->w[0], self->c));
	EXPECT_EQ((int)cap - 1, worker_do(&self->w[0], 'r', cap));
	EXPECT_EQ((int)cap, worker_do(&self->w[0], 'r', cap));
	EXPECT_EQ(-ENOSPC, worker_do(&self->w[0], 'r', cap));
	EXPECT_EQ(2, cg_read_long(self->c, "ioasids.current"));
	EXPECT_EQ(0, cg_events(self->c, "ioasids.events"));
	ASSERT_EQ(0, worker_do(&self->w[0], 'c', 0));
	EXPECT_EQ(0, cg_read_long(self->c, "ioasids.current"));
}

/* The ioasid.capacity= boot parameter sizes the space. */
TEST(capacity_from_command_line)
{
	char cmdline[4096], *p;
	unsigned long want = IOASID_CAPACITY_MAX;
	char root[PATH_MAX];

	ASSERT_LT(0, read_text("/proc/cmdline", cmdline, sizeof(cmdline)));
	p = strstr(cmdline, "ioasid.capacity=");
	if (p)
		want = strtoul(p + strlen("ioasid.capacity="), NULL, 10);
	ASSERT_EQ(0, cg_find_unified_root(root, sizeof(root), NULL));
	EXPECT_EQ(want, dev_info().capacity);
	EXPECT_EQ(expected_min_id(want), dev_info().min_id);
	EXPECT_EQ(want, cg_read_long(root, "ioasids.capacity"));
	EXPECT_EQ(want, cg_read_long("/sys/module/ioasid/parameters",
				     "capacity"));
}

/* Filling the whole space: only on a kernel booted with a small capacity. */
TEST(exhaust_whole_space)
{
	struct ioasid_info info = dev_info();
	char root[PATH_MAX];
	unsigned int n = 0, id = 0;
	int fd, r;

	if (info.capacity > 4096)
		SKIP(return, "capacity %u: boot with ioasid.capacity=100",
		     info.capacity);
	ASSERT_EQ(0, cg_find_unified_root(root, sizeof(root), NULL));
	fd = dev_open();
	ASSERT_LE(0, fd);
	while (!(r = id_alloc(fd, &id))) {
		EXPECT_LE(info.min_id, id);
		EXPECT_GE(info.max_id, id);
		n++;
	}
	EXPECT_EQ(-ENOSPC, r);
	/* every ID a set may have, which only sets were using */
	EXPECT_GE(info.capacity - info.min_id + 1, n);
	EXPECT_LE(info.capacity - info.min_id + 1 - info.in_use, n);
	EXPECT_EQ(info.in_use + n, cg_read_long(root, "ioasids.current"));
	EXPECT_EQ(info.in_use + n, dev_info().in_use);
	/* and the IOMMU layer's IDs are still there for devices */
	EXPECT_LT(info.in_use + n, info.capacity);
	close(fd);
	EXPECT_EQ(info.in_use, dev_info().in_use);
}

/* The same files on a cgroup v1 hierarchy. */
TEST(legacy_hierarchy)
{
	char dir[PATH_MAX], cg[PATH_MAX + 8], path[PATH_MAX];
	char root[PATH_MAX];
	int fd, r;

	snprintf(dir, sizeof(dir), "%s/ioasid_v1.XXXXXX",
		 getenv("TMPDIR") ?: "/tmp");
	ASSERT_EQ(0, cg_find_unified_root(root, sizeof(root), NULL));
	/* the controller must be unused on v2 to move to v1 */
	r = cg_set(root, "cgroup.subtree_control", "-ioasids");
	ASSERT_EQ(0, r) TH_LOG("-ioasids on the v2 root: %s", strerror(-r));
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("none", dir, "cgroup", 0, "ioasids"))
		TH_LOG("mount -t cgroup -o ioasids: %s", strerror(errno));
	cg_path(cg, dir, "vm");
	ASSERT_EQ(0, mkdir(cg, 0755));
	EXPECT_EQ(0, cg_read_strcmp(cg, "ioasids.max", "max\n"));
	EXPECT_EQ(0, cg_read_strcmp(cg, "ioasids.events", "max 0\n"));
	/* as for pids, events.local is v2's only */
	cg_path(path, cg, "ioasids.events.local");
	EXPECT_EQ(-1, access(path, F_OK));
	EXPECT_LT(0, cg_read_long(dir, "ioasids.capacity"));
	ASSERT_EQ(0, cg_set(cg, "ioasids.max", "1"));
	EXPECT_EQ(-EINVAL, cg_set(cg, "ioasids.max", "0x1"));

	ASSERT_EQ(0, cg_enter_current(cg));
	fd = dev_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, id_alloc(fd, NULL));
	EXPECT_EQ(-ENOSPC, id_alloc(fd, NULL));
	EXPECT_EQ(1, cg_read_long(cg, "ioasids.current"));
	EXPECT_EQ(1, cg_events(cg, "ioasids.events"));
	close(fd);
	EXPECT_EQ(0, cg_read_long(cg, "ioasids.current"));

	ASSERT_EQ(0, cg_enter_current(dir));
	EXPECT_EQ(0, rmdir(cg));

	/*
	 * A v1 hierarchy is torn down, and ioasids goes back to v2, only if
	 * it has no child left when unmounted; the removed child lingers
	 * until RCU frees it, so unmount, and remount the dormant hierarchy
	 * to unmount it again, until it is gone.
	 */
	for (r = 0; r < 50; r++) {
		EXPECT_EQ(0, umount(dir));
		usleep(100000);
		if (!cg_read_strstr(root, "cgroup.controllers", "ioasids"))
			break;
		ASSERT_EQ(0, mount("none", dir, "cgroup", 0, "ioasids"));
	}
	rmdir(dir);
	EXPECT_EQ(0, cg_read_strstr(root, "cgroup.controllers", "ioasids"));
	EXPECT_EQ(0, cg_set(root, "cgroup.subtree_control", "+ioasids"));
}

TEST_HARNESS_MAIN
