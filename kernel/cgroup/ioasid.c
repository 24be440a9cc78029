// SPDX-License-Identifier: GPL-2.0-only
/*
 * I/O address space ID (IOASID) controller for cgroups.
 *
 * PCIe PASIDs are one 20-bit space shared by the whole host: a VM or
 * container that allocates them without bound starves every other tenant of
 * its accelerators. This controller caps how many IOASIDs a cgroup's tasks
 * may hold.
 *
 * ioasids.max is "max" (no limit, the default) or a count. The IOASID core
 * charges every allocation made for user space to the allocating task's
 * cgroup and all its ancestors; an allocation that would take any of them
 * past its ioasids.max fails with -ENOSPC, the errno of an exhausted space,
 * so callers need no change. ioasids.current counts the IOASIDs charged to
 * a cgroup and its descendants; on the root it is the system-wide count, the
 * kernel's own IOASIDs included.
 *
 * A charge stays with the css it was taken from: it does not follow a task
 * that migrates, and a removed cgroup lives on until its last IOASID is
 * freed. So there is no can_attach() and nothing to move.
 *
 * Charging is lock-free and in two steps. ioasids_try_charge() reserves a
 * unit at each level in ->counter, the count the limit is enforced on: a
 * compare-and-exchange that never goes past the limit, so no charge ever
 * takes a cgroup above its max. Reservations can still be turned back (an
 * ancestor's limit, an exhausted space). Only when the IOASID exists does
 * ioasids_commit_charge() count it in ->held, which ioasids.current shows
 * and ioasids.peak follows: so neither ever counts an allocation that did
 * not happen, and neither shows a cgroup above any ancestor's max, since
 * every held unit is also reserved at every ancestor.
 */

#define pr_fmt(fmt) "ioasids: " fmt

#include <linux/atomic.h>
#include <linux/cgroup.h>
#include <linux/cgroup_ioasids.h>
#include <linux/ctype.h>
#include <linux/ioasid.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#define IOASIDS_MAX_STR "max"
/* Above any count a cgroup can reach, so "max" never refuses a charge. */
#define IOASIDS_MAX ((s64)IOASID_CAPACITY_MAX + 1)

struct ioasids_cgroup {
	struct cgroup_subsys_state	css;

	/* Reserved by charges, in flight or held; never above limit */
	atomic64_t			counter;
	/* IOASIDs held: ioasids.current */
	atomic64_t			held;
	atomic64_t			limit;
	/* The highest held ever: ioasids.peak */
	atomic64_t			watermark;

	/* Handles for ioasids.events[.local] */
	struct cgroup_file		events_file;
	struct cgroup_file		events_local_file;

	/* Refusals by the max of this cgroup or of a descendant */
	atomic64_t			events;
	/* Refusals by the max of this cgroup */
	atomic64_t			events_local;
	/* Set once a refusal by this cgroup's max is logged; never cleared */
	atomic_t			logged;
};

static struct ioasids_cgroup *css_ioasids(struct cgroup_subsys_state *css)
{
	return container_of(css, struct ioasids_cgroup, css);
}

static struct ioasids_cgroup *parent_ioasids(struct ioasids_cgroup *ic)
{
	return ic->css.parent ? css_ioasids(ic->css.parent) : NULL;
}

static struct cgroup_subsys_state *
ioasids_css_alloc(struct cgroup_subsys_state *parent)
{
	struct ioasids_cgroup *ic;

	ic = kzalloc(sizeof(*ic), GFP_KERNEL);
	if (!ic)
		return ERR_PTR(-ENOMEM);

	atomic64_set(&ic->limit, IOASIDS_MAX);
	return &ic->css;
}

static void ioasids_css_free(struct cgroup_subsys_state *css)
{
	kfree(css_ioasids(css));
}

static void ioasids_update_watermark(struct ioasids_cgroup *ic, s64 usage)
{
	s64 old = atomic64_read(&ic->watermark);

	/* A lost race must not hide a higher peak, so no plain store. */
	while (usage > old) {
		if (atomic64_try_cmpxchg(&ic->watermark, &old, usage))
			break;
	}
}

