// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suites for the IOASID core and the ioasids cgroup controller.
 *
 * The controller's charge path only follows css->parent, so the suites build
 * private hierarchies of ioasids css under the real root css, with the
 * controller's own css_alloc(), and drive them directly: no cgroupfs, no
 * task migration. They read and write a css's ioasids.* files through the
 * controller's own cftype handlers, as cgroupfs calls them, so the suites
 * need nothing from the controller but its cgroup_subsys. What a user sees
 * through cgroupfs and /dev/ioasid is the kselftest's job.
 *
 * KUnit runs in a kernel thread, which is never charged: the suites allocate
 * through ioasid_alloc_as() and ioasid_alloc_global_as(), which the core's
 * entry points call with the calling task's css, and say which css the
 * allocating task is in; "moving" that task is passing another css.
 */

#include <kunit/test.h>
#include <linux/cgroup.h>
#include <linux/cgroup_ioasids.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/ioasid.h>
#include <linux/kernfs.h>
#include <linux/kthread.h>
#include <linux/preempt.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define DEPTH 3

static struct cgroup_subsys_state *root_css(void)
{
	return init_css_set.subsys[ioasids_cgrp_id];
}

static void free_fake_css(void *css)
{
	ioasids_cgrp_subsys.css_free(css);
}

/* A css of the controller, child of @parent, outside any real cgroup. */
static struct cgroup_subsys_state *fake_css(struct kunit *test,
					    struct cgroup_subsys_state *parent)
{
	struct cgroup_subsys_state *css;

	/* without the controller, its files have no handlers to drive */
	if (!cgroup_subsys_enabled(ioasids_cgrp_subsys))
		kunit_skip(test, "booted with cgroup_disable=ioasids");
	css = ioasids_cgrp_subsys.css_alloc(parent);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, css);
	css->ss = &ioasids_cgrp_subsys;
	css->parent = parent;
	css->cgroup = parent->cgroup;
	/* css_get()/css_put() are no-ops: the test owns its lifetime. */
	css->flags = CSS_NO_REF;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_fake_css,
							   css));
	return css;
}

/* h[0] is the top level, h[DEPTH - 1] the leaf tasks allocate from. */
static void fake_hierarchy(struct kunit *test,
			   struct cgroup_subsys_state *h[DEPTH])
{
	struct cgroup_subsys_state *parent = root_css();
	int i;

	for (i = 0; i < DEPTH; i++) {
		h[i] = fake_css(test, parent);
		parent = h[i];
	}
}

/* ---- the ioasids.* files of a css --------------------------------------- */

static struct cftype *cft_max, *cft_current, *cft_peak, *cft_events,
		     *cft_events_local;

static struct cftype *ioasids_cft(const char *name)
{
	struct cftype *cft;

	for (cft = ioasids_cgrp_subsys.dfl_cftypes; cft->name[0]; cft++)
		if (!strcmp(cft->name, name))
			return cft;
	return NULL;
}

static int find_files(struct kunit_suite *suite)
{
	cft_max = ioasids_cft("max");
	cft_current = ioasids_cft("current");
	cft_peak = ioasids_cft("peak");
	cft_events = ioasids_cft("events");
	cft_events_local = ioasids_cft("events.local");
	if (!cft_max || !cft_current || !cft_peak || !cft_events ||
	    !cft_events_local)
		return -ENOENT;
	return 0;
}

/* ioasids.current and ioasids.peak; safe from any thread of a test */
static s64 usage(struct cgroup_subsys_state *css)
{
	return cft_current->read_s64(css, cft_current);
}

static s64 peak(struct cgroup_subsys_state *css)
{
	return cft_peak->read_s64(css, cft_peak);
}

/*
 * An open file @cft of @css, as of_css() finds it from a kernfs handler: the
 * file's parent kernfs node is its cgroup, here a stand-in whose ioasids
 * css is @css (a fake css keeps its parent's cgroup as css->cgroup).
 */
struct open_file {
	struct kernfs_node dir;
	struct kernfs_node kn;
	struct kernfs_open_file of;
	struct seq_file sf;
	char buf[64];
};

