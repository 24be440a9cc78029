// SPDX-License-Identifier: GPL-2.0
/* ioasidctl: tables, trees and JSON, through libsmartcols. */
#include <errno.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"
#include "output.h"

struct prom_row {
	char *cgroup;
	struct cg_names names;
	struct ioasids_stat st;
};

struct out {
	struct libscols_table *tb;	/* NULL for Prometheus */
	bool json;
	bool any_workload;		/* a row has one: the column is shown */
	struct prom_row *rows;
	size_t nrows;
	uint64_t capacity, in_use;
};

/* WORKLOAD in a table; UNIT, DOMAIN and POD, each its own key, in JSON */
enum { COL_CGROUP, COL_MAX, COL_CURRENT, COL_PEAK, COL_REFUSED, COL_WORKLOAD,
       COL_UNIT = COL_WORKLOAD, COL_DOMAIN, COL_POD };

static const struct column {
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
}, table_columns[] = {
	{ "WORKLOAD", 0.3, SCOLS_FL_TRUNC, SCOLS_JSON_STRING },
}, json_columns[] = {
	{ "UNIT", 0.2, 0, SCOLS_JSON_STRING },
	{ "DOMAIN", 0.2, 0, SCOLS_JSON_STRING },
	{ "POD", 0.2, 0, SCOLS_JSON_STRING },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* @tree: the first column draws the tree */
static int add_columns(struct libscols_table *tb, const struct column *c, size_t n, bool tree)
{
	for (size_t i = 0; i < n; i++) {
		struct libscols_column *cl;

		cl = scols_table_new_column(tb, c[i].name, c[i].width,
					    c[i].flags | (tree && i == 0 ? SCOLS_FL_TREE : 0));
		if (!cl)
			return -ENOMEM;
		scols_column_set_json_type(cl, c[i].json_type);
	}
	return 0;
}

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
	o->json = json;
	scols_table_enable_json(o->tb, json);
	/* the cells are made safe by cg_display() (JSON has its own escaping) */
	scols_table_enable_noencoding(o->tb, !json);
	scols_table_set_name(o->tb, "cgroups");
	if (add_columns(o->tb, columns, ARRAY_SIZE(columns), tree) ||
	    (json ? add_columns(o->tb, json_columns, ARRAY_SIZE(json_columns), false) :
		    add_columns(o->tb, table_columns, ARRAY_SIZE(table_columns), false))) {
		out_free(o);
		return NULL;
	}
	return o;
}

