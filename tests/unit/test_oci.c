// SPDX-License-Identifier: GPL-2.0
/* cmocka: the OCI state ioasidctl oci-hook reads, and the cgroup of a process. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "oci.h"
#include "proc.h"
#include "value.h"

static int parse(const char *json, struct oci_state *st, char *err)
{
	return oci_state_parse(json, strlen(json), st, err, 256);
}

/* @json is refused, with @why in the one-line message, and @st left empty. */
static void refused(const char *json, size_t len, const char *why)
{
	struct oci_state st = { .id = (char *)"stale" };
	char err[256] = "";

	assert_int_equal(-EINVAL, oci_state_parse(json, len, &st, err, sizeof(err)));
	if (!strstr(err, why))
		fail_msg("input '%.60s': message '%s' lacks '%s'", json, err, why);
	assert_null(strchr(err, '\n'));
	assert_null(st.id);
	assert_null(st.limit);
	assert_int_equal(0, st.pid);
}

#define REFUSED(json, why) refused(json, strlen(json), why)

/* What crun hands a createRuntime hook, annotations included. */
static void state_of_crun(void **state)
{
	static const char json[] =
		"{\"ociVersion\":\"1.0.0\",\"id\":\"c1\",\"status\":\"created\","
		"\"pid\":4242,\"bundle\":\"/run/c1\",\"annotations\":"
		"{\"io.ioasids.max\":\"8\",\"other\":\"x\"}}\n";
	struct oci_state st;
	char err[256];

	(void)state;
	assert_int_equal(0, parse(json, &st, err));
	assert_string_equal("c1", st.id);
	assert_int_equal(4242, st.pid);
	assert_string_equal("8", st.limit);
	oci_state_free(&st);
	assert_null(st.id);
}

static void without_the_annotation(void **state)
{
	static const char *const ok[] = {
		"{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1}",
		"{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1,\"annotations\":null}",
		"{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1,\"annotations\":{}}",
		"{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1,\"annotations\":"
		"{\"io.ioasids.maxx\":\"1\",\"io.ioasids\":\"1\"}}",
		" \n\t{\"pid\":2147483647,\"id\":\"a\",\"ociVersion\":\"\"} \r\n",
	};
	struct oci_state st;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (parse(ok[i], &st, err))
			fail_msg("input %zu refused: %s", i, err);
		assert_null(st.limit);
		assert_string_equal("a", st.id);
		oci_state_free(&st);
	}
}

static void malformed_json(void **state)
{
	(void)state;
	REFUSED("", "empty");
	REFUSED(" \n", "empty");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1", "ends too early");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1,}", "not JSON");
	REFUSED("{'ociVersion':'1.0.2'}", "not JSON");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1} {}", "JSON");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1} x", "JSON");
	REFUSED("[{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1}]", "not a JSON object");
	REFUSED("\"ociVersion\"", "not a JSON object");
	REFUSED("null", "not a JSON object");
	refused("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1}\0junk", 42, "NUL");
	{
		/* exactly @len bytes, no terminator after them (ASan) */
		char *ws = malloc(3);

		assert_non_null(ws);
		memcpy(ws, "  \n", 3);
		refused(ws, 3, "empty");
		free(ws);
	}
}

static void missing_or_wrong_fields(void **state)
{
	(void)state;
	REFUSED("{\"id\":\"a\",\"pid\":1}", "\"ociVersion\"");
	REFUSED("{\"ociVersion\":1,\"id\":\"a\",\"pid\":1}", "\"ociVersion\"");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"pid\":1}", "\"id\"");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"\",\"pid\":1}", "\"id\"");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":7,\"pid\":1}", "\"id\"");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\\nb\",\"pid\":1}", "not a container ID");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"../x\",\"pid\":1}", "not a container ID");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a b\",\"pid\":1}", "not a container ID");
	/* the state of a stage that has no process: not our stage */
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"status\":\"creating\"}",
		"no \"pid\"");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":\"12\"}", "no \"pid\"");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1.5}", "no \"pid\"");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":0}", "not a process ID");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":-1}", "not a process ID");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"annotations\":[],\"pid\":1}",
		"not an object");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1,"
		"\"annotations\":{\"io.ioasids.max\":8}}", "not a string");
	REFUSED("{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1,"
		"\"annotations\":{\"io.ioasids.max\":null}}", "not a string");
}

