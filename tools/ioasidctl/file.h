/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl: replacing a file at once. */
#ifndef IOASIDCTL_FILE_H
#define IOASIDCTL_FILE_H

#include <stdio.h>

/*
 * Replace @path at once: @print writes to a temporary file beside it
 * (".#NAME.XXXXXX", mode 0644), which is synced and renamed over @path, so
 * a reader never sees half of it. If @print returns non-zero or a step
 * fails, @path is left as it was and the temporary file removed.
 * Returns 0, @print's non-zero return as is, or -errno.
 */
int file_replace(const char *path, int (*print)(FILE *f, void *data), void *data);

#endif
