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

int file_read_all(FILE *f, size_t max, char **out, size_t *len)
{
	size_t size = 4096, n = 0, got;
	char *buf = malloc(size), *p;

	if (!buf)
		return -ENOMEM;
	while ((got = fread(buf + n, 1, size - n, f)) > 0) {
		n += got;
		if (n > max) {
			free(buf);
			return -EFBIG;
		}
		if (n == size) {
			p = realloc(buf, size *= 2);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
	}
	if (ferror(f)) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	*len = n;
	return 0;
}
