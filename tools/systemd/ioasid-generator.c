// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-generator: make IOASIDMax= in unit files take effect.
 *
 * systemd runs generators at boot and on every daemon-reload. This one
 * looks through the unit search path for services, scopes and slices whose
 * unit file or drop-ins assign IOASIDMax= (or X-IOASIDMax=), and gives each
 * a drop-in in the generator directory:
 *
 *   [Unit]
 *   Wants=ioasid-limit@%n.service
 *   After=ioasid-limit@%n.service
 *
 * ioasid-limit@.service runs "ioasidctl apply --unit %i", which reads the
 * value from the files systemd itself loaded for the unit, creates its cgroup
 * and writes ioasids.max before the unit starts. Wants=, not Requires=: a
 * malformed value fails the helper, never the unit.
 *
 * A systemd that knows IOASIDMax= itself (systemd with the project's patch,
 * patches/systemd/) applies the setting, and manages ioasids in
 * cgroup.subtree_control as it does every controller it knows. There the
 * generator steps aside and writes nothing, so that the two never fight
 * over the controller. systemd's own list of the settings it understands
 * ("systemd --dump-configuration-items") tells which systemd this is.
 *
 * Usage (by systemd): ioasid-generator NORMAL_DIR [EARLY_DIR LATE_DIR]
 * SYSTEMD_UNIT_PATH (colon-separated) replaces the search path, and
 * SYSTEMD_LOG_TARGET=console sends warnings to stderr instead of the kernel
 * log, as for systemd's own generators. IOASID_SYSTEMD names the systemd
 * binary to ask instead of /lib/systemd/systemd (for tests).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unitfile.h"

#define HELPER "ioasid-limit@"
#define DROPIN "50-ioasid-limit.conf"
#define SYSTEMD_BINARY "/lib/systemd/systemd"

extern char **environ;

/* systemd 252's system unit path, without the generators' own directories */
static const char *const default_path[] = {
	"/etc/systemd/system.control",
	"/run/systemd/system.control",
	"/run/systemd/transient",
	"/etc/systemd/system",
	"/etc/systemd/system.attached",
	"/run/systemd/system",
	"/run/systemd/system.attached",
	"/usr/local/lib/systemd/system",
	"/lib/systemd/system",
	"/usr/lib/systemd/system",
	NULL,
};

static FILE *log_file;

/* To the kernel log, where the journal picks it up, as systemd's generators do. */
static void log_warn(const char *fmt, ...)
{
	va_list ap;

	if (!log_file) {
		/* SYSTEMD_LOG_TARGET=console: stderr, as for systemd's own generators */
		const char *target = getenv("SYSTEMD_LOG_TARGET");
		int fd = target && !strcmp(target, "console") ? -1 :
			 open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

		log_file = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!log_file) {
			if (fd >= 0)
				close(fd);
			log_file = stderr;
		}
	}
	va_start(ap, fmt);
	fprintf(log_file, "%sioasid-generator: ", log_file == stderr ? "" : "<4>");
	vfprintf(log_file, fmt, ap);
	fputc('\n', log_file);
	fflush(log_file);
	va_end(ap);
}

/* Does systemd list IOASIDMax= among the unit settings it understands? */
static bool systemd_native(void)
{
	const char *bin = getenv("IOASID_SYSTEMD") ?: SYSTEMD_BINARY;
	char *const argv[] = { (char *)bin, "--dump-configuration-items", NULL };
	posix_spawn_file_actions_t fa;
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	int fds[2], status;
	pid_t pid;
	FILE *f;

	if (access(bin, X_OK) || pipe2(fds, O_CLOEXEC))
		return false;
	if (posix_spawn_file_actions_init(&fa)) {
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, bin, &fa, NULL, argv, environ))
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (!f) {
		close(fds[0]);
	} else {
		/* read to the end, so that systemd never blocks on a full pipe */
		while (getline(&line, &cap, f) >= 0)
			if (!strncmp(line, UNITFILE_KEY "=", strlen(UNITFILE_KEY) + 1))
				found = true;
		free(line);
		fclose(f);
	}
	if (pid > 0 && (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
			WEXITSTATUS(status)))
		found = false;
	return found;
}

/* Units that must not get the dependency: the helper itself, and what matches it. */
static int is_helper(const char *name)
{
	return !strncmp(name, HELPER, strlen(HELPER)) || !strcmp(name, "ioasid-.service");
}

