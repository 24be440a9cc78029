// SPDX-License-Identifier: GPL-2.0
/* cmocka: ioasidctl's tables, trees and JSON (libsmartcols). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "output.h"

static const struct ioasids_stat slice = { "max", 7, 9, 1, 0 };
static const struct ioasids_stat vm1 = { "3", 3, 3, 1, 1 };
static const struct ioasids_stat vm2 = { "104857", 4, 4, 0, 0 };
static const struct ioasids_stat root = { "", 7, -1, -1, -1 };
/* vm1 is a libvirt VM under systemd, machined's scope */
#define VM1 "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope"

/* Render and return what was printed (free it). */
static char *render(bool tree, bool json)
{
	struct out *o = out_new(tree, json);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	void *top;

	assert_non_null(o);
	assert_non_null(f);
	top = out_add(o, NULL, "/machine.slice", "/machine.slice", &slice);
	assert_non_null(top);
	assert_non_null(out_add(o, tree ? top : NULL, tree ? strrchr(VM1, '/') + 1 : VM1, VM1,
				&vm1));
	assert_non_null(out_add(o, tree ? top : NULL, tree ? "vm2" : "/machine.slice/vm2",
				"/machine.slice/vm2", &vm2));
	assert_int_equal(0, out_print(o, f));
	fclose(f);
	out_free(o);
	return buf;
}

static void table(void **state)
{
	char *s = render(false, false), *line;
	int n = 0;

	(void)state;
	/* a header and one row per cgroup, columns in this order */
	for (line = strtok(s, "\n"); line; line = strtok(NULL, "\n"), n++) {
		char name[64], max[16];
		long cur, peak, refused;

		if (n == 0) {
			assert_int_equal(5, sscanf(line, "%63s %15s %*s %*s %*s", name, max) + 3);
			assert_string_equal("CGROUP", name);
			assert_string_equal("MAX", max);
			assert_non_null(strstr(line, "CURRENT"));
			assert_true(strstr(line, "PEAK") < strstr(line, "REFUSED"));
			assert_true(strstr(line, "REFUSED") < strstr(line, "WORKLOAD"));
			continue;
		}
		assert_int_equal(5, sscanf(line, "%63s %15s %ld %ld %ld", name, max, &cur, &peak, &refused));
		/* the last column names the workload: a VM by its libvirt domain */
		if (!strcmp(name, VM1)) {
			assert_string_equal("3", max);
			assert_int_equal(3, cur);
			assert_int_equal(1, refused);
			assert_non_null(strstr(line, " domain vm1"));
		} else {
			assert_non_null(strstr(line, " unit machine.slice"));
		}
	}
	assert_int_equal(4, n);
	free(s);
}

/* @o's output for @n cgroups, each shown by its path (free it). */
static char *render_rows(struct out *o, const char *const *paths,
			 const struct ioasids_stat *const *st, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(o);
	assert_non_null(f);
	for (int i = 0; i < n; i++)
		assert_non_null(out_add(o, NULL, paths[i], paths[i], st[i]));
	assert_int_equal(0, out_print(o, f));
	fclose(f);
	out_free(o);
	return buf;
}

/* A flat table (or JSON) of @n cgroups (free it). */
static char *render_flat(bool json, const char *const *paths, const struct ioasids_stat *const *st,
			 int n)
{
	return render_rows(out_new(false, json), paths, st, n);
}

/* Cgroups of no unit, VM or pod: no WORKLOAD column, no trailing blanks. */
static void table_without_workloads(void **state)
{
	const char *paths[] = { "/e2e/a" };
	const struct ioasids_stat *st[] = { &vm1 };
	char *buf = render_flat(false, paths, st, 1);

	(void)state;
	assert_null(strstr(buf, "WORKLOAD"));
	assert_non_null(strstr(buf, " 1\n"));
	assert_null(strstr(buf, " \n"));
	free(buf);
}

static void tree(void **state)
{
	char *s = render(true, false);

	(void)state;
	/* children are drawn under their parent with tree characters */
	assert_non_null(strstr(s, "\n/machine.slice "));
	assert_non_null(strstr(s, "-machine-qemu\\x2d1\\x2dvm1.scope "));
	assert_non_null(strstr(s, "-vm2 "));
	assert_true(strstr(s, "x2dvm1") < strstr(s, "vm2"));
	free(s);
}

