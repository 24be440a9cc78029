/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl: systemd units, over D-Bus (sd-bus), and their drop-ins. */
#ifndef IOASIDCTL_SYSTEMD_H
#define IOASIDCTL_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sd_bus sd_bus;

/* The unit setting ioasidctl persists, the one the systemd integration reads. */
#define IOASID_UNIT_KEY "IOASIDMax"

/*
 * The [Section] a unit's resource settings go in: "Service", "Scope" or
 * "Slice", from the unit name's suffix; NULL for any other unit type.
 */
const char *unit_section(const char *unit);

/* Is @unit a plausible unit name (no '/', no "..", a known suffix)? */
bool unit_name_valid(const char *unit);

/*
 * The unit's cgroup, relative to the cgroup2 mount ("/system.slice/x.service"),
 * from systemd's ControlGroup property, after LoadUnit. -ENOENT: no such unit
 * (it does not load); -ESRCH: the unit has no cgroup now (not running);
 * -EHOSTDOWN: systemd is not reachable.
 */
int unit_cgroup(sd_bus *bus, const char *unit, char **cgroup);

/* The system bus, or -EHOSTDOWN when systemd cannot be reached on it. */
int unit_bus_open(sd_bus **bus);

/*
 * Persist VALUE for @unit the way systemctl set-property does: a drop-in
 * @root/etc/systemd/system.control/UNIT.d/50-IOASIDMax.conf (@runtime:
 * @root/run/...), written to a temporary file and renamed into place.
 * @path receives the drop-in's path.
 */
int dropin_write(const char *root, const char *unit, bool runtime,
		 const char *value, char *path, size_t len);

#endif
