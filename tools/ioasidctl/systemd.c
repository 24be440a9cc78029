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

#include "systemd.h"
#include "util.h"

static const struct {
	const char *suffix, *section;
} unit_types[] = {
	{ ".service", "Service" },
	{ ".scope", "Scope" },
	{ ".slice", "Slice" },
};

const char *unit_section(const char *unit)
{
	size_t n = strlen(unit);

	for (size_t i = 0; i < sizeof(unit_types) / sizeof(unit_types[0]); i++) {
		size_t s = strlen(unit_types[i].suffix);

		if (n > s && !strcmp(unit + n - s, unit_types[i].suffix))
			return unit_types[i].section;
	}
	return NULL;
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

	ret = sd_bus_open_system(&b);
	if (ret < 0)
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

int unit_cgroup(sd_bus *bus, const char *unit, char **cgroup)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	_cleanup_free_ char *iface = NULL;
	const char *path;
	char *cg = NULL;
	int ret;

	/*
	 * LoadUnit, as systemctl set-property does: a stopped unit may have been
	 * unloaded, and GetUnit would call it unknown. A unit without a file
	 * loads as "not-found".
	 */
	ret = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				 "org.freedesktop.systemd1.Manager", "LoadUnit", &err,
				 &reply, "s", unit);
	if (ret < 0) {
		ret = sd_bus_error_has_name(&err, "org.freedesktop.systemd1.NoSuchUnit") ?
			-ENOENT : -EHOSTDOWN;
		sd_bus_error_free(&err);
		return ret;
	}
	ret = sd_bus_message_read(reply, "o", &path);
	if (ret >= 0) {
		_cleanup_free_ char *state = NULL;

		ret = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
						 "org.freedesktop.systemd1.Unit", "LoadState",
						 &err, &state);
		if (ret >= 0 && strcmp(state, "loaded")) {
			sd_bus_message_unref(reply);
			sd_bus_error_free(&err);
			return -ENOENT;
		}
	}
	if (ret >= 0 && asprintf(&iface, "org.freedesktop.systemd1.%s", unit_section(unit)) < 0)
		ret = -ENOMEM;
	if (ret >= 0)
		ret = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
						 iface, "ControlGroup", &err, &cg);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	if (ret < 0)
		return -EHOSTDOWN;
	if (!cg[0]) {
		free(cg);
		return -ESRCH;
	}
	*cgroup = cg;
	return 0;
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

int dropin_write(const char *root, const char *unit, bool runtime,
		 const char *value, char *path, size_t len)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 32];
	_cleanup_close_ int fd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	int ret;

	if (!unit_name_valid(unit))
		return -EINVAL;
	if (snprintf(dir, sizeof(dir), "%s/%s/systemd/system.control/%s.d", root,
		     runtime ? "run" : "etc", unit) >= (int)sizeof(dir) ||
	    snprintf(path, len, "%s/50-%s.conf", dir, IOASID_UNIT_KEY) >= (int)len)
		return -ENAMETOOLONG;
	ret = mkdir_p(dir);
	if (ret)
		return ret;
	if (snprintf(tmp, sizeof(tmp), "%s/.#50-%s.XXXXXX", dir, IOASID_UNIT_KEY) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		unlink(tmp);
		return ret;
	}
	fd = -1;	/* the FILE owns it */
	fprintf(f, "# This is a drop-in unit file extension, created via \"ioasidctl set --unit\".\n"
		"# Amendments to the unit should go into a separate drop-in.\n"
		"[%s]\n%s=%s\n", unit_section(unit), IOASID_UNIT_KEY, value);
	if (fflush(f) || fchmod(fileno(f), 0644) || fsync(fileno(f)) ||
	    rename(tmp, path)) {
		ret = -errno;
		unlink(tmp);
		return ret;
	}
	return 0;
}