static void ioasids_cancel(struct ioasids_cgroup *ic)
{
	/* A negative count is a bug in the charge accounting itself. */
	WARN_ON_ONCE(atomic64_dec_return(&ic->counter) < 0);
}

/*
 * Log the first refusal by @over's limit, once in the cgroup's life: like
 * pids.c, one line per cgroup rather than a global rate limit, so one
 * tenant at its cap cannot hide another's line. A write of ioasids.max does
 * not log again: whoever owns a delegated cgroup can write its max, and
 * could otherwise print a line per write. ioasids.events.local counts and
 * notifies every refusal. Only a css that is its cgroup's is named: one
 * that is not (replaced when the controller was disabled above it, or
 * built outside cgroupfs by the KUnit suites) has no ioasids.max file to
 * name. The path is built on the stack
 * (cgroup_path() is kernfs_path(), usable in any context): no global
 * buffer or lock, and one printk record.
 */
static void ioasids_log(struct ioasids_cgroup *over)
{
	struct cgroup *cgrp = over->css.cgroup;
	char path[256];

	/* a read first: a refusal already logged writes nothing more */
	if (atomic_read(&over->logged) ||
	    rcu_access_pointer(cgrp->subsys[ioasids_cgrp_id]) != &over->css ||
	    atomic_xchg(&over->logged, 1))
		return;
	cgroup_path(cgrp, path, sizeof(path));
	pr_info("%s[%d] refused an IOASID by ioasids.max (%lld) of %s\n",
		current->comm, task_pid_nr(current),
		(long long)atomic64_read(&over->limit), path);
}

/* Count a refusal by the max of @over, here and in every ancestor. */
static void ioasids_event(struct ioasids_cgroup *over)
{
	struct ioasids_cgroup *p;

	atomic64_inc(&over->events_local);
	cgroup_file_notify(&over->events_local_file);

	for (p = over; parent_ioasids(p); p = parent_ioasids(p)) {
		atomic64_inc(&p->events);
		cgroup_file_notify(&p->events_file);
	}

	ioasids_log(over);
}

/**
 * ioasids_try_charge() - charge one IOASID to a css and its ancestors
 * @css: the css to charge
 *
 * Reserves one unit at @css and at every ancestor below the root, which is
 * never charged and never limits. If one level is at its ioasids.max, the
 * levels already raised are lowered again and the refusal is counted in
 * ioasids.events from that level up. Once the IOASID exists, the caller
 * calls ioasids_commit_charge(); if it cannot get one,
 * ioasids_cancel_charge().
 *
 * Context: any context; the IOASID core calls it before it takes a lock.
 * Return: 0, or -ENOSPC if a limit refused the charge.
 */
int ioasids_try_charge(struct cgroup_subsys_state *css)
{
	struct ioasids_cgroup *ic = css_ioasids(css), *p, *q;

	for (p = ic; parent_ioasids(p); p = parent_ioasids(p)) {
		s64 limit = atomic64_read(&p->limit);
		s64 old = atomic64_read(&p->counter);

		do {
			if (old >= limit)
				goto refused;
		} while (!atomic64_try_cmpxchg(&p->counter, &old, old + 1));
	}
	return 0;

refused:
	for (q = ic; q != p; q = parent_ioasids(q))
		ioasids_cancel(q);
	ioasids_event(p);
	return -ENOSPC;
}

/**
 * ioasids_commit_charge() - count a charge that became an IOASID
 * @css: the css ioasids_try_charge() charged
 *
 * Raises ioasids.current along the path and ioasids.peak with it. Only
 * IOASIDs that exist are counted here, so neither file ever shows a charge
 * that an ancestor's limit or an exhausted space turned back.
 *
 * Context: interrupts enabled. The walk is as long as the hierarchy is
 * deep, and whoever owns a delegated subtree chooses its depth, so it must
 * not run under a lock taken with interrupts off.
 */
