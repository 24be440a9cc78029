// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-bench: the kernel-side figures of make bench, run in the test
 * kernel as root. Prints "name value" lines; bench.sh turns them into the
 * table and JSON.
 *
 *   kernel  ns per ioasid_alloc + ioasid_free pair in the kernel
 *           (debugfs ioasid/bench), for a task at depth 0, 1, 2, 4 and 8
 *           of a hierarchy with a limit at every level
 *   uapi    ns per IOASID_ALLOC + IOASID_FREE round trip through
 *           /dev/ioasid, in the root cgroup (uncharged) and at depth 4
 *   scale   the whole space allocated over GROUPS cgroups, then freed:
 *           time for each phase, and slab memory per live IOASID
 *   compare ns per pair by other paths, at depth 0, 1, 4 and 8, interleaved:
 *           6.12's own global PASID IDA (the baseline), the core's global
 *           PASIDs, a kernel set (uncharged), a user set (charged to
 *           ioasids) and the same on an empty space (cold), and, where the kernel has the misc controller and
 *           its test-kernel resource, a kernel set and the IDA charged to
 *           misc instead; with each figure's spread over the runs
 *   smp     (--smp N, on the SMP kernel, instead of kernel/uapi/scale) pairs
 *           per second from 1 task and from N tasks at once, each on its
 *           own debugfs file: in the root cgroup (uncharged), and in N
 *           sibling cgroups under one limited parent (charged, the parent's
 *           counters shared by all); and refusals per second, each task in
 *           a sibling whose ioasids.max is 0 (every refusal counts up to
 *           the shared parent and notifies its events files)
 *
 * Usage: ioasid-bench [--iters N] [--uapi-iters N] [--runs R] [--groups G]
 *                     [--smp N]
 * (a system call costs tens of microseconds in UML: the uAPI loop is shorter)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ioasid.h>

#define CG "/sys/fs/cgroup"
#define DEBUGFS "/sys/kernel/debug/ioasid/bench"
#define LIMIT "1000000"	/* a limit at every level, never reached */

static long iters = 200000, uapi_iters = 5000, runs = 7, groups = 1000;
static int has_misc;	/* the misc controller, with the benchmark's resource */

