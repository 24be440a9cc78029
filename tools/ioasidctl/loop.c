// SPDX-License-Identifier: GPL-2.0
/* ioasidctl: the sd-event loop that watch and top run in. */
#include <signal.h>
#include <stddef.h>

#include "loop.h"

int loop_new(sd_event **e)
{
	sigset_t mask;
	int ret;

	*e = NULL;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	ret = sd_event_default(e);
	/* no handler: the signal ends the loop, with exit code 0 */
	if (ret >= 0)
		ret = sd_event_add_signal(*e, NULL, SIGINT, NULL, NULL);
	if (ret >= 0)
		ret = sd_event_add_signal(*e, NULL, SIGTERM, NULL, NULL);
	return ret < 0 ? ret : 0;
}
