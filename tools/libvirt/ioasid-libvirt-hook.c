// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid-libvirt-hook: a libvirt qemu hook (/etc/libvirt/hooks/qemu.d/)
 * that gives a VM the ioasids.max its domain XML asks for in <metadata>:
 *
 *   <metadata>
 *     <ioasids:max xmlns:ioasids="urn:ioasidctl:libvirt:1">64</ioasids:max>
 *   </metadata>
 *
 * libvirt runs it as "qemu.d/ioasids NAME OPERATION SUB-OPERATION EXTRA"
 * with the domain XML on standard input. At "started", QEMU runs in the
 * VM's cgroup: the hook finds that cgroup from QEMU's PID file, enables the
 * controller above it and writes the limit. A malformed limit, or anything
 * else that keeps the hook from setting it, is one line on standard error
 * and in the system log; the VM is never blocked (exit 0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <syslog.h>

#include "cgroup.h"
#include "domain.h"
#include "file.h"
#include "proc.h"
#include "util.h"
#include "value.h"

/* Where libvirt's QEMU driver keeps NAME.pid; IOASID_LIBVIRT_RUN overrides. */
#define RUN_DIR "/run/libvirt/qemu"

static const char *vm = "?";

/*
 * Say why the VM runs without its limit, in one line: on standard error,
 * which libvirt keeps in its debug log ("log_filters = 1:command"), and in
 * the system log. Returns 0: the VM is never blocked, and libvirt stops a
 * VM whose "started" hook fails.
 */
static int __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ioasid-libvirt-hook: domain %s: %s; it runs without an IOASID limit\n",
		vm, line);
	openlog("ioasid-libvirt-hook", LOG_PID, LOG_DAEMON);
	syslog(LOG_WARNING, "domain %s: %s; it runs without an IOASID limit", vm, line);
	closelog();
	return 0;
}

/* QEMU's PID, from the PID file libvirt writes for @name. */
static int qemu_pid(const char *name, pid_t *pid)
{
	const char *dir = getenv("IOASID_LIBVIRT_RUN") ?: RUN_DIR;
	_cleanup_free_ char *file = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	long v;

	if (asprintf(&file, "%s/%s.pid", dir, name) < 0) {
		file = NULL;
		return -ENOMEM;
	}
	f = fopen(file, "re");
	if (!f)
		return -errno;
	if (fscanf(f, "%ld", &v) != 1 || v < 1 || v > INT32_MAX)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

static int apply(struct domain *d)
{
	_cleanup_free_ char *qemu_cg = NULL, *vm_cg = NULL;
	uint64_t capacity, in_use, v;
	char val[32], shown[40];
	pid_t pid = 0;
	int ret;

	/* a malformed value is reported as such, whatever the kernel has */
	if (value_parse(d->limit, VALUE_COUNT_MAX, &v))
		goto bad_value;
	ret = cgx_init();
	if (ret == -ENODEV)
		return say("the running kernel has no ioasids cgroup controller");
	ret = ret ?: cgx_root(&capacity, &in_use);
	if (ret)
		return say("libcgroup: %s", strerror(-ret));
	if (value_parse(d->limit, capacity, &v))
		goto bad_value;

	ret = qemu_pid(d->name, &pid);
	if (ret)
		return say("QEMU's PID file %s/%s.pid: %s", getenv("IOASID_LIBVIRT_RUN") ?: RUN_DIR,
			   d->name, strerror(-ret));
	ret = proc_cgroup_of("/proc", pid, &qemu_cg);
	if (ret)
		return say("the cgroup of QEMU (PID %d): %s", (int)pid,
			   ret == -EMEDIUMTYPE ? "not on cgroup v2" : strerror(-ret));
	vm_cg = domain_vm_cgroup(qemu_cg);
	if (!vm_cg)
		return say("%s", strerror(ENOMEM));
	if (!strcmp(vm_cg, "/"))
		return say("QEMU is in the root cgroup, which has no ioasids.max");
	ret = cgx_enable_above(vm_cg, NULL);
	if (ret)
		return say("enabling the ioasids controller above %s: %s", vm_cg, strerror(-ret));
	value_format(v, val, sizeof(val));
	ret = cgx_set_max(vm_cg, val);
	if (ret)
		return say("%s/ioasids.max: %s", vm_cg, strerror(-ret));
	printf("ioasid-libvirt-hook: domain %s: %s/ioasids.max = %s\n", d->name, vm_cg, val);
	return 0;

bad_value:
	value_shown(d->limit, shown, sizeof(shown));
	return say("<max xmlns=\"%s\">%s</max> is not a limit: use a count from 0 to %llu, max, "
		   "or a percentage such as 10%%", DOMAIN_NS, shown, VALUE_COUNT_MAX);
}

int main(int argc, char **argv)
{
	_cleanup_free_ char *xml = NULL;
	struct domain d;
	char err[512];
	size_t len = 0;
	int ret;

	if (argc != 5) {
		fprintf(stderr, "Usage: %s NAME OPERATION SUB-OPERATION EXTRA < DOMAIN-XML\n"
			"A libvirt qemu hook: install it in /etc/libvirt/hooks/qemu.d/.\n",
			argv[0]);
		return 2;
	}
	vm = argv[1];
	/* libvirt writes the XML whatever the operation: take it all */
	ret = file_read_all(stdin, DOMAIN_XML_MAX, &xml, &len);
	if (strcmp(argv[2], "started"))
		return 0;
	if (ret == -EFBIG)
		return say("the domain XML is over %d bytes", DOMAIN_XML_MAX);
	if (ret)
		return say("reading the domain XML: %s", strerror(-ret));
	if (domain_parse(xml, len, &d, err, sizeof(err)))
		return say("%s", err);
	if (strcmp(d.name, argv[1]))
		ret = say("the XML is domain %s's", d.name);
	else if (d.limit)
		ret = apply(&d);
	domain_free(&d);
	return ret;
}
