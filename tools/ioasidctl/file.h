/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl: replacing a file at once, reading one whole. */
#ifndef IOASIDCTL_FILE_H
#define IOASIDCTL_FILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Replace @path at once: @print writes to a temporary file beside it
 * (".#NAME.XXXXXX", mode 0644), which is synced and renamed over @path, so
 * a reader never sees half of it. If @print returns non-zero or a step
 * fails, @path is left as it was and the temporary file removed.
 * Returns 0, @print's non-zero return as is, or -errno.
 */
int file_replace(const char *path, int (*print)(FILE *f, void *data), void *data);

/*
 * All of @f, at most @max bytes, in *@out (to free; not NUL-terminated)
 * and *@len. Returns 0, -EFBIG past @max, -EIO or -ENOMEM.
 */
int file_read_all(FILE *f, size_t max, char **out, size_t *len);

#endif
