/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl: cleanup helpers and exit statuses. */
#ifndef IOASIDCTL_UTIL_H
#define IOASIDCTL_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* One line of a parser's in @err; returns -EINVAL. */
static inline int __attribute__((format(printf, 3, 4)))
parse_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Exit statuses, documented in ioasidctl(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* anything not listed below */
	EXIT_USAGE = 2,		/* bad arguments or value */
	EXIT_NOCTRL = 3,	/* the kernel has no ioasids controller */
	EXIT_NOTFOUND = 4,	/* no such cgroup or unit */
	EXIT_PERM = 5,		/* permission denied */
	EXIT_NOSYSTEMD = 6,	/* systemd not reachable */
};

#endif
