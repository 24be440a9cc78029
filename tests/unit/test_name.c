// SPDX-License-Identifier: GPL-2.0
/*
 * cmocka: the unit, libvirt domain and Kubernetes pod ioasidctl derives
 * from a cgroup's path, on the paths systemd, libvirt, podman and the
 * kubelet make.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "name.h"

static const struct {
	const char *path, *unit, *domain, *pod, *workload;
} cases[] = {
	/* libvirt under systemd: machined's scope, QEMU's own cgroup below */
	{ "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/emulator",
	  "machine-qemu\\x2d1\\x2dvm1.scope", "vm1", "", "domain vm1" },
	/* the next start: a new ID, the same domain */
	{ "/machine.slice/machine-qemu\\x2d7\\x2dvm1.scope", "machine-qemu\\x2d7\\x2dvm1.scope",
	  "vm1", "", "domain vm1" },
	{ "/machine.slice/machine-tenant1.slice/machine-qemu\\x2d12\\x2dweb\\x2dfront.scope",
	  "machine-qemu\\x2d12\\x2dweb\\x2dfront.scope", "web-front", "", "domain web-front" },
	{ "/machine.slice/machine-lxc\\x2d4242\\x2dct1.scope", "machine-lxc\\x2d4242\\x2dct1.scope",
	  "ct1", "", "domain ct1" },
	/* libvirt without systemd (cgroupfs layout), and systemd in an LXC domain */
	{ "/machine/qemu-3-vm1.libvirt-qemu/emulator", "", "vm1", "", "domain vm1" },
	{ "/machine/lxc-1-ct1.libvirt-lxc/system.slice/sshd.service", "sshd.service", "ct1", "",
	  "domain ct1" },
	/* a scope whose escapes are not ASCII is no domain of libvirt's */
	{ "/machine.slice/machine-qemu\\x2d1\\x2dv\\xc3\\xa9.scope",
	  "machine-qemu\\x2d1\\x2dv\\xc3\\xa9.scope", "", "", "unit machine-qemu\\x2d1\\x2dv\\xc3\\xa9.scope" },
	/* a machine that is not libvirt's: systemd-nspawn */
	{ "/machine.slice/machine-debian.scope", "machine-debian.scope", "", "",
	  "unit machine-debian.scope" },
	/* the partition's slice is a unit, not a domain */
	{ "/machine.slice/machine-tenant1.slice", "machine-tenant1.slice", "", "",
	  "unit machine-tenant1.slice" },
	/* Kubernetes, systemd cgroup driver: burstable and guaranteed pods */
	{ "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod3f1c2b7e_8a4d_4c1e_9f2a_0b6d5e4c3a21.slice/crio-0123abcd.scope",
	  "crio-0123abcd.scope", "", "3f1c2b7e-8a4d-4c1e-9f2a-0b6d5e4c3a21",
	  "pod 3f1c2b7e-8a4d-4c1e-9f2a-0b6d5e4c3a21" },
	{ "/kubepods.slice/kubepods-pod3f1c2b7e_8a4d_4c1e_9f2a_0b6d5e4c3a21.slice",
	  "kubepods-pod3f1c2b7e_8a4d_4c1e_9f2a_0b6d5e4c3a21.slice", "",
	  "3f1c2b7e-8a4d-4c1e-9f2a-0b6d5e4c3a21", "pod 3f1c2b7e-8a4d-4c1e-9f2a-0b6d5e4c3a21" },
	/* Kubernetes, cgroupfs driver */
	{ "/kubepods/burstable/pod3f1c2b7e-8a4d-4c1e-9f2a-0b6d5e4c3a21/0123abcd", "", "",
	  "3f1c2b7e-8a4d-4c1e-9f2a-0b6d5e4c3a21", "pod 3f1c2b7e-8a4d-4c1e-9f2a-0b6d5e4c3a21" },
	/* not a pod: outside kubepods, or not a UID */
	{ "/pod3f1c2b7e-8a4d-4c1e-9f2a-0b6d5e4c3a21", "", "", "", "" },
	{ "/kubepods/burstable/podnotauid", "", "", "", "" },
	/* services, and the deepest unit of a user's manager */
	{ "/system.slice/ioasid-vm.service", "ioasid-vm.service", "", "", "unit ioasid-vm.service" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/run-u7.scope", "run-u7.scope",
	  "", "", "unit run-u7.scope" },
	/* podman under systemd */
	{ "/machine.slice/libpod-4f2e.scope/container", "libpod-4f2e.scope", "", "",
	  "unit libpod-4f2e.scope" },
	/* cgroups of no manager, and the root */
	{ "/e2e/a/b", "", "", "", "" },
	{ "/", "", "", "", "" },
	/* a machine name too short to be libvirt's */
	{ "/machine.slice/machine-qemu\\x2d1.scope", "machine-qemu\\x2d1.scope", "", "",
	  "unit machine-qemu\\x2d1.scope" },
};

static void names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cg_names n;
		char buf[300];

		print_message("# %s\n", cases[i].path);
		cg_names(cases[i].path, &n);
		assert_string_equal(cases[i].unit, n.unit);
		assert_string_equal(cases[i].domain, n.domain);
		assert_string_equal(cases[i].pod, n.pod);
		assert_string_equal(cases[i].workload, cg_workload(&n, buf, sizeof(buf)));
	}
}

/* Names longer than the buffers are cut, never overrun. */
static void long_names(void **state)
{
	char path[4096] = "/machine.slice/machine-qemu\\x2d1\\x2d";
	struct cg_names n;

	(void)state;
	memset(path + strlen(path), 'v', 3000);
	strcat(path, ".scope");
	cg_names(path, &n);
	assert_int_equal(sizeof(n.unit) - 1, strlen(n.unit));
	assert_in_range(strlen(n.domain), 200, sizeof(n.domain) - 1);
	assert_int_equal('v', n.domain[0]);
}

/* What a table shows: a terminal never gets a control byte from a name. */
static void display(void **state)
{
	char out[64];

	(void)state;
	/* systemd's escapes stay as systemctl shows them */
	assert_string_equal("machine-qemu\\x2d1\\x2dvm1.scope",
			    cg_display("machine-qemu\\x2d1\\x2dvm1.scope", out, sizeof(out)));
	/* everything but printable ASCII, UTF-8 and a bidi override too */
	assert_string_equal("/caf\\xc3\\xa9", cg_display("/caf\xc3\xa9", out, sizeof(out)));
	assert_string_equal("/\\xe2\\x80\\xaeab", cg_display("/\xe2\x80\xae" "ab", out, sizeof(out)));
	/* an escape sequence, a newline, a C1 CSI, invalid UTF-8 */
	assert_string_equal("/a\\x1b[2Jb", cg_display("/a\x1b[2Jb", out, sizeof(out)));
	assert_string_equal("/new\\x0aline", cg_display("/new\nline", out, sizeof(out)));
	assert_string_equal("/\\xc2\\x9b1m", cg_display("/\xc2\x9b" "1m", out, sizeof(out)));
	assert_string_equal("/bad\\xc0\\xaf", cg_display("/bad\xc0\xaf", out, sizeof(out)));
	/* cut short, never overrun */
	assert_in_range(strlen(cg_display("/0123456789012345678901234567890123456789"
					  "0123456789012345678901234567890123456789", out, 16)),
			1, 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(long_names),
		cmocka_unit_test(display),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("name", tests, NULL, NULL);
}
