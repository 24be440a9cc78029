// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-stress: hostile concurrency against the ioasids controller.
 *
 * PROCS worker processes allocate and free IOASIDs through /dev/ioasid, open
 * and close files, and exit, in the leaves of a 3-level hierarchy, while
 * this process, the conductor, raises and lowers limits, moves workers
 * between cgroups, creates and removes cgroups, and kills workers, and
 * reads every cgroup's ioasids.current between moves.
 *
 * It checks:
 * - no cgroup is ever seen above what its limits or any ancestor's allow:
 *   a max, or, after a max was lowered below what the cgroup held, what it
 *   held then (charges never move, so a migration cannot add any). An
 *   allocation that was already under way when a limit was written may
 *   still finish under the old one (the guide's race rule); each worker
 *   says when it is inside IOASID_ALLOC, so the conductor knows exactly
 *   when the last of those is done, with no time allowance;
 * - ioasids.peak never passed the highest limit the cgroup or any of its
 *   ancestors ever had;
 * - at the end every ioasids.current is 0 and the system-wide in-use count
 *   is back where it started.
 *
 * Prints TAP and its counts: operations, limit refusals, violations, leaks.
 * Usage: ioasid-stress [-t SECONDS] [-p PROCS] [-s SEED] [-c CGROUP_DIR]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ioasid.h>

#define MAX_PROCS	512
#define MAX_CG		32	/* 1 top, 2 middles, 4 fixed leaves, extras */
#define NR_FIXED	7
#define FILES		3	/* per worker */
#define IDS		64	/* per file */
struct counters {
	unsigned long ops;	/* allocs, frees, opens, closes */
	unsigned long allocs;
	unsigned long refusals;	/* ENOSPC */
	unsigned long errors;	/* anything else */
	unsigned long in_alloc;	/* odd while inside IOASID_ALLOC */
};

struct cg {
	char path[256];
	int parent;		/* index, -1 for the top */
	bool leaf, extra, used;
	long limit;		/* what we last wrote */
	long bound;		/* the most it may hold now */
	long highest;		/* the highest limit it ever had */
	bool pending;		/* allocations from before a write may finish */
	unsigned long snap[MAX_PROCS];	/* each worker's in_alloc then */
};

static struct cg cgs[MAX_CG];
static int nr_cg;
static pid_t workers[MAX_PROCS];
static int worker_cg[MAX_PROCS];
static int nprocs = 64;
static struct counters *shared;	/* one per worker slot, in shared memory */
static unsigned long violations, moves, kills, limit_writes, created, removed;
static const char *base = "/sys/fs/cgroup/ioasid-stress";

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void stop_workers(void);

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("Bail out! ");
	vprintf(fmt, ap);
	printf(": %s\n", strerror(errno));
	va_end(ap);
	/* no worker may outlive the run and disturb what runs after it */
	stop_workers();
	exit(1);
}

