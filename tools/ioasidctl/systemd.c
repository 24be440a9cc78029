// SPDX-License-Identifier: GPL-2.0
/* ioasidctl: systemd units, over D-Bus (sd-bus), and their drop-ins. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "file.h"
#include "systemd.h"
#include "util.h"

const char *unit_section(const char *unit)
{
	return unitfile_section(unit, strlen(unit));
}

bool unit_name_valid(const char *unit)
{
	size_t n = strlen(unit);

	if (n == 0 || n > 255 || unit[0] == '.' || strchr(unit, '/') || strstr(unit, ".."))
		return false;
	for (const char *p = unit; *p; p++)
		if ((unsigned char)*p <= ' ' || (*p == '\\' && p[1] != 'x'))
			return false;
	return unit_section(unit) != NULL;
}

static void bus_unrefp(sd_bus **b)
{
	sd_bus_unref(*b);
}

int unit_bus_open(sd_bus **bus)
{
	_cleanup_(bus_unrefp) sd_bus *b = NULL;
	int ret;

	/*
	 * As systemctl does: root talks to PID 1 on its private socket, which
	 * works before dbus.service is up (ioasid-limit@.service may run that
	 * early); anyone else, or an explicit DBUS_SYSTEM_BUS_ADDRESS, uses the
	 * system bus.
	 */
	if (geteuid() == 0 && !getenv("DBUS_SYSTEM_BUS_ADDRESS") &&
	    access(SYSTEMD_PRIVATE, F_OK) == 0) {
		ret = sd_bus_new(&b);
		if (ret >= 0)
			ret = sd_bus_set_address(b, "unix:path=" SYSTEMD_PRIVATE);
		if (ret >= 0)
			ret = sd_bus_start(b);
		if (ret < 0) {
			sd_bus_unref(b);
			b = NULL;
		}
	}
	if (!b && sd_bus_open_system(&b) < 0)
		return -EHOSTDOWN;
	/* is systemd there? */
	ret = sd_bus_call_method(b, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				 "org.freedesktop.DBus.Peer", "Ping", NULL, NULL, "");
	if (ret < 0)
		return -EHOSTDOWN;
	*bus = b;
	b = NULL;
	return 0;
}

void unit_info_free(struct unit_info *u)
{
	free(u->cgroup);
	free(u->slice);
	free(u->fragment);
	if (u->dropins)
		for (char **p = u->dropins; *p; p++)
			free(*p);
	free(u->dropins);
	memset(u, 0, sizeof(*u));
}

int unit_load(sd_bus *bus, const char *unit, struct unit_info *u)
{
	static const char sd[] = "org.freedesktop.systemd1";
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	_cleanup_free_ char *iface = NULL, *state = NULL;
	const char *path;
	int ret;

	memset(u, 0, sizeof(*u));
	/*
	 * LoadUnit, as systemctl set-property does: a stopped unit may have been
	 * unloaded, and GetUnit would call it unknown. A unit without a file
	 * loads as "not-found".
	 */
	ret = sd_bus_call_method(bus, sd, "/org/freedesktop/systemd1",
				 "org.freedesktop.systemd1.Manager", "LoadUnit", &err,
				 &reply, "s", unit);
	if (ret < 0) {
		ret = sd_bus_error_has_name(&err, "org.freedesktop.systemd1.NoSuchUnit") ?
			-ENOENT : -EHOSTDOWN;
		sd_bus_error_free(&err);
		return ret;
	}
	ret = sd_bus_message_read(reply, "o", &path);
	if (ret >= 0)
		ret = sd_bus_get_property_string(bus, sd, path, "org.freedesktop.systemd1.Unit",
						 "LoadState", &err, &state);
	if (ret >= 0 && strcmp(state, "loaded")) {
		ret = -ENOENT;
		goto out;
	}
	if (ret >= 0 && asprintf(&iface, "org.freedesktop.systemd1.%s", unit_section(unit)) < 0)
		ret = -ENOMEM;
	if (ret >= 0)
		ret = sd_bus_get_property_string(bus, sd, path, iface, "ControlGroup", &err,
						 &u->cgroup);
	if (ret >= 0)
		ret = sd_bus_get_property_string(bus, sd, path, iface, "Slice", &err, &u->slice);
	if (ret >= 0)
		ret = sd_bus_get_property_string(bus, sd, path, "org.freedesktop.systemd1.Unit",
						 "FragmentPath", &err, &u->fragment);
	if (ret >= 0)
		ret = sd_bus_get_property_strv(bus, sd, path, "org.freedesktop.systemd1.Unit",
					       "DropInPaths", &err, &u->dropins);
	if (ret < 0)
		ret = ret == -ENOMEM ? ret : -EHOSTDOWN;
out:
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	if (ret < 0)
		unit_info_free(u);
	return ret < 0 ? ret : 0;
}