static struct open_file *open_file(struct kunit *test,
				   struct cgroup_subsys_state *css,
				   struct cftype *cft)
{
	struct open_file *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct cgroup *cgrp = kunit_kzalloc(test, sizeof(*cgrp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_NOT_NULL(test, cgrp);
	rcu_assign_pointer(cgrp->subsys[ioasids_cgrp_id], css);
	f->dir.priv = cgrp;
	f->kn.parent = &f->dir;
	f->kn.priv = cft;
	f->of.kn = &f->kn;
	f->sf.private = &f->of;
	f->sf.buf = f->buf;
	f->sf.size = sizeof(f->buf);
	return f;
}

/* What a read of file @cft of @css shows. */
static const char *show(struct kunit *test, struct cgroup_subsys_state *css,
			struct cftype *cft)
{
	struct open_file *f = open_file(test, css, cft);

	KUNIT_ASSERT_EQ(test, 0, cft->seq_show(&f->sf, NULL));
	KUNIT_ASSERT_LT(test, f->sf.count, sizeof(f->buf));
	f->buf[f->sf.count] = '\0';
	return f->buf;
}

/* ioasids.events or ioasids.events.local: its one "max N" line */
static s64 events_of(struct kunit *test, struct cgroup_subsys_state *css,
		     struct cftype *cft)
{
	const char *s = show(test, css, cft);
	s64 n;

	KUNIT_ASSERT_TRUE_MSG(test, str_has_prefix(s, "max "), "'%s'", s);
	KUNIT_ASSERT_EQ_MSG(test, 0, kstrtos64(s + 4, 10, &n), "'%s'", s);
	return n;
}

static s64 events(struct kunit *test, struct cgroup_subsys_state *css)
{
	return events_of(test, css, cft_events);
}

static s64 events_local(struct kunit *test, struct cgroup_subsys_state *css)
{
	return events_of(test, css, cft_events_local);
}

/*
 * Write @len bytes of @s to ioasids.max of @css, as kernfs passes a write:
 * a NUL-terminated copy. Return what the handler returns.
 */
static ssize_t write_max(struct kunit *test, struct cgroup_subsys_state *css,
			 const char *s, size_t len)
{
	struct open_file *f = open_file(test, css, cft_max);
	char *buf = kunit_kzalloc(test, len + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, s, len);
	return cft_max->write(&f->of, buf, len, 0);
}

/* Set ioasids.max of @css to @max, or to "max" if @max < 0. */
static void set_max(struct kunit *test, struct cgroup_subsys_state *css,
		    s64 max)
{
	char buf[24];
	int len;

	if (max < 0)
		len = scnprintf(buf, sizeof(buf), "max");
	else
		len = scnprintf(buf, sizeof(buf), "%lld", max);
	KUNIT_ASSERT_EQ(test, (ssize_t)len, write_max(test, css, buf, len));
}

#define UNLIMITED (-1)

/* What the ioasids.* files of @css show. */
struct ioasids_stat {
	s64 usage;
	s64 peak;
	s64 events;
	s64 events_local;
};

static struct ioasids_stat stat(struct kunit *test,
				struct cgroup_subsys_state *css)
{
	return (struct ioasids_stat) {
		.usage = usage(css),
		.peak = peak(css),
		.events = events(test, css),
		.events_local = events_local(test, css),
	};
}

/* ---- the controller ---------------------------------------------------- */

/* What the core does for an IOASID it got: charge, then commit. */
static int charge(struct cgroup_subsys_state *css)
{
	int ret = ioasids_try_charge(css);

	if (!ret)
		ioasids_commit_charge(css);
	return ret;
}

/*
 * With ioasids.max of @css at @limit, exactly @limit minus what it holds can
 * be charged there: so nothing is reserved beyond what ioasids.current shows.
 * Counts one refusal in ioasids.events.
 */
static void expect_room(struct kunit *test, struct cgroup_subsys_state *css,
			s64 limit)
{
	s64 i, room = limit - usage(css);

	set_max(test, css, limit);
	for (i = 0; i < room; i++)
		KUNIT_EXPECT_EQ_MSG(test, 0, charge(css), "charge %lld of %lld",
				    i + 1, room);
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasids_try_charge(css));
	for (i = 0; i < room; i++)
		ioasids_uncharge(css);
	set_max(test, css, UNLIMITED);
}

/* Write @in to ioasids.max of @css and check it is taken whole. */
static void expect_max(struct kunit *test, struct cgroup_subsys_state *css,
		       const char *in, const char *shown)
{
	KUNIT_EXPECT_EQ_MSG(test, (ssize_t)strlen(in),
			    write_max(test, css, in, strlen(in)),
			    "input '%s'", in);
	KUNIT_EXPECT_STREQ_MSG(test, shown, show(test, css, cft_max),
			       "input '%s'", in);
}

static void parse_max_accepts(struct kunit *test)
{
	static const struct { const char *in, *shown; } ok[] = {
		{ "0", "0\n" }, { "1", "1\n" }, { "7\n", "7\n" },
		{ " 42 ", "42\n" }, { "1048575", "1048575\n" },
		{ "max", "max\n" }, { "5", "5\n" }, { "max\n", "max\n" },
	};
	struct cgroup_subsys_state *css = fake_css(test, root_css());
	int i;

	/* a new cgroup has no limit */
	KUNIT_EXPECT_STREQ(test, "max\n", show(test, css, cft_max));
	for (i = 0; i < ARRAY_SIZE(ok); i++)
		expect_max(test, css, ok[i].in, ok[i].shown);
}

static void parse_max_refuses(struct kunit *test)
{
	static const char * const bad[] = {
		"", " ", "\n", "-1", "-0", "+5", "0x10", "010", "00", "1.5",
		"5x", "5 5", "max5", "MAX", "maxx", "infinity", "1e3",
		"1048576", "4294967296", "18446744073709551616", "0b1",
	};
	struct cgroup_subsys_state *css = fake_css(test, root_css());
	int i;

	set_max(test, css, 1234);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, (ssize_t)-EINVAL,
				    write_max(test, css, bad[i], strlen(bad[i])),
				    "input '%s'", bad[i]);
		KUNIT_EXPECT_STREQ(test, "1234\n", show(test, css, cft_max));
	}
	/* an embedded NUL must not hide trailing garbage */
	KUNIT_EXPECT_EQ(test, (ssize_t)-EINVAL,
			write_max(test, css, "5\0junk", 6));
	KUNIT_EXPECT_STREQ(test, "1234\n", show(test, css, cft_max));
}

static void charge_walks_every_ancestor(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	int i;

	fake_hierarchy(test, h);
	KUNIT_ASSERT_EQ(test, 0, charge(h[DEPTH - 1]));
	KUNIT_ASSERT_EQ(test, 0, charge(h[1]));
	KUNIT_EXPECT_EQ(test, 2, usage(h[0]));
	KUNIT_EXPECT_EQ(test, 2, usage(h[1]));
	KUNIT_EXPECT_EQ(test, 1, usage(h[2]));

	ioasids_uncharge(h[DEPTH - 1]);
	ioasids_uncharge(h[1]);
	for (i = 0; i < DEPTH; i++) {
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
		KUNIT_EXPECT_EQ(test, 0, stat(test, h[i]).events);
	}
	KUNIT_EXPECT_EQ(test, 2, stat(test, h[0]).peak);
	KUNIT_EXPECT_EQ(test, 1, stat(test, h[2]).peak);
}

/*
 * For each level: put that level at its max, charge the leaf, and check the
 * charge is refused, every level is back where it was, and the refusal is
 * counted at that level and above only.
 */
