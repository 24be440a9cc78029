/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl: the cgroup of a process, from /proc. */
#ifndef IOASIDCTL_PROC_H
#define IOASIDCTL_PROC_H

#include <sys/types.h>

/*
 * The cgroup v2 path of process @pid, as "/a/b", read from
 * @proc/PID/cgroup ("/proc" on a live system). Returns 0 and a string to
 * free in *path; -ENOENT if the process is gone; -EMEDIUMTYPE if it has no
 * cgroup v2 entry ("0::").
 */
int proc_cgroup_of(const char *proc, pid_t pid, char **path);

#endif
