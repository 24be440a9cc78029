// SPDX-License-Identifier: GPL-2.0
/*
 * ioasidctl: see and set the PASID (IOASID) limits of cgroups.
 * The commands; cgroup access is in cgroup.c, output in output.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libcgroup.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "output.h"
#include "util.h"
#include "value.h"
#include "watch.h"

#ifndef IOASIDCTL_VERSION
#define IOASIDCTL_VERSION "0.1"
#endif

static bool arg_json, arg_recursive;

static void usage(FILE *f)
{
	fputs("Usage: ioasidctl [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "See and set how many IOASIDs (PASIDs) each cgroup may hold.\n"
	      "\n"
	      "Commands:\n"
	      "  show [CGROUP...]    current, max, peak and refusals; no CGROUP: every\n"
	      "                      cgroup where the controller is enabled\n"
	      "  set CGROUP VALUE    set ioasids.max; VALUE is a count, max or infinity,\n"
	      "                      or a percentage of the capacity (10%)\n"
	      "  info                capacity, in use and free IOASIDs\n"
	      "  watch [CGROUP...]   a line for every allocation a limit refuses, in the\n"
	      "                      CGROUPs' subtrees (no CGROUP: everywhere); Ctrl-C stops\n"
	      "\n"
	      "CGROUP is a path below the cgroup2 mount, such as /machine.slice/vm1.\n"
	      "\n"
	      "Options:\n"
	      "  -r, --recursive     show: the subtrees of the CGROUPs, as a tree\n"
	      "  -J, --json          show, info: JSON output\n"
	      "  -h, --help          this text\n"
	      "  -V, --version       the version\n"
	      "\n"
	      "Exit status: 0 ok, 1 failure, 2 bad arguments or value, 3 the kernel has\n"
	      "no ioasids controller, 4 no such cgroup, 5 permission denied.\n", f);
}

/* A failure as one line on stderr, and its exit status. */
static int fail(int err, const char *what)
{
	fprintf(stderr, "ioasidctl: %s: %s\n", what, strerror(-err));
	switch (-err) {
	case ENOENT:
		return EXIT_NOTFOUND;
	case EACCES:
	case EPERM:
		return EXIT_PERM;
	case ENODEV:
		return EXIT_NOCTRL;
	case EINVAL:
		return EXIT_USAGE;
	default:
		return EXIT_FAIL;
	}
}

static int init(void)
{
	int ret = cgx_init();

	if (ret == -ENODEV) {
		fprintf(stderr, "ioasidctl: the running kernel has no ioasids cgroup controller "
			"(CONFIG_CGROUP_IOASIDS), or cgroup v2 is not mounted\n");
		return EXIT_NOCTRL;
	}
	if (ret)
		return fail(ret, "libcgroup");
	return EXIT_OK;
}