static void rollback_at_each_level(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	struct ioasids_stat before[DEPTH], after;
	int level, i;

	fake_hierarchy(test, h);
	/* two IDs charged at the leaf, so every level holds 2 */
	KUNIT_ASSERT_EQ(test, 0, charge(h[DEPTH - 1]));
	KUNIT_ASSERT_EQ(test, 0, charge(h[DEPTH - 1]));

	for (level = DEPTH - 1; level >= 0; level--) {
		for (i = 0; i < DEPTH; i++)
			before[i] = stat(test, h[i]);

		set_max(test, h[level], 2);
		KUNIT_EXPECT_EQ_MSG(test, -ENOSPC,
				    ioasids_try_charge(h[DEPTH - 1]),
				    "limit at level %d", level);
		set_max(test, h[level], UNLIMITED);

		for (i = 0; i < DEPTH; i++) {
			after = stat(test, h[i]);
			KUNIT_EXPECT_EQ_MSG(test, 2, after.usage,
					    "level %d after refusal at %d", i,
					    level);
			KUNIT_EXPECT_EQ(test, before[i].peak, after.peak);
			KUNIT_EXPECT_EQ_MSG(test,
					    before[i].events + (i <= level),
					    after.events, "level %d, limit %d",
					    i, level);
			KUNIT_EXPECT_EQ_MSG(test,
					    before[i].events_local + (i == level),
					    after.events_local,
					    "level %d, limit %d", i, level);
		}
	}

	/* nothing stays reserved by the refused charges */
	for (i = 0; i < DEPTH; i++)
		expect_room(test, h[i], 3);
	ioasids_uncharge(h[DEPTH - 1]);
	ioasids_uncharge(h[DEPTH - 1]);
	for (i = 0; i < DEPTH; i++)
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
}

static void max_zero_refuses_everything(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];

	fake_hierarchy(test, h);
	set_max(test, h[0], 0);
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasids_try_charge(h[DEPTH - 1]));
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasids_try_charge(h[0]));
	KUNIT_EXPECT_EQ(test, 0, usage(h[0]));
	KUNIT_EXPECT_EQ(test, 2, stat(test, h[0]).events_local);
}

static void lowered_max_keeps_usage(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	int i;

	fake_hierarchy(test, h);
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, 0, charge(h[1]));

	set_max(test, h[1], 2);
	KUNIT_EXPECT_EQ(test, 4, usage(h[1]));
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasids_try_charge(h[2]));
	KUNIT_EXPECT_EQ(test, 4, usage(h[1]));
	KUNIT_EXPECT_EQ(test, 0, usage(h[2]));

	/* back under the new max, charges succeed again */
	for (i = 0; i < 3; i++)
		ioasids_uncharge(h[1]);
	KUNIT_EXPECT_EQ(test, 0, charge(h[2]));
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasids_try_charge(h[2]));
	ioasids_uncharge(h[2]);
	ioasids_uncharge(h[1]);
	KUNIT_EXPECT_EQ(test, 0, usage(h[0]));
	KUNIT_EXPECT_EQ(test, 4, stat(test, h[1]).peak);
}

static void kernel_threads_charge_nothing(struct kunit *test)
{
	/* KUnit cases run in a kernel thread */
	KUNIT_ASSERT_TRUE(test, current->flags & PF_KTHREAD);
	KUNIT_EXPECT_NULL(test, ioasids_get_css());
}

static struct kunit_case ioasids_cgroup_cases[] = {
	KUNIT_CASE(parse_max_accepts),
	KUNIT_CASE(parse_max_refuses),
	KUNIT_CASE(charge_walks_every_ancestor),
	KUNIT_CASE(rollback_at_each_level),
	KUNIT_CASE(max_zero_refuses_everything),
	KUNIT_CASE(lowered_max_keeps_usage),
	KUNIT_CASE(kernel_threads_charge_nothing),
	{}
};

static struct kunit_suite ioasids_cgroup_suite = {
	.name = "ioasids_cgroup",
	.suite_init = find_files,
	.test_cases = ioasids_cgroup_cases,
};

/* ---- the core ----------------------------------------------------------- */

static void free_set(void *set)
{
	ioasid_set_free(set);
}

static struct ioasid_set *new_set(struct kunit *test, enum ioasid_set_type t)
{
	struct ioasid_set *set = ioasid_set_alloc(t);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, set);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_set,
							   set));
	return set;
}

static void capacity_edges(struct kunit *test)
{
	struct ioasid_set *set = new_set(test, IOASID_SET_KERNEL);
	ioasid_t cap = ioasid_capacity(), over = cap + 1, id = 0;
	ioasid_t first = ioasid_min_id();

	KUNIT_ASSERT_GE(test, cap, 2U);
	KUNIT_ASSERT_GE(test, first, 1U);
	KUNIT_ASSERT_LE(test, first, cap / 2 + 1);
	KUNIT_ASSERT_LE(test, cap, IOASID_CAPACITY_MAX);

	/* the last ID is allocatable, once */
	KUNIT_EXPECT_EQ(test, 0, ioasid_alloc(set, cap, cap, &id));
	KUNIT_EXPECT_EQ(test, cap, id);
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc(set, cap, cap, &id));
	KUNIT_EXPECT_EQ(test, 0, ioasid_alloc(set, cap - 1, cap, &id));
	KUNIT_EXPECT_EQ(test, cap - 1, id);
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc(set, cap - 1, cap, &id));

	/* ranges outside [min_id, capacity], or empty, are refused */
	KUNIT_EXPECT_EQ(test, -EINVAL, ioasid_alloc(set, cap, over, &id));
	KUNIT_EXPECT_EQ(test, -EINVAL, ioasid_alloc(set, over, over, &id));
	KUNIT_EXPECT_EQ(test, -EINVAL, ioasid_alloc(set, 0, 1, &id));
	KUNIT_EXPECT_EQ(test, -EINVAL, ioasid_alloc(set, first + 1, first, &id));
	KUNIT_EXPECT_EQ(test, -EINVAL, ioasid_alloc(set, 0, U32_MAX, &id));
	/* the IOMMU layer's low IDs are not for sets */
	KUNIT_EXPECT_EQ(test, -EINVAL, ioasid_alloc(set, first - 1, cap, &id));

	/* the first ID is allocatable; 0/0 means the whole range, never 0 */
	KUNIT_EXPECT_EQ(test, 0, ioasid_alloc(set, first, first, &id));
	KUNIT_EXPECT_EQ(test, first, id);
	KUNIT_EXPECT_EQ(test, 0, ioasid_alloc(set, 0, 0, &id));
	KUNIT_EXPECT_GT(test, id, first);
	KUNIT_EXPECT_LT(test, id, cap - 1);
}

