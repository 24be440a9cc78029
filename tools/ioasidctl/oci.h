/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioasidctl oci-hook: the OCI runtime state a hook reads on standard input
 * (runtime-spec's "State").
 */
#ifndef IOASIDCTL_OCI_H
#define IOASIDCTL_OCI_H

#include <stddef.h>
#include <sys/types.h>

/* The annotation that asks for a limit, in a container's config.json. */
#define OCI_ANNOTATION "io.ioasids.max"
/* A state is a few hundred bytes; anything past this is not one. */
#define OCI_STATE_MAX (1024 * 1024)

struct oci_state {
	char *id;		/* the container's ID */
	pid_t pid;		/* its process, in the runtime's PID namespace */
	char *limit;		/* the annotation's value; NULL without it */
};

/*
 * Parse @len bytes of @buf as an OCI state: one JSON object with a string
 * "ociVersion", a non-empty string "id", a "pid" from 1 to INT_MAX, and
 * optional "annotations", an object of strings. Returns 0, or -EINVAL with
 * one line in @err saying what is wrong; @st is then empty.
 */
int oci_state_parse(const char *buf, size_t len, struct oci_state *st,
		    char *err, size_t errlen);
void oci_state_free(struct oci_state *st);

#endif
