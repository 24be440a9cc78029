/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl: the ioasids files of a cgroup, through libcgroup. */
#ifndef IOASIDCTL_CGROUP_H
#define IOASIDCTL_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

struct ioasids_stat {
	char max[24];		/* "max" or a count; "" on the root */
	int64_t current;
	int64_t peak;		/* -1 on the root */
	int64_t events;		/* refusals at or below this cgroup; -1 on the root */
	int64_t events_local;	/* -1: cgx_read() leaves it; see cgx_events_local() */
};

/* Set up libcgroup; -ENODEV if the running kernel has no ioasids controller. */
int cgx_init(void);
/* 0 if @path (relative to the cgroup2 mount) exists, else -ENOENT. */
int cgx_exists(const char *path);
/* Create @path and any missing parent, like mkdir -p; 0 if it exists. */
int cgx_create(const char *path);
/* current, max, peak, events; -ENOENT: no such cgroup; -EMEDIUMTYPE: no controller */
int cgx_read(const char *path, struct ioasids_stat *st);
/* ioasids.events.local's count, or -1 */
int64_t cgx_events_local(const char *path);
int cgx_set_max(const char *path, const char *value);
/*
 * Enable ioasids in cgroup.subtree_control of every ancestor of @path that
 * lacks it, from the root down; @note is told each one it changed.
 */
int cgx_enable_above(const char *path, void (*note)(const char *cgroup));
/*
 * Enable ioasids in @path's own cgroup.subtree_control, for its children,
 * unless it is there; @note is told if it changed. ioasids is a domain
 * controller: the kernel refuses (EBUSY) if @path has processes of its own,
 * and the error is returned.
 */
int cgx_enable_below(const char *path, void (*note)(const char *cgroup));
int cgx_root(uint64_t *capacity, uint64_t *in_use);
/* Where ioasids is enabled: calls @cb for each cgroup whose children have it. */
int cgx_walk(const char *path, bool recursive,
	     int (*cb)(const char *path, int depth, void *data), void *data);
/*
 * The cgroups whose cgroup.subtree_control has ioasids, one per line, in
 * hierarchy order (free it); "" if none.
 */
int cgx_enabled_in(char **list);
/* The cgroup2 mount point, e.g. "/sys/fs/cgroup". */
const char *cgx_mount(void);

#endif