static int write_file(const char *dir, const char *file, const char *fmt, ...)
{
	char path[320], buf[64];
	va_list ap;
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

static long read_long(const char *dir, const char *file)
{
	char path[320], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (!strncmp(buf, "max", 3))
		return 1L << 30;
	return strtol(buf, NULL, 10);
}

static unsigned int in_use(int fd)
{
	struct ioasid_info info = { .argsz = sizeof(info) };

	if (ioctl(fd, IOASID_GET_INFO, &info))
		die("IOASID_GET_INFO");
	return info.in_use;
}

/* ---- workers -------------------------------------------------------------- */

struct file_ids {
	int fd;
	int n;
	__u32 id[IDS];
};

static void count(struct counters *c, int which)
{
	unsigned long *f = which == 0 ? &c->ops : which == 1 ? &c->allocs :
			   which == 2 ? &c->refusals : &c->errors;

	__atomic_add_fetch(f, 1, __ATOMIC_RELAXED);
}

static void worker(int slot, unsigned int seed)
{
	struct counters *c = &shared[slot];
	struct file_ids f[FILES];
	int i;

	/* Hammer, but leave the conductor the CPU it needs to keep time. */
	if (nice(10) < 0)
		count(c, 3);
	srandom(seed);
	for (i = 0; i < FILES; i++)
		f[i] = (struct file_ids){ .fd = -1 };

	for (;;) {
		struct file_ids *x = &f[random() % FILES];
		int r = random() % 100;

		if (x->fd < 0) {
			x->fd = open("/dev/ioasid", O_RDWR | O_CLOEXEC);
			x->n = 0;
			count(c, x->fd < 0 ? 3 : 0);
		} else if (r < 55 && x->n < IDS) {
			struct ioasid_alloc a = { .argsz = sizeof(a) };
			int ret;

			count(c, 0);
			__atomic_add_fetch(&c->in_alloc, 1, __ATOMIC_SEQ_CST);
			ret = ioctl(x->fd, IOASID_ALLOC, &a);
			__atomic_add_fetch(&c->in_alloc, 1, __ATOMIC_SEQ_CST);
			if (!ret) {
				x->id[x->n++] = a.id;
				count(c, 1);
			} else {
				count(c, errno == ENOSPC ? 2 : 3);
			}
		} else if (r < 92 && x->n) {
			struct ioasid_free fr = { .argsz = sizeof(fr) };
			int k = random() % x->n;

			fr.id = x->id[k];
			x->id[k] = x->id[--x->n];
			count(c, 0);
			if (ioctl(x->fd, IOASID_FREE, &fr))
				count(c, 3);
		} else if (r < 98) {
			close(x->fd);	/* frees what it holds */
			x->fd = -1;
			count(c, 0);
		} else if (r == 99 && !(random() % 20)) {
			_exit(0);	/* and the exit frees the rest */
		}
	}
}

/* ---- the conductor -------------------------------------------------------- */

static int add_cg(int parent, const char *name, bool leaf, bool extra)
{
	int i;

	for (i = 0; i < MAX_CG && cgs[i].used; i++)
		;
	if (i == MAX_CG)
		return -1;
	cgs[i] = (struct cg){ .parent = parent, .leaf = leaf, .extra = extra,
			      .used = true };
	snprintf(cgs[i].path, sizeof(cgs[i].path), "%s/%s",
		 parent < 0 ? base : cgs[parent].path, name);
	if (mkdir(cgs[i].path, 0755) && errno != EEXIST)
		die("mkdir %s", cgs[i].path);
	if (!leaf && write_file(cgs[i].path, "cgroup.subtree_control", "+ioasids"))
		die("enabling ioasids in %s", cgs[i].path);
	if (i >= nr_cg)
		nr_cg = i + 1;
	return i;
}

static void set_limit(int i, long limit)
{
	int slot, ret = write_file(cgs[i].path, "ioasids.max", "%ld", limit);

	if (ret) {
		errno = -ret;
		die("writing ioasids.max of %s", cgs[i].path);
	}
	/*
	 * Whatever it held and whatever was being charged under the old
	 * limit stays allowed; only allocations that start after the write
	 * see the new one. Note which workers are inside IOASID_ALLOC now.
	 */
	if (limit > cgs[i].bound)
		cgs[i].bound = limit;
	if (limit > cgs[i].highest)
		cgs[i].highest = limit;
	cgs[i].limit = limit;
	for (slot = 0; slot < nprocs; slot++)
		cgs[i].snap[slot] = __atomic_load_n(&shared[slot].in_alloc,
						    __ATOMIC_SEQ_CST);
	cgs[i].pending = true;
	limit_writes++;
}

static long random_limit(int i)
{
	return random() % (cgs[i].parent < 0 ? 150 : 40);
}

static int random_leaf(void)
{
	int i;

	do
		i = random() % nr_cg;
	while (!cgs[i].used || !cgs[i].leaf);
	return i;
}

static void spawn(int slot, unsigned int seed)
{
	int leaf = random_leaf();
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid) {
		int ret = write_file(cgs[leaf].path, "cgroup.procs", "0");

		/*
		 * the conductor may have removed an extra leaf since (ENOENT),
		 * or be removing it (ENODEV: the cgroup is dying)
		 */
		if (ret == -ENOENT || ret == -ENODEV)
			ret = write_file(cgs[3].path, "cgroup.procs", "0");
		if (ret) {
			printf("# joining %s: %s\n", cgs[leaf].path, strerror(-ret));
			_exit(3);
		}
		worker(slot, seed);
	}
	workers[slot] = pid;
	worker_cg[slot] = leaf;
}

/* Is an allocation that was under way at the last limit write still on? */
static bool still_pending(const struct cg *g)
{
	int slot;

	for (slot = 0; slot < nprocs; slot++) {
		unsigned long now = __atomic_load_n(&shared[slot].in_alloc,
						    __ATOMIC_SEQ_CST);

		if ((g->snap[slot] & 1) && now == g->snap[slot])
			return true;
	}
	return false;
}