/* An empty name is no cell: null in JSON */
static int set_str(struct libscols_line *ln, int col, const char *v)
{
	return v[0] ? scols_line_set_data(ln, col, v) : 0;
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

struct out *out_new_prometheus(uint64_t capacity, uint64_t in_use)
{
	struct out *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->capacity = capacity;
	o->in_use = in_use;
	return o;
}

static void *prom_add(struct out *o, const char *cgroup, const struct ioasids_stat *st)
{
	struct prom_row *r = realloc(o->rows, (o->nrows + 1) * sizeof(*r));

	if (!r)
		return NULL;
	o->rows = r;
	r += o->nrows;
	r->cgroup = strdup(cgroup);
	if (!r->cgroup)
		return NULL;
	r->st = *st;
	cg_names(cgroup, &r->names);
	o->nrows++;
	return r;
}

void *out_add(struct out *o, void *parent, const char *cgroup, const char *path,
	      const struct ioasids_stat *st)
{
	struct libscols_line *ln;
	struct cg_names names;
	char workload[300], shown[4 * PATH_MAX];

	if (!o->tb)
		return prom_add(o, path, st);
	ln = scols_table_new_line(o->tb, parent);
	if (!ln)
		return NULL;
	cg_names(path, &names);
	if (scols_line_set_data(ln, COL_CGROUP,
				o->json ? cgroup : cg_display(cgroup, shown, sizeof(shown))) ||
	    (st->max[0] && scols_line_set_data(ln, COL_MAX, st->max)) ||
	    set_num(ln, COL_CURRENT, st->current) ||
	    set_num(ln, COL_PEAK, st->peak) ||
	    set_num(ln, COL_REFUSED, st->events))
		return NULL;
	if (names.unit[0] || names.domain[0] || names.pod[0])
		o->any_workload = true;
	if (o->json ? set_str(ln, COL_UNIT, names.unit) || set_str(ln, COL_DOMAIN, names.domain) ||
		      set_str(ln, COL_POD, names.pod) :
		      set_str(ln, COL_WORKLOAD,
			      cg_display(cg_workload(&names, workload, sizeof(workload)), shown,
					 sizeof(shown))))
		return NULL;
	return ln;
}

/*
 * A label value as the text format wants it: backslash, double quote and
 * newline escaped; a byte that is not UTF-8 (a cgroup name may hold any
 * byte but '/') becomes U+FFFD.
 */
static void prom_label(FILE *f, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;

	while (*p) {
		size_t n = utf8_seq_len(p);

		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '"')
			fputs("\\\"", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (n)
			fwrite(p, 1, n, f);
		else
			fputs("\xef\xbf\xbd", f);
		p += n ?: 1;
	}
}

/* The names as labels, after cgroup's opening quote: a name there is is one */
static void prom_names(FILE *f, const struct cg_names *n)
{
	const char *key[] = { "unit", "domain", "pod" };
	const char *val[] = { n->unit, n->domain, n->pod };

	for (int i = 0; i < 3; i++) {
		if (!val[i][0])
			continue;
		fprintf(f, "\",%s=\"", key[i]);
		prom_label(f, val[i]);
	}
}

enum prom_metric { PROM_CURRENT, PROM_MAX, PROM_PEAK, PROM_EVENTS_MAX };

static const struct {
	const char *name, *type, *help;
} prom_metrics[] = {
	[PROM_CURRENT] = { "ioasids_current", "gauge",
		"IOASIDs held by the cgroup and its descendants (ioasids.current)." },
	[PROM_MAX] = { "ioasids_max", "gauge",
		"The cgroup's limit (ioasids.max); +Inf for max. The root has none." },
	[PROM_PEAK] = { "ioasids_peak", "gauge",
		"The most IOASIDs the cgroup and its descendants have held (ioasids.peak)." },
	[PROM_EVENTS_MAX] = { "ioasids_events_max_total", "counter",
		"Allocations in the cgroup's subtree refused by a limit at or below it (ioasids.events max)." },
};

/* A sample's value, or false when the cgroup has none (the root's max). */
static bool prom_value(const struct ioasids_stat *st, enum prom_metric m, char *buf, size_t len)
{
	int64_t v;

	switch (m) {
	case PROM_MAX:
		if (!st->max[0])
			return false;
		snprintf(buf, len, "%s", strcmp(st->max, "max") ? st->max : "+Inf");
		return true;
	case PROM_CURRENT:
		v = st->current;
		break;
	case PROM_PEAK:
		v = st->peak;
		break;
	default:
		v = st->events;
		break;
	}
	if (v < 0)
		return false;
	snprintf(buf, len, "%" PRId64, v);
	return true;
}

static int prom_print(struct out *o, FILE *f)
{
	fprintf(f, "# HELP ioasids_capacity IOASIDs in the system-wide space (ioasids.capacity).\n"
		"# TYPE ioasids_capacity gauge\n"
		"ioasids_capacity %" PRIu64 "\n"
		"# HELP ioasids_in_use IOASIDs allocated system-wide, by every user of the space.\n"
		"# TYPE ioasids_in_use gauge\n"
		"ioasids_in_use %" PRIu64 "\n", o->capacity, o->in_use);
	for (size_t m = 0; m < sizeof(prom_metrics) / sizeof(prom_metrics[0]); m++) {
		bool any = false;

		for (size_t i = 0; i < o->nrows; i++) {
			char val[32];

			if (!prom_value(&o->rows[i].st, m, val, sizeof(val)))
				continue;
			if (!any)
				fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", prom_metrics[m].name,
					prom_metrics[m].help, prom_metrics[m].name,
					prom_metrics[m].type);
			any = true;
			fprintf(f, "%s{cgroup=\"", prom_metrics[m].name);
			prom_label(f, o->rows[i].cgroup);
			prom_names(f, &o->rows[i].names);
			fprintf(f, "\"} %s\n", val);
		}
	}
	return fflush(f) || ferror(f) ? -EIO : 0;
}

int out_print(struct out *o, FILE *f)
{
	if (!o->tb)
		return prom_print(o, f);
	/* cgroups of no unit, VM or pod: no WORKLOAD column of blanks */
	if (!o->json && !o->any_workload) {
		struct libscols_column *cl = scols_table_get_column(o->tb, COL_WORKLOAD);

		if (cl)
			scols_column_set_flags(cl, scols_column_get_flags(cl) | SCOLS_FL_HIDDEN);
	}
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
	for (size_t i = 0; i < o->nrows; i++)
		free(o->rows[i].cgroup);
	free(o->rows);
	free(o);
}