void ioasids_commit_charge(struct cgroup_subsys_state *css)
{
	struct ioasids_cgroup *p;

	lockdep_assert_irqs_enabled();

	for (p = css_ioasids(css); parent_ioasids(p); p = parent_ioasids(p))
		ioasids_update_watermark(p, atomic64_inc_return(&p->held));
}

/**
 * ioasids_cancel_charge() - return a charge that did not become an IOASID
 * @css: the css ioasids_try_charge() charged
 *
 * Context: any context.
 */
void ioasids_cancel_charge(struct cgroup_subsys_state *css)
{
	struct ioasids_cgroup *p;

	for (p = css_ioasids(css); parent_ioasids(p); p = parent_ioasids(p))
		ioasids_cancel(p);
}

/**
 * ioasids_uncharge() - return the charge of an IOASID that is freed
 * @css: the css that was charged, not the css of whoever frees the IOASID
 *
 * Undoes ioasids_try_charge() and ioasids_commit_charge(). The held count
 * goes down first, so it is never above the reservations at any level.
 *
 * Context: any context.
 */
void ioasids_uncharge(struct cgroup_subsys_state *css)
{
	struct ioasids_cgroup *p;

	for (p = css_ioasids(css); parent_ioasids(p); p = parent_ioasids(p)) {
		WARN_ON_ONCE(atomic64_dec_return(&p->held) < 0);
		ioasids_cancel(p);
	}
}

/**
 * ioasids_get_css() - the css an allocation by current is charged to
 *
 * Kernel threads allocate for the kernel, which is never limited; they and
 * a kernel booted with cgroup_disable=ioasids charge nothing.
 *
 * Context: process context.
 * Return: current's ioasids css with a reference held, or NULL.
 */
struct cgroup_subsys_state *ioasids_get_css(void)
{
	if (!cgroup_subsys_enabled(ioasids_cgrp_subsys) ||
	    (current->flags & PF_KTHREAD))
		return NULL;

	return task_get_css(current, ioasids_cgrp_id);
}

/**
 * ioasids_put_css() - drop the reference ioasids_get_css() returned
 * @css: the css, or NULL
 *
 * Context: any context.
 */
void ioasids_put_css(struct cgroup_subsys_state *css)
{
	if (css)
		css_put(css);
}

/*
 * Parse an ioasids.max write: "max" or a decimal count. Everything else,
 * signs, base prefixes, leading zeros, embedded NULs, values past the
 * largest possible space, is refused rather than guessed at.
 */
static int ioasids_parse_max(char *buf, size_t nbytes, s64 *max)
{
	u32 val;

	if (memchr(buf, '\0', nbytes))
		return -EINVAL;

	buf = strstrip(buf);
	if (!strcmp(buf, IOASIDS_MAX_STR)) {
		*max = IOASIDS_MAX;
		return 0;
	}

	if (!isdigit(buf[0]) || (buf[0] == '0' && buf[1]))
		return -EINVAL;
	/* kstrtou32() says -ERANGE on overflow; a bad write is -EINVAL. */
	if (kstrtou32(buf, 10, &val) || val > IOASID_CAPACITY_MAX)
		return -EINVAL;

	*max = val;
	return 0;
}

static ssize_t ioasids_max_write(struct kernfs_open_file *of, char *buf,
				 size_t nbytes, loff_t off)
{
	struct ioasids_cgroup *ic = css_ioasids(of_css(of));
	s64 max;
	int err;

	err = ioasids_parse_max(buf, nbytes, &max);
	if (err)
		return err;

	/*
	 * No lock: a charge reads the limit once per level, so every charge
	 * that starts after this store sees it. Lowering max below current
	 * only refuses new charges.
	 */
	atomic64_set(&ic->limit, max);
	return nbytes;
}

static int ioasids_max_show(struct seq_file *sf, void *v)
{
	s64 max = atomic64_read(&css_ioasids(seq_css(sf))->limit);

	if (max >= IOASIDS_MAX)
		seq_puts(sf, IOASIDS_MAX_STR "\n");
	else
		seq_printf(sf, "%lld\n", max);
	return 0;
}