/* "/a/b" for "a/b", "/a/b/", "//a/b"; NULL if it climbs with "..". */
static char *normalize(const char *in)
{
	char *out = malloc(strlen(in) + 2), *o = out;
	const char *p = in;

	if (!out)
		return NULL;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchrnul(p, '/');

		if ((e - p == 2 && !strncmp(p, "..", 2)) || (e - p == 1 && *p == '.')) {
			free(out);
			return NULL;
		}
		*o++ = '/';
		memcpy(o, p, (size_t)(e - p));
		o += e - p;
		p = e;
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

struct show_ctx {
	struct out *out;
	void *rows[64];		/* the last row seen at each depth */
	int base_depth;
	int err;
};

static int show_one(const char *path, int depth, void *data)
{
	struct show_ctx *ctx = data;
	struct ioasids_stat st;
	void *parent = NULL, *row;
	int level, ret;

	ret = cgx_read(path, &st);
	if (ret == -EMEDIUMTYPE)
		return 0;	/* the controller is not enabled for it */
	if (ret) {
		ctx->err = ret;
		return 0;
	}
	if (!strcmp(path, "/")) {
		st.max[0] = '\0';
		st.peak = st.events = st.events_local = -1;
	}
	level = depth - ctx->base_depth;
	if (level > 0 && level < 64)
		parent = ctx->rows[level - 1];
	/* in a tree, a child row names only its last component, like lsblk */
	row = out_add(ctx->out, arg_recursive ? parent : NULL,
		      arg_recursive && parent ? strrchr(path, '/') + 1 : path, &st);
	if (!row)
		return -ENOMEM;
	if (level >= 0 && level < 64)
		ctx->rows[level] = row;
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	struct show_ctx ctx = { 0 };
	int ret, status = EXIT_OK;

	ctx.out = out_new(arg_recursive, arg_json);
	if (!ctx.out)
		return fail(-ENOMEM, "show");

	if (argc == 0) {
		/* the whole hierarchy */
		ret = cgx_walk("/", true, show_one, &ctx);
		if (ret)
			status = fail(ret, "show");
	}
	for (int i = 0; i < argc; i++) {
		_cleanup_free_ char *path = normalize(argv[i]);
		struct ioasids_stat st;

		if (!path) {
			fprintf(stderr, "ioasidctl: %s: not a cgroup path\n", argv[i]);
			status = EXIT_USAGE;
			continue;
		}
		ret = cgx_read(path, &st);
		if (ret == -EMEDIUMTYPE) {
			fprintf(stderr, "ioasidctl: %s: the ioasids controller is not enabled "
				"in its parent; see 'ioasidctl set'\n", path);
			status = EXIT_FAIL;
			continue;
		}
		if (ret) {
			status = fail(ret, path);
			continue;
		}
		ctx.base_depth = 0;
		ctx.err = 0;
		if (arg_recursive)
			ret = cgx_walk(path, true, show_one, &ctx);
		else
			ret = show_one(path, 0, &ctx);
		if (ret || ctx.err)
			status = fail(ret ?: ctx.err, path);
	}
	if (out_print(ctx.out, stdout))
		status = EXIT_FAIL;
	out_free(ctx.out);
	return status;
}

static void note_enabled(const char *cgroup)
{
	printf("enabled the ioasids controller in %s%scgroup.subtree_control\n",
	       cgroup, strcmp(cgroup, "/") ? "/" : "");
}

static int cmd_set(int argc, char **argv)
{
	_cleanup_free_ char *path = NULL;
	uint64_t capacity, in_use, v;
	char buf[32];
	int ret;

	if (argc != 2) {
		fprintf(stderr, "ioasidctl: set takes CGROUP VALUE\n");
		return EXIT_USAGE;
	}
	path = normalize(argv[0]);
	if (!path || !strcmp(path, "/")) {
		fprintf(stderr, "ioasidctl: %s: not a cgroup whose limit can be set\n", argv[0]);
		return EXIT_USAGE;
	}
	ret = cgx_root(&capacity, &in_use);
	if (ret)
		return fail(ret, "reading the capacity");
	if (value_parse(argv[1], capacity, &v)) {
		fprintf(stderr, "ioasidctl: '%s' is not a limit: use a count from 0 to %llu, "
			"max, infinity, or a percentage such as 10%%\n",
			argv[1], VALUE_COUNT_MAX);
		return EXIT_USAGE;
	}
	ret = cgx_exists(path);
	if (ret)
		return fail(ret, path);
	ret = cgx_enable_above(path, note_enabled);
	if (ret)
		return fail(ret, "enabling the controller");
	value_format(v, buf, sizeof(buf));
	ret = cgx_set_max(path, buf);
	if (ret)
		return fail(ret, path);
	printf("%s: ioasids.max = %s\n", path, buf);
	return EXIT_OK;
}

static int cmd_info(void)
{
	uint64_t capacity, in_use;
	int ret;

	ret = cgx_root(&capacity, &in_use);
	if (ret)
		return fail(ret, "info");
	if (arg_json) {
		printf("{\n   \"controller\": true,\n   \"mount\": \"%s\",\n"
		       "   \"capacity\": %" PRIu64 ",\n   \"in_use\": %" PRIu64 ",\n"
		       "   \"free\": %" PRIu64 "\n}\n",
		       cgx_mount(), capacity, in_use, capacity - in_use);
		return EXIT_OK;
	}
	printf("controller: ioasids, cgroup v2 at %s\n", cgx_mount());
	printf("capacity:   %" PRIu64 "\n", capacity);
	printf("in use:     %" PRIu64 "\n", in_use);
	printf("free:       %" PRIu64 "\n", capacity - in_use);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "recursive", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+rJhV", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			arg_recursive = true;
			break;
		case 'J':
			arg_json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("ioasidctl %s\n", IOASIDCTL_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	/* options may also follow the command */
	while ((c = getopt_long(argc, argv, "rJ", opts, NULL)) != -1) {
		if (c == 'r')
			arg_recursive = true;
		else if (c == 'J')
			arg_json = true;
		else
			return EXIT_USAGE;
	}
	if (strcmp(cmd, "show") && strcmp(cmd, "set") && strcmp(cmd, "info") &&
	    strcmp(cmd, "watch")) {
		fprintf(stderr, "ioasidctl: unknown command '%s'; see ioasidctl --help\n", cmd);
		return EXIT_USAGE;
	}
	ret = init();
	if (ret)
		return ret;
	if (!strcmp(cmd, "show"))
		return cmd_show(argc - optind, argv + optind);
	if (!strcmp(cmd, "set"))
		return cmd_set(argc - optind, argv + optind);
	if (!strcmp(cmd, "watch")) {
		for (int i = optind; i < argc; i++) {
			char *p = normalize(argv[i]);

			if (!p) {
				fprintf(stderr, "ioasidctl: %s: not a cgroup path\n", argv[i]);
				return EXIT_USAGE;
			}
			argv[i] = p;	/* lives until exit */
		}
		return watch_run(argv + optind, argc - optind);
	}
	if (argc - optind) {
		fprintf(stderr, "ioasidctl: info takes no argument\n");
		return EXIT_USAGE;
	}
	return cmd_info();
}
