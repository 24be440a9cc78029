// SPDX-License-Identifier: GPL-2.0
/* ioasidctl oci-hook: the OCI state on standard input, and its cgroup. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "oci.h"
#include "util.h"

/* @key of @obj if it is a @type, else NULL. */
static json_object *member(json_object *obj, const char *key, json_type type)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static int parse(json_object *root, struct oci_state *st, char *err, size_t errlen)
{
	json_object *v, *ann;
	const char *id;
	int64_t pid;

	if (!json_object_is_type(root, json_type_object))
		return parse_error(err, errlen, "the state is not a JSON object");
	if (!member(root, "ociVersion", json_type_string))
		return parse_error(err, errlen, "the state has no \"ociVersion\" string");
	v = member(root, "id", json_type_string);
	if (!v || !json_object_get_string_len(v))
		return parse_error(err, errlen, "the state has no \"id\" string");
	/* what runc and crun accept as a container ID, so it prints as is */
	id = json_object_get_string(v);
	if (json_object_get_string_len(v) > 1024 ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") !=
	    (size_t)json_object_get_string_len(v))
		return parse_error(err, errlen, "the state's \"id\" is not a container ID");
	st->id = strdup(json_object_get_string(v));
	if (!st->id)
		return -ENOMEM;

	v = member(root, "pid", json_type_int);
	if (!v)
		return parse_error(err, errlen, "container %s: the state has no \"pid\" number "
			   "(a hook for createRuntime, createContainer, startContainer or "
			   "poststart)", st->id);
	/* json-c saturates what does not fit in 64 bits, and 2^63 is no pid */
	errno = 0;
	pid = json_object_get_int64(v);
	if (errno || pid < 1 || pid > INT_MAX)
		return parse_error(err, errlen, "container %s: \"pid\" %s is not a process ID",
			   st->id, json_object_to_json_string(v));
	st->pid = (pid_t)pid;

	if (!json_object_object_get_ex(root, "annotations", &ann) ||
	    json_object_is_type(ann, json_type_null))
		return 0;
	if (!json_object_is_type(ann, json_type_object))
		return parse_error(err, errlen, "container %s: \"annotations\" is not an object", st->id);
	if (!json_object_object_get_ex(ann, OCI_ANNOTATION, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return parse_error(err, errlen, "container %s: annotation %s is not a string",
			   st->id, OCI_ANNOTATION);
	st->limit = strdup(json_object_get_string(v));
	return st->limit ? 0 : -ENOMEM;
}

int oci_state_parse(const char *buf, size_t len, struct oci_state *st,
		    char *err, size_t errlen)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *root;
	size_t used;
	int ret;

	memset(st, 0, sizeof(*st));
	if (len > OCI_STATE_MAX)
		return parse_error(err, errlen, "the state is over %d bytes", OCI_STATE_MAX);
	if (memchr(buf, '\0', len))
		return parse_error(err, errlen, "the state has a NUL byte");
	for (used = 0; used < len && strchr(" \t\r\n", buf[used]); used++)
		;
	if (used == len)
		return parse_error(err, errlen, "the state is empty");
	if (buf[used] != '{')
		return parse_error(err, errlen, "the state is not a JSON object");
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	/* JSON as RFC 8259 has it: no single quotes, no trailing commas */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root) {
		if (jerr == json_tokener_continue)
			return parse_error(err, errlen, "the state is not JSON: it ends too early");
		return parse_error(err, errlen, "the state is not JSON: %s at byte %zu",
			   json_tokener_error_desc(jerr), used);
	}
	/* one object and nothing after it but white space */
	while (used < len && strchr(" \t\r\n", buf[used]))
		used++;
	if (used < len)
		ret = parse_error(err, errlen, "the state has more than one JSON value");
	else
		ret = parse(root, st, err, errlen);
	json_object_put(root);
	if (ret)
		oci_state_free(st);
	return ret;
}

void oci_state_free(struct oci_state *st)
{
	free(st->id);
	free(st->limit);
	memset(st, 0, sizeof(*st));
}