static void sets_own_their_ids(struct kunit *test)
{
	struct ioasid_set *a = new_set(test, IOASID_SET_KERNEL);
	struct ioasid_set *b = new_set(test, IOASID_SET_KERNEL);
	unsigned int start = ioasid_in_use();
	ioasid_t ida, idb;

	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc(a, 0, 0, &ida));
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc(b, 0, 0, &idb));
	KUNIT_EXPECT_NE(test, ida, idb);
	KUNIT_EXPECT_EQ(test, start + 2, ioasid_in_use());

	KUNIT_EXPECT_EQ(test, -ENOENT, ioasid_free(b, ida));
	KUNIT_EXPECT_EQ(test, -ENOENT, ioasid_free(a, 0));
	KUNIT_EXPECT_EQ(test, start + 2, ioasid_in_use());
	KUNIT_EXPECT_EQ(test, 0, ioasid_free(a, ida));
	KUNIT_EXPECT_EQ(test, -ENOENT, ioasid_free(a, ida));
	KUNIT_EXPECT_EQ(test, start + 1, ioasid_in_use());
}

static void set_free_releases_everything(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	struct ioasid_set *set = ioasid_set_alloc(IOASID_SET_USER);
	unsigned int start = ioasid_in_use();
	ioasid_t id;
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, set);
	fake_hierarchy(test, h);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, 0, ioasid_alloc_as(set, 1, ioasid_capacity(),
							 h[DEPTH - 1], &id));
	KUNIT_EXPECT_EQ(test, 10, usage(h[0]));
	KUNIT_EXPECT_EQ(test, start + 10, ioasid_in_use());

	ioasid_set_free(set);
	for (i = 0; i < DEPTH; i++)
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
	KUNIT_EXPECT_EQ(test, start, ioasid_in_use());
}

struct free_work {
	struct work_struct work;
	struct ioasid_set *set;		/* NULL: a global PASID */
	ioasid_t id;
	int ret;
};

static void free_from_worker(struct work_struct *work)
{
	struct free_work *fw = container_of(work, struct free_work, work);

	fw->ret = fw->set ? ioasid_free(fw->set, fw->id) : ioasid_free_global(fw->id);
}

/* Free @id of @set (NULL: a global PASID) from a kworker, and wait. */
static int free_in_worker(struct ioasid_set *set, ioasid_t id)
{
	struct free_work fw = { .set = set, .id = id, .ret = -1 };

	INIT_WORK_ONSTACK(&fw.work, free_from_worker);
	queue_work(system_unbound_wq, &fw.work);
	flush_work(&fw.work);
	destroy_work_on_stack(&fw.work);
	return fw.ret;
}

/*
 * The charge goes back to the css recorded at allocation, not to the css of
 * whatever context frees: here a kworker in the root cgroup.
 */
static void uncharge_to_recorded_css(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH], *other;
	struct ioasid_set *set = new_set(test, IOASID_SET_USER);
	ioasid_t id;
	int i;

	fake_hierarchy(test, h);
	other = fake_css(test, h[0]);
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc_as(set, 1, ioasid_capacity(),
						 h[DEPTH - 1], &id));
	for (i = 0; i < DEPTH; i++)
		KUNIT_EXPECT_EQ(test, 1, usage(h[i]));
	KUNIT_EXPECT_EQ(test, 0, usage(other));

	KUNIT_EXPECT_EQ(test, 0, free_in_worker(set, id));
	for (i = 0; i < DEPTH; i++)
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
	KUNIT_EXPECT_EQ(test, 0, usage(other));
}

/* A full range refuses the allocation and leaves nothing charged. */
static void full_space_rolls_back_charge(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	struct ioasid_set *kset = new_set(test, IOASID_SET_KERNEL);
	struct ioasid_set *uset = new_set(test, IOASID_SET_USER);
	ioasid_t cap = ioasid_capacity(), id;
	unsigned int start;
	int i;

	fake_hierarchy(test, h);
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc(kset, cap - 1, cap - 1, &id));
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc(kset, cap, cap, &id));
	start = ioasid_in_use();

	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc_as(uset, cap - 1, cap,
						       h[DEPTH - 1], &id));
	for (i = 0; i < DEPTH; i++) {
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
		KUNIT_EXPECT_EQ(test, 0, stat(test, h[i]).peak);
		/* an exhausted space is not a limit hit */
		KUNIT_EXPECT_EQ(test, 0, stat(test, h[i]).events);
	}
	KUNIT_EXPECT_EQ(test, start, ioasid_in_use());
	expect_room(test, h[DEPTH - 1], 1);
}

/* A limit refuses before the space is touched. */
static void limit_refusal_takes_no_id(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	struct ioasid_set *set;
	unsigned int start = ioasid_in_use();
	ioasid_t id;

	/* the set, freed first at the end, returns its charge to live css */
	fake_hierarchy(test, h);
	set = new_set(test, IOASID_SET_USER);
	set_max(test, h[1], 1);
	KUNIT_EXPECT_EQ(test, 0, ioasid_alloc_as(set, 1, ioasid_capacity(),
						 h[DEPTH - 1], &id));
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc_as(set, 1, ioasid_capacity(),
						       h[DEPTH - 1], &id));
	KUNIT_EXPECT_EQ(test, start + 1, ioasid_in_use());
	KUNIT_EXPECT_EQ(test, 1, usage(h[DEPTH - 1]));
	KUNIT_EXPECT_EQ(test, 1, stat(test, h[1]).events_local);
}

