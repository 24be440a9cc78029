/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl top: a refreshing table of the cgroups holding the most IOASIDs. */
#ifndef IOASIDCTL_TOP_H
#define IOASIDCTL_TOP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cgroup.h"

struct top_row {
	char *path;
	struct ioasids_stat st;
	double rate;		/* refusals per second since the last frame; < 0: unknown */
};

/*
 * Refusals per second between two reads of ioasids.events @secs apart; a
 * count that went down (the cgroup was removed and made again) counts from 0.
 */
double top_rate(int64_t before, int64_t now, double secs);
/* Most IOASIDs first, then most refusals per second, highest peak, path. */
void top_sort(struct top_row *rows, size_t n);
/*
 * One frame: a header line, then a table of at most @max_rows rows (0: all)
 * fitting @width columns (0: no limit).
 */
int top_print(FILE *f, const struct top_row *rows, size_t n, uint64_t capacity,
	      uint64_t in_use, double delay, size_t max_rows, size_t width, bool tty);
/*
 * Refresh every @delay seconds until q, SIGINT or SIGTERM, or after
 * @iterations frames (0: no end). Off a terminal, one frame per interval.
 * @cgroups: the subtrees to show (all cgroups if @n is 0).
 */
int top_run(char **cgroups, int n, double delay, unsigned long iterations);

#endif
