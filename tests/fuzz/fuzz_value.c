// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ioasidctl's limit parser (tools/ioasidctl/value.c).
 * The first byte picks the capacity percentages are taken of; the rest is
 * the text. Beyond what ASan and UBSan catch, it checks what callers rely
 * on: a refusal leaves the output untouched; an accepted value is "no
 * limit" or a count ioasids.max takes, and it survives value_format()
 * and a second parse unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t caps[] = { 1, 2, 100, 1048575, VALUE_COUNT_MAX + 1, UINT64_MAX };
	uint64_t cap, v = 42, again = 7;
	char *s, buf[32];

	if (!size)
		return 0;
	cap = caps[data[0] % (sizeof(caps) / sizeof(*caps))];
	s = strndup((const char *)data + 1, size - 1);
	if (!s)
		return 0;
	if (value_parse(s, cap, &v)) {
		if (v != 42)
			abort();	/* refused, but wrote the output */
	} else {
		if (v != VALUE_MAX && v > VALUE_COUNT_MAX)
			abort();	/* a count ioasids.max refuses */
		value_format(v, buf, sizeof(buf));
		if (value_parse(buf, cap, &again) || again != v)
			abort();	/* what we write does not read back */
	}
	free(s);
	return 0;
}
