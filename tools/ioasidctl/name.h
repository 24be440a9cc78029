/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioasidctl: the names an operator knows a cgroup by, derived from its path
 * alone: the systemd unit, the libvirt domain, the Kubernetes pod.
 */
#ifndef IOASIDCTL_NAME_H
#define IOASIDCTL_NAME_H

#include <stddef.h>

struct cg_names {
	/* the deepest unit in the path; a slice only if no other unit is */
	char unit[256];
	/*
	 * The libvirt domain: from machined's scope "machine-qemu\x2dID\x2dNAME.scope"
	 * (libvirt under systemd) or "qemu-ID-NAME.libvirt-qemu" (its cgroupfs
	 * layout); lxc domains alike. It stays the same when the VM restarts,
	 * while the scope's ID changes. libvirt drops from NAME the characters
	 * a machine name cannot hold and shortens a long one.
	 */
	char domain[256];
	/* a Kubernetes pod's UID, from kubepods*-pod<UID>.slice or pod<UID> */
	char pod[64];
};

/* Fill @n from @path (relative to the cgroup2 mount); unknown names are "". */
void cg_names(const char *path, struct cg_names *n);

/*
 * The most telling of them for a table: "domain NAME", "pod UID",
 * "unit NAME", or "" when there is none. Returns @buf.
 */
const char *cg_workload(const struct cg_names *n, char *buf, size_t len);

/* The length of the valid UTF-8 sequence at @p (1 to 4 bytes), or 0. */
size_t utf8_seq_len(const unsigned char *p);

/*
 * @in as a table shows it (@out, @len bytes; returns @out): printable ASCII
 * as it is, every other byte as \xHH, so that no name (which may hold any
 * byte but '/') can drive a terminal whatever its locale, or hide behind
 * Unicode's bidirectional and invisible characters; systemd's "\x2d" in
 * unit names stays as systemctl shows it. Tables drawn with this are
 * printed with libsmartcols' own encoding off, which would turn every
 * backslash into \x5c.
 */
const char *cg_display(const char *in, char *out, size_t len);

#endif
