// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-fuzz: a bounded random fuzzer for /dev/ioasid and the ioasids.*
 * files, checked against a model.
 *
 * Calls: ioctls with random commands, argsz, flags, ranges and IDs, on
 * buffers that end at an unmapped page, through several files and their
 * dups; closes and reopens; and writes of random text to every ioasids.*
 * file of the cgroup it runs in and of the root.
 *
 * The model: an ID the kernel hands out is in the asked range and held by
 * no other set; FREE succeeds exactly for the IDs the set holds; errors are
 * only the documented ones; a refused write to ioasids.max leaves it
 * unchanged and an accepted one reads back as written; the read-only files
 * refuse every write. At the end everything is closed and the cgroup's
 * ioasids.current and the system-wide count are back where they started.
 *
 * Usage: ioasid-fuzz [-n CALLS] [-s SEED] [-c CGROUP] [-e EVERY] [-m]
 * (-e: check ioasids.current every EVERY calls; -m: ENOMEM is expected,
 * under fault injection). TAP on stdout.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/ioasid.h>

#define FILES		8
#define SETS		FILES	/* a dup shares its original's set */
#define CAP_MAX		((1U << 20) - 1)

static unsigned long calls, failures;
static unsigned long allocated, freed, by_errno[256];
static uint8_t *holder;		/* holder[id]: 1 + set index, or 0 */
static int fds[FILES], set_of[FILES];
static unsigned int capacity;
static unsigned int min_id;	/* below it, IDs are the IOMMU layer's */
static const char *cg;
static char *page_end;		/* the last bytes before a PROT_NONE page */

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (++failures > 20)
		return;
	printf("# FAIL after %lu calls: ", calls);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static uint32_t rnd32(void)
{
	return ((uint32_t)random() << 16) ^ (uint32_t)random();
}

/* Mostly interesting values, sometimes anything. */
static uint32_t pick_id(void)
{
	static const uint32_t edge[] = { 0, 1, 2, 3, 100, 101 };

	switch (random() % 8) {
	case 0: return edge[random() % 6];
	case 1: return capacity - random() % 3;
	case 2: return capacity + random() % 3;
	case 3: return UINT32_MAX - random() % 2;
	case 4: return rnd32();
	case 5: return min_id - 1 + random() % 3;
	default: return min_id + random() % 200;
	}
}

static uint32_t pick_argsz(uint32_t want)
{
	switch (random() % 10) {
	case 0: return random() % want;			/* short */
	case 1: return want + 4 * (1 + random() % 4);	/* longer */
	case 2: return rnd32();				/* huge */
	case 3: return 4096 + random() % 4;		/* around PAGE_SIZE */
	default: return want;
	}
}

static void drop_set(int set)
{
	unsigned int id;

	for (id = 0; id <= capacity; id++)
		if (holder[id] == set + 1)
			holder[id] = 0;
}

static bool nomem_ok;	/* -m: under fault injection, ENOMEM is expected */

static bool errno_allowed(int e)
{
	return (nomem_ok && e == ENOMEM) || e == EINVAL || e == ENOSPC || e == ENOENT || e == EFAULT ||
	       e == E2BIG || e == ENOTTY;
}