static void kernel_allocations_are_not_limited(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	struct ioasid_set *set = new_set(test, IOASID_SET_USER);
	struct ioasid_set *kset = new_set(test, IOASID_SET_KERNEL);
	unsigned int start = ioasid_in_use();
	ioasid_t id;
	int i;

	/* a kernel thread allocating through a user set is not charged */
	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_EQ(test, 0, ioasid_alloc(set, 0, 0, &id));
	KUNIT_EXPECT_EQ(test, start + 20, ioasid_in_use());

	/* a kernel set is charged to nobody, whoever allocates */
	fake_hierarchy(test, h);
	set_max(test, h[DEPTH - 1], 0);
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_EQ(test, 0, ioasid_alloc_as(kset, ioasid_min_id(),
							 ioasid_capacity(),
							 h[DEPTH - 1], &id));
	KUNIT_EXPECT_EQ(test, start + 25, ioasid_in_use());
	for (i = 0; i < DEPTH; i++)
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
	KUNIT_EXPECT_EQ(test, 0, stat(test, h[DEPTH - 1]).events);
	KUNIT_EXPECT_EQ(test, -EINVAL, (int)PTR_ERR(ioasid_set_alloc(7)));
}

static struct kunit_case ioasid_core_cases[] = {
	KUNIT_CASE(capacity_edges),
	KUNIT_CASE(sets_own_their_ids),
	KUNIT_CASE(set_free_releases_everything),
	KUNIT_CASE(uncharge_to_recorded_css),
	KUNIT_CASE(full_space_rolls_back_charge),
	KUNIT_CASE(limit_refusal_takes_no_id),
	KUNIT_CASE(kernel_allocations_are_not_limited),
	{}
};

static struct kunit_suite ioasid_core_suite = {
	.name = "ioasid_core",
	.suite_init = find_files,
	.test_cases = ioasid_core_cases,
};

/* ---- the IOMMU layer's PASIDs: global and SVA ---------------------------- */

/*
 * What an SVA bind does for its mm, and what iommu_alloc_global_pasid() does
 * for a driver, in a task of @task_css.
 */
static int sva_pasid(struct cgroup_subsys_state *task_css, ioasid_t *id)
{
	return ioasid_alloc_global_as(IOASID_SET_USER, 1U << 20, task_css, id);
}

static int driver_pasid(struct cgroup_subsys_state *task_css, ioasid_t *id)
{
	return ioasid_alloc_global_as(IOASID_SET_KERNEL, 1U << 20, task_css,
				      id);
}

static void free_global(void *id)
{
	ioasid_free_global((ioasid_t)(uintptr_t)id);
}

/* Free @id when the test ends, if the test did not. */
static void defer_free_global(struct kunit *test, ioasid_t id)
{
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_global,
							   (void *)(uintptr_t)id));
}

static void sva_bind_charges_the_binding_task(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH], *sibling;
	unsigned int start = ioasid_in_use();
	ioasid_t id;
	int i;

	fake_hierarchy(test, h);
	sibling = fake_css(test, h[0]);

	KUNIT_ASSERT_EQ(test, 0, sva_pasid(h[DEPTH - 1], &id));
	KUNIT_EXPECT_GE(test, id, 1U);
	KUNIT_EXPECT_LE(test, id, ioasid_capacity());
	for (i = 0; i < DEPTH; i++) {
		KUNIT_EXPECT_EQ(test, 1, usage(h[i]));
		KUNIT_EXPECT_EQ(test, 1, stat(test, h[i]).peak);
	}
	KUNIT_EXPECT_EQ(test, 0, usage(sibling));
	KUNIT_EXPECT_EQ(test, start + 1, ioasid_in_use());

	KUNIT_EXPECT_EQ(test, 0, ioasid_free_global(id));
	for (i = 0; i < DEPTH; i++)
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
	KUNIT_EXPECT_EQ(test, start, ioasid_in_use());
	KUNIT_EXPECT_EQ(test, -ENOENT, ioasid_free_global(id));
}

/* Over the limit, a bind gets what an exhausted space gives: -ENOSPC. */
static void sva_bind_over_the_limit_is_enospc(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	unsigned int start = ioasid_in_use();
	ioasid_t id, refused;

	fake_hierarchy(test, h);
	set_max(test, h[1], 1);

	KUNIT_ASSERT_EQ(test, 0, sva_pasid(h[DEPTH - 1], &id));
	defer_free_global(test, id);
	KUNIT_EXPECT_EQ(test, -ENOSPC, sva_pasid(h[DEPTH - 1], &refused));
	KUNIT_EXPECT_EQ(test, start + 1, ioasid_in_use());
	KUNIT_EXPECT_EQ(test, 1, usage(h[DEPTH - 1]));
	KUNIT_EXPECT_EQ(test, 1, stat(test, h[1]).events_local);
	KUNIT_EXPECT_EQ(test, 1, stat(test, h[0]).events);
	KUNIT_EXPECT_EQ(test, 0, stat(test, h[0]).events_local);
}

/*
 * The task binds, moves to another cgroup, and the mm is dropped by someone
 * else (here a kworker): the charge goes back where it was taken.
 */
