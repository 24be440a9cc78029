/* SPDX-License-Identifier: GPL-2.0 */
/* ioasidctl: the sd-event loop that watch and top run in. */
#ifndef IOASIDCTL_LOOP_H
#define IOASIDCTL_LOOP_H

#include <systemd/sd-event.h>

/*
 * The default event loop in *@e, which SIGINT and SIGTERM end with exit
 * code 0 (they are blocked, and read through a signalfd). Returns 0 or
 * -errno; *@e is set either way (unref it).
 */
int loop_new(sd_event **e);

static inline void event_unrefp(sd_event **e)
{
	sd_event_unref(*e);
}

#endif
