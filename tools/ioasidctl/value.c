// SPDX-License-Identifier: GPL-2.0
/* ioasidctl: limit values, as systemd's TasksMax= accepts them. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "value.h"

/* Digits only, no sign or leading zero: "0" or [1-9][0-9]*; at most 9 digits. */
static int parse_digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 9 || (s[0] == '0' && n > 1))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "P%" or "P.D%" / "P.DD%": returns hundredths of a percent (0..10000). */
static int parse_percent(const char *s, size_t n, uint64_t *basis_points)
{
	const char *dot = memchr(s, '.', n);
	uint64_t whole, frac = 0;
	size_t nfrac = 0;

	if (parse_digits(s, dot ? (size_t)(dot - s) : n, &whole))
		return -EINVAL;
	if (dot) {
		nfrac = n - (size_t)(dot - s) - 1;
		if (nfrac < 1 || nfrac > 2)
			return -EINVAL;
		for (size_t i = 0; i < nfrac; i++) {
			char c = dot[1 + i];

			if (c < '0' || c > '9')
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(c - '0');
		}
		if (nfrac == 1)
			frac *= 10;
	}
	if (whole > 100 || (whole == 100 && frac))
		return -EINVAL;
	*basis_points = whole * 100 + frac;
	return 0;
}

int value_percent(const char *s, uint64_t *basis_points)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 2 || s[n - 1] != '%')
		return -EINVAL;
	return parse_percent(s, n - 1, basis_points);
}

int value_parse(const char *s, uint64_t capacity, uint64_t *out)
{
	size_t n;
	uint64_t v;

	if (!s)
		return -EINVAL;
	if (!strcmp(s, "max") || !strcmp(s, "infinity")) {
		*out = VALUE_MAX;
		return 0;
	}
	n = strlen(s);
	if (n > 1 && s[n - 1] == '%') {
		if (value_percent(s, &v))
			return -EINVAL;
		/* v <= 10000, so neither product can overflow */
		v = capacity / 10000 * v + capacity % 10000 * v / 10000;
		if (v > VALUE_COUNT_MAX)
			return -EINVAL;
		*out = v;
		return 0;
	}
	if (parse_digits(s, n, &v) || v > VALUE_COUNT_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

void value_format(uint64_t v, char *buf, size_t len)
{
	if (v == VALUE_MAX)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

void value_shown(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (len < 4) {
		if (len)
			buf[0] = '\0';
		return;
	}
	/* whole if it fits, else cut with "..." */
	snprintf(buf, n < len ? len : len - 3, "%s", s);
	for (char *c = buf; *c; c++)
		if (!isprint((unsigned char)*c))
			*c = '?';
	if (n >= len)
		strcat(buf, "...");
}