static void sva_uncharge_after_migration_elsewhere(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH], *moved_to;
	ioasid_t first, second;
	int i;

	fake_hierarchy(test, h);
	moved_to = fake_css(test, root_css());
	KUNIT_ASSERT_EQ(test, 0, sva_pasid(h[DEPTH - 1], &first));

	KUNIT_ASSERT_EQ(test, 0, sva_pasid(moved_to, &second));
	defer_free_global(test, second);
	KUNIT_EXPECT_EQ(test, 1, usage(h[DEPTH - 1]));
	KUNIT_EXPECT_EQ(test, 1, usage(moved_to));

	KUNIT_EXPECT_EQ(test, 0, free_in_worker(NULL, first));
	for (i = 0; i < DEPTH; i++)
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
	KUNIT_EXPECT_EQ(test, 1, usage(moved_to));
}

/*
 * __mmdrop() can run with preemption disabled, so the free path must not
 * sleep. With DEBUG_ATOMIC_SLEEP a sleep here is reported in the kernel
 * log, which fails the boot.
 */
static void sva_pasid_freed_with_preemption_off(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	ioasid_t id;
	int ret;

	fake_hierarchy(test, h);
	KUNIT_ASSERT_EQ(test, 0, sva_pasid(h[DEPTH - 1], &id));

	preempt_disable();
	ret = ioasid_free_global(id);
	preempt_enable();

	KUNIT_EXPECT_EQ(test, 0, ret);
	KUNIT_EXPECT_EQ(test, 0, usage(h[0]));
}

/* A driver's PASID is the kernel's, whatever cgroup probes the driver. */
static void driver_pasids_are_never_limited(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	unsigned int start = ioasid_in_use();
	ioasid_t id;
	int i;

	fake_hierarchy(test, h);
	set_max(test, h[DEPTH - 1], 0);

	KUNIT_EXPECT_EQ(test, -ENOSPC, sva_pasid(h[DEPTH - 1], &id));
	for (i = 0; i < 10; i++) {
		KUNIT_ASSERT_EQ(test, 0, driver_pasid(h[DEPTH - 1], &id));
		defer_free_global(test, id);
	}
	KUNIT_EXPECT_EQ(test, start + 10, ioasid_in_use());
	for (i = 0; i < DEPTH; i++)
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
	KUNIT_EXPECT_EQ(test, -EINVAL, ioasid_alloc_global(7, 1U << 20, &id));
}

/* A PASID is below the device's max_pasids, never 0, never over capacity. */
static void pasids_stay_below_max_pasids(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH], *task;
	unsigned int start = ioasid_in_use();
	ioasid_t id;
	int i;

	fake_hierarchy(test, h);
	task = h[DEPTH - 1];

	/* no PASID support, or PASID 0 only */
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc_global(IOASID_SET_KERNEL,
							   0, &id));
	KUNIT_EXPECT_EQ(test, -ENOSPC,
			ioasid_alloc_global_as(IOASID_SET_USER, 1, task, &id));

	/* a device with 4 PASIDs can have 1, 2 and 3 */
	for (i = 1; i <= 3; i++) {
		enum ioasid_set_type type = i == 2 ? IOASID_SET_USER :
						     IOASID_SET_KERNEL;

		KUNIT_ASSERT_EQ(test, 0,
				ioasid_alloc_global_as(type, 4, task, &id));
		defer_free_global(test, id);
		KUNIT_EXPECT_EQ(test, (ioasid_t)i, id);
	}
	KUNIT_EXPECT_EQ(test, -ENOSPC,
			ioasid_alloc_global_as(IOASID_SET_USER, 4, task, &id));
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc_global(IOASID_SET_KERNEL,
							   4, &id));
	/* a full device range leaves no charge behind */
	KUNIT_EXPECT_EQ(test, 1, usage(task));
	KUNIT_EXPECT_EQ(test, start + 3, ioasid_in_use());
	expect_room(test, task, 2);

	/* a device wider than the space is held to the space */
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc_global(IOASID_SET_KERNEL,
						     U32_MAX, &id));
	defer_free_global(test, id);
	KUNIT_EXPECT_LE(test, id, ioasid_capacity());
}

/*
 * A set cannot take the low IDs that devices with few PASIDs depend on, so a
 * tenant, however high its limit, cannot starve them.
 */
static void sets_cannot_take_the_low_ids(struct kunit *test)
{
	struct ioasid_set *set = new_set(test, IOASID_SET_USER);
	ioasid_t first = ioasid_min_id(), id;

	if (first == 1)
		kunit_skip(test, "booted with ioasid.reserved=0");
	KUNIT_EXPECT_EQ(test, -EINVAL, ioasid_alloc(set, 1, 3, &id));
	KUNIT_EXPECT_EQ(test, -EINVAL, ioasid_alloc(set, 1, first, &id));
	KUNIT_EXPECT_EQ(test, -EINVAL, ioasid_alloc(set, first - 1, first - 1, &id));
	/* filling every ID a set may have leaves a 4-PASID device its 3 */
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc(set, 0, 0, &id));
	KUNIT_EXPECT_EQ(test, first, id);
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc_global(IOASID_SET_KERNEL, 4, &id));
	defer_free_global(test, id);
	KUNIT_EXPECT_LE(test, id, 3U);
}

/*
 * An mm has one PASID for every device it is bound to, and a bind to a
 * device whose max_pasids is not above it fails: so an SVA PASID is the
 * lowest free one, from 1, whatever the width of the device it is first
 * bound to, and fits a narrow device bound later. The reserve keeps the
 * low PASIDs from /dev/ioasid's sets, not from SVA.
 */
static void sva_pasids_stay_low(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH], *task;
	ioasid_t first = ioasid_min_id(), id;

	if (first == 1)
		kunit_skip(test, "booted with ioasid.reserved=0");
	fake_hierarchy(test, h);
	task = h[DEPTH - 1];

	/* bound first to a device with 20-bit PASIDs */
	KUNIT_ASSERT_EQ(test, 0, sva_pasid(task, &id));
	defer_free_global(test, id);
	KUNIT_EXPECT_LT(test, id, first);
	KUNIT_EXPECT_EQ(test, 1, usage(task));
}