static void die(const char *what)
{
	fprintf(stderr, "ioasid-bench: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void put(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, v, strlen(v)) != (ssize_t)strlen(v))
		die(path);
	close(fd);
}

static long long get(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		die(path);
	close(fd);
	return atoll(buf);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, long n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The chain /TOPN/d1/.../dN-1 with the controllers @ctl ("+ioasids ...")
 * and a limit at each level; its path.
 */
static const char *chain_of(const char *top, int depth, const char *ctl)
{
	static char path[256];
	char f[300];

	snprintf(path, sizeof(path), CG);
	put(CG "/cgroup.subtree_control", ctl);
	for (int i = 0; i < depth; i++) {
		size_t n = strlen(path);

		/* one chain per depth: only a leaf may have processes (a domain controller) */
		if (i)
			snprintf(path + n, sizeof(path) - n, "/d%d", i);
		else
			snprintf(path + n, sizeof(path) - n, "/%s%d", top, depth);
		if (mkdir(path, 0755) && errno != EEXIST)
			die(path);
		snprintf(f, sizeof(f), "%s/ioasids.max", path);
		put(f, LIMIT);
		if (has_misc) {
			snprintf(f, sizeof(f), "%s/misc.max", path);
			put(f, "ioasid_bench " LIMIT);
		}
		if (i + 1 < depth) {
			snprintf(f, sizeof(f), "%s/cgroup.subtree_control", path);
			put(f, ctl);
		}
	}
	return path;
}

static const char *chain(int depth)
{
	return chain_of("bench", depth, has_misc ? "+ioasids +misc" : "+ioasids");
}

static void move_to(const char *cgroup)
{
	char f[300];

	snprintf(f, sizeof(f), "%s/cgroup.procs", cgroup);
	put(f, "0");
}

/* @n pairs by @mode in the kernel, through the debugfs file: the ns they took */
static double kernel_run_mode(long n, const char *mode)
{
	char buf[64];
	unsigned long long it, ns;
	int fd = open(DEBUGFS, O_RDWR | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		die(DEBUGFS);
	len = snprintf(buf, sizeof(buf), "%ld %s", n, mode);
	if (write(fd, buf, len) != len)
		die("writing " DEBUGFS);
	/* the result is the open file's own */
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		die("reading " DEBUGFS);
	buf[len] = '\0';
	close(fd);
	if (sscanf(buf, "%llu %llu", &it, &ns) != 2 || it != (unsigned long long)n)
		die("parsing " DEBUGFS);
	return (double)ns;
}

static double kernel_run(long n)
{
	return kernel_run_mode(n, "charged");
}

/* Does the kernel have the misc controller and the benchmark's resource? */
static int misc_available(void)
{
	char buf[4096] = "";
	int fd = open(CG "/misc.capacity", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return strstr(buf, "ioasid_bench ") != NULL;
}

/*
 * Every path at every depth, the modes interleaved within each run so that
 * drift hits them alike: the median ns per pair, and the spread of the runs
 * ((max - min) / median), which says what difference is above the noise.
 */
static void compare(void)
{
	static const char *const modes[] = { "ida", "global", "kernel", "charged", "cold",
					     "misc", "ida+misc" };
	static const int depths[] = { 0, 1, 4, 8 };
	enum { NM = sizeof(modes) / sizeof(modes[0]), ND = sizeof(depths) / sizeof(depths[0]) };
	long n = 2 * runs + 1;	/* more runs than elsewhere: TCG is noisy */
	double *v = calloc((size_t)NM * ND * n, sizeof(*v)), base = 0;
	int nm = has_misc ? NM : NM - 2;

	cpu_set_t one, all;

	if (!v)
		die("calloc");
	/* one CPU: a task that moves between vCPUs under TCG adds noise */
	if (sched_getaffinity(0, sizeof(all), &all))
		die("sched_getaffinity");
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		die("sched_setaffinity");
	printf("compare_misc %d\n", has_misc);
	for (int d = 0; d < ND; d++) {
		move_to(chain(depths[d]));
		for (int m = 0; m < nm; m++)
			kernel_run_mode(iters / 10, modes[m]);	/* warm-up */
		for (long r = 0; r < n; r++)
			for (int m = 0; m < nm; m++)
				v[((size_t)m * ND + d) * n + r] =
					kernel_run_mode(iters, modes[m]) / iters;
		move_to(CG);
		for (int m = 0; m < nm; m++) {
			double *x = &v[((size_t)m * ND + d) * n], med;
			char key[32];

			med = median(x, n);	/* sorts: x[0] min, x[n - 1] max */
			if (!m && !d)
				base = med;
			snprintf(key, sizeof(key), "%s", modes[m]);
			for (char *c = key; *c; c++)
				if (*c == '+')
					*c = '_';
			printf("cmp_%s_d%d_ns %.1f\ncmp_%s_d%d_ratio %.3f\ncmp_%s_d%d_spread %.3f\n",
			       key, depths[d], med, key, depths[d], med / base,
			       key, depths[d], (x[n - 1] - x[0]) / med);
		}
	}
	if (sched_setaffinity(0, sizeof(all), &all))
		die("sched_setaffinity");
	free(v);
}

/* ns per pair, in the kernel, at @depth: the median of the runs */
static double kernel_pair(int depth)
{
	double *v = calloc(runs, sizeof(*v));

	move_to(chain(depth));
	kernel_run(iters);	/* a warm-up run, not counted */
	for (long r = 0; r < runs; r++)
		v[r] = kernel_run(iters) / iters;
	move_to(CG);
	double m = median(v, runs);

	free(v);
	return m;
}

/* ns per IOASID_ALLOC + IOASID_FREE round trip from user space */
static double uapi_pair(int fd)
{
	double t = now_ns();

	for (long i = 0; i < uapi_iters; i++) {
		struct ioasid_alloc a = { .argsz = sizeof(a) };
		struct ioasid_free fr = { .argsz = sizeof(fr) };

		if (ioctl(fd, IOASID_ALLOC, &a))
			die("IOASID_ALLOC");
		fr.id = a.id;
		if (ioctl(fd, IOASID_FREE, &fr))
			die("IOASID_FREE");
	}
	return (now_ns() - t) / uapi_iters;
}

static long long slab_kb(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void scale(void)
{
	struct ioasid_info info = { .argsz = sizeof(info) };
	long long capacity, before, after, after_free;
	struct rlimit rl = { groups + 64, groups + 64 };
	int *fds = calloc(groups, sizeof(*fds));
	char path[256];
	double t;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	/* every ID a set may have: [min_id, max_id], the rest is the IOMMU's */
	fds[0] = open("/dev/ioasid", O_RDWR | O_CLOEXEC);
	if (fds[0] < 0 || ioctl(fds[0], IOASID_GET_INFO, &info))
		die("IOASID_GET_INFO");
	close(fds[0]);
	capacity = (long long)info.max_id - info.min_id + 1;
	put(CG "/cgroup.subtree_control", "+ioasids");
	if (mkdir(CG "/scale", 0755) && errno != EEXIST)
		die(CG "/scale");
	put(CG "/scale/cgroup.subtree_control", "+ioasids");
	for (long g = 0; g < groups; g++) {
		snprintf(path, sizeof(path), CG "/scale/g%ld", g);
		if (mkdir(path, 0755) && errno != EEXIST)
			die(path);
	}
	sync();
	before = slab_kb();

	/* each group's share, the first ones taking the remainder */
	t = now_ns();
	for (long g = 0; g < groups; g++) {
		long n = capacity / groups + (g < capacity % groups);

		snprintf(path, sizeof(path), CG "/scale/g%ld", g);
		move_to(path);
		fds[g] = open("/dev/ioasid", O_RDWR | O_CLOEXEC);
		if (fds[g] < 0)
			die("/dev/ioasid");
		for (long i = 0; i < n; i++) {
			struct ioasid_alloc a = { .argsz = sizeof(a) };

			if (ioctl(fds[g], IOASID_ALLOC, &a))
				die("IOASID_ALLOC while filling the space");
		}
	}
	printf("scale_alloc_s %.3f\n", (now_ns() - t) / 1e9);
	after = slab_kb();
	move_to(CG);
	printf("scale_ids %lld\nscale_groups %ld\nscale_in_use %lld\n", capacity, groups,
	       get(CG "/ioasids.current"));

	t = now_ns();
	for (long g = 0; g < groups; g++)
		close(fds[g]);
	printf("scale_free_s %.3f\n", (now_ns() - t) / 1e9);
	after_free = slab_kb();
	printf("scale_slab_before_kb %lld\nscale_slab_full_kb %lld\nscale_slab_freed_kb %lld\n",
	       before, after, after_free);
	printf("scale_bytes_per_id %.1f\n", (after - before) * 1024.0 / capacity);
	printf("scale_in_use_after_free %lld\n", get(CG "/ioasids.current"));
	for (long g = 0; g < groups; g++) {
		snprintf(path, sizeof(path), CG "/scale/g%ld", g);
		rmdir(path);
	}
	rmdir(CG "/scale");
	free(fds);
}

/*
 * @n tasks at once, task i in cgroup @cgs[i], each running @iters pairs on
 * its own debugfs file, released together: the pairs per second of all of
 * them, over the time the slowest took in the kernel.
 */
static double smp_rate(int n, char (*cgs)[256])
{
	int start[2], done[2];
	double slowest = 0;
	char c;

	if (pipe(start) || pipe(done))
		die("pipe");
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid) {
			double ns;

			close(start[1]);
			move_to(cgs[i]);
			kernel_run(iters / 10);	/* warm up */
			if (write(done[1], "r", 1) != 1 || read(start[0], &c, 1) != 0)
				_exit(2);
			ns = kernel_run(iters);
			if (write(done[1], &ns, sizeof(ns)) != sizeof(ns))
				_exit(2);
			_exit(0);
		}
	}
	close(done[1]);
	for (int i = 0; i < n; i++)
		if (read(done[0], &c, 1) != 1)
			die("a task did not get ready");
	close(start[1]);	/* all go at once */
	for (int i = 0; i < n; i++) {
		double ns;

		if (read(done[0], &ns, sizeof(ns)) != sizeof(ns))
			die("a task did not report");
		if (ns > slowest)
			slowest = ns;
	}
	while (wait(NULL) > 0)
		;
	close(start[0]);
	close(done[0]);
	return n * iters / (slowest / 1e9);
}

static void smp(int n)
{
	char (*root)[256] = calloc(n, sizeof(*root));
	char (*leaf)[256] = calloc(n, sizeof(*leaf));
	char (*full)[256] = calloc(n, sizeof(*full));
	double r1, rn, c1, cn, f1, fn, *v1 = calloc(runs, sizeof(double)),
	       *vn = calloc(runs, sizeof(double)), *w1 = calloc(runs, sizeof(double)),
	       *wn = calloc(runs, sizeof(double)), *x1 = calloc(runs, sizeof(double)),
	       *xn = calloc(runs, sizeof(double));
	char f[300];

	put(CG "/cgroup.subtree_control", "+ioasids");
	if (mkdir(CG "/smp", 0755) && errno != EEXIST)
		die(CG "/smp");
	put(CG "/smp/ioasids.max", LIMIT);
	put(CG "/smp/cgroup.subtree_control", "+ioasids");
	for (int i = 0; i < n; i++) {
		snprintf(root[i], sizeof(root[i]), CG);
		snprintf(leaf[i], sizeof(leaf[i]), CG "/smp/t%d", i);
		if (mkdir(leaf[i], 0755) && errno != EEXIST)
			die(leaf[i]);
		snprintf(full[i], sizeof(full[i]), CG "/smp/z%d", i);
		if (mkdir(full[i], 0755) && errno != EEXIST)
			die(full[i]);
		snprintf(f, sizeof(f), "%s/ioasids.max", full[i]);
		put(f, "0");
	}
	/* interleaved, so drift hits every case alike */
	for (long r = 0; r < runs; r++) {
		v1[r] = smp_rate(1, root);
		w1[r] = smp_rate(1, leaf);
		vn[r] = smp_rate(n, root);
		wn[r] = smp_rate(n, leaf);
		x1[r] = smp_rate(1, full);
		xn[r] = smp_rate(n, full);
	}
	r1 = median(v1, runs);
	c1 = median(w1, runs);
	rn = median(vn, runs);
	cn = median(wn, runs);
	f1 = median(x1, runs);
	fn = median(xn, runs);
	printf("smp_tasks %d\n", n);
	printf("smp_1_uncharged_kpairs_s %.1f\nsmp_1_charged_kpairs_s %.1f\n", r1 / 1e3, c1 / 1e3);
	printf("smp_n_uncharged_kpairs_s %.1f\nsmp_n_charged_kpairs_s %.1f\n", rn / 1e3, cn / 1e3);
	printf("smp_1_charge_ratio %.3f\nsmp_n_charge_ratio %.3f\n", c1 / r1, cn / rn);
	printf("smp_uncharged_scaling %.3f\nsmp_charged_scaling %.3f\n", rn / r1, cn / c1);
	printf("smp_1_refused_kops_s %.1f\nsmp_n_refused_kops_s %.1f\nsmp_refused_scaling %.3f\n",
	       f1 / 1e3, fn / 1e3, fn / f1);
	for (int i = 0; i < n; i++) {
		rmdir(leaf[i]);
		rmdir(full[i]);
	}
	rmdir(CG "/smp");
	free(root);
	free(leaf);
	free(full);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iters", required_argument, NULL, 'i' },
		{ "uapi-iters", required_argument, NULL, 'u' },
		{ "runs", required_argument, NULL, 'r' },
		{ "groups", required_argument, NULL, 'g' },
		{ "smp", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static const int depths[] = { 0, 1, 2, 4, 8 };
	double k0 = 0, off, on, mem, *voff, *von, *vmem;
	long smp_tasks = 0;
	int c, fd;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		long *p = c == 'i' ? &iters : c == 'u' ? &uapi_iters : c == 'r' ? &runs :
			  c == 'g' ? &groups : c == 's' ? &smp_tasks : NULL;

		if (!p || (*p = atol(optarg)) < 1) {
			fprintf(stderr, "usage: ioasid-bench [--iters N] [--uapi-iters N] [--runs R] "
				"[--groups G] [--smp N]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("iters %ld\nuapi_iters %ld\nruns %ld\n", iters, uapi_iters, runs);
	has_misc = misc_available();
	if (smp_tasks) {
		compare();
		smp(smp_tasks);
		return 0;
	}
	compare();

	for (size_t i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		double k = kernel_pair(depths[i]);

		if (!depths[i])
			k0 = k;
		printf("kernel_depth%d_ns %.1f\nkernel_depth%d_ratio %.3f\n",
		       depths[i], k, depths[i], k / k0);
	}

	/* the two uAPI cases interleaved, so drift hits both alike */
	fd = open("/dev/ioasid", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/ioasid");
	/*
	 * Three times the runs: a system call's cost in UML varies by several
	 * percent from one run to the next, far more than a charge costs.
	 */
	/*
	 * And at depth 4 in a memory cgroup of its own, where each ID's record
	 * is charged to memcg too: the root's memcg charges nothing.
	 */
	voff = calloc(3 * runs, sizeof(*voff));
	von = calloc(3 * runs, sizeof(*von));
	vmem = calloc(3 * runs, sizeof(*vmem));
	for (long r = 0; r < 3 * runs; r++) {
		move_to(CG);
		voff[r] = uapi_pair(fd);
		move_to(chain(4));
		von[r] = uapi_pair(fd);
		move_to(chain_of("benchmem", 4, "+ioasids +memory"));
		vmem[r] = uapi_pair(fd);
	}
	move_to(CG);
	close(fd);
	off = median(voff, 3 * runs);
	on = median(von, 3 * runs);
	mem = median(vmem, 3 * runs);
	printf("uapi_off_ns %.1f\nuapi_depth4_ns %.1f\nuapi_ratio %.3f\n", off, on, on / off);
	printf("uapi_depth4_memcg_ns %.1f\nuapi_memcg_ratio %.3f\n", mem, mem / off);
	free(voff);
	free(von);
	free(vmem);

	scale();
	return 0;
}