/* systemd's cg_escape(): names that could clash with cgroupfs files get a '_' */
static bool cg_needs_escape(const char *p)
{
	static const char *const ctrl[] = {
		"cpu", "cpuacct", "cpuset", "io", "blkio", "memory", "devices", "pids",
	};
	size_t n;

	if (p[0] == '_' || p[0] == '.' || !strcmp(p, "notify_on_release") ||
	    !strcmp(p, "release_agent") || !strcmp(p, "tasks") || !strncmp(p, "cgroup.", 7))
		return true;
	for (size_t i = 0; i < sizeof(ctrl) / sizeof(ctrl[0]); i++) {
		n = strlen(ctrl[i]);
		if (!strncmp(p, ctrl[i], n) && p[n] == '.')
			return true;
	}
	return false;
}

static int append(char **path, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s%s", *path && strcmp(*path, "/") ? *path : "",
		     cg_needs_escape(name) ? "_" : "", name) < 0)
		return -ENOMEM;
	free(*path);
	*path = p;
	return 0;
}

int unit_cgroup_path(const char *unit, const char *slice, char **cgroup)
{
	const char *section = unit_section(unit);
	const char *s = section && !strcmp(section, "Slice") ? unit : slice;
	_cleanup_free_ char *path = strdup("/");
	size_t n;

	if (!path)
		return -ENOMEM;
	n = s ? strlen(s) : 0;
	if (n < 7 || strcmp(s + n - 6, ".slice"))
		return -EINVAL;
	/* "a-b-c.slice" lives in /a.slice/a-b.slice/a-b-c.slice; "-.slice" is the root */
	if (strcmp(s, "-.slice")) {
		for (const char *d = s; d < s + n - 6; d++) {
			char name[256];

			if (*d != '-')
				continue;
			if (snprintf(name, sizeof(name), "%.*s.slice", (int)(d - s), s) >=
			    (int)sizeof(name) || append(&path, name))
				return -EINVAL;
		}
		if (append(&path, s))
			return -ENOMEM;
	}
	if (s != unit && append(&path, unit))
		return -ENOMEM;
	*cgroup = path;
	path = NULL;
	return 0;
}

int unit_native(sd_bus *bus)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	uint64_t v;
	int ret;

	/* DefaultIOASIDMax comes with IOASIDMax: one property of PID 1 tells */
	ret = sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
					  "org.freedesktop.systemd1.Manager", "DefaultIOASIDMax",
					  &err, 't', &v);
	if (ret >= 0)
		ret = 1;
	else if (sd_bus_error_has_name(&err, SD_BUS_ERROR_UNKNOWN_PROPERTY))
		ret = 0;
	else
		ret = -EHOSTDOWN;
	sd_bus_error_free(&err);
	return ret;
}

int unit_set_native(sd_bus *bus, const char *unit, bool runtime, bool scale, uint64_t v,
		    char *msg, size_t len)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int ret;

	ret = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1",
					     "/org/freedesktop/systemd1",
					     "org.freedesktop.systemd1.Manager", "SetUnitProperties");
	if (ret >= 0)
		ret = sd_bus_message_append(m, "sb", unit, runtime);
	if (ret >= 0)
		ret = scale ? sd_bus_message_append(m, "a(sv)", 1, "IOASIDMaxScale", "u", (uint32_t)v) :
			      sd_bus_message_append(m, "a(sv)", 1, "IOASIDMax", "t", v);
	if (ret >= 0)
		ret = sd_bus_call(bus, m, 0, &err, NULL);
	if (ret < 0 && len)
		snprintf(msg, len, "%s", err.message ?: strerror(-ret));
	sd_bus_message_unref(m);
	sd_bus_error_free(&err);
	return ret < 0 ? ret : 0;
}

int unit_daemon_reload(sd_bus *bus)
{
	int ret = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				     "org.freedesktop.systemd1.Manager", "Reload", NULL, NULL, "");

	return ret < 0 ? ret : 0;
}

static int mkdir_p(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

struct dropin {
	const char *unit, *value;
};

static int dropin_print(FILE *f, void *data)
{
	const struct dropin *d = data;

	fprintf(f, "# This is a drop-in unit file extension, created via \"ioasidctl set --unit\".\n"
		"# Amendments to the unit should go into a separate drop-in.\n"
		"# " UNITFILE_KEY_SILENT "= is " UNITFILE_KEY "= spelled so that systemd does not "
		"warn about it; see ioasidctl(8).\n"
		"[%s]\n%s=%s\n", unit_section(d->unit), IOASID_UNIT_KEY, d->value);
	return 0;
}

int dropin_write(const char *root, const char *unit, bool runtime,
		 const char *value, char *path, size_t len)
{
	struct dropin d = { unit, value };
	char dir[PATH_MAX];
	int ret;

	if (!unit_name_valid(unit))
		return -EINVAL;
	if (snprintf(dir, sizeof(dir), "%s/%s/systemd/system.control/%s.d", root,
		     runtime ? "run" : "etc", unit) >= (int)sizeof(dir) ||
	    snprintf(path, len, "%s/%s", dir, IOASID_DROPIN) >= (int)len)
		return -ENAMETOOLONG;
	ret = mkdir_p(dir);
	if (ret)
		return ret;
	return file_replace(path, dropin_print, &d);
}