static void fuzz_ioctl(void)
{
	int f = random() % FILES, set = set_of[f], ret, e;
	uint32_t words[16], nr, min, max, id;
	unsigned int cmd;
	void *arg = words;
	size_t len = sizeof(words);

	if (fds[f] < 0)
		return;
	for (nr = 0; nr < 16; nr++)
		words[nr] = random() % 4 ? 0 : rnd32();
	nr = random() % 10 ? random() % 4 : random() % 16;
	cmd = random() % 50 ? _IO(IOASID_TYPE, nr) : rnd32();

	words[1] = random() % 6 ? 0 : 1U << (random() % 32);	/* flags */
	min = words[2] = pick_id();
	max = words[3] = random() % 3 ? pick_id() : (random() % 2 ? 0 : min);
	if (!(random() % 4))
		min = words[2] = max = words[3] = 0;
	switch (nr) {
	case 1: words[0] = pick_argsz(sizeof(struct ioasid_info)); break;
	case 2: words[0] = pick_argsz(sizeof(struct ioasid_alloc)); break;
	case 3:
		words[0] = pick_argsz(sizeof(struct ioasid_free));
		words[2] = pick_id();
		break;
	default: words[0] = rnd32() % 64; break;
	}
	switch (random() % 20) {
	case 0: arg = NULL; break;
	case 1: arg = (void *)1; break;
	case 2:		/* the structure runs into an unmapped page */
		len = 4 + random() % 16;
		arg = page_end - len;
		memcpy(arg, words, len);
		break;
	}

	calls++;
	ret = ioctl(fds[f], cmd, arg);
	e = errno;
	if (ret < 0 && !errno_allowed(e))
		fail("ioctl %#x: unexpected %s", cmd, strerror(e));
	if (ret < 0) {
		by_errno[e & 255]++;
		return;
	}
	if (arg == page_end - len)	/* it fitted: the kernel wrote there */
		memcpy(words, arg, len);
	else if (arg != words && cmd != IOASID_GET_API_VERSION)
		fail("ioctl %#x on a bad pointer succeeded", cmd);
	if (cmd == IOASID_ALLOC) {
		id = words[4];
		if (!min && !max) {
			min = min_id;
			max = capacity;
		}
		if (min < min_id)
			fail("ALLOC [%u, %u] succeeded below min_id %u", min, max, min_id);
		else if (id < min || id > max || id > capacity || !id)
			fail("ALLOC [%u, %u] gave %u", min, max, id);
		else if (holder[id])
			fail("ALLOC gave %u, which set %d already holds", id, holder[id] - 1);
		else
			holder[id] = set + 1;
		allocated++;
	} else if (cmd == IOASID_FREE) {
		id = words[2];
		if (id > capacity || holder[id] != set + 1)
			fail("FREE of %u succeeded, but this set does not hold it", id);
		else
			holder[id] = 0;
		freed++;
	} else if (cmd == IOASID_GET_INFO) {
		if (words[2] != capacity || words[3] != min_id)
			fail("GET_INFO capacity %u, min_id %u, not %u, %u", words[2],
			     words[3], capacity, min_id);
	}
}

/* FREE of each ID the model says a set does not hold must fail ENOENT. */
static void probe_frees(void)
{
	int f = random() % FILES;
	struct ioasid_free fr = { .argsz = sizeof(fr) };

	if (fds[f] < 0)
		return;
	fr.id = min_id - 1 + random() % 300;
	if (fr.id > capacity)
		fr.id = capacity;
	if (holder[fr.id] == set_of[f] + 1)
		return;
	calls++;
	if (!ioctl(fds[f], IOASID_FREE, &fr) || errno != ENOENT)
		fail("FREE of %u, which the set does not hold: %s", fr.id, strerror(errno));
}

static void reopen(void)
{
	int f = random() % FILES, g, i, shared = 0;

	if (fds[f] >= 0) {
		for (g = 0; g < FILES; g++)
			if (g != f && fds[g] >= 0 && set_of[g] == set_of[f])
				shared = 1;
		close(fds[f]);
		fds[f] = -1;
		if (!shared)
			drop_set(set_of[f]);	/* the last close frees the set */
	}
	g = random() % FILES;
	if (random() % 3 == 0 && fds[g] >= 0) {
		fds[f] = dup(fds[g]);
		set_of[f] = set_of[g];
	} else {
		fds[f] = open("/dev/ioasid", O_RDWR | O_CLOEXEC);
		/* a new set: take a set number no open file uses */
		for (i = 0; i < SETS; i++) {
			for (g = 0; g < FILES; g++)
				if (g != f && fds[g] >= 0 && set_of[g] == i)
					break;
			if (g == FILES)
				break;
		}
		set_of[f] = i;
		drop_set(i);
	}
	calls++;
	/* a dup or open may fail with ENOMEM under fault injection (-m) */
	if (fds[f] < 0 && !(nomem_ok && errno == ENOMEM))
		fail("reopening /dev/ioasid: %s", strerror(errno));
}

/* ---- the ioasids.* files ---------------------------------------------------- */

/*
 * Read one of the cgroup's files into buf. Under fault injection (-m) the
 * open() or read() itself may fail with ENOMEM: try again, for the model
 * needs the value. Any other failure is the test's, and buf is left empty.
 */
static int read_file(const char *file, char *buf, size_t size)
{
	char path[512];
	ssize_t n = -1;
	int fd, tries;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	for (tries = 0; tries < 1000; tries++) {
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, size - 1);
			close(fd);
		}
		if ((fd >= 0 && n >= 0) || !nomem_ok || errno != ENOMEM)
			break;
	}
	buf[n < 0 ? 0 : n] = '\0';
	if (n < 0)
		fail("reading %s: %s", file, strerror(errno));
	return n < 0 ? -1 : 0;
}

