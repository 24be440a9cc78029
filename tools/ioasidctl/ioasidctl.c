// SPDX-License-Identifier: GPL-2.0
/*
 * ioasidctl: see and set the PASID (IOASID) limits of cgroups.
 * The commands; cgroup access is in cgroup.c, output in output.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <libcgroup.h>
#include <systemd/sd-bus.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cgroup.h"
#include "file.h"
#include "oci.h"
#include "output.h"
#include "proc.h"
#include "systemd.h"
#include "top.h"
#include "unitfile.h"
#include "util.h"
#include "value.h"
#include "watch.h"

#ifndef IOASIDCTL_VERSION
#define IOASIDCTL_VERSION "0.1"
#endif

enum format { FORMAT_TABLE, FORMAT_JSON, FORMAT_PROMETHEUS };

static bool arg_recursive, arg_runtime;
static enum format arg_format;
static const char *arg_output;
static double arg_delay;
static unsigned long arg_iterations;
static char **arg_units;
static int arg_nunits;

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
	      "  info                capacity, in use and free IOASIDs, and the cgroups\n"
	      "                      whose children the controller is enabled for\n"
	      "  watch [CGROUP...]   a line for every allocation a limit refuses, in the\n"
	      "                      CGROUPs' subtrees (no CGROUP: everywhere); Ctrl-C stops\n"
	      "  top [CGROUP...]     the cgroups holding the most IOASIDs, refreshed, with\n"
	      "                      refusals per second; q or Ctrl-C quits\n"
	      "  apply --unit UNIT   apply the IOASIDMax= of UNIT's unit files to its cgroup,\n"
	      "                      creating the cgroup if UNIT has not started (this is\n"
	      "                      what ioasid-limit@.service runs before UNIT starts)\n"
	      "  enable CGROUP...    create CGROUP if missing and enable the controller for\n"
	      "                      its children and above it: the parent cgroup that a\n"
	      "                      container runtime creates its cgroups in (/oci)\n"
	      "  oci-hook            an OCI runtime hook (createRuntime): reads the\n"
	      "                      container's state on standard input and sets the\n"
	      "                      ioasids.max of its cgroup to its annotation\n"
	      "                      io.ioasids.max, enabling the controller above it\n"
	      "\n"
	      "CGROUP is a path below the cgroup2 mount, such as /machine.slice/vm1, or\n"
	      "--unit NAME for the cgroup of a systemd unit (vm1.service, machine.slice,\n"
	      "a libvirt machine-qemu-....scope).\n"
	      "\n"
	      "Options:\n"
	      "  -r, --recursive     show: the subtrees of the CGROUPs, as a tree\n"
	      "  -J, --json          show, info: JSON output (--format json)\n"
	      "      --format FMT    show: table (the default), json, or prometheus: the\n"
	      "                      text format of node_exporter's textfile collector\n"
	      "  -o, --output FILE   show: write to FILE, replacing it at once (a temporary\n"
	      "                      file renamed over it), never half written\n"
	      "  -d, --delay SECS    top: seconds between refreshes (default 1, 0.1 to 3600)\n"
	      "  -n, --iterations N  top: stop after N refreshes\n"
	      "  -u, --unit NAME     a systemd unit's cgroup; set also persists the limit\n"
	      "                      as X-IOASIDMax= in a drop-in, as systemctl set-property,\n"
	      "                      and reloads systemd so the unit keeps it on restart\n"
	      "      --runtime       set --unit: the drop-in goes under /run, until reboot\n"
	      "  -h, --help          this text\n"
	      "  -V, --version       the version\n"
	      "\n"
	      "Exit status: 0 ok, 1 failure, 2 bad arguments or value, 3 the kernel has\n"
	      "no ioasids controller, 4 no such cgroup or unit, 5 permission denied,\n"
	      "6 systemd not reachable.\n", f);
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
	case EHOSTDOWN:
		return EXIT_NOSYSTEMD;
	default:
		return EXIT_FAIL;
	}
}

/*
 * Enabling ioasids in a cgroup.subtree_control failed: what the kernel's
 * refusal means for a domain controller, then fail()'s line and status.
 */
