/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl watch: a line for every refused allocation, via sd-event. */
#ifndef IOASIDCTL_WATCH_H
#define IOASIDCTL_WATCH_H

/*
 * Watch @n cgroups (and their subtrees; all cgroups if @n is 0) until
 * SIGINT or SIGTERM. Returns an exit status.
 */
int watch_run(char **cgroups, int n);

#endif