static void json(void **state)
{
	char *s = render(false, true);

	(void)state;
	assert_string_equal(
		"{\n"
		"   \"cgroups\": [\n"
		"      {\n"
		"         \"cgroup\": \"/machine.slice\",\n"
		"         \"max\": \"max\",\n"
		"         \"current\": 7,\n"
		"         \"peak\": 9,\n"
		"         \"refused\": 1,\n"
		"         \"unit\": \"machine.slice\",\n"
		"         \"domain\": null,\n"
		"         \"pod\": null\n"
		"      },{\n"
		"         \"cgroup\": \"/machine.slice/machine-qemu\\\\x2d1\\\\x2dvm1.scope\",\n"
		"         \"max\": \"3\",\n"
		"         \"current\": 3,\n"
		"         \"peak\": 3,\n"
		"         \"refused\": 1,\n"
		"         \"unit\": \"machine-qemu\\\\x2d1\\\\x2dvm1.scope\",\n"
		"         \"domain\": \"vm1\",\n"
		"         \"pod\": null\n"
		"      },{\n"
		"         \"cgroup\": \"/machine.slice/vm2\",\n"
		"         \"max\": \"104857\",\n"
		"         \"current\": 4,\n"
		"         \"peak\": 4,\n"
		"         \"refused\": 0,\n"
		"         \"unit\": \"machine.slice\",\n"
		"         \"domain\": null,\n"
		"         \"pod\": null\n"
		"      }\n"
		"   ]\n"
		"}\n", s);
	free(s);
}

/* The root has no max, peak or events: null in JSON, not 0 or -1. */
static void json_root_and_escaping(void **state)
{
	const char *paths[] = { "/", "/we\"ird\\name" };
	const struct ioasids_stat *st[] = { &root, &vm1 };
	char *buf = render_flat(true, paths, st, 2);

	(void)state;
	assert_non_null(strstr(buf, "\"max\": null"));
	assert_non_null(strstr(buf, "\"peak\": null"));
	assert_non_null(strstr(buf, "\"current\": 7"));
	assert_null(strstr(buf, "-1"));
	assert_non_null(strstr(buf, "\"/we\\\"ird\\\\name\""));
	free(buf);
}

/* What show --format prometheus prints for @n rows (free it). */
static char *render_prom(const char *const *names, const struct ioasids_stat *const *st, int n)
{
	return render_rows(out_new_prometheus(1048575, 12), names, st, n);
}

/*
 * One family at a time, each with HELP and TYPE; max is +Inf; the root has
 * only ioasids_current; the counter ends in _total.
 */
static void prometheus(void **state)
{
	/* the unit and libvirt domain are labels too, where there are any */
	const char *names[] = { "/", "/machine.slice", VM1 };
	const struct ioasids_stat *st[] = { &root, &slice, &vm1 };
	char *buf = render_prom(names, st, 3);

	(void)state;
	assert_string_equal(
		"# HELP ioasids_capacity IOASIDs in the system-wide space (ioasids.capacity).\n"
		"# TYPE ioasids_capacity gauge\n"
		"ioasids_capacity 1048575\n"
		"# HELP ioasids_in_use IOASIDs allocated system-wide, by every user of the space.\n"
		"# TYPE ioasids_in_use gauge\n"
		"ioasids_in_use 12\n"
		"# HELP ioasids_current IOASIDs held by the cgroup and its descendants (ioasids.current).\n"
		"# TYPE ioasids_current gauge\n"
		"ioasids_current{cgroup=\"/\"} 7\n"
		"ioasids_current{cgroup=\"/machine.slice\",unit=\"machine.slice\"} 7\n"
		"ioasids_current{cgroup=\"/machine.slice/machine-qemu\\\\x2d1\\\\x2dvm1.scope\",unit=\"machine-qemu\\\\x2d1\\\\x2dvm1.scope\",domain=\"vm1\"} 3\n"
		"# HELP ioasids_max The cgroup's limit (ioasids.max); +Inf for max. The root has none.\n"
		"# TYPE ioasids_max gauge\n"
		"ioasids_max{cgroup=\"/machine.slice\",unit=\"machine.slice\"} +Inf\n"
		"ioasids_max{cgroup=\"/machine.slice/machine-qemu\\\\x2d1\\\\x2dvm1.scope\",unit=\"machine-qemu\\\\x2d1\\\\x2dvm1.scope\",domain=\"vm1\"} 3\n"
		"# HELP ioasids_peak The most IOASIDs the cgroup and its descendants have held (ioasids.peak).\n"
		"# TYPE ioasids_peak gauge\n"
		"ioasids_peak{cgroup=\"/machine.slice\",unit=\"machine.slice\"} 9\n"
		"ioasids_peak{cgroup=\"/machine.slice/machine-qemu\\\\x2d1\\\\x2dvm1.scope\",unit=\"machine-qemu\\\\x2d1\\\\x2dvm1.scope\",domain=\"vm1\"} 3\n"
		"# HELP ioasids_events_max_total Allocations in the cgroup's subtree refused by a limit at or below it (ioasids.events max).\n"
		"# TYPE ioasids_events_max_total counter\n"
		"ioasids_events_max_total{cgroup=\"/machine.slice\",unit=\"machine.slice\"} 1\n"
		"ioasids_events_max_total{cgroup=\"/machine.slice/machine-qemu\\\\x2d1\\\\x2dvm1.scope\",unit=\"machine-qemu\\\\x2d1\\\\x2dvm1.scope\",domain=\"vm1\"} 1\n", buf);
	free(buf);
}

