// SPDX-License-Identifier: GPL-2.0
/*
 * cmocka: ioasidctl's systemd side. Unit names and sections, drop-ins
 * written into a temporary root, and unit-to-cgroup resolution against a
 * private dbus-daemon on which a thread plays org.freedesktop.systemd1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>
#include <cmocka.h>

#include "systemd.h"

static void names(void **state)
{
	(void)state;
	assert_string_equal("Service", unit_section("vm1.service"));
	assert_string_equal("Slice", unit_section("machine.slice"));
	assert_string_equal("Scope", unit_section("machine-qemu\\x2d1\\x2dvm1.scope"));
	assert_null(unit_section("vm1.socket"));
	assert_null(unit_section(".service"));
	assert_true(unit_name_valid("vm1.service"));
	assert_true(unit_name_valid("machine-qemu\\x2d1\\x2dvm1.scope"));
	assert_false(unit_name_valid("../etc/passwd.service"));
	assert_false(unit_name_valid("a/b.service"));
	assert_false(unit_name_valid("vm1"));
	assert_false(unit_name_valid("vm 1.service"));
	assert_false(unit_name_valid(""));
	assert_false(unit_name_valid(".service"));
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void dropins(void **state)
{
	char root[] = "/tmp/ioasidctl-root.XXXXXX", path[PATH_MAX], want[PATH_MAX];
	struct stat st;
	char *s;

	(void)state;
	assert_non_null(mkdtemp(root));

	assert_int_equal(0, dropin_write(root, "vm1.service", false, "3", path, sizeof(path)));
	snprintf(want, sizeof(want), "%s/etc/systemd/system.control/vm1.service.d/50-IOASIDMax.conf", root);
	assert_string_equal(want, path);
	s = slurp(path);
	assert_non_null(s);
	assert_non_null(strstr(s, "\n[Service]\nX-IOASIDMax=3\n"));
	assert_int_equal(0, stat(path, &st));
	assert_int_equal(0644, st.st_mode & 07777);

	/* a second write replaces the first, leaving no temporary file */
	assert_int_equal(0, dropin_write(root, "vm1.service", false, "max", path, sizeof(path)));
	assert_non_null(strstr(slurp(path), "\nX-IOASIDMax=max\n"));
	assert_null(strstr(slurp(path), "IOASIDMax=3"));
	snprintf(want, sizeof(want), "%s/etc/systemd/system.control/vm1.service.d", root);
	assert_int_equal(1, count_entries(want));

	/* --runtime goes under /run; slices get a [Slice] section */
	assert_int_equal(0, dropin_write(root, "machine.slice", true, "10%", path, sizeof(path)));
	snprintf(want, sizeof(want), "%s/run/systemd/system.control/machine.slice.d/50-IOASIDMax.conf", root);
	assert_string_equal(want, path);
	assert_non_null(strstr(slurp(path), "\n[Slice]\nX-IOASIDMax=10%\n"));

	/* a bad unit name writes nothing */
	assert_int_equal(-EINVAL, dropin_write(root, "../x.service", false, "3", path, sizeof(path)));
	assert_int_equal(-EINVAL, dropin_write(root, "vm1", false, "3", path, sizeof(path)));
	snprintf(want, sizeof(want), "%s/etc/systemd/system.control", root);
	assert_int_equal(1, count_entries(want));

	/* an unwritable place fails and leaves no partial file */
	snprintf(want, sizeof(want), "%s/blocked", root);
	assert_int_equal(0, mkdir(want, 0755));
	snprintf(want, sizeof(want), "%s/blocked/etc", root);
	fclose(fopen(want, "w"));	/* a file where a directory must go */
	snprintf(want, sizeof(want), "%s/blocked", root);
	assert_true(dropin_write(want, "vm1.service", false, "3", path, sizeof(path)) < 0);
	assert_int_equal(1, count_entries(want));

	snprintf(want, sizeof(want), "rm -rf '%s'", root);
	assert_int_equal(0, system(want));
}

