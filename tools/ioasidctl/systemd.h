/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl: systemd units, over D-Bus (sd-bus), and their drop-ins. */
#ifndef IOASIDCTL_SYSTEMD_H
#define IOASIDCTL_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sd_bus sd_bus;

#include "unitfile.h"

/*
 * What "set --unit" persists: the drop-in 50-IOASIDMax.conf, holding
 * X-IOASIDMax=, the spelling of IOASIDMax= that systemd 252 passes over
 * without a warning. ioasid-generator and "ioasidctl apply" read both.
 */
#define IOASID_DROPIN "50-" UNITFILE_KEY ".conf"
#define IOASID_UNIT_KEY UNITFILE_KEY_SILENT

/* PID 1's private D-Bus socket, for root */
#ifndef SYSTEMD_PRIVATE
#define SYSTEMD_PRIVATE "/run/systemd/private"
#endif

/*
 * The [Section] a unit's resource settings go in: "Service", "Scope" or
 * "Slice", from the unit name's suffix; NULL for any other unit type.
 */
const char *unit_section(const char *unit);

/* Is @unit a plausible unit name (no '/', no "..", a known suffix)? */
bool unit_name_valid(const char *unit);

/* What ioasidctl needs of a loaded unit, from systemd's properties. */
struct unit_info {
	char *cgroup;		/* ControlGroup ("/system.slice/x.service"): "" when not running */
	char *slice;		/* Slice: the slice it runs in ("-.slice" for the root) */
	char *fragment;		/* FragmentPath: its unit file, or "" */
	char **dropins;		/* DropInPaths, in the order systemd applied them */
};

/*
 * LoadUnit @unit and read its properties into *@u (free with
 * unit_info_free). -ENOENT: no such unit (it does not load); -EHOSTDOWN:
 * systemd is not reachable.
 */
int unit_load(sd_bus *bus, const char *unit, struct unit_info *u);
void unit_info_free(struct unit_info *u);

/*
 * The cgroup systemd will give @unit when it starts, which lives in @slice
 * (ignored for a slice, whose place follows from its name), as systemd
 * builds it: "/a.slice/a-b.slice/x.service" for x.service in a-b.slice.
 * -EINVAL for a slice name that is not one.
 */
int unit_cgroup_path(const char *unit, const char *slice, char **cgroup);

/*
 * Root: PID 1's private socket (as systemctl); others: the system bus.
 * -EHOSTDOWN when systemd cannot be reached.
 */
int unit_bus_open(sd_bus **bus);

/*
 * Does the systemd on @bus know IOASIDMax= itself (systemd with the ioasids
 * patch)? 1 yes, 0 no (stock systemd), -EHOSTDOWN if it cannot be asked.
 */
int unit_native(sd_bus *bus);

/*
 * systemctl set-property [--runtime] @unit IOASIDMax=: SetUnitProperties
 * with IOASIDMax (@scale false: @v a count, UINT64_MAX for infinity) or
 * IOASIDMaxScale (@scale true: @v a fraction of UINT32_MAX). systemd applies
 * it and writes the drop-in. On failure, -errno, and @msg gets systemd's
 * message.
 */
int unit_set_native(sd_bus *bus, const char *unit, bool runtime, bool scale, uint64_t v,
		    char *msg, size_t len);

/* systemctl daemon-reload: the generator sees new drop-ins, units reload theirs. */
int unit_daemon_reload(sd_bus *bus);

/*
 * Persist VALUE for @unit the way systemctl set-property does: a drop-in
 * @root/etc/systemd/system.control/UNIT.d/50-IOASIDMax.conf (@runtime:
 * @root/run/...), written to a temporary file and renamed into place.
 * @path receives the drop-in's path.
 */
int dropin_write(const char *root, const char *unit, bool runtime,
		 const char *value, char *path, size_t len);

#endif
