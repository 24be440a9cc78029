// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the IOASIDMax= unit file parser (tools/systemd/unitfile.c)
 * that the generator and ioasidctl apply share. The input is a unit file;
 * its first byte picks the section. Beyond what ASan and UBSan catch: the
 * count of assignments is sane, a value found names a line of the input and
 * holds no newline, and the suffix and type-wide helpers take any text.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unitfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sections[] = { "Service", "Scope", "Slice" };
	struct unit_setting s = { 0 };
	unsigned int lines = 1;
	char *text;
	FILE *f;
	int n;
	size_t i;

	if (!size)
		return 0;
	for (i = 1; i < size; i++)
		lines += data[i] == '\n';
	/* fmemopen() wants at least one byte: an empty file is an empty string */
	f = size > 1 ? fmemopen((void *)(data + 1), size - 1, "r") : fmemopen("", 1, "r");
	if (!f)
		return 0;
	n = unitfile_scan(f, "fuzz.service", sections[data[0] % 3], &s);
	fclose(f);
	if (n < 0 || (unsigned int)n > lines)
		abort();
	if (s.value && (!s.line || s.line > lines || strchr(s.value, '\n')))
		abort();
	unit_setting_clear(&s);

	text = strndup((const char *)data, size);
	if (text) {
		unitfile_section(text, strlen(text));
		unitfile_typewide(text);
		free(text);
	}
	return 0;
}