/* Read every cgroup and hold it to its bound and its ancestors'. */
static void check_all(void)
{
	int i, a;

	for (i = 0; i < nr_cg; i++) {
		long cur;

		if (!cgs[i].used)
			continue;
		/*
		 * Once no allocation from before the last limit write can
		 * still be finishing, the cgroup can only grow up to its
		 * limit: what it holds above that only shrinks. So decide
		 * that first, then read.
		 */
		if (cgs[i].pending && !still_pending(&cgs[i]))
			cgs[i].pending = false;
		cur = read_long(cgs[i].path, "ioasids.current");
		if (cur < 0)
			die("reading %s/ioasids.current", cgs[i].path);
		for (a = i; a >= 0; a = cgs[a].parent) {
			if (cur <= cgs[a].bound)
				continue;
			violations++;
			printf("# VIOLATION: %s holds %ld, %s has limit %ld, bound %ld\n",
			       cgs[i].path, cur, cgs[a].path, cgs[a].limit, cgs[a].bound);
		}
		if (!cgs[i].pending) {
			long b = cur > cgs[i].limit ? cur : cgs[i].limit;

			if (b < cgs[i].bound)
				cgs[i].bound = b;
		}
	}
}

static void reap(unsigned int *seed)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < nprocs; i++) {
			if (workers[i] != pid)
				continue;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
				die("a worker could not join its cgroup");
			/* killed inside IOASID_ALLOC: that call is over now */
			if (shared[i].in_alloc & 1)
				shared[i].in_alloc++;
			spawn(i, (*seed)++);
		}
	}
}

static void conduct(long long deadline, unsigned int *seed)
{
	long long next_report = now_ns() + 1000000000LL;
	unsigned long rounds = 0;

	while (now_ns() < deadline) {
		int r = random() % 100, i, slot;

		if (now_ns() > next_report) {
			printf("# %lu rounds, %lu moves, %lu kills, %lu limit writes\n",
			       rounds, moves, kills, limit_writes);
			next_report += 1000000000LL;
		}
		rounds++;

		reap(seed);
		if (r < 30) {
			do
				i = random() % nr_cg;
			while (!cgs[i].used);
			set_limit(i, random_limit(i));
		} else if (r < 60) {
			slot = random() % nprocs;
			i = random_leaf();
			if (!write_file(cgs[i].path, "cgroup.procs", "%d", workers[slot])) {
				worker_cg[slot] = i;
				moves++;
			}
		} else if (r < 70) {
			char name[32];

			snprintf(name, sizeof(name), "x%lu", created);
			i = add_cg(1 + random() % 2, name, true, true);
			if (i >= 0) {
				set_limit(i, random_limit(i));
				created++;
			}
		} else if (r < 78) {
			/* remove an extra leaf: move its workers out first */
			int extras[MAX_CG], n = 0;

			for (i = 0; i < nr_cg; i++)
				if (cgs[i].used && cgs[i].extra)
					extras[n++] = i;
			if (!n)
				continue;
			i = extras[random() % n];
			for (slot = 0; slot < nprocs; slot++) {
				if (worker_cg[slot] != i)
					continue;
				worker_cg[slot] = 3;
				write_file(cgs[3].path, "cgroup.procs", "%d", workers[slot]);
			}
			if (!rmdir(cgs[i].path)) {
				cgs[i].used = false;
				removed++;
			}
		} else if (r < 85) {
			slot = random() % nprocs;
			kill(workers[slot], SIGKILL);
			kills++;
		}
		check_all();
		usleep(1000);
	}
}

static void stop_workers(void)
{
	int i;

	for (i = 0; i < nprocs; i++)
		if (workers[i] > 0)
			kill(workers[i], SIGKILL);
	while (wait(NULL) > 0)
		;
}

static int tap_n;

