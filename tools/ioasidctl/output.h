/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl: tables, trees and JSON, through libsmartcols. */
#ifndef IOASIDCTL_OUTPUT_H
#define IOASIDCTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cgroup.h"

struct out;

/* @tree: indent rows under their parent row; @json: JSON instead of a table. */
struct out *out_new(bool tree, bool json);
/*
 * Add a cgroup's row: @cgroup is what the row shows as the cgroup, @path
 * the whole path, which the unit, libvirt domain and pod are derived from
 * (name.h). @parent is the row of its parent cgroup for a tree (NULL for a
 * top row). Returns the new row, usable as a later @parent.
 */
void *out_add(struct out *o, void *parent, const char *cgroup, const char *path,
	      const struct ioasids_stat *st);
int out_print(struct out *o, FILE *f);

/*
 * The Prometheus text format (node_exporter's textfile collector) instead:
 * out_add() rows become samples labelled cgroup="..." and, where they
 * are known, unit, domain and pod, printed by
 * out_print() one metric family at a time, with the system-wide
 * @capacity and @in_use.
 */
struct out *out_new_prometheus(uint64_t capacity, uint64_t in_use);

/*
 * ioasidctl info: one row (table) or object (JSON) with the capacity, the
 * count in use and free, the cgroup2 mount, and @enabled_in, the cgroups
 * whose cgroup.subtree_control has ioasids, one per line.
 */
int out_info(FILE *f, bool json, const char *mount, uint64_t capacity,
	     uint64_t in_use, const char *enabled_in);
void out_free(struct out *o);

#endif
