// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-alloc: allocate IOASIDs through /dev/ioasid, the way a VMM would,
 * and optionally hold them until told to stop. For demos and end-to-end
 * tests.
 *
 * Exit status: 0 when every allocation succeeded, 1 when at least one was
 * refused with ENOSPC, 2 on any other error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ioasid.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ioasid-alloc [-n COUNT] [--free ID] [--hold] [--label NAME]\n"
		"Allocate COUNT (default 1) IOASIDs from /dev/ioasid.\n"
		"  -n, --count COUNT  how many to allocate (0 with --free)\n"
		"  -f, --free ID      first try to free ID, which this new set does\n"
		"                     not hold: exit 3 when refused with ENOENT\n"
		"      --hold         keep them until SIGTERM or SIGINT\n"
		"  -l, --label NAME   prefix every line with NAME\n"
		"  -h, --help         this text\n"
		"Exit status: 0 all allocated, 1 some refused (ENOSPC), 2 error,\n"
		"3 --free refused (ENOENT).\n");
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "hold", no_argument, NULL, 'H' },
		{ "free", required_argument, NULL, 'f' },
		{ "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *label = "ioasid-alloc";
	long count = 1, free_id = -1;
	int hold = 0, refused = 0, got = 0, fd, c;
	char *end;

	while ((c = getopt_long(argc, argv, "n:f:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			errno = 0;
			free_id = strtol(optarg, &end, 10);
			if (errno || *end || free_id < 0 || free_id > 0xffffffffL) {
				fprintf(stderr, "ioasid-alloc: bad ID '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno || *end || count < 0 || count > 1048575) {
				fprintf(stderr, "ioasid-alloc: bad count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'H':
			hold = 1;
			break;
		case 'l':
			label = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	fd = open("/dev/ioasid", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: /dev/ioasid: %s\n", label, strerror(errno));
		return 2;
	}

	if (free_id >= 0) {
		struct ioasid_free fr = { .argsz = sizeof(fr), .id = free_id };

		if (ioctl(fd, IOASID_FREE, &fr) == 0) {
			printf("%s: freed IOASID %ld\n", label, free_id);
		} else if (errno == ENOENT) {
			printf("%s: free of IOASID %ld refused: %s (ENOENT)\n", label,
			       free_id, strerror(errno));
			return 3;
		} else {
			fprintf(stderr, "%s: IOASID_FREE: %s\n", label, strerror(errno));
			return 2;
		}
	}

	for (long i = 0; i < count; i++) {
		struct ioasid_alloc a = { .argsz = sizeof(a) };

		if (ioctl(fd, IOASID_ALLOC, &a) == 0) {
			printf("%s: allocated IOASID %u\n", label, a.id);
			got++;
		} else if (errno == ENOSPC) {
			printf("%s: refused: %s (ENOSPC)\n", label, strerror(errno));
			refused++;
		} else {
			fprintf(stderr, "%s: IOASID_ALLOC: %s\n", label, strerror(errno));
			return 2;
		}
	}
	fflush(stdout);

	if (hold) {
		struct sigaction sa = { .sa_handler = on_signal };
		sigset_t block, old;

		/* blocked until sigsuspend(), so no signal slips in between */
		sigemptyset(&block);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGINT);
		sigprocmask(SIG_BLOCK, &block, &old);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		printf("%s: holding %d IOASIDs\n", label, got);
		fflush(stdout);
		while (!stop)
			sigsuspend(&old);
	}
	close(fd);
	return refused ? 1 : 0;
}