/* where systemd puts a unit that has not started yet */
static void cgroup_paths(void **state)
{
	static const struct {
		const char *unit, *slice, *want;	/* want NULL: -EINVAL */
	} cases[] = {
		{ "vm1.service", "machine.slice", "/machine.slice/vm1.service" },
		{ "x.service", "a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice/x.service" },
		/* a slice's place follows from its own name */
		{ "iox-cap.slice", "-.slice", "/iox.slice/iox-cap.slice" },
		{ "machine.slice", NULL, "/machine.slice" },
		/* in the root slice; an escaped template slice */
		{ "init.scope", "-.slice", "/init.scope" },
		{ "t@one.service", "system-t\\x2dx.slice",
		  "/system.slice/system-t\\x2dx.slice/t@one.service" },
		/* names that would clash with cgroupfs files get systemd's '_' */
		{ "pids.service", "-.slice", "/_pids.service" },
		{ "pidsx.service", "-.slice", "/pidsx.service" },
		{ "cgroup.x.service", "-.slice", "/_cgroup.x.service" },
		/* no slice, or not a slice */
		{ "vm1.service", NULL, NULL },
		{ "vm1.service", "vm0.service", NULL },
		{ "vm1.service", ".slice", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = NULL;
		int ret = unit_cgroup_path(cases[i].unit, cases[i].slice, &p);

		if (!cases[i].want) {
			assert_int_equal(-EINVAL, ret);
			assert_null(p);
			continue;
		}
		assert_int_equal(0, ret);
		assert_string_equal(cases[i].want, p);
		free(p);
	}
}

/* ---- a fake systemd on a private bus ------------------------------------ */

struct fake_unit {
	const char *name, *path, *iface, *cgroup, *load_state, *slice, *fragment;
	const char *dropins[3];
};

static const struct fake_unit fake_units[] = {
	{ "vm1.service", "/org/freedesktop/systemd1/unit/vm1_2eservice",
	  "org.freedesktop.systemd1.Service", "/machine.slice/vm1.service", "loaded",
	  "machine.slice", "/etc/systemd/system/vm1.service",
	  { "/etc/systemd/system/vm1.service.d/a.conf",
	    "/run/systemd/system.control/vm1.service.d/50-IOASIDMax.conf" } },
	{ "machine.slice", "/org/freedesktop/systemd1/unit/machine_2eslice",
	  "org.freedesktop.systemd1.Slice", "/machine.slice", "loaded", "-.slice", "", { NULL } },
	/* loaded, not running */
	{ "idle.service", "/org/freedesktop/systemd1/unit/idle_2eservice",
	  "org.freedesktop.systemd1.Service", "", "loaded", "a-b.slice",
	  "/usr/lib/systemd/system/idle.service", { NULL } },
	/* what LoadUnit gives for a name with no unit file */
	{ "ghost.service", "/org/freedesktop/systemd1/unit/ghost_2eservice",
	  "org.freedesktop.systemd1.Service", "", "not-found", "", "", { NULL } },
};

static int get_unit(sd_bus_message *m, void *data, sd_bus_error *err)
{
	const char *name;

	(void)data;
	if (sd_bus_message_read(m, "s", &name) < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(fake_units) / sizeof(fake_units[0]); i++)
		if (!strcmp(name, fake_units[i].name))
			return sd_bus_reply_method_return(m, "o", fake_units[i].path);
	return sd_bus_error_setf(err, "org.freedesktop.systemd1.NoSuchUnit",
				 "Unit %s not loaded.", name);
}

/* The string properties of a fake unit */
static int get_prop(sd_bus *bus, const char *path, const char *iface,
		    const char *prop, sd_bus_message *reply, void *data,
		    sd_bus_error *err)
{
	const struct fake_unit *u = data;
	const char *v = !strcmp(prop, "LoadState") ? u->load_state :
			!strcmp(prop, "Slice") ? u->slice :
			!strcmp(prop, "FragmentPath") ? u->fragment : u->cgroup;

	(void)bus; (void)path; (void)iface; (void)err;
	return sd_bus_message_append(reply, "s", v);
}

static int get_dropins(sd_bus *bus, const char *path, const char *iface,
		       const char *prop, sd_bus_message *reply, void *data,
		       sd_bus_error *err)
{
	const struct fake_unit *u = data;
	int ret = sd_bus_message_open_container(reply, 'a', "s");

	(void)bus; (void)path; (void)iface; (void)prop; (void)err;
	for (int i = 0; ret >= 0 && u->dropins[i]; i++)
		ret = sd_bus_message_append(reply, "s", u->dropins[i]);
	return ret < 0 ? ret : sd_bus_message_close_container(reply);
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("LoadUnit", "s", "o", get_unit, 0),
	SD_BUS_VTABLE_END
};

/* What SetUnitProperties of the fake systemd with IOASIDMax= was sent */
static struct {
	char unit[64], prop[32], type;
	int runtime;
	uint64_t value;
} sent;

static int set_props(sd_bus_message *m, void *data, sd_bus_error *err)
{
	const char *unit, *name, *contents;
	int runtime;
	uint32_t u32;

	(void)data;
	if (sd_bus_message_read(m, "sb", &unit, &runtime) < 0 ||
	    sd_bus_message_enter_container(m, 'a', "(sv)") <= 0 ||
	    sd_bus_message_enter_container(m, 'r', "sv") <= 0 ||
	    sd_bus_message_read(m, "s", &name) < 0 ||
	    sd_bus_message_peek_type(m, NULL, &contents) < 0 ||
	    sd_bus_message_enter_container(m, 'v', contents) <= 0)
		return -EINVAL;
	snprintf(sent.unit, sizeof(sent.unit), "%s", unit);
	snprintf(sent.prop, sizeof(sent.prop), "%s", name);
	sent.runtime = runtime;
	sent.type = contents[0];
	if (sent.type == 'u' && sd_bus_message_read(m, "u", &u32) >= 0)
		sent.value = u32;
	else if (sent.type != 't' || sd_bus_message_read(m, "t", &sent.value) < 0)
		return -EINVAL;
	/* what systemd answers for a value it does not take */
	if (sent.value == 12345)
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
					 "Value specified in %s is out of range", name);
	return sd_bus_reply_method_return(m, "");
}

