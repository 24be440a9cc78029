/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IOASIDMax= in systemd unit files and drop-ins: the one parser, shared by
 * ioasid-generator and "ioasidctl apply".
 */
#ifndef IOASID_UNITFILE_H
#define IOASID_UNITFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The setting's two spellings: the plain one, and the one systemd 252 ignores silently. */
#define UNITFILE_KEY "IOASIDMax"
#define UNITFILE_KEY_SILENT "X-IOASIDMax"

/* The last assignment seen. */
struct unit_setting {
	char *value;		/* NULL: none seen; "": reset by an empty assignment */
	char *file;		/* where it was made */
	unsigned int line;
};

/*
 * The section a unit's resource settings go in, from the unit name's suffix
 * ("vm1.service", "foo@.service", "foo-.slice"; @len bytes of @name):
 * "Service", "Scope" or "Slice"; NULL for any other unit type.
 */
const char *unitfile_section(const char *name, size_t len);

/*
 * Read one unit file or drop-in, @name being what to call it in messages,
 * and let every IOASIDMax= or X-IOASIDMax= in section [@section] replace *@s,
 * in order, as systemd's own parser does: "#" and ";" comments, a trailing
 * backslash continues a line, whitespace around key and value is dropped.
 * Returns the number of assignments, or -errno.
 */
int unitfile_scan(FILE *f, const char *name, const char *section, struct unit_setting *s);

/* unitfile_scan() of the file at @path; -errno if it cannot be read. */
int unitfile_scan_path(const char *path, const char *section, struct unit_setting *s);

/*
 * The effective setting of a unit whose settings live in section
 * [@section]: its @fragment (NULL or "" for none) and then @dropins (NULL-
 * terminated, in systemd's order), last assignment winning. Drop-ins for a
 * whole unit type (service.d/, slice.d/, scope.d/) are skipped: see
 * unitfile_typewide(). Returns the number of assignments, or -errno for a
 * file that cannot be read (named in @s->file).
 */
int unitfile_resolve(const char *section, const char *fragment, char *const *dropins,
		     struct unit_setting *s);

/* Is @path a drop-in for every unit of a type ("/etc/systemd/system/service.d/x.conf")? */
bool unitfile_typewide(const char *path);

void unit_setting_clear(struct unit_setting *s);

#endif
