// SPDX-License-Identifier: GPL-2.0
/* cmocka: the domain XML ioasid-libvirt-hook reads, and the VM's cgroup. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain.h"

/*
 * What libvirt 9.0 writes for a running domain whose limit was set with
 *   virsh metadata vm1 --uri urn:ioasidctl:libvirt:1 --key ioasids \
 *	--set '<max>64</max>' --config
 * (virsh -c test:///default dumpxml vm1), read from FIXTURE.
 */
static char *fixture;

static int load(void **state)
{
	FILE *f = fopen(FIXTURE, "r");
	long n;

	(void)state;
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET))
		return -1;
	fixture = calloc(1, n + 1);
	if (!fixture || fread(fixture, 1, n, f) != (size_t)n)
		return -1;
	fclose(f);
	return 0;
}

static int unload(void **state)
{
	(void)state;
	free(fixture);
	return 0;
}

static int parse(const char *xml, struct domain *d, char *err)
{
	return domain_parse(xml, strlen(xml), d, err, 256);
}

static void refused(const char *xml, const char *why)
{
	struct domain d = { .name = (char *)"stale" };
	char err[256] = "";

	assert_int_equal(-EINVAL, parse(xml, &d, err));
	if (!strstr(err, why))
		fail_msg("input '%.60s': message '%s' lacks '%s'", xml, err, why);
	assert_null(strchr(err, '\n'));
	assert_null(d.name);
	assert_null(d.limit);
}

#define META(x) "<domain type='kvm'><name>vm1</name><metadata>" x "</metadata></domain>"
#define NS "xmlns:i='urn:ioasidctl:libvirt:1'"

static void what_virsh_writes(void **state)
{
	struct domain d;
	char err[256];

	(void)state;
	assert_int_equal(0, parse(fixture, &d, err));
	assert_string_equal("vm1", d.name);
	assert_string_equal("64", d.limit);
	domain_free(&d);
	assert_null(d.name);
}

static void without_a_limit(void **state)
{
	static const char *const ok[] = {
		"<domain type='kvm'><name>vm1</name></domain>",
		META(""),
		/* another project's metadata, and ours under another version */
		META("<app:max xmlns:app='http://example.org/app/1'>3</app:max>"),
		META("<i:max xmlns:i='urn:ioasidctl:libvirt:2'>3</i:max>"),
		/* an element of ours that is not max */
		META("<i:limit " NS ">3</i:limit>"),
		/* max without a namespace is not ours */
		META("<max>3</max>"),
	};
	struct domain d;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (parse(ok[i], &d, err))
			fail_msg("input %zu refused: %s", i, err);
		assert_string_equal("vm1", d.name);
		assert_null(d.limit);
		domain_free(&d);
	}
}

static void a_limit_in_any_prefix(void **state)
{
	struct domain d;
	char err[256];

	(void)state;
	assert_int_equal(0, parse(META("<x:max xmlns:x='urn:ioasidctl:libvirt:1'> 10% </x:max>"),
				  &d, err));
	/* the text as written: ioasidctl's parser judges it */
	assert_string_equal(" 10% ", d.limit);
	domain_free(&d);
	assert_int_equal(0, parse(META("<max xmlns='urn:ioasidctl:libvirt:1'>lots</max>"), &d, err));
	assert_string_equal("lots", d.limit);
	domain_free(&d);
}

static void malformed(void **state)
{
	(void)state;
	refused("", "not well-formed");
	refused("<domain><name>vm1</name>", "not well-formed");
	refused("<domain><name>vm1</name></domain><domain/>", "not well-formed");
	refused("<domain><name>vm1</nam></domain>", "not well-formed");
	refused("<vm><name>vm1</name></vm>", "not a libvirt <domain>");
	refused("<d:domain xmlns:d='urn:x'><name>vm1</name></d:domain>", "not a libvirt <domain>");
	refused("<domain type='kvm'/>", "no <name>");
	refused("<domain type='kvm'><name></name></domain>", "no <name>");
	refused(META("<i:max " NS ">1</i:max><i:max " NS ">2</i:max>"), "more than one <max>");
	refused(META("<i:max " NS "><i:value>1</i:value></i:max>"), "holds an element");
}

/* An entity bomb is refused or kept small: never expanded into gigabytes. */
static void entities(void **state)
{
	static const char bomb[] =
		"<?xml version='1.0'?><!DOCTYPE domain ["
		"<!ENTITY a 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'>"
		"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
		"<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
		"<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>"
		"<!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>"
		"<!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'>"
		"<!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>"
		"]><domain><name>vm1</name><metadata>"
		"<i:max xmlns:i='urn:ioasidctl:libvirt:1'>&g;</i:max></metadata></domain>";
	static const char external[] =
		"<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
		"<domain><name>vm1</name><metadata>"
		"<i:max xmlns:i='urn:ioasidctl:libvirt:1'>&x;</i:max></metadata></domain>";
	struct domain d;
	char err[256];

	(void)state;
	if (!parse(bomb, &d, err)) {
		assert_true(strlen(d.limit) < 1000000);
		domain_free(&d);
	}
	/* an external entity is never read */
	if (!parse(external, &d, err)) {
		assert_null(strstr(d.limit ?: "", "root:"));
		domain_free(&d);
	}
}

static void the_vm_cgroup(void **state)
{
	static const struct { const char *qemu, *vm; } cases[] = {
		{ "/machine.slice/machine-qemu\\x2d3\\x2dvm1.scope/libvirt/emulator",
		  "/machine.slice/machine-qemu\\x2d3\\x2dvm1.scope" },
		{ "/machine.slice/machine-tenant1.slice/machine-qemu\\x2d3\\x2dvm1.scope/libvirt/vcpu0",
		  "/machine.slice/machine-tenant1.slice/machine-qemu\\x2d3\\x2dvm1.scope" },
		{ "/machine.slice/machine-qemu\\x2d3\\x2dvm1.scope/libvirt",
		  "/machine.slice/machine-qemu\\x2d3\\x2dvm1.scope/libvirt" },
		{ "/machine.slice/machine-qemu\\x2d3\\x2dvm1.scope",
		  "/machine.slice/machine-qemu\\x2d3\\x2dvm1.scope" },
		{ "/machine/qemu-3-vm1.libvirt-qemu/emulator", "/machine/qemu-3-vm1.libvirt-qemu" },
		{ "/machine/qemu-3-vm1.libvirt-qemu/vcpu12", "/machine/qemu-3-vm1.libvirt-qemu" },
		{ "/machine/qemu-3-vm1.libvirt-qemu/iothread1", "/machine/qemu-3-vm1.libvirt-qemu" },
		{ "/machine/qemu-3-vm1.libvirt-qemu/vcpu", "/machine/qemu-3-vm1.libvirt-qemu/vcpu" },
		{ "/machine/qemu-3-vm1.libvirt-qemu/vcpu1x", "/machine/qemu-3-vm1.libvirt-qemu/vcpu1x" },
		{ "/emulator", "/emulator" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *vm = domain_vm_cgroup(cases[i].qemu);

		assert_non_null(vm);
		if (strcmp(vm, cases[i].vm))
			fail_msg("%s: got %s, want %s", cases[i].qemu, vm, cases[i].vm);
		free(vm);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(what_virsh_writes),
		cmocka_unit_test(without_a_limit),
		cmocka_unit_test(a_limit_in_any_prefix),
		cmocka_unit_test(malformed),
		cmocka_unit_test(entities),
		cmocka_unit_test(the_vm_cgroup),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("domain", tests, load, unload);
}
