/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioasid-libvirt-hook: the domain XML libvirt gives a hook on standard
 * input, and the limit in its <metadata>.
 */
#ifndef IOASID_LIBVIRT_DOMAIN_H
#define IOASID_LIBVIRT_DOMAIN_H

#include <stddef.h>

/* The namespace of the project's element in a domain's <metadata>. */
#define DOMAIN_NS "urn:ioasidctl:libvirt:1"
/* A domain XML is tens of kilobytes; anything past this is not one. */
#define DOMAIN_XML_MAX (16 * 1024 * 1024)

struct domain {
	char *name;		/* <name> */
	char *limit;		/* text of <metadata><max xmlns=DOMAIN_NS>; NULL without */
};

/*
 * Parse @len bytes of @xml as a libvirt domain: a <domain> root with a
 * <name>, and at most one <max> of DOMAIN_NS in <metadata>, holding text
 * only. Returns 0; -EINVAL with one line in @err (the domain's name in it
 * once known); -ENOMEM. @d is empty on error.
 */
int domain_parse(const char *xml, size_t len, struct domain *d, char *err, size_t errlen);
void domain_free(struct domain *d);

/*
 * The cgroup of the VM for the cgroup of its QEMU process: libvirt puts
 * QEMU's threads in sub-cgroups of the VM's (".../libvirt/emulator" under
 * systemd, ".../emulator" and ".../vcpuN" without), and the limit belongs
 * on the VM's. Returns a string to free, or NULL.
 */
char *domain_vm_cgroup(const char *qemu_cgroup);

#endif
