// SPDX-License-Identifier: GPL-2.0
/*
 * cmocka: the IOASIDMax= parser shared by ioasid-generator and
 * "ioasidctl apply": systemd's unit file syntax, and systemd's order across
 * a unit file and its drop-ins.
 */
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

#include "unitfile.h"

/* Scan @text as a unit file; the number of assignments, and *s. */
static int scan(const char *text, const char *section, struct unit_setting *s)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int n;

	assert_non_null(f);
	n = unitfile_scan(f, "t.service", section, s);
	fclose(f);
	return n;
}

static void syntax(void **state)
{
	struct unit_setting s = { 0 };

	(void)state;
	assert_int_equal(1, scan("[Service]\nIOASIDMax=3\n", "Service", &s));
	assert_string_equal("3", s.value);
	assert_string_equal("t.service", s.file);
	assert_int_equal(2, s.line);

	/* whitespace around key and value, CRLF, no final newline */
	assert_int_equal(1, scan("[Service]\r\n  IOASIDMax  =  10%  \r\n", "Service", &s));
	assert_string_equal("10%", s.value);
	assert_int_equal(1, scan("[Slice]\nX-IOASIDMax=infinity", "Slice", &s));
	assert_string_equal("infinity", s.value);

	/* comments, other keys, other sections, other spellings: none count */
	unit_setting_clear(&s);
	assert_int_equal(0, scan("[Unit]\nIOASIDMax=1\n[Service]\n#IOASIDMax=2\n"
				 ";IOASIDMax=3\nioasidmax=4\nTasksMax=5\nIOASIDMax\n"
				 "IOASIDMaxx=6\n[Install]\nIOASIDMax=7\n", "Service", &s));
	assert_null(s.value);
	/* the section of another unit type does not count either */
	assert_int_equal(0, scan("[Slice]\nIOASIDMax=1\n", "Service", &s));
	/* a header that is not one leaves the section */
	assert_int_equal(0, scan("[Service]\n[Service\nIOASIDMax=1\n", "Service", &s));

	/* last wins; an empty assignment resets; both spellings are one setting */
	assert_int_equal(3, scan("[Service]\nIOASIDMax=3\nX-IOASIDMax=4\n"
				 "[Unit]\nDescription=x\n[Service]\nIOASIDMax=\n", "Service", &s));
	assert_string_equal("", s.value);
	assert_int_equal(7, s.line);

	/* a trailing backslash continues the line, past comment lines */
	assert_int_equal(1, scan("[Service]\nIOASIDMax=1\\\n# note\n2\n", "Service", &s));
	assert_string_equal("1 2", s.value);
	assert_int_equal(2, s.line);
	/* ... and a continuation at the end of the file still ends the line */
	assert_int_equal(1, scan("[Service]\nIOASIDMax=5\\", "Service", &s));
	assert_string_equal("5", s.value);

	/* the value is taken as written: checking it is apply's job */
	assert_int_equal(1, scan("[Service]\nIOASIDMax=lots = many\n", "Service", &s));
	assert_string_equal("lots = many", s.value);
	unit_setting_clear(&s);
}

static char dir[] = "/tmp/ioasid-unitfile.XXXXXX";

static char *put(const char *name, const char *text)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	if (strchr(name, '/')) {
		char *d = strdup(path);

		*strrchr(d, '/') = '\0';
		mkdir(d, 0755);
		free(d);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void order(void **state)
{
	struct unit_setting s = { 0 };
	char *frag, *d[6] = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	frag = put("vm.service", "[Service]\nIOASIDMax=7\n");
	d[0] = put("service.d/10-all.conf", "[Service]\nIOASIDMax=1\n");
	d[1] = put("vm.service.d/20-reset.conf", "[Service]\nIOASIDMax=\n");
	d[2] = put("vm.service.d/30-six.conf", "[Service]\nX-IOASIDMax=6\n");
	d[3] = put("vm.service.d/40-other.conf", "[Service]\nTasksMax=9\n");

	/* the unit file, then the drop-ins, in the order given */
	assert_int_equal(1, unitfile_resolve("Service", frag, NULL, &s));
	assert_string_equal("7", s.value);
	assert_int_equal(3, unitfile_resolve("Service", frag, d, &s));
	assert_string_equal("6", s.value);
	assert_string_equal(d[2], s.file);
	assert_int_equal(2, s.line);
	/* a drop-in for every service (service.d/) is skipped */
	assert_true(unitfile_typewide(d[0]));
	assert_false(unitfile_typewide(d[1]));
	assert_false(unitfile_typewide("/etc/systemd/system/myservice.d/x.conf"));
	assert_int_equal(0, unitfile_resolve("Service", "", &d[3], &s));
	/* no unit file (a transient unit), drop-ins only */
	assert_int_equal(2, unitfile_resolve("Service", NULL, &d[1], &s));
	assert_string_equal("6", s.value);

	/* a file that cannot be read is an error that names it */
	d[4] = d[3];
	d[3] = (char *)"/nonexistent/x.conf";
	assert_int_equal(-ENOENT, unitfile_resolve("Service", frag, d, &s));
	assert_string_equal("/nonexistent/x.conf", s.file);
	d[3] = d[4];
	d[4] = NULL;

	unit_setting_clear(&s);
	free(frag);
	for (int i = 0; i < 4; i++)
		free(d[i]);
	assert_true(asprintf(&frag, "rm -rf '%s'", dir) > 0);
	assert_int_equal(0, system(frag));
	free(frag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(syntax),
		cmocka_unit_test(order),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("unitfile", tests, NULL, NULL);
}