/*
 * Sets and the IOMMU layer draw from one space: neither hands out what the
 * other holds, and neither can free the other's IDs. The IOMMU layer fills
 * its low range, then meets the set's first ID.
 */
static void pasids_share_the_space_with_sets(struct kunit *test)
{
	struct ioasid_set *set = new_set(test, IOASID_SET_USER);
	ioasid_t first = ioasid_min_id(), held, pasid = 0, id, *got;
	unsigned int start = ioasid_in_use(), n = 0, i;

	got = kunit_kcalloc(test, first, sizeof(*got), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc(set, first, first, &held));
	/* every free ID below first, for devices of first + 1 PASIDs */
	while (n < first && !ioasid_alloc_global(IOASID_SET_KERNEL, first + 1,
						 &got[n])) {
		pasid = got[n++];
		KUNIT_EXPECT_LT(test, pasid, first);
	}
	KUNIT_ASSERT_LT(test, n, first);
	KUNIT_EXPECT_EQ(test, start + 1 + n, ioasid_in_use());
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc_global(IOASID_SET_USER,
							   first + 1, &id));
	KUNIT_EXPECT_EQ(test, -ENOENT, ioasid_free_global(held));
	KUNIT_EXPECT_EQ(test, -ENOENT, ioasid_free(set, pasid));

	/* what a set frees, a device can have */
	KUNIT_EXPECT_EQ(test, 0, ioasid_free(set, held));
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc_global(IOASID_SET_KERNEL,
						     first + 1, &id));
	KUNIT_EXPECT_EQ(test, first, id);
	KUNIT_EXPECT_EQ(test, 0, ioasid_free_global(id));

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, 0, ioasid_free_global(got[i]));
	KUNIT_EXPECT_EQ(test, start, ioasid_in_use());
}

static struct kunit_case ioasid_pasid_cases[] = {
	KUNIT_CASE(sva_bind_charges_the_binding_task),
	KUNIT_CASE(sva_bind_over_the_limit_is_enospc),
	KUNIT_CASE(sva_uncharge_after_migration_elsewhere),
	KUNIT_CASE(sva_pasid_freed_with_preemption_off),
	KUNIT_CASE(driver_pasids_are_never_limited),
	KUNIT_CASE(pasids_stay_below_max_pasids),
	KUNIT_CASE(sets_cannot_take_the_low_ids),
	KUNIT_CASE(sva_pasids_stay_low),
	KUNIT_CASE(pasids_share_the_space_with_sets),
	{}
};

static struct kunit_suite ioasid_pasid_suite = {
	.name = "ioasid_pasid",
	.suite_init = find_files,
	.test_cases = ioasid_pasid_cases,
};

/* ---- concurrency: run on the SMP kernels to mean anything ---------------- */

/*
 * Each case starts one kernel thread per online CPU and more, bound round
 * robin, released together by a completion, so on the SMP test kernels
 * they really run at once and are preempted anywhere. On UML (one CPU, no
 * preemption) they only interleave where they sleep.
 */
#define RACERS_PER_CPU	2
#define RACE_ITERS	20000
#define RACE_LIMIT	4
#define RACE_BURST	3

struct race {
	struct completion start;
	struct completion done;
	atomic_t running;
	atomic_t violations;
	atomic_t wrong_ids;
	struct cgroup_subsys_state *parent;
	struct cgroup_subsys_state *child[2];
	struct ioasid_set *set;
	ioasid_t id;
};

struct racer {
	struct race *race;
	int nr;
};

static void race_run(struct kunit *test, struct race *race,
		     int (*fn)(void *), int nr)
{
	struct racer *r = kunit_kcalloc(test, nr, sizeof(*r), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	init_completion(&race->start);
	init_completion(&race->done);
	atomic_set(&race->running, nr);
	for (i = 0; i < nr; i++) {
		struct task_struct *t;

		r[i].race = race;
		r[i].nr = i;
		t = kthread_create(fn, &r[i], "ioasid-race/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, cpumask_nth(i % num_online_cpus(),
					    cpu_online_mask));
		wake_up_process(t);
	}
	complete_all(&race->start);
	wait_for_completion(&race->done);
}

static void racer_done(struct race *race)
{
	if (atomic_dec_and_test(&race->running))
		complete(&race->done);
}

static int racers(void)
{
	return RACERS_PER_CPU * max(2U, num_online_cpus());
}

/*
 * Hold up to RACE_BURST charges in one of two sibling css under a parent
 * limited to RACE_LIMIT, then give them back, over and over; and check,
 * while every other racer does the same, that no level is ever above the
 * parent's limit.
 */
static int charge_racer(void *arg)
{
	struct racer *r = arg;
	struct race *race = r->race;
	struct cgroup_subsys_state *css = race->child[r->nr % 2];
	int i, j, held;

	wait_for_completion(&race->start);
	for (i = 0; i < RACE_ITERS; i++) {
		for (held = 0; held < RACE_BURST; held++) {
			if (ioasids_try_charge(css))
				break;
			ioasids_commit_charge(css);
		}
		if (usage(race->parent) > RACE_LIMIT || usage(css) > RACE_LIMIT)
			atomic_inc(&race->violations);
		/*
		 * Let the others run while this one holds its charges: on one
		 * CPU without preemption, this is the only place they can.
		 */
		if (!(i % 256))
			schedule_timeout_uninterruptible(1);
		for (j = 0; j < held; j++)
			ioasids_uncharge(css);
	}
	racer_done(race);
	return 0;
}

