// SPDX-License-Identifier: GPL-2.0
/* ioasidctl: replacing a file at once (drop-ins, metrics files). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "util.h"

int file_replace(const char *path, int (*print)(FILE *f, void *data), void *data)
{
	_cleanup_free_ char *tmp = NULL;
	const char *base = strrchr(path, '/');
	FILE *f;
	int fd, ret;

	if (asprintf(&tmp, "%.*s.#%s.XXXXXX", base ? (int)(base - path + 1) : 0, path,
		     base ? base + 1 : path) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		unlink(tmp);
		return ret;
	}
	ret = print(f, data);
	if (!ret && (fflush(f) || fchmod(fd, 0644) || fsync(fd)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}
