// SPDX-License-Identifier: GPL-2.0
/* ioasidctl: tables, trees and JSON, through libsmartcols. */
#include <errno.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

struct out {
	struct libscols_table *tb;
};

enum { COL_CGROUP, COL_MAX, COL_CURRENT, COL_PEAK, COL_REFUSED };

static const struct {
	const char *name;
	double width;
	int flags;
	int json_type;
} columns[] = {
	[COL_CGROUP] = { "CGROUP", 0.5, 0, SCOLS_JSON_STRING },
	[COL_MAX] = { "MAX", 7, SCOLS_FL_RIGHT, SCOLS_JSON_STRING },
	[COL_CURRENT] = { "CURRENT", 7, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[COL_PEAK] = { "PEAK", 7, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[COL_REFUSED] = { "REFUSED", 7, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
};

struct out *out_new(bool tree, bool json)
{
	struct out *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->tb = scols_new_table();
	if (!o->tb) {
		free(o);
		return NULL;
	}
	scols_table_enable_json(o->tb, json);
	scols_table_set_name(o->tb, "cgroups");
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		int flags = columns[i].flags;
		struct libscols_column *cl;

		if (i == COL_CGROUP && tree)
			flags |= SCOLS_FL_TREE;
		cl = scols_table_new_column(o->tb, columns[i].name,
					    columns[i].width, flags);
		if (!cl) {
			out_free(o);
			return NULL;
		}
		scols_column_set_json_type(cl, columns[i].json_type);
	}
	return o;
}

static int set_num(struct libscols_line *ln, int col, int64_t v)
{
	char buf[32];

	/* the root has no peak or events: leave the cell empty (null in JSON) */
	if (v < 0)
		return 0;
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return scols_line_set_data(ln, col, buf);
}

void *out_add(struct out *o, void *parent, const char *cgroup,
	      const struct ioasids_stat *st)
{
	struct libscols_line *ln = scols_table_new_line(o->tb, parent);

	if (!ln)
		return NULL;
	if (scols_line_set_data(ln, COL_CGROUP, cgroup) ||
	    (st->max[0] && scols_line_set_data(ln, COL_MAX, st->max)) ||
	    set_num(ln, COL_CURRENT, st->current) ||
	    set_num(ln, COL_PEAK, st->peak) ||
	    set_num(ln, COL_REFUSED, st->events))
		return NULL;
	return ln;
}

int out_print(struct out *o, FILE *f)
{
	scols_table_set_stream(o->tb, f);
	return scols_print_table(o->tb) ? -EIO : 0;
}

int out_info(FILE *f, bool json, const char *mount, uint64_t capacity,
	     uint64_t in_use, const char *enabled_in)
{
	static const struct {
		const char *name;
		int flags, json_type;
	} cols[] = {
		{ "CAPACITY", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
		{ "IN-USE", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
		{ "FREE", SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
		{ "MOUNT", 0, SCOLS_JSON_STRING },
		/* one cgroup per line: an array of strings in JSON */
		{ "ENABLED-IN", 0, SCOLS_JSON_ARRAY_STRING },
	};
	struct libscols_table *tb = scols_new_table();
	struct libscols_line *ln;
	char buf[3][32], *list = NULL;
	int ret = -ENOMEM;

	if (!tb)
		return -ENOMEM;
	/* a table cell shows the lines as "/, /machine.slice" */
	if (!json) {
		size_t n = 0;

		list = malloc(2 * strlen(enabled_in) + 1);
		if (!list)
			goto out;
		for (const char *p = enabled_in; *p; p++) {
			if (*p == '\n') {
				list[n++] = ',';
				list[n++] = ' ';
			} else {
				list[n++] = *p;
			}
		}
		list[n] = '\0';
		enabled_in = list;
	}
	scols_table_enable_json(tb, json);
	scols_table_set_name(tb, "ioasids");
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		bool lines = cols[i].json_type == SCOLS_JSON_ARRAY_STRING;
		struct libscols_column *cl;

		/* in JSON, each line of a wrapped cell is one array element */
		cl = scols_table_new_column(tb, cols[i].name, 0,
					    cols[i].flags | (json && lines ? SCOLS_FL_WRAP : 0));
		if (!cl)
			goto out;
		scols_column_set_json_type(cl, cols[i].json_type);
		if (json && lines)
			scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize,
						  scols_wrapnl_nextchunk, NULL);
	}
	snprintf(buf[0], sizeof(buf[0]), "%" PRIu64, capacity);
	snprintf(buf[1], sizeof(buf[1]), "%" PRIu64, in_use);
	snprintf(buf[2], sizeof(buf[2]), "%" PRIu64, capacity - in_use);
	ln = scols_table_new_line(tb, NULL);
	if (!ln || scols_line_set_data(ln, 0, buf[0]) || scols_line_set_data(ln, 1, buf[1]) ||
	    scols_line_set_data(ln, 2, buf[2]) || scols_line_set_data(ln, 3, mount) ||
	    scols_line_set_data(ln, 4, enabled_in))
		goto out;
	scols_table_set_stream(tb, f);
	ret = scols_print_table(tb) ? -EIO : 0;
out:
	free(list);
	scols_unref_table(tb);
	return ret;
}

void out_free(struct out *o)
{
	if (!o)
		return;
	scols_unref_table(o->tb);
	free(o);
}
