// SPDX-License-Identifier: GPL-2.0
/* cmocka: ioasidctl top's rates, order and frame. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "top.h"

static void rate(void **state)
{
	(void)state;
	assert_true(top_rate(10, 40, 2.0) == 15.0);
	assert_true(top_rate(7, 7, 0.5) == 0.0);
	/* the cgroup was removed and made again: its count restarted */
	assert_true(top_rate(50, 4, 2.0) == 2.0);
	/* no interval, or no count (the root): unknown */
	assert_true(top_rate(1, 2, 0) < 0);
	assert_true(top_rate(-1, -1, 1.0) < 0);
}

static struct top_row row(const char *path, int64_t cur, int64_t peak, double r)
{
	struct top_row x = { .path = (char *)path, .rate = r };

	snprintf(x.st.max, sizeof(x.st.max), "max");
	x.st.current = cur;
	x.st.peak = peak;
	x.st.events = 0;
	return x;
}

static void sort(void **state)
{
	struct top_row rows[] = {
		row("/b", 3, 3, 0), row("/a", 3, 3, 0), row("/idle", 0, 9, 0),
		row("/big", 40, 40, 0), row("/busy", 3, 3, 5.5), row("/peaky", 3, 8, 0),
	};
	const char *want[] = { "/big", "/busy", "/peaky", "/a", "/b", "/idle" };

	(void)state;
	top_sort(rows, 6);
	for (int i = 0; i < 6; i++)
		assert_string_equal(want[i], rows[i].path);
}

static char *render(const struct top_row *rows, size_t n, size_t max_rows, size_t width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(0, top_print(f, rows, n, 1048575, 43, 1.0, max_rows, width, false));
	fclose(f);
	return buf;
}

static void frame(void **state)
{
	struct top_row rows[] = {
		row("/", 43, -1, -1), row("/machine.slice/vm1", 40, 41, 12.5),
		row("/machine.slice/vm2", 3, 3, -1),
	};
	char *s, *l;
	int n = 0;

	(void)state;
	rows[0].st.max[0] = '\0';
	rows[0].st.events = -1;
	rows[1].st.events = 25;
	snprintf(rows[1].st.max, sizeof(rows[1].st.max), "40");
	s = render(rows, 3, 0, 0);
	assert_non_null(strstr(s, "IOASIDs in use: 43 of 1048575, every 1.0 s\n"));
	assert_null(strstr(s, "q quits"));
	for (l = strtok(s, "\n"); l; l = strtok(NULL, "\n"), n++) {
		char cg[64], max[16], peak[16], rate[16], refused[16];
		long cur;

		if (n == 0)
			continue;
		if (n == 1) {
			assert_non_null(strstr(l, "CGROUP"));
			assert_true(strstr(l, "CURRENT") < strstr(l, "REFUSED/S"));
			continue;
		}
		assert_int_equal(6, sscanf(l, "%63s %ld %15s %15s %15s %15s", cg, &cur, max,
					   peak, rate, refused));
		if (n == 2) {
			/* the root: no max, peak or refusals of its own */
			assert_string_equal("/", cg);
			assert_string_equal("-", max);
			assert_string_equal("-", peak);
			assert_string_equal("-", refused);
		} else if (n == 3) {
			assert_string_equal("/machine.slice/vm1", cg);
			assert_string_equal("40", max);
			assert_string_equal("12.5", rate);
			assert_string_equal("25", refused);
		} else {
			/* no earlier frame: the rate is unknown */
			assert_string_equal("-", rate);
		}
	}
	assert_int_equal(5, n);
	free(s);
}

/*
 * A window of 80 columns or more, or no terminal, names each row's workload
 * last: a VM by its libvirt domain, whatever the scope's ID at this start.
 */
static void workload_column(void **state)
{
	struct top_row rows[] = {
		row("/machine.slice/machine-qemu\\x2d7\\x2dvm1.scope", 9, 9, 0),
		row("/system.slice/vmm.service", 8, 8, 0), row("/e2e", 1, 1, 0),
	};
	char *s = render(rows, 3, 0, 120);

	(void)state;
	assert_non_null(strstr(s, "REFUSED WORKLOAD\n"));
	assert_non_null(strstr(s, " domain vm1\n"));
	assert_non_null(strstr(s, " unit vmm.service\n"));
	assert_non_null(strstr(s, "/e2e "));
	free(s);
	s = render(rows, 3, 0, 0);
	assert_non_null(strstr(s, " domain vm1\n"));
	free(s);
	/* narrower than 80: the numbers keep their room */
	s = render(rows, 3, 0, 79);
	assert_null(strstr(s, "WORKLOAD"));
	free(s);
}

/* A small window: only the rows that fit, each line within its width. */
static void fits_the_window(void **state)
{
	struct top_row rows[] = {
		row("/machine.slice/a-long-name-for-a-virtual-machine-1", 9, 9, 0),
		row("/b", 8, 8, 0), row("/c", 7, 7, 0), row("/d", 6, 6, 0),
	};
	char *s, *l;
	int n = 0;

	(void)state;
	s = render(rows, 4, 2, 50);
	for (l = strtok(s, "\n"); l; l = strtok(NULL, "\n"), n++)
		assert_true(strlen(l) <= 50 || n == 0);
	/* the header line, the table's header and two rows */
	assert_int_equal(4, n);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rate),
		cmocka_unit_test(sort),
		cmocka_unit_test(frame),
		cmocka_unit_test(fits_the_window),
		cmocka_unit_test(workload_column),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("top", tests, NULL, NULL);
}