static void concurrent_charges_respect_every_limit(struct kunit *test)
{
	struct race *race = kunit_kzalloc(test, sizeof(*race), GFP_KERNEL);
	struct cgroup_subsys_state *all[3];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, race);
	race->parent = fake_css(test, root_css());
	race->child[0] = fake_css(test, race->parent);
	race->child[1] = fake_css(test, race->parent);
	set_max(test, race->parent, RACE_LIMIT);
	race_run(test, race, charge_racer, racers());

	KUNIT_EXPECT_EQ(test, 0, atomic_read(&race->violations));
	all[0] = race->parent;
	all[1] = race->child[0];
	all[2] = race->child[1];
	for (i = 0; i < 3; i++) {
		struct ioasids_stat st = stat(test, all[i]);

		KUNIT_EXPECT_EQ_MSG(test, 0, st.usage, "css %d", i);
		/* a peak is what was held: never above an ancestor's max */
		KUNIT_EXPECT_LE_MSG(test, st.peak, RACE_LIMIT, "css %d", i);
		KUNIT_EXPECT_GT_MSG(test, st.peak, 0, "css %d", i);
	}
	/* the racers did contend: the limit turned some charges back */
	KUNIT_EXPECT_GT(test, stat(test, race->parent).events_local, 0);
	/* and left no reservation behind at any level */
	for (i = 2; i >= 0; i--)
		expect_room(test, all[i], RACE_LIMIT);
}

/*
 * Half the racers allocate exactly race->id in one set, the other half free
 * it: an allocation that succeeds must have got that ID, and the
 * allocation path must not touch what a free released (KASAN).
 */
static int alloc_free_racer(void *arg)
{
	struct racer *r = arg;
	struct race *race = r->race;
	ioasid_t id;
	int i;

	wait_for_completion(&race->start);
	for (i = 0; i < RACE_ITERS; i++) {
		if (r->nr % 2) {
			ioasid_free(race->set, race->id);
		} else {
			id = 0;
			if (!ioasid_alloc_as(race->set, race->id, race->id,
					     race->child[0], &id) &&
			    id != race->id)
				atomic_inc(&race->wrong_ids);
		}
		if (!(i % 256))
			cond_resched();
	}
	racer_done(race);
	return 0;
}

static void alloc_races_free_of_the_same_id(struct kunit *test)
{
	struct race *race = kunit_kzalloc(test, sizeof(*race), GFP_KERNEL);
	unsigned int start = ioasid_in_use();

	KUNIT_ASSERT_NOT_NULL(test, race);
	race->parent = fake_css(test, root_css());
	race->child[0] = fake_css(test, race->parent);
	race->set = new_set(test, IOASID_SET_USER);
	race->id = ioasid_capacity();
	race_run(test, race, alloc_free_racer, racers());

	KUNIT_EXPECT_EQ(test, 0, atomic_read(&race->wrong_ids));
	ioasid_free(race->set, race->id);
	KUNIT_EXPECT_EQ(test, 0, usage(race->child[0]));
	KUNIT_EXPECT_EQ(test, 0, usage(race->parent));
	expect_room(test, race->parent, 2);
	KUNIT_EXPECT_EQ(test, start, ioasid_in_use());
}

struct irq_free {
	struct hrtimer timer;
	struct completion done;
	struct ioasid_set *set;		/* NULL: a global PASID */
	ioasid_t id;
	int ret;
	bool hardirq;
};

static enum hrtimer_restart irq_free_fn(struct hrtimer *timer)
{
	struct irq_free *f = container_of(timer, struct irq_free, timer);

	f->hardirq = in_hardirq();
	f->ret = f->set ? ioasid_free(f->set, f->id) : ioasid_free_global(f->id);
	complete(&f->done);
	return HRTIMER_NORESTART;
}

/* Free @id of @set (NULL: a global PASID) from a hard interrupt. */
static int free_in_hardirq(struct kunit *test, struct ioasid_set *set,
			   ioasid_t id)
{
	struct irq_free f = { .set = set, .id = id, .ret = -1 };

	init_completion(&f.done);
	hrtimer_init_on_stack(&f.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	f.timer.function = irq_free_fn;
	hrtimer_start(&f.timer, ns_to_ktime(1000), HRTIMER_MODE_REL_HARD);
	wait_for_completion(&f.done);
	hrtimer_cancel(&f.timer);
	destroy_hrtimer_on_stack(&f.timer);
	KUNIT_EXPECT_TRUE(test, f.hardirq);
	return f.ret;
}

/*
 * IDs can be freed from any context, as the IDA the IOMMU layer used could
 * be: here from a hard interrupt, which lockdep checks against the
 * allocation path's use of the same lock.
 */
static void free_from_hardirq(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	struct ioasid_set *set = new_set(test, IOASID_SET_USER);
	ioasid_t id, pasid;

	fake_hierarchy(test, h);
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc_as(set, ioasid_min_id(),
						 ioasid_capacity(),
						 h[DEPTH - 1], &id));
	KUNIT_ASSERT_EQ(test, 0, sva_pasid(h[DEPTH - 1], &pasid));
	KUNIT_EXPECT_EQ(test, 2, usage(h[0]));

	KUNIT_EXPECT_EQ(test, 0, free_in_hardirq(test, set, id));
	KUNIT_EXPECT_EQ(test, 0, free_in_hardirq(test, NULL, pasid));
	KUNIT_EXPECT_EQ(test, 0, usage(h[0]));
	expect_room(test, h[DEPTH - 1], 2);
}

static struct kunit_case ioasid_smp_cases[] = {
	KUNIT_CASE(concurrent_charges_respect_every_limit),
	KUNIT_CASE(alloc_races_free_of_the_same_id),
	KUNIT_CASE(free_from_hardirq),
	{}
};

static struct kunit_suite ioasid_smp_suite = {
	.name = "ioasid_smp",
	.suite_init = find_files,
	.test_cases = ioasid_smp_cases,
};

kunit_test_suites(&ioasids_cgroup_suite, &ioasid_core_suite,
		  &ioasid_pasid_suite, &ioasid_smp_suite);

MODULE_DESCRIPTION("KUnit tests for the IOASID core and ioasids controller");
MODULE_LICENSE("GPL");