static int emit(const char *outdir, const char *unit, const char *source)
{
	char dir[PATH_MAX], path[PATH_MAX];
	FILE *f;

	if (snprintf(dir, sizeof(dir), "%s/%s.d", outdir, unit) >= (int)sizeof(dir) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, DROPIN) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (access(path, F_OK) == 0)
		return 0;	/* already given, from a file seen earlier */
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fprintf(f, "# Generated by ioasid-generator: %s sets IOASIDMax= in %s.\n"
		"# ioasid-limit@.service applies it before the unit starts.\n"
		"[Unit]\nWants=" HELPER "%%n.service\nAfter=" HELPER "%%n.service\n",
		unit, source);
	if (fclose(f))
		return -errno;
	return 0;
}

/* Does the file assign the setting in [@section]? 1, 0, or -errno. */
static int assigns(const char *path, const char *section)
{
	struct unit_setting s = { 0 };
	int n = unitfile_scan_path(path, section, &s);

	unit_setting_clear(&s);
	return n < 0 ? n : n > 0;
}

static void handle(const char *outdir, const char *unit, const char *path, const char *section)
{
	int ret = assigns(path, section);

	if (ret < 0) {
		if (ret != -ENOENT)	/* a dangling symlink is not ours to report */
			log_warn("%s: %s", path, strerror(-ret));
		return;
	}
	if (!ret)
		return;
	if (is_helper(unit)) {
		log_warn("%s: IOASIDMax= cannot apply to %s, ignoring", path, unit);
		return;
	}
	ret = emit(outdir, unit, path);
	if (ret)
		log_warn("%s: cannot write the drop-in for %s: %s", outdir, unit, strerror(-ret));
}

/* The *.conf files of drop-in directory @dir, for @unit ("foo.service", "foo-.slice"). */
static void scan_dropins(const char *outdir, const char *dir, const char *unit,
			 const char *section, int typewide)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;
		size_t len = strlen(e);
		char path[PATH_MAX];

		if (len > 5 && !strcmp(e + len - 5, ".conf") &&
		    snprintf(path, sizeof(path), "%s/%s", dir, e) < (int)sizeof(path)) {
			if (typewide) {
				if (assigns(path, section) > 0)
					log_warn("%s: IOASIDMax= in a drop-in for every %s is not "
						 "supported, ignoring; put it in each unit's own "
						 "drop-in or on their slice", path, unit);
			} else {
				handle(outdir, unit, path, section);
			}
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

static void scan_dir(const char *outdir, const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;
		size_t len = strlen(e);
		char path[PATH_MAX], unit[NAME_MAX + 1];
		const char *section;

		if (e[0] == '.' || snprintf(path, sizeof(path), "%s/%s", dir, e) >= (int)sizeof(path))
			goto next;
		if (len > 2 && !strcmp(e + len - 2, ".d")) {
			snprintf(unit, sizeof(unit), "%.*s", (int)(len - 2), e);
			if (!strcmp(unit, "service") || !strcmp(unit, "scope") ||
			    !strcmp(unit, "slice")) {
				char any[NAME_MAX + 3];

				/* "x.service" for "service" */
				snprintf(any, sizeof(any), "x.%s", unit);
				scan_dropins(outdir, path, unit, unitfile_section(any, strlen(any)), 1);
				goto next;
			}
			section = unitfile_section(unit, len - 2);
			if (section)
				scan_dropins(outdir, path, unit, section, 0);
			goto next;
		}
		section = unitfile_section(e, len);
		if (section)
			handle(outdir, e, path, section);
next:
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

int main(int argc, char **argv)
{
	const char *env = getenv("SYSTEMD_UNIT_PATH");

	if (argc < 2 || argc > 4 || argv[1][0] != '/') {
		fprintf(stderr, "Usage: %s NORMAL_DIR [EARLY_DIR LATE_DIR]\n"
			"(a systemd generator: systemd runs it)\n", argv[0]);
		return 1;
	}
	if (systemd_native())
		return 0;
	if (env && *env) {
		char *copy = strdup(env), *save = NULL;

		if (!copy)
			return 1;
		for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
			scan_dir(argv[1], d);
		free(copy);
	} else {
		for (int i = 0; default_path[i]; i++)
			scan_dir(argv[1], default_path[i]);
	}
	return 0;
}
