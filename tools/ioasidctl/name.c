// SPDX-License-Identifier: GPL-2.0
/* ioasidctl: the unit, libvirt domain and pod a cgroup belongs to. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "name.h"

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && !memcmp(s + len - n, suffix, n);
}

static void copy(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* systemd's unit name escaping undone: "\x2d" is '-', a bare '-' is '/'. */
static void unescape(char *dst, size_t size, const char *src, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < size; i++) {
		unsigned int c;

		if (src[i] == '\\' && i + 3 < len && src[i + 1] == 'x' &&
		    isxdigit((unsigned char)src[i + 2]) && isxdigit((unsigned char)src[i + 3]) &&
		    sscanf(src + i + 2, "%2x", &c) == 1) {
			dst[o++] = (char)c;
			i += 3;
		} else {
			dst[o++] = src[i] == '-' ? '/' : src[i];
		}
	}
	dst[o] = '\0';
}

/*
 * libvirt's machine name "DRIVER-ID-NAME": NAME, if it is one. libvirt
 * makes machine names of printable ASCII only; anything else is no domain
 * of libvirt's (and would not be valid in JSON).
 */
static bool domain_of(char *dst, size_t size, const char *machine)
{
	const char *p = machine;

	for (const char *q = machine; *q; q++)
		if (*q < 0x21 || *q > 0x7e)
			return false;

	if (strncmp(p, "qemu-", 5) && strncmp(p, "lxc-", 4))
		return false;
	p = strchr(p, '-') + 1;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p != '-' || !p[1])
		return false;
	copy(dst, size, p + 1, strlen(p + 1));
	return true;
}

/* "<UID>" with '_' for '-' (systemd's slices) or '-' (cgroupfs): 36 characters */
static bool pod_uid(char *dst, size_t size, const char *s, size_t len)
{
	if (len != 36 || size <= len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
		dst[i] = s[i] == '_' ? '-' : s[i];
	}
	dst[len] = '\0';
	return true;
}

void cg_names(const char *path, struct cg_names *n)
{
	bool kube = false, unit = false;

	memset(n, 0, sizeof(*n));
	for (const char *c = path; *c;) {
		const char *end;
		size_t len;
		char machine[256];

		while (*c == '/')
			c++;
		end = strchrnul(c, '/');
		len = end - c;
		if (!len)
			break;
		if (ends_with(c, len, ".slice")) {
			if (!unit)
				copy(n->unit, sizeof(n->unit), c, len);
		} else if (ends_with(c, len, ".service") || ends_with(c, len, ".scope")) {
			copy(n->unit, sizeof(n->unit), c, len);
			unit = true;
		}
		if (!strncmp(c, "kubepods", 8))
			kube = true;
		if (!strncmp(c, "machine-", 8) && ends_with(c, len, ".scope")) {
			unescape(machine, sizeof(machine), c + 8, len - 8 - 6);
			domain_of(n->domain, sizeof(n->domain), machine);
		} else if (ends_with(c, len, ".libvirt-qemu") || ends_with(c, len, ".libvirt-lxc")) {
			/* the component's own last dot, not one further down */
			copy(machine, sizeof(machine), c, (const char *)memrchr(c, '.', len) - c);
			domain_of(n->domain, sizeof(n->domain), machine);
		}
		if (kube) {
			const char *pod = NULL;

			/* kubepods-burstable-pod<UID>.slice, or pod<UID> (cgroupfs) */
			if (ends_with(c, len, ".slice") && len > 3 + 6)
				pod = memmem(c, len, "-pod", 4);
			if (pod)
				pod_uid(n->pod, sizeof(n->pod), pod + 4, c + len - 6 - (pod + 4));
			else if (!strncmp(c, "pod", 3))
				pod_uid(n->pod, sizeof(n->pod), c + 3, len - 3);
		}
		c = end;
	}
}

const char *cg_workload(const struct cg_names *n, char *buf, size_t len)
{
	if (n->domain[0])
		snprintf(buf, len, "domain %s", n->domain);
	else if (n->pod[0])
		snprintf(buf, len, "pod %s", n->pod);
	else if (n->unit[0])
		snprintf(buf, len, "unit %s", n->unit);
	else if (len)
		buf[0] = '\0';
	return buf;
}

size_t utf8_seq_len(const unsigned char *p)
{
	size_t n;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and beyond U+10FFFF */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

const char *cg_display(const char *in, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	while (*p && o + 5 < len) {
		if (*p >= 0x20 && *p < 0x7f)
			out[o++] = (char)*p++;
		else
			o += snprintf(out + o, len - o, "\\x%02x", *p++);
	}
	out[o] = '\0';
	return out;
}
