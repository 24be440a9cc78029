// SPDX-License-Identifier: GPL-2.0
/* ioasid-libvirt-hook: the domain XML, through libxml2. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "domain.h"
#include "util.h"

static int named(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name);
}

/* The one child element @name of @parent without a namespace, or NULL. */
static xmlNode *child(xmlNode *parent, const char *name)
{
	for (xmlNode *n = parent->children; n; n = n->next)
		if (named(n, name) && !n->ns)
			return n;
	return NULL;
}

/* Drop libxml2's own messages: errors are reported in one line of ours. */
static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static int parse(xmlDoc *doc, struct domain *d, char *err, size_t errlen)
{
	xmlNode *root = xmlDocGetRootElement(doc), *n, *meta, *max = NULL;
	xmlChar *text;

	if (!root || !named(root, "domain") || root->ns)
		return parse_error(err, errlen, "the XML is not a libvirt <domain>");
	n = child(root, "name");
	text = n ? xmlNodeGetContent(n) : NULL;
	if (!text || !*text) {
		xmlFree(text);
		return parse_error(err, errlen, "the <domain> has no <name>");
	}
	d->name = strdup((char *)text);
	xmlFree(text);
	if (!d->name)
		return -ENOMEM;

	meta = child(root, "metadata");
	if (!meta)
		return 0;
	for (n = meta->children; n; n = n->next) {
		if (!named(n, "max") || !n->ns || xmlStrcmp(n->ns->href, BAD_CAST DOMAIN_NS))
			continue;
		if (max)
			return parse_error(err, errlen, "domain %s: <metadata> has more than one <max> of %s",
				   d->name, DOMAIN_NS);
		max = n;
	}
	if (!max)
		return 0;
	for (n = max->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return parse_error(err, errlen, "domain %s: the <max> of %s holds an element, not a limit",
				   d->name, DOMAIN_NS);
	text = xmlNodeGetContent(max);
	if (!text)
		return -ENOMEM;
	d->limit = strdup((char *)text);
	xmlFree(text);
	return d->limit ? 0 : -ENOMEM;
}

int domain_parse(const char *xml, size_t len, struct domain *d, char *err, size_t errlen)
{
	xmlDoc *doc;
	int ret;

	memset(d, 0, sizeof(*d));
	if (len > DOMAIN_XML_MAX)
		return parse_error(err, errlen, "the domain XML is over %d bytes", DOMAIN_XML_MAX);
	xmlSetGenericErrorFunc(NULL, quiet);
	/* no network, no entities pulled in from elsewhere, no DTD */
	doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		char msg[128];

		snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "?");
		msg[strcspn(msg, "\n")] = '\0';
		return parse_error(err, errlen, "the domain XML is not well-formed (line %d: %s)",
			   e ? e->line : 0, msg);
	}
	ret = parse(doc, d, err, errlen);
	xmlFreeDoc(doc);
	if (ret)
		domain_free(d);
	return ret;
}

void domain_free(struct domain *d)
{
	free(d->name);
	free(d->limit);
	memset(d, 0, sizeof(*d));
}

/* Is @s a sub-cgroup libvirt makes for QEMU's threads: emulator, vcpuN, iothreadN? */
static int thread_cgroup(const char *s)
{
	const char *digits;

	if (!strcmp(s, "emulator"))
		return 1;
	if (!strncmp(s, "vcpu", 4))
		digits = s + 4;
	else if (!strncmp(s, "iothread", 8))
		digits = s + 8;
	else
		return 0;
	if (!*digits)
		return 0;
	for (; *digits; digits++)
		if (!isdigit((unsigned char)*digits))
			return 0;
	return 1;
}

char *domain_vm_cgroup(const char *qemu_cgroup)
{
	char *vm = strdup(qemu_cgroup), *p = NULL;

	if (!vm)
		return NULL;
	/* systemd: machine-qemu\x2dN\x2dNAME.scope/libvirt/{emulator,vcpuN,...} */
	for (char *q = vm; (q = strstr(q, "/libvirt/")); q++)
		p = q;
	if (p && p != vm) {
		*p = '\0';
		return vm;
	}
	/* cgroupfs: /machine/NAME.libvirt-qemu/{emulator,vcpuN,...} */
	p = strrchr(vm, '/');
	if (p && p != vm && thread_cgroup(p + 1))
		*p = '\0';
	return vm;
}