/*
 * Label values: backslash, quote and newline escaped as the format says;
 * valid UTF-8 kept; a byte that is not UTF-8 (an overlong '/', a lone
 * continuation byte, a truncated sequence, a surrogate) becomes U+FFFD.
 */
static void prometheus_escaping(void **state)
{
	const char *names[] = {
		"/a\"b", "/back\\slash", "/new\nline", "/caf\xc3\xa9",
		"/bad\xc0\xaf", "/lone\x80", "/cut\xe2\x82", "/sur\xed\xa0\x80",
	};
	const struct ioasids_stat *st[] = { &vm1, &vm1, &vm1, &vm1, &vm1, &vm1, &vm1, &vm1 };
	char *buf = render_prom(names, st, 8);

	(void)state;
	assert_non_null(strstr(buf, "ioasids_current{cgroup=\"/a\\\"b\"} 3\n"));
	assert_non_null(strstr(buf, "ioasids_current{cgroup=\"/back\\\\slash\"} 3\n"));
	assert_non_null(strstr(buf, "ioasids_current{cgroup=\"/new\\nline\"} 3\n"));
	assert_non_null(strstr(buf, "ioasids_current{cgroup=\"/caf\xc3\xa9\"} 3\n"));
	assert_non_null(strstr(buf, "ioasids_current{cgroup=\"/bad\xef\xbf\xbd\xef\xbf\xbd\"} 3\n"));
	assert_non_null(strstr(buf, "ioasids_current{cgroup=\"/lone\xef\xbf\xbd\"} 3\n"));
	assert_non_null(strstr(buf, "ioasids_current{cgroup=\"/cut\xef\xbf\xbd\xef\xbf\xbd\"} 3\n"));
	assert_non_null(strstr(buf, "ioasids_current{cgroup=\"/sur\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"} 3\n"));
	/* no raw newline inside a sample: every line is a comment or a sample */
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		assert_true(l[0] == '#' || !strncmp(l, "ioasids_", 8));
	free(buf);
}

/* ioasidctl info's output for a fixed host (free it). */
static char *render_info(bool json, uint64_t capacity)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(0, out_info(f, json, "/sys/fs/cgroup", capacity, 7,
				     "/\n/machine.slice"));
	fclose(f);
	return buf;
}

static void info_json(void **state)
{
	char *buf = render_info(true, 1048575);

	(void)state;
	assert_non_null(strstr(buf, "\"capacity\": 1048575"));
	assert_non_null(strstr(buf, "\"in-use\": 7"));
	assert_non_null(strstr(buf, "\"free\": 1048568"));
	assert_non_null(strstr(buf, "\"mount\": \"/sys/fs/cgroup\""));
	/* one cgroup per line becomes a JSON array */
	assert_non_null(strstr(buf, "\"enabled-in\": ["));
	assert_non_null(strstr(buf, "\"/\", \"/machine.slice\""));
	free(buf);
}

static void info_table(void **state)
{
	char *buf = render_info(false, 100);

	(void)state;
	assert_non_null(strstr(buf, "CAPACITY IN-USE"));
	assert_non_null(strstr(buf, "/sys/fs/cgroup /, /machine.slice\n"));
	assert_null(strstr(buf, "\\x0a"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(table_without_workloads),
		cmocka_unit_test(tree),
		cmocka_unit_test(json),
		cmocka_unit_test(json_root_and_escaping),
		cmocka_unit_test(prometheus),
		cmocka_unit_test(prometheus_escaping),
		cmocka_unit_test(info_json),
		cmocka_unit_test(info_table),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
