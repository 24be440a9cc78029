// SPDX-License-Identifier: GPL-2.0
/*
 * IOASIDMax= in systemd unit files and drop-ins: the one parser, shared by
 * ioasid-generator and "ioasidctl apply".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unitfile.h"

#define WHITESPACE " \t\r\n"

const char *unitfile_section(const char *name, size_t len)
{
	static const struct {
		const char *suffix, *section;
	} types[] = {
		{ ".service", "Service" }, { ".scope", "Scope" }, { ".slice", "Slice" },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i].suffix);

		if (len > n && !strncmp(name + len - n, types[i].suffix, n))
			return types[i].section;
	}
	return NULL;
}

void unit_setting_clear(struct unit_setting *s)
{
	free(s->value);
	free(s->file);
	s->value = s->file = NULL;
	s->line = 0;
}

static char *strip(char *p)
{
	char *e;

	p += strspn(p, WHITESPACE);
	e = p + strlen(p);
	while (e > p && strchr(WHITESPACE, e[-1]))
		*--e = '\0';
	return p;
}

static int set(struct unit_setting *s, const char *name, unsigned int line, const char *value)
{
	char *v = strdup(value), *f = strdup(name);

	if (!v || !f) {
		free(v);
		free(f);
		return -ENOMEM;
	}
	unit_setting_clear(s);
	s->value = v;
	s->file = f;
	s->line = line;
	return 0;
}

/* One logical line, continuations joined: 1 for an assignment, 0, or -errno. */
static int assignment(char *text, bool in_section, struct unit_setting *s,
		      const char *name, unsigned int line)
{
	char *l = strip(text), *eq, *key;

	if (!in_section || !*l || *l == '#' || *l == ';' || *l == '[')
		return 0;
	eq = strchr(l, '=');
	if (!eq)
		return 0;	/* systemd warns and ignores it; so do we, silently */
	*eq = '\0';
	key = strip(l);
	if (strcmp(key, UNITFILE_KEY) && strcmp(key, UNITFILE_KEY_SILENT))
		return 0;
	return set(s, name, line, strip(eq + 1)) ?: 1;
}

int unitfile_scan(FILE *f, const char *name, const char *section, struct unit_setting *s)
{
	char *raw = NULL, *joined = NULL;
	size_t cap = 0, jlen = 0;
	unsigned int line = 0, start = 0;
	bool in_section = false;
	int n = 0, ret = 0;
	ssize_t len;

	while ((len = getline(&raw, &cap, f)) >= 0) {
		char *l;

		line++;
		while (len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
			raw[--len] = '\0';
		l = raw + strspn(raw, WHITESPACE);
		if (!joined) {
			if (*l == '[') {
				char *e = strip(l);
				size_t n_e = strlen(e);

				/* "[Name]"; anything else leaves the section */
				in_section = n_e >= 2 && e[n_e - 1] == ']' &&
					n_e - 2 == strlen(section) &&
					!strncmp(e + 1, section, n_e - 2);
				continue;
			}
			start = line;
		} else if (*l == '#' || *l == ';') {
			continue;	/* a comment inside a continued line */
		}
		{
			char *j = realloc(joined, jlen + (size_t)len + 2);

			if (!j) {
				ret = -ENOMEM;
				break;
			}
			joined = j;
			memcpy(joined + jlen, raw, (size_t)len + 1);
			jlen += (size_t)len;
		}
		if (jlen > 0 && joined[jlen - 1] == '\\') {
			joined[jlen - 1] = ' ';
			continue;
		}
		ret = assignment(joined, in_section, s, name, start);
		free(joined);
		joined = NULL;
		jlen = 0;
		if (ret < 0)
			break;
		n += ret;
	}
	/* a continuation at the end of the file ends the line */
	if (joined && ret >= 0) {
		ret = assignment(joined, in_section, s, name, start);
		if (ret > 0)
			n += ret;
	}
	free(joined);
	free(raw);
	if (ret >= 0 && ferror(f))
		ret = -EIO;
	return ret < 0 ? ret : n;
}

bool unitfile_typewide(const char *path)
{
	const char *end = strrchr(path, '/'), *dir;
	size_t n;

	if (!end)
		return false;
	for (dir = end; dir > path && dir[-1] != '/'; dir--)
		;
	n = (size_t)(end - dir);
	return (n == 9 && !strncmp(dir, "service.d", 9)) ||
	       (n == 7 && !strncmp(dir, "slice.d", 7)) ||
	       (n == 7 && !strncmp(dir, "scope.d", 7));
}

int unitfile_scan_path(const char *path, const char *section, struct unit_setting *s)
{
	FILE *f = fopen(path, "re");
	int ret;

	if (!f) {
		ret = -errno;
		/* name the file that failed */
		unit_setting_clear(s);
		s->file = strdup(path);
		return ret;
	}
	ret = unitfile_scan(f, path, section, s);
	fclose(f);
	return ret;
}

int unitfile_resolve(const char *section, const char *fragment, char *const *dropins,
		     struct unit_setting *s)
{
	int n = 0, ret;

	if (fragment && *fragment) {
		ret = unitfile_scan_path(fragment, section, s);
		if (ret < 0)
			return ret;
		n += ret;
	}
	for (; dropins && *dropins; dropins++) {
		if (unitfile_typewide(*dropins))
			continue;
		ret = unitfile_scan_path(*dropins, section, s);
		if (ret < 0)
			return ret;
		n += ret;
	}
	return n;
}