static s64 ioasids_current_read(struct cgroup_subsys_state *css,
				struct cftype *cft)
{
	/* The root is never charged: it reports the whole space. */
	if (!css->parent)
		return ioasid_in_use();

	return atomic64_read(&css_ioasids(css)->held);
}

static s64 ioasids_peak_read(struct cgroup_subsys_state *css,
			     struct cftype *cft)
{
	return atomic64_read(&css_ioasids(css)->watermark);
}

static s64 ioasids_capacity_read(struct cgroup_subsys_state *css,
				 struct cftype *cft)
{
	return ioasid_capacity();
}

static int ioasids_events_show(struct seq_file *sf, void *v)
{
	struct ioasids_cgroup *ic = css_ioasids(seq_css(sf));

	seq_printf(sf, "max %lld\n", (s64)atomic64_read(&ic->events));
	return 0;
}

static int ioasids_events_local_show(struct seq_file *sf, void *v)
{
	struct ioasids_cgroup *ic = css_ioasids(seq_css(sf));

	seq_printf(sf, "max %lld\n", (s64)atomic64_read(&ic->events_local));
	return 0;
}

static struct cftype ioasids_files[] = {
	{
		.name = "max",
		.write = ioasids_max_write,
		.seq_show = ioasids_max_show,
		.flags = CFTYPE_NOT_ON_ROOT,
	},
	{
		.name = "current",
		.read_s64 = ioasids_current_read,
	},
	{
		.name = "peak",
		.read_s64 = ioasids_peak_read,
		.flags = CFTYPE_NOT_ON_ROOT,
	},
	{
		.name = "events",
		.seq_show = ioasids_events_show,
		.file_offset = offsetof(struct ioasids_cgroup, events_file),
		.flags = CFTYPE_NOT_ON_ROOT,
	},
	{
		.name = "events.local",
		.seq_show = ioasids_events_local_show,
		.file_offset = offsetof(struct ioasids_cgroup, events_local_file),
		.flags = CFTYPE_NOT_ON_ROOT,
	},
	{
		.name = "capacity",
		.read_s64 = ioasids_capacity_read,
		.flags = CFTYPE_ONLY_ON_ROOT,
	},
	{ }	/* terminate */
};

/*
 * As for pids, v1 gets no events.local. Unlike pids, whose v1 events stays
 * local for its own history, events counts the same on both: ioasids has
 * no v1 history to keep.
 */
static struct cftype ioasids_files_legacy[] = {
	{
		.name = "max",
		.write = ioasids_max_write,
		.seq_show = ioasids_max_show,
		.flags = CFTYPE_NOT_ON_ROOT,
	},
	{
		.name = "current",
		.read_s64 = ioasids_current_read,
	},
	{
		.name = "peak",
		.read_s64 = ioasids_peak_read,
		.flags = CFTYPE_NOT_ON_ROOT,
	},
	{
		.name = "events",
		.seq_show = ioasids_events_show,
		.file_offset = offsetof(struct ioasids_cgroup, events_file),
		.flags = CFTYPE_NOT_ON_ROOT,
	},
	{
		.name = "capacity",
		.read_s64 = ioasids_capacity_read,
		.flags = CFTYPE_ONLY_ON_ROOT,
	},
	{ }	/* terminate */
};

/*
 * A domain controller, not a threaded one as pids is: a PASID belongs to an
 * address space (SVA) or to an open file (/dev/ioasid), which all threads of
 * a process share, so the threads of one process must not sit in different
 * ioasids cgroups and charge whichever of them made the call.
 */
struct cgroup_subsys ioasids_cgrp_subsys = {
	.css_alloc	= ioasids_css_alloc,
	.css_free	= ioasids_css_free,
	.legacy_cftypes	= ioasids_files_legacy,
	.dfl_cftypes	= ioasids_files,
};