static int get_default_max(sd_bus *bus, const char *path, const char *iface,
			   const char *prop, sd_bus_message *reply, void *data,
			   sd_bus_error *err)
{
	(void)bus; (void)path; (void)iface; (void)prop; (void)data; (void)err;
	return sd_bus_message_append(reply, "t", UINT64_MAX);
}

/* the manager of a systemd with patches/systemd/ */
static const sd_bus_vtable native_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("LoadUnit", "s", "o", get_unit, 0),
	SD_BUS_METHOD("SetUnitProperties", "sba(sv)", "", set_props, 0),
	SD_BUS_PROPERTY("DefaultIOASIDMax", "t", get_default_max, 0, 0),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable unit_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("ControlGroup", "s", get_prop, 0, 0),
	SD_BUS_PROPERTY("Slice", "s", get_prop, 0, 0),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable unit_common_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("LoadState", "s", get_prop, 0, 0),
	SD_BUS_PROPERTY("FragmentPath", "s", get_prop, 0, 0),
	SD_BUS_PROPERTY("DropInPaths", "as", get_dropins, 0, 0),
	SD_BUS_VTABLE_END
};

static pid_t daemon_pid;
static char address[512];
static volatile int server_stop;

static sd_bus *connect_to(const char *addr)
{
	sd_bus *b = NULL;

	if (sd_bus_new(&b) < 0 || sd_bus_set_address(b, addr) < 0 ||
	    sd_bus_set_bus_client(b, 1) < 0 || sd_bus_start(b) < 0) {
		sd_bus_unref(b);
		return NULL;
	}
	return b;
}

static void *serve(void *arg)
{
	sd_bus *b = arg;

	while (!server_stop) {
		if (sd_bus_process(b, NULL) > 0)
			continue;
		sd_bus_wait(b, 50000);
	}
	return NULL;
}

/* a failed assertion leaves the test early: the daemon must not outlive it */
static void stop_daemon(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
}