static void random_text(char *buf, size_t *len)
{
	static const char *words[] = { "max", "0", "1", "42", "1048575", "1048576",
		"-1", "+1", "0x10", "010", " 7 ", "7\n", "\n", "", "max\n", "MAX",
		"maxx", "4294967296", "99999999999999999999", "1e3", "3 4", "\t9\t" };
	size_t i, n;

	if (random() % 3) {
		strcpy(buf, words[random() % (sizeof(words) / sizeof(*words))]);
		*len = strlen(buf);
		if (!(random() % 8) && *len)
			buf[random() % *len] = '\0';	/* an embedded NUL */
		return;
	}
	n = random() % 24;
	for (i = 0; i < n; i++)
		buf[i] = random() % 2 ? "0123456789 max\n-+x"[random() % 18] : random() % 256;
	buf[n] = '\0';
	*len = n;
}

/* The kernel's isspace(): ASCII space characters and Latin-1's NBSP. */
static bool kspace(char c)
{
	return isspace((unsigned char)c) || (unsigned char)c == 0xa0;
}

/* What the kernel must accept: "max" or a decimal 0..2^20-1, space around. */
static bool valid_max(const char *buf, size_t len, char *canon)
{
	size_t a = 0, b = len, i;

	if (memchr(buf, '\0', len))
		return false;
	while (a < b && kspace(buf[a]))
		a++;
	while (b > a && kspace(buf[b - 1]))
		b--;
	if (b - a == 3 && !memcmp(buf + a, "max", 3)) {
		strcpy(canon, "max");
		return true;
	}
	if (a == b || b - a > 7 || (buf[a] == '0' && b - a > 1))
		return false;
	for (i = a; i < b; i++)
		if (!isdigit((unsigned char)buf[i]))
			return false;
	memcpy(canon, buf + a, b - a);
	canon[b - a] = '\0';
	return strtoul(canon, NULL, 10) <= CAP_MAX;
}

static void fuzz_file(void)
{
	/* ours, then the root's own */
	static const char *ro[] = { "ioasids.current", "ioasids.peak", "ioasids.events",
				    "ioasids.events.local", "ioasids.current", "ioasids.capacity" };
	char path[512], buf[64], before[64], after[64], canon[64];
	bool is_max = random() % 2, ok;
	int which = random() % 6, fd, e;
	const char *file = is_max ? "ioasids.max" : ro[which];
	size_t len;
	ssize_t n;

	random_text(buf, &len);
	if (!len)
		return;		/* write(2) of nothing never reaches the kernel */
	read_file("ioasids.max", before, sizeof(before));
	snprintf(path, sizeof(path), "%s/%s", !is_max && which >= 4 ? "/sys/fs/cgroup" : cg,
		 file);
	calls++;
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		/* under fault injection (-m) the open may fail with ENOMEM */
		if (is_max && !(nomem_ok && errno == ENOMEM))
			fail("opening %s for writing: %s", file, strerror(errno));
		return;
	}
	n = write(fd, buf, len);
	e = errno;
	close(fd);
	if (n < 0 && nomem_ok && e == ENOMEM) {
		/* an injected fault: the write is refused and changes nothing */
		by_errno[ENOMEM]++;
		read_file("ioasids.max", after, sizeof(after));
		if (strcmp(after, before))
			fail("a write refused with ENOMEM changed ioasids.max from '%s' to '%s'",
			     before, after);
		return;
	}
	errno = e;
	if (!is_max) {
		if (n >= 0)
			fail("%s took a write", file);
		return;
	}
	ok = valid_max(buf, len, canon);
	read_file("ioasids.max", after, sizeof(after));
	after[strcspn(after, "\n")] = '\0';
	before[strcspn(before, "\n")] = '\0';
	if (ok && n != (ssize_t)len)
		fail("ioasids.max refused '%.*s': %s", (int)len, buf, strerror(errno));
	else if (!ok && n >= 0)
		fail("ioasids.max took '%.*s' and reads '%s'", (int)len, buf, after);
	else if (!ok && errno != EINVAL)
		fail("ioasids.max refused '%.*s' with %s, not EINVAL", (int)len, buf, strerror(errno));
	else if (ok && strcmp(after, canon))
		fail("ioasids.max took '%.*s' but reads '%s'", (int)len, buf, after);
	else if (!ok && strcmp(after, before))
		fail("a refused write changed ioasids.max from '%s' to '%s'", before, after);
}

static unsigned int in_use(void)
{
	struct ioasid_info info = { .argsz = sizeof(info) };
	int fd = -1, ret = -1, tries;

	/* under fault injection (-m), opening may fail with ENOMEM: again */
	for (tries = 0; tries < 1000 && ret; tries++) {
		fd = open("/dev/ioasid", O_RDWR);
		ret = fd < 0 ? -1 : ioctl(fd, IOASID_GET_INFO, &info);
		if (fd >= 0)
			close(fd);
		if (ret && (!nomem_ok || errno != ENOMEM))
			break;
	}
	if (ret) {
		printf("Bail out! /dev/ioasid: %s\n", strerror(errno));
		exit(1);
	}
	return info.in_use;
}