static int fail_enable(int err, const char *what)
{
	int status = fail(err, what);

	if (err == -EBUSY)
		fprintf(stderr, "ioasidctl: a cgroup with processes of its own cannot give "
			"ioasids to its children (a domain controller, like memory): move its "
			"processes into a child cgroup first\n");
	else if (err == -EOPNOTSUPP)
		fprintf(stderr, "ioasidctl: ioasids is a domain controller: a threaded "
			"subtree cannot have it\n");
	return status;
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

static void bus_unrefp(sd_bus **b)
{
	sd_bus_unref(*b);
}

static void unit_infop(struct unit_info *u)
{
	unit_info_free(u);
}

/*
 * Load systemd unit @unit into *@u, opening the bus in *@bus on first use.
 * With @running, a unit that is not running (no cgroup) is an error.
 * Returns an exit status; one line on stderr for a failure.
 */
static int unit_lookup(sd_bus **bus, const char *unit, bool running, struct unit_info *u)
{
	int ret;

	if (!*bus && unit_bus_open(bus)) {
		fprintf(stderr, "ioasidctl: systemd is not running or not reachable on the system bus\n");
		return EXIT_NOSYSTEMD;
	}
	ret = unit_load(*bus, unit, u);
	if (ret == -ENOENT) {
		fprintf(stderr, "ioasidctl: %s: no such unit\n", unit);
		return EXIT_NOTFOUND;
	}
	if (ret)
		return fail(ret, unit);
	if (running && !u->cgroup[0]) {
		fprintf(stderr, "ioasidctl: %s: not running, so it has no cgroup\n", unit);
		return EXIT_NOTFOUND;
	}
	return EXIT_OK;
}

struct show_ctx {
	struct out *out;
	void *rows[64];		/* the last row seen at each depth */
	int err;		/* the first failure, for the walk's top cgroup */
};

static int show_one(const char *path, int depth, void *data)
{
	struct show_ctx *ctx = data;
	struct ioasids_stat st;
	void *parent = NULL, *row;
	int level, ret;

	ret = cgx_read(path, &st);
	if (ret) {
		/* below the top, cgroups without the controller are skipped */
		if (depth == 0 || ret != -EMEDIUMTYPE)
			ctx->err = ctx->err ?: ret;
		return 0;
	}
	if (!strcmp(path, "/")) {
		st.max[0] = '\0';
		st.peak = st.events = st.events_local = -1;
	}
	level = depth;
	if (arg_recursive && level > 0 && level < 64)
		parent = ctx->rows[level - 1];
	/* in a tree, a child row names only its last component, like lsblk */
	row = out_add(ctx->out, parent, parent ? strrchr(path, '/') + 1 : path, path, &st);
	if (!row)
		return -ENOMEM;
	if (level >= 0 && level < 64)
		ctx->rows[level] = row;
	return 0;
}

/*
 * Print through @print to stdout, or with --output replace FILE at once
 * (file_replace()): a reader (node_exporter) never sees half a file, and on
 * failure FILE is left as it was.
 */
static int output(int (*print)(FILE *f, void *data), void *data)
{
	int ret;

	if (!arg_output)
		return print(stdout, data);
	ret = file_replace(arg_output, print, data);
	if (ret < 0)
		ret = fail(ret, arg_output);
	if (ret)
		fprintf(stderr, "ioasidctl: %s left as it was\n", arg_output);
	return ret;
}

struct show_args {
	int argc;
	char **argv;
};

/* @argv: normalized cgroup paths; none: the whole hierarchy. */
static int show_print(FILE *f, void *data)
{
	struct show_args *a = data;
	struct show_ctx ctx = { 0 };
	int ret, status = EXIT_OK;

	if (arg_format == FORMAT_PROMETHEUS) {
		uint64_t capacity, in_use;

		ret = cgx_root(&capacity, &in_use);
		if (ret)
			return fail(ret, "reading the capacity");
		ctx.out = out_new_prometheus(capacity, in_use);
	} else {
		ctx.out = out_new(arg_recursive, arg_format == FORMAT_JSON);
	}
	if (!ctx.out)
		return fail(-ENOMEM, "show");

	for (int i = 0; i < (a->argc ?: 1); i++) {
		const char *path = a->argc ? a->argv[i] : "/";

		ctx.err = 0;
		ret = cgx_exists(path);
		if (!ret && (arg_recursive || !a->argc))
			ret = cgx_walk(path, true, show_one, &ctx);
		else if (!ret)
			ret = show_one(path, 0, &ctx);
		ret = ret ?: ctx.err;
		if (ret == -EMEDIUMTYPE) {
			fprintf(stderr, "ioasidctl: %s: the ioasids controller is not enabled "
				"in its parent; see 'ioasidctl set'\n", path);
			status = EXIT_FAIL;
		} else if (ret) {
			status = fail(ret, path);
		}
	}
	/* a metrics file with some cgroups missing would look like a drop */
	if ((!status || !arg_output) && out_print(ctx.out, f))
		status = EXIT_FAIL;
	out_free(ctx.out);
	return status;
}

static int cmd_show(int argc, char **argv)
{
	struct show_args a = { argc, argv };

	return output(show_print, &a);
}

static void note_enabled(const char *cgroup)
{
	printf("enabled the ioasids controller in %s%scgroup.subtree_control\n",
	       cgroup, strcmp(cgroup, "/") ? "/" : "");
}

/* VALUE against the real capacity; an exit status, one line if bad. */
static int parse_limit(const char *arg, uint64_t *v)
{
	uint64_t capacity, in_use;
	int ret;

	ret = cgx_root(&capacity, &in_use);
	if (ret)
		return fail(ret, "reading the capacity");
	if (value_parse(arg, capacity, v)) {
		fprintf(stderr, "ioasidctl: '%s' is not a limit: use a count from 0 to %llu, "
			"max, infinity, or a percentage such as 10%%\n",
			arg, VALUE_COUNT_MAX);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Enable the controller above @cgroup where needed, then set its max. */
static int apply_limit(const char *cgroup, uint64_t v)
{
	char buf[32];
	int ret;

	ret = cgx_enable_above(cgroup, note_enabled);
	if (ret)
		return fail_enable(ret, "enabling the controller");
	value_format(v, buf, sizeof(buf));
	ret = cgx_set_max(cgroup, buf);
	if (ret)
		return fail(ret, cgroup);
	printf("%s: ioasids.max = %s\n", cgroup, buf);
	return EXIT_OK;
}

static int cmd_set(int argc, char **argv)
{
	_cleanup_free_ char *path = NULL;
	uint64_t v;
	int ret;

	(void)argc;
	path = normalize(argv[0]);
	if (!path || !strcmp(path, "/")) {
		fprintf(stderr, "ioasidctl: %s: not a cgroup whose limit can be set\n", argv[0]);
		return EXIT_USAGE;
	}
	ret = parse_limit(argv[1], &v);
	if (ret)
		return ret;
	ret = cgx_exists(path);
	if (ret)
		return fail(ret, path);
	return apply_limit(path, v);
}

/*
 * enable CGROUP...: the controller for CGROUP's children, so that the
 * cgroups a runtime creates there have ioasids.max (crun enables only the
 * controllers it knows on the cgroups it creates).
 */
static int cmd_enable(int argc, char **argv)
{
	int status = EXIT_OK;

	for (int i = 0; i < argc; i++) {
		_cleanup_free_ char *path = normalize(argv[i]);
		int ret;

		if (!path) {
			fprintf(stderr, "ioasidctl: %s: not a cgroup path\n", argv[i]);
			return EXIT_USAGE;
		}
		ret = cgx_create(path);
		if (!ret && strcmp(path, "/"))
			ret = cgx_enable_above(path, note_enabled);
		if (!ret)
			ret = cgx_enable_below(path, note_enabled);
		if (ret)
			status = fail_enable(ret, path);
	}
	return status;
}

/*
 * set --unit on a systemd that knows IOASIDMax=: what systemctl set-property
 * does. systemd applies the value, persists it as IOASIDMax= in the same
 * drop-in, 50-IOASIDMax.conf, and keeps a percentage one.
 */
static int set_unit_native(sd_bus *bus, const char *unit, const char *arg, uint64_t v)
{
	char msg[256] = "";
	uint64_t bp;
	bool scale = !value_percent(arg, &bp);
	int ret;

	/* as systemd's UINT32_SCALE_FROM_PERMYRIAD() */
	if (scale)
		v = (bp * UINT32_MAX + 5000) / 10000;
	ret = unit_set_native(bus, unit, arg_runtime, scale, v, msg, sizeof(msg));
	if (ret) {
		fprintf(stderr, "ioasidctl: %s: systemd refused IOASIDMax=%s: %s\n", unit, arg, msg);
		return fail(ret, "systemctl set-property");
	}
	printf("%s: IOASIDMax=%s, set by systemd in %s/systemd/system.control/%s.d/%s\n", unit,
	       v == VALUE_MAX ? "infinity" : arg, arg_runtime ? "/run" : "/etc", unit, IOASID_DROPIN);
	return EXIT_OK;
}

/* set --unit UNIT VALUE: persist as systemctl set-property does, then apply. */
static int cmd_set_unit(int argc, char **argv)
{
	_cleanup_(bus_unrefp) sd_bus *bus = NULL;
	_cleanup_(unit_infop) struct unit_info u = { 0 };
	const char *unit = arg_units[0], *persist;
	char path[4096];
	uint64_t v;
	int ret;

	(void)argc;
	ret = parse_limit(argv[0], &v);
	if (!ret)
		ret = unit_lookup(&bus, unit, false, &u);
	if (ret)
		return ret;
	ret = unit_native(bus);
	if (ret < 0)
		return fail(ret, "asking systemd");
	if (ret)
		return set_unit_native(bus, unit, argv[0], v);

	/* systemd's word for no limit; a percentage stays one */
	persist = v == VALUE_MAX ? "infinity" : argv[0];
	ret = dropin_write("", unit, arg_runtime, persist, path, sizeof(path));
	if (ret)
		return fail(ret, "writing the drop-in");
	printf("%s: %s=%s in %s\n", unit, IOASID_UNIT_KEY, persist, path);
	/* as systemctl edit: systemd and the generator see the drop-in now */
	ret = unit_daemon_reload(bus);
	if (ret)
		return fail(ret, "systemctl daemon-reload");
	if (!u.cgroup[0]) {
		printf("%s: not running; applied when it starts\n", unit);
		return EXIT_OK;
	}
	return apply_limit(u.cgroup, v);
}

static void settingp(struct unit_setting *s)
{
	unit_setting_clear(s);
}

/*
 * apply --unit UNIT: the IOASIDMax= that UNIT's own files give (the files
 * systemd loaded for it, in its order), onto its cgroup, made now if UNIT
 * has not started yet: the limit is there before UNIT's first process.
 * A malformed value is reported, names the file, and leaves no limit.
 */
static int cmd_apply(void)
{
	_cleanup_(bus_unrefp) sd_bus *bus = NULL;
	_cleanup_(unit_infop) struct unit_info u = { 0 };
	_cleanup_(settingp) struct unit_setting s = { 0 };
	_cleanup_free_ char *planned = NULL;
	const char *unit = arg_units[0], *cg;
	uint64_t v = VALUE_MAX, capacity, in_use;
	bool bad = false;
	int ret;

	ret = unit_lookup(&bus, unit, false, &u);
	if (ret)
		return ret;
	ret = unit_native(bus);
	if (ret < 0)
		return fail(ret, "asking systemd");
	if (ret) {
		printf("%s: systemd applies %s= itself; nothing to do\n", unit, UNITFILE_KEY);
		return EXIT_OK;
	}
	ret = unitfile_resolve(unit_section(unit), u.fragment, u.dropins, &s);
	if (ret < 0)
		return fail(ret, s.file ?: unit);
	if (ret == 0) {
		printf("%s: no %s= in its unit files; nothing to apply\n", unit, UNITFILE_KEY);
		return EXIT_OK;
	}
	ret = cgx_root(&capacity, &in_use);
	if (ret)
		return fail(ret, "reading the capacity");
	if (!*s.value) {
		printf("%s: %s= is reset in %s:%u; no limit\n", unit, UNITFILE_KEY, s.file, s.line);
	} else if (value_parse(s.value, capacity, &v)) {
		fprintf(stderr, "ioasidctl: %s: %s:%u: '%s' is not a valid %s= value (a count "
			"from 0 to %llu, infinity, or a percentage such as 10%%); %s runs "
			"without an IOASID limit\n", unit, s.file, s.line, s.value,
			UNITFILE_KEY, VALUE_COUNT_MAX, unit);
		v = VALUE_MAX;
		bad = true;
	}
	/* not started yet: where systemd will put it */
	cg = u.cgroup;
	if (!cg[0]) {
		ret = unit_cgroup_path(unit, u.slice, &planned);
		if (ret)
			return fail(ret, "finding the unit's cgroup");
		cg = planned;
	}
	/* no limit and no cgroup yet: the cgroup systemd makes has none */
	if (v != VALUE_MAX || !cgx_exists(cg)) {
		ret = cgx_create(cg);
		if (ret)
			return fail(ret, cg);
		ret = apply_limit(cg, v);
		if (ret)
			return ret;
	}
	return bad ? EXIT_USAGE : EXIT_OK;
}

static int cmd_info(void)
{
	_cleanup_free_ char *enabled = NULL;
	uint64_t capacity, in_use;
	int ret;

	ret = cgx_root(&capacity, &in_use);
	if (!ret)
		ret = cgx_enabled_in(&enabled);
	if (ret)
		return fail(ret, "info");
	if (out_info(stdout, arg_format == FORMAT_JSON, cgx_mount(), capacity, in_use, enabled))
		return EXIT_FAIL;
	return EXIT_OK;
}

static const struct option opts[] = {
	{ "recursive", no_argument, NULL, 'r' },
	{ "json", no_argument, NULL, 'J' },
	{ "format", required_argument, NULL, 'F' },
	{ "output", required_argument, NULL, 'o' },
	{ "delay", required_argument, NULL, 'd' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "unit", required_argument, NULL, 'u' },
	{ "runtime", no_argument, NULL, 'R' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Options, before or after the command. -1: go on; else an exit status. */
static int parse_options(int argc, char **argv, const char *optstring)
{
	int c;

	while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			arg_recursive = true;
			break;
		case 'J':
			arg_format = FORMAT_JSON;
			break;
		case 'F':
			if (!strcmp(optarg, "table")) {
				arg_format = FORMAT_TABLE;
			} else if (!strcmp(optarg, "json")) {
				arg_format = FORMAT_JSON;
			} else if (!strcmp(optarg, "prometheus")) {
				arg_format = FORMAT_PROMETHEUS;
			} else {
				fprintf(stderr, "ioasidctl: '%s' is not a format: use table, json "
					"or prometheus\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			if (!*optarg) {
				fprintf(stderr, "ioasidctl: --output needs a file name\n");
				return EXIT_USAGE;
			}
			arg_output = optarg;
			break;
		case 'd': {
			char *end;

			errno = 0;
			arg_delay = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(arg_delay >= 0.1 && arg_delay <= 3600)) {
				fprintf(stderr, "ioasidctl: '%s' is not a delay: use seconds, from "
					"0.1 to 3600\n", optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'n': {
			char *end;

			errno = 0;
			arg_iterations = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-' || !arg_iterations) {
				fprintf(stderr, "ioasidctl: '%s' is not a number of refreshes: use "
					"1 or more\n", optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'u': {
			char **u = realloc(arg_units, (arg_nunits + 1) * sizeof(*u));

			if (!u)
				return EXIT_FAIL;
			arg_units = u;
			arg_units[arg_nunits++] = optarg;
			break;
		}
		case 'R':
			arg_runtime = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("ioasidctl %s\n", IOASIDCTL_VERSION);
			return EXIT_OK;
		default:
			fprintf(stderr, "see ioasidctl --help\n");
			return EXIT_USAGE;
		}
	}
	return -1;
}

/* CGROUP arguments and --unit targets, as normalized cgroup paths. */
static int targets(int argc, char **argv, char ***out, int *n)
{
	_cleanup_(bus_unrefp) sd_bus *bus = NULL;
	char **t = calloc((size_t)(argc + arg_nunits + 1), sizeof(*t));

	if (!t)
		return EXIT_FAIL;
	*n = 0;
	for (int i = 0; i < argc; i++) {
		t[*n] = normalize(argv[i]);
		if (!t[*n]) {
			fprintf(stderr, "ioasidctl: %s: not a cgroup path\n", argv[i]);
			return EXIT_USAGE;
		}
		(*n)++;
	}
	*out = t;	/* lives until exit */
	for (int i = 0; i < arg_nunits; i++) {
		struct unit_info u;
		int ret = unit_lookup(&bus, arg_units[i], true, &u);

		if (ret)
			return ret;
		t[(*n)++] = u.cgroup;	/* lives until exit, with t */
		u.cgroup = NULL;
		unit_info_free(&u);
	}
	return EXIT_OK;
}

/*
 * One line of the hook's, on standard error and in the system log: crun and
 * runc discard a hook's output unless told where to put it (crun's
 * annotation run.oci.hooks.stderr), and say only "error executing hook".
 */
static void __attribute__((format(printf, 1, 2))) hook_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ioasidctl oci-hook: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	va_start(ap, fmt);
	openlog("ioasidctl", LOG_PID, LOG_DAEMON);
	vsyslog(LOG_ERR, fmt, ap);
	closelog();
	va_end(ap);
}

/*
 * oci-hook: the container's state on standard input; if it carries the
 * annotation, its cgroup gets that ioasids.max before its process runs. Any
 * error is one line and a non-zero status, which fails the container's
 * creation: a container asked to be limited never runs unlimited.
 */
static int cmd_oci_hook(void)
{
	_cleanup_free_ char *buf = NULL, *cgroup = NULL;
	_cleanup_(oci_state_free) struct oci_state st = { 0 };
	uint64_t capacity, in_use, v;
	char err[512], val[32], shown[40];
	size_t len;
	int ret;

	ret = file_read_all(stdin, OCI_STATE_MAX, &buf, &len);
	if (ret == -EFBIG) {
		hook_error("the state on standard input is over %d bytes", OCI_STATE_MAX);
		return EXIT_USAGE;
	}
	if (ret) {
		hook_error("reading the state on standard input: %s", strerror(-ret));
		return EXIT_FAIL;
	}
	if (oci_state_parse(buf, len, &st, err, sizeof(err))) {
		hook_error("%s", err);
		return EXIT_USAGE;
	}
	if (!st.limit)
		return EXIT_OK;

	value_shown(st.limit, shown, sizeof(shown));
	/* a malformed value is reported as such, whatever the kernel has */
	if (value_parse(st.limit, VALUE_COUNT_MAX, &v))
		goto bad_value;

	ret = cgx_init();
	if (ret == -ENODEV) {
		hook_error("container %s asks for %s=%s, but the running kernel has no ioasids "
			   "cgroup controller", st.id, OCI_ANNOTATION, shown);
		return EXIT_NOCTRL;
	}
	ret = ret ?: cgx_root(&capacity, &in_use);
	if (ret) {
		hook_error("container %s: libcgroup: %s", st.id, strerror(-ret));
		return EXIT_FAIL;
	}
	if (value_parse(st.limit, capacity, &v))
		goto bad_value;
	ret = proc_cgroup_of("/proc", st.pid, &cgroup);
	if (ret) {
		hook_error("container %s: the cgroup of process %d: %s", st.id, (int)st.pid,
			   ret == -EMEDIUMTYPE ? "not on cgroup v2" : strerror(-ret));
		return EXIT_FAIL;
	}
	if (!strcmp(cgroup, "/")) {
		hook_error("container %s is in the root cgroup, which has no ioasids.max", st.id);
		return EXIT_FAIL;
	}
	ret = cgx_enable_above(cgroup, NULL);
	if (ret) {
		hook_error("container %s: enabling the ioasids controller above %s: %s%s",
			   st.id, cgroup, strerror(-ret), ret == -EBUSY ?
			   " (a cgroup above it has processes of its own)" : "");
		return EXIT_FAIL;
	}
	value_format(v, val, sizeof(val));
	ret = cgx_set_max(cgroup, val);
	if (ret) {
		hook_error("container %s: %s/ioasids.max: %s", st.id, cgroup, strerror(-ret));
		return EXIT_FAIL;
	}
	return EXIT_OK;

bad_value:
	hook_error("container %s: %s=\"%s\" is not a limit: use a count from 0 to %llu, max, "
		   "or a percentage such as 10%%", st.id, OCI_ANNOTATION, shown, VALUE_COUNT_MAX);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *cmd;
	char **t;
	int n, ret;

	ret = parse_options(argc, argv, "+rJo:d:n:u:hV");
	if (ret >= 0)
		return ret;
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	ret = parse_options(argc, argv, "rJo:d:n:u:hV");
	if (ret >= 0)
		return ret;
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "show") && strcmp(cmd, "set") && strcmp(cmd, "info") &&
	    strcmp(cmd, "watch") && strcmp(cmd, "apply") && strcmp(cmd, "top") &&
	    strcmp(cmd, "enable") && strcmp(cmd, "oci-hook")) {
		fprintf(stderr, "ioasidctl: unknown command '%s'; see ioasidctl --help\n", cmd);
		return EXIT_USAGE;
	}
	if (arg_runtime && (strcmp(cmd, "set") || !arg_nunits)) {
		fprintf(stderr, "ioasidctl: --runtime goes with set --unit\n");
		return EXIT_USAGE;
	}
	if ((arg_output || arg_format == FORMAT_PROMETHEUS) && strcmp(cmd, "show")) {
		fprintf(stderr, "ioasidctl: --%s goes with show\n",
			arg_output ? "output" : "format prometheus");
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "top") && (arg_recursive || arg_format != FORMAT_TABLE)) {
		fprintf(stderr, "ioasidctl: top draws one table: no -r, --json or --format\n");
		return EXIT_USAGE;
	}
	if ((arg_delay || arg_iterations) && strcmp(cmd, "top")) {
		fprintf(stderr, "ioasidctl: --%s goes with top\n",
			arg_delay ? "delay" : "iterations");
		return EXIT_USAGE;
	}
	if (arg_format == FORMAT_PROMETHEUS && arg_recursive) {
		fprintf(stderr, "ioasidctl: --format prometheus has no tree; it names every "
			"cgroup of the subtree without -r\n");
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "info") && (argc || arg_nunits)) {
		fprintf(stderr, "ioasidctl: info takes no argument\n");
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "set") && arg_nunits > 1) {
		fprintf(stderr, "ioasidctl: set takes one --unit\n");
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "set") && argc != (arg_nunits ? 1 : 2)) {
		fprintf(stderr, "ioasidctl: set takes %s\n",
			arg_nunits ? "--unit UNIT VALUE" : "CGROUP VALUE");
		return EXIT_USAGE;
	}
	for (int i = 0; i < arg_nunits; i++) {
		if (!unit_name_valid(arg_units[i])) {
			fprintf(stderr, "ioasidctl: '%s' is not a service, scope or slice unit name\n",
				arg_units[i]);
			return EXIT_USAGE;
		}
	}
	if (!strcmp(cmd, "apply") && (argc || arg_nunits != 1)) {
		fprintf(stderr, "ioasidctl: apply takes --unit UNIT\n");
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "oci-hook")) {
		if (argc || arg_nunits) {
			fprintf(stderr, "ioasidctl: oci-hook takes no argument: the state comes "
				"on standard input\n");
			return EXIT_USAGE;
		}
		/* nothing to do, and nothing to fail, without the annotation */
		return cmd_oci_hook();
	}
	if (!strcmp(cmd, "enable") && (!argc || arg_nunits)) {
		fprintf(stderr, "ioasidctl: enable takes CGROUP...\n");
		return EXIT_USAGE;
	}
	ret = init();
	if (ret)
		return ret;
	if (!strcmp(cmd, "enable"))
		return cmd_enable(argc, argv);
	if (!strcmp(cmd, "apply"))
		return cmd_apply();
	if (!strcmp(cmd, "info"))
		return cmd_info();
	if (!strcmp(cmd, "set"))
		return arg_nunits ? cmd_set_unit(argc, argv) : cmd_set(argc, argv);
	ret = targets(argc, argv, &t, &n);
	if (ret)
		return ret;
	if (!strcmp(cmd, "show"))
		return cmd_show(n, t);
	if (!strcmp(cmd, "top"))
		return top_run(t, n, arg_delay ?: 1.0, arg_iterations);
	return watch_run(t, n);
}
