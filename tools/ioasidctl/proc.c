// SPDX-License-Identifier: GPL-2.0
/* ioasidctl: the cgroup of a process, from /proc. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "util.h"

int proc_cgroup_of(const char *proc, pid_t pid, char **path)
{
	_cleanup_free_ char *file = NULL, *line = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t n = 0;
	ssize_t got;

	if (asprintf(&file, "%s/%d/cgroup", proc, (int)pid) < 0) {
		file = NULL;
		return -ENOMEM;
	}
	f = fopen(file, "re");
	if (!f)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;
	while ((got = getline(&line, &n, f)) > 0) {
		if (line[got - 1] == '\n')
			line[--got] = '\0';
		if (strncmp(line, "0::/", 4))
			continue;
		*path = strdup(line + 3);
		return *path ? 0 : -ENOMEM;
	}
	return ferror(f) ? -EIO : -EMEDIUMTYPE;
}