static void huge_values(void **state)
{
	static const char *const pids[] = {
		"2147483648", "4294967297", "9223372036854775807",
		"9223372036854775808", "18446744073709551616",
		"99999999999999999999999999999", "-9223372036854775809",
	};
	char json[256], *big, err[256];
	struct oci_state st;
	uint64_t v = 1234;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		snprintf(json, sizeof(json),
			 "{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":%s}", pids[i]);
		REFUSED(json, "\"pid\"");
	}

	/* a huge annotation is read whole, and then refused as a limit */
	n = 100000;
	big = malloc(n + 200);
	assert_non_null(big);
	n = sprintf(big, "{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"pid\":1,"
		    "\"annotations\":{\"io.ioasids.max\":\"");
	memset(big + n, '9', 100000);
	strcpy(big + n + 100000, "\"}}");
	assert_int_equal(0, parse(big, &st, err));
	assert_int_equal(100000, strlen(st.limit));
	assert_int_equal(-EINVAL, value_parse(st.limit, 1048575, &v));
	assert_int_equal(1234, v);
	oci_state_free(&st);

	/* past the size a state can have: refused before parsing */
	free(big);
	big = malloc(OCI_STATE_MAX + 2);
	assert_non_null(big);
	memset(big, ' ', OCI_STATE_MAX + 1);
	refused(big, OCI_STATE_MAX + 1, "over");
	free(big);

	/* nesting deeper than the parser takes is an error, not a crash */
	big = malloc(60002);
	assert_non_null(big);
	for (n = 0; n < 10000; n++)
		memcpy(big + 5 * n, "{\"a\":", 5);
	big[50000] = '1';
	memset(big + 50001, '}', 10000);
	big[60001] = '\0';
	REFUSED(big, "not JSON");
	free(big);
}

/* A /proc of our own: PID/cgroup files as the kernel writes them. */
static char proc[64];

static void write_cgroup(int pid, const char *content)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d", proc, pid);
	assert_int_equal(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/%d/cgroup", proc, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int make_proc(void **state)
{
	(void)state;
	snprintf(proc, sizeof(proc), "/tmp/test_oci.XXXXXX");
	if (!mkdtemp(proc))
		return -1;
	write_cgroup(10, "0::/oci/c1\n");
	write_cgroup(11, "12:pids:/x\n1:name=systemd:/y\n0::/machine.slice/libpod-abc.scope\n");
	write_cgroup(12, "12:pids:/x\n");
	write_cgroup(13, "0::/\n");
	write_cgroup(14, "0::/no-newline");
	return 0;
}

static int remove_proc(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", proc);
	return system(cmd);
}

static void cgroup_of_a_process(void **state)
{
	char *path = NULL;

	(void)state;
	assert_int_equal(0, proc_cgroup_of(proc, 10, &path));
	assert_string_equal("/oci/c1", path);
	free(path);
	assert_int_equal(0, proc_cgroup_of(proc, 11, &path));
	assert_string_equal("/machine.slice/libpod-abc.scope", path);
	free(path);
	assert_int_equal(0, proc_cgroup_of(proc, 13, &path));
	assert_string_equal("/", path);
	free(path);
	assert_int_equal(0, proc_cgroup_of(proc, 14, &path));
	assert_string_equal("/no-newline", path);
	free(path);
	path = NULL;
	assert_int_equal(-EMEDIUMTYPE, proc_cgroup_of(proc, 12, &path));
	assert_int_equal(-ENOENT, proc_cgroup_of(proc, 99, &path));
	assert_null(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_of_crun),
		cmocka_unit_test(without_the_annotation),
		cmocka_unit_test(malformed_json),
		cmocka_unit_test(missing_or_wrong_fields),
		cmocka_unit_test(huge_values),
		cmocka_unit_test(cgroup_of_a_process),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("oci", tests, make_proc, remove_proc);
}