static int start_daemon(void)
{
	int fds[2];
	ssize_t n;

	if (pipe(fds))
		return -1;
	daemon_pid = fork();
	if (daemon_pid == 0) {
		char fd[16];

		close(fds[0]);
		if (!freopen("/dev/null", "w", stderr))
			_exit(127);
		snprintf(fd, sizeof(fd), "%d", fds[1]);
		execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork",
		       "--nopidfile", "--print-address", fd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	atexit(stop_daemon);
	n = read(fds[0], address, sizeof(address) - 1);
	close(fds[0]);
	if (n <= 0)
		return -1;
	address[n] = '\0';
	address[strcspn(address, "\n")] = '\0';
	return 0;
}

static void resolve(void **state)
{
	sd_bus *server, *client;
	sd_bus_slot *manager = NULL;
	struct unit_info u;
	pthread_t thread;
	char msg[128];

	(void)state;
	assert_int_equal(0, start_daemon());

	/* before the fake systemd joins: systemd is not reachable */
	client = connect_to(address);
	assert_non_null(client);
	assert_int_equal(-EHOSTDOWN, unit_load(client, "vm1.service", &u));

	server = connect_to(address);
	assert_non_null(server);
	assert_true(sd_bus_add_object_vtable(server, &manager, "/org/freedesktop/systemd1",
					     "org.freedesktop.systemd1.Manager",
					     manager_vtable, NULL) >= 0);
	for (size_t i = 0; i < sizeof(fake_units) / sizeof(fake_units[0]); i++)
	{
		assert_true(sd_bus_add_object_vtable(server, NULL, fake_units[i].path,
						     fake_units[i].iface, unit_vtable,
						     (void *)&fake_units[i]) >= 0);
		assert_true(sd_bus_add_object_vtable(server, NULL, fake_units[i].path,
						     "org.freedesktop.systemd1.Unit",
						     unit_common_vtable,
						     (void *)&fake_units[i]) >= 0);
	}
	assert_true(sd_bus_request_name(server, "org.freedesktop.systemd1", 0) >= 0);
	assert_int_equal(0, pthread_create(&thread, NULL, serve, server));

	/* where the unit runs, and the files it was loaded from, in order */
	assert_int_equal(0, unit_load(client, "vm1.service", &u));
	assert_string_equal("/machine.slice/vm1.service", u.cgroup);
	assert_string_equal("machine.slice", u.slice);
	assert_string_equal("/etc/systemd/system/vm1.service", u.fragment);
	assert_non_null(u.dropins);
	assert_string_equal(fake_units[0].dropins[0], u.dropins[0]);
	assert_string_equal(fake_units[0].dropins[1], u.dropins[1]);
	assert_null(u.dropins[2]);
	unit_info_free(&u);
	assert_int_equal(0, unit_load(client, "machine.slice", &u));
	assert_string_equal("/machine.slice", u.cgroup);
	assert_string_equal("-.slice", u.slice);
	unit_info_free(&u);
	/* loaded, not running: no cgroup */
	assert_int_equal(0, unit_load(client, "idle.service", &u));
	assert_string_equal("", u.cgroup);
	assert_string_equal("a-b.slice", u.slice);
	/* no drop-ins: sd-bus gives NULL for an empty array */
	assert_true(!u.dropins || !u.dropins[0]);
	unit_info_free(&u);
	/* no such unit, or one without a unit file: -ENOENT, nothing left behind */
	assert_int_equal(-ENOENT, unit_load(client, "nope.service", &u));
	assert_null(u.cgroup);
	assert_int_equal(-ENOENT, unit_load(client, "ghost.service", &u));
	assert_null(u.cgroup);
	assert_null(u.dropins);

	/* stock systemd: no DefaultIOASIDMax, so ioasidctl keeps to drop-ins */
	assert_int_equal(0, unit_native(client));

	/* systemd with IOASIDMax= built in: set --unit goes through it */
	server_stop = 1;
	pthread_join(thread, NULL);
	sd_bus_slot_unref(manager);
	assert_true(sd_bus_add_object_vtable(server, &manager, "/org/freedesktop/systemd1",
					     "org.freedesktop.systemd1.Manager",
					     native_vtable, NULL) >= 0);
	server_stop = 0;
	assert_int_equal(0, pthread_create(&thread, NULL, serve, server));
	assert_int_equal(1, unit_native(client));
	assert_int_equal(0, unit_set_native(client, "vm1.service", true, false, 8, msg, sizeof(msg)));
	assert_string_equal("vm1.service", sent.unit);
	assert_string_equal("IOASIDMax", sent.prop);
	assert_int_equal('t', sent.type);
	assert_int_equal(1, sent.runtime);
	assert_int_equal(8, sent.value);
	/* a percentage as a fraction of UINT32_MAX, in IOASIDMaxScale, persisted */
	assert_int_equal(0, unit_set_native(client, "machine.slice", false, true, 429496730,
					    msg, sizeof(msg)));
	assert_string_equal("IOASIDMaxScale", sent.prop);
	assert_int_equal('u', sent.type);
	assert_int_equal(0, sent.runtime);
	assert_int_equal(429496730, sent.value);
	/* a refusal: its error, and systemd's message for the operator */
	assert_true(unit_set_native(client, "vm1.service", false, false, 12345, msg,
				    sizeof(msg)) < 0);
	assert_string_equal("Value specified in IOASIDMax is out of range", msg);

	server_stop = 1;
	pthread_join(thread, NULL);
	sd_bus_slot_unref(manager);
	sd_bus_flush_close_unref(server);
	sd_bus_flush_close_unref(client);
	stop_daemon();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(dropins),
		cmocka_unit_test(cgroup_paths),
		cmocka_unit_test(resolve),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("systemd", tests, NULL, NULL);
}