static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int main(int argc, char **argv)
{
	unsigned int seed = time(NULL), start_in_use, end_in_use;
	long seconds = 60, leaks = 0, peak_over = 0, left;
	struct counters total = { 0 };
	int opt, i, fd;

	while ((opt = getopt(argc, argv, "t:p:s:c:h")) != -1) {
		switch (opt) {
		case 't': seconds = atol(optarg); break;
		case 'p': nprocs = atoi(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 10); break;
		case 'c': base = optarg; break;
		default:
			fprintf(stderr, "Usage: ioasid-stress [-t SECONDS] [-p PROCS] [-s SEED] [-c DIR]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (seconds < 1 || nprocs < 1 || nprocs > MAX_PROCS) {
		fprintf(stderr, "ioasid-stress: -t must be >= 1 and -p 1 to %d\n", MAX_PROCS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n# %d processes, %ld s, seed %u\n", nprocs, seconds, seed);
	srandom(seed);

	shared = mmap(NULL, sizeof(*shared) * MAX_PROCS, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		die("mmap");
	fd = open("/dev/ioasid", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open /dev/ioasid");
	start_in_use = in_use(fd);

	/* top -> m0, m1 -> l0..l3, and extras under m0 and m1 as we go */
	if (write_file("/sys/fs/cgroup", "cgroup.subtree_control", "+ioasids"))
		die("enabling ioasids at the root");
	add_cg(-1, "", false, false);
	add_cg(0, "m0", false, false);
	add_cg(0, "m1", false, false);
	add_cg(1, "l0", true, false);
	add_cg(1, "l1", true, false);
	add_cg(2, "l2", true, false);
	add_cg(2, "l3", true, false);
	for (i = 0; i < NR_FIXED; i++)
		set_limit(i, random_limit(i));

	for (i = 0; i < nprocs; i++)
		spawn(i, seed + 1 + i);
	seed += nprocs + 1;
	conduct(now_ns() + seconds * 1000000000LL, &seed);
	stop_workers();

	/* Give the last closes a moment; a leak does not go away by waiting. */
	for (i = 0; i < 50 && in_use(fd) != start_in_use; i++)
		usleep(100000);
	end_in_use = in_use(fd);
	for (i = 0; i < nr_cg; i++) {
		long cur, peak;
		int a;

		if (!cgs[i].used)
			continue;
		cur = read_long(cgs[i].path, "ioasids.current");
		peak = read_long(cgs[i].path, "ioasids.peak");
		if (cur != 0) {
			leaks++;
			printf("# LEAK: %s still holds %ld\n", cgs[i].path, cur);
		}
		/* what it held was held under every ancestor's limit too */
		for (a = i; a >= 0; a = cgs[a].parent) {
			if (peak <= cgs[a].highest)
				continue;
			peak_over++;
			printf("# PEAK: %s peaked at %ld, the highest limit of %s was %ld\n",
			       cgs[i].path, peak, cgs[a].path, cgs[a].highest);
		}
	}
	for (i = 0; i <= MAX_PROCS - 1; i++) {
		total.ops += shared[i].ops;
		total.allocs += shared[i].allocs;
		total.refusals += shared[i].refusals;
		total.errors += shared[i].errors;
	}
	left = (long)end_in_use - (long)start_in_use;

	printf("# operations %lu, allocations %lu, limit refusals %lu, errors %lu\n",
	       total.ops, total.allocs, total.refusals, total.errors);
	printf("# limit writes %lu, migrations %lu, kills %lu, cgroups created %lu, removed %lu\n",
	       limit_writes, moves, kills, created, removed);
	printf("# violations %lu, leaks %ld (cgroups) + %ld (IOASIDs in use)\n",
	       violations, leaks, left);

	result(total.allocs > 0 && total.refusals > 0 && moves > 0 && kills > 0 &&
	       limit_writes > NR_FIXED,
	       "the run allocated, was refused, moved and killed (it stressed something)");
	result(total.errors == 0, "no operation failed except by a limit (%lu errors)", total.errors);
	result(violations == 0, "no cgroup was seen above what its limits allow (%lu violations)",
	       violations);
	result(peak_over == 0, "no ioasids.peak passed the highest limit of the cgroup or an ancestor");
	result(leaks == 0, "every ioasids.current is back to 0 (%ld left)", leaks);
	result(left == 0, "the system-wide in-use count is back to %u (now %u)", start_in_use,
	       end_in_use);
	printf("1..%d\n", tap_n);

	/* leaves first; a removed cgroup that still held charges would linger */
	for (i = nr_cg - 1; i >= 0; i--)
		if (cgs[i].used && cgs[i].leaf)
			rmdir(cgs[i].path);
	rmdir(cgs[1].path);
	rmdir(cgs[2].path);
	rmdir(cgs[0].path);
	close(fd);
	return violations || leaks || left || peak_over || total.errors;
}