int main(int argc, char **argv)
{
	unsigned long n = 1000000, check_every = 1000;
	unsigned int seed = time(NULL), start, end, i;
	char cur[64] = "";
	int opt, f;

	cg = "/sys/fs/cgroup/ioasid-fuzz";
	while ((opt = getopt(argc, argv, "n:s:c:e:mh")) != -1) {
		switch (opt) {
		case 'm': nomem_ok = true; break;
		case 'e': check_every = strtoul(optarg, NULL, 10) ?: 1; break;
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoul(optarg, NULL, 10); break;
		case 'c': cg = optarg; break;
		default:
			fprintf(stderr, "Usage: ioasid-fuzz [-n CALLS] [-s SEED] [-c CGROUP] [-e EVERY] [-m]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n# %lu calls, seed %u, cgroup %s\n", n, seed, cg);
	srandom(seed);

	{
		struct ioasid_info info = { .argsz = sizeof(info) };
		int fd = open("/dev/ioasid", O_RDWR);

		if (fd < 0 || ioctl(fd, IOASID_GET_INFO, &info)) {
			printf("Bail out! /dev/ioasid: %s\n", strerror(errno));
			return 1;
		}
		close(fd);
		capacity = info.capacity;
		min_id = info.min_id;
	}
	holder = calloc((size_t)capacity + 1, 1);
	page_end = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!holder || page_end == MAP_FAILED || mprotect(page_end + 4096, 4096, PROT_NONE)) {
		printf("Bail out! memory\n");
		return 1;
	}
	page_end += 4096;

	/* our own cgroup, with a limit the file writes keep changing */
	{
		char procs[512];
		FILE *p;

		p = fopen("/sys/fs/cgroup/cgroup.subtree_control", "w");
		if (!p || fprintf(p, "+ioasids") < 0 || fclose(p)) {
			printf("Bail out! enabling ioasids: %s\n", strerror(errno));
			return 1;
		}
		mkdir(cg, 0755);
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
		p = fopen(procs, "w");
		if (!p || fprintf(p, "0") < 0 || fclose(p)) {
			printf("Bail out! joining %s: %s\n", cg, strerror(errno));
			return 1;
		}
	}
	start = in_use();
	for (f = 0; f < FILES; f++) {
		fds[f] = open("/dev/ioasid", O_RDWR | O_CLOEXEC);
		set_of[f] = f;
	}

	while (calls < n) {
		int r = random() % 1000;
		unsigned long before = calls;

		if (r < 2)
			reopen();
		else if (r < 12)
			fuzz_file();
		else if (r < 60)
			probe_frees();
		else
			fuzz_ioctl();
		/* only this process allocates here: what it holds is charged */
		if (calls / check_every != before / check_every) {
			read_file("ioasids.current", cur, sizeof(cur));
			if ((unsigned int)atol(cur) != in_use() - start)
				fail("ioasids.current %ld, but %u IOASIDs are held", atol(cur),
				     in_use() - start);
		}
	}

	for (f = 0; f < FILES; f++)
		if (fds[f] >= 0)
			close(fds[f]);
	end = in_use();
	read_file("ioasids.current", cur, sizeof(cur));
	for (i = 0; i < 20 && (end != start || atoi(cur)); i++) {
		usleep(100000);
		end = in_use();
		read_file("ioasids.current", cur, sizeof(cur));
	}
	printf("# %lu calls, %lu failures; %lu allocated, %lu freed; refused: %lu EINVAL, "
	       "%lu ENOSPC, %lu ENOENT, %lu EFAULT, %lu E2BIG, %lu ENOTTY, %lu ENOMEM\n", calls,
	       failures, allocated, freed, by_errno[EINVAL], by_errno[ENOSPC], by_errno[ENOENT],
	       by_errno[EFAULT], by_errno[E2BIG], by_errno[ENOTTY], by_errno[ENOMEM]);
	printf("%sok 1 every call behaved as the model says (%lu calls)\n",
	       failures ? "not " : "", calls);
	printf("%sok 2 the cgroup's ioasids.current is back to 0 (%d)\n", atoi(cur) ? "not " : "",
	       atoi(cur));
	printf("%sok 3 the system-wide in-use count is back to %u (%u)\n",
	       end != start ? "not " : "", start, end);
	printf("1..3\n");

	f = open("/sys/fs/cgroup/cgroup.procs", O_WRONLY);
	if (f >= 0 && write(f, "0", 1) == 1)
		rmdir(cg);
	if (f >= 0)
		close(f);
	return failures || atoi(cur) || end != start;
}
