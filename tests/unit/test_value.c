// SPDX-License-Identifier: GPL-2.0
/* cmocka: ioasidctl's limit values. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "value.h"

#define CAP 1048575ULL

static void counts(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(0, value_parse("0", CAP, &v));
	assert_int_equal(0, v);
	assert_int_equal(0, value_parse("7", CAP, &v));
	assert_int_equal(7, v);
	assert_int_equal(0, value_parse("1048575", CAP, &v));
	assert_int_equal(1048575, v);
	/* a count above the capacity is still a valid limit */
	assert_int_equal(0, value_parse("500", 100, &v));
	assert_int_equal(500, v);
}

static void unlimited(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(0, value_parse("max", CAP, &v));
	assert_true(v == VALUE_MAX);
	v = 0;
	assert_int_equal(0, value_parse("infinity", CAP, &v));
	assert_true(v == VALUE_MAX);
}

static void percentages(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(0, value_parse("10%", 1000, &v));
	assert_int_equal(100, v);
	assert_int_equal(0, value_parse("100%", 1000, &v));
	assert_int_equal(1000, v);
	assert_int_equal(0, value_parse("0%", 1000, &v));
	assert_int_equal(0, v);
	/* rounded down */
	assert_int_equal(0, value_parse("10%", CAP, &v));
	assert_int_equal(104857, v);
	assert_int_equal(0, value_parse("12.5%", 1000, &v));
	assert_int_equal(125, v);
	assert_int_equal(0, value_parse("0.01%", CAP, &v));
	assert_int_equal(104, v);
	assert_int_equal(0, value_parse("33.33%", 100, &v));
	assert_int_equal(33, v);
	/*
	 * A percentage past what ioasids.max takes is refused, and a huge
	 * capacity does not overflow (found by tests/fuzz/fuzz_value.c:
	 * "55.52%" of 2^64 - 1 wrapped around).
	 */
	assert_int_equal(0, value_parse("50%", 2 * VALUE_COUNT_MAX, &v));
	assert_int_equal(VALUE_COUNT_MAX, v);
	v = 7;
	assert_int_equal(-EINVAL, value_parse("55.52%", UINT64_MAX, &v));
	assert_int_equal(-EINVAL, value_parse("100%", VALUE_COUNT_MAX + 1, &v));
	assert_int_equal(7, v);
}

static void refused(void **state)
{
	static const char *const bad[] = {
		"", " ", "-1", "+5", "0x10", "010", "00", "1.5", "5x", "5 5",
		" 5", "5 ", "MAX", "Max", "inf", "infinit", "1048576",
		"4294967296", "18446744073709551616", "1e3", "%", "101%",
		"100.01%", "-5%", "5.%", ".5%", "5.123%", "5%%", "5 %",
		"abc%", "10%5", "0x5%",
	};
	uint64_t v = 1234;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (value_parse(bad[i], CAP, &v) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(1234, v);
	}
	assert_int_equal(-EINVAL, value_parse(NULL, CAP, &v));
}

static void format(void **state)
{
	char buf[32];

	(void)state;
	value_format(VALUE_MAX, buf, sizeof(buf));
	assert_string_equal("max", buf);
	value_format(0, buf, sizeof(buf));
	assert_string_equal("0", buf);
	value_format(1048575, buf, sizeof(buf));
	assert_string_equal("1048575", buf);
}

static void shown(void **state)
{
	char buf[12];

	(void)state;
	value_shown("10%", buf, sizeof(buf));
	assert_string_equal("10%", buf);
	value_shown("a\nb\tc\x7f", buf, sizeof(buf));
	assert_string_equal("a?b?c?", buf);
	/* cut with "..." to fit, terminator included */
	value_shown("123456789012345", buf, sizeof(buf));
	assert_string_equal("12345678...", buf);
	value_shown("12345678901", buf, sizeof(buf));
	assert_string_equal("12345678901", buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts),
		cmocka_unit_test(unlimited),
		cmocka_unit_test(percentages),
		cmocka_unit_test(refused),
		cmocka_unit_test(format),
		cmocka_unit_test(shown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("value", tests, NULL, NULL);
}
