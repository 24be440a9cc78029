// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suites for the IOASID core and the ioasids cgroup controller.
 *
 * The controller's charge path only follows css->parent, so the suites build
 * private hierarchies of ioasids css under the real root css, with the
 * controller's own css_alloc(), and drive them directly: no cgroupfs, no
 * task migration. What a user sees through cgroupfs is the kselftest's job.
 *
 * The ioasid_pasid suite drives the IOMMU layer's entry points, as
 * iommu_alloc_global_pasid() and an SVA bind call them. KUnit runs in a
 * kernel thread, which is never charged, so a static stub of
 * ioasids_get_css() plays the user task that binds, in the css the test
 * chooses; "moving" that task to another cgroup is changing that css.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/cgroup.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/ioasid.h>
#include <linux/kthread.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

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

static struct ioasids_stat stat(struct cgroup_subsys_state *css)
{
	struct ioasids_stat st;

	ioasids_css_stat(css, &st);
	return st;
}

static s64 usage(struct cgroup_subsys_state *css)
{
	return stat(css).usage;
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

static int parse(const char *s, size_t len, s64 *max)
{
	char buf[64];

	/* kernfs hands the handler a NUL-terminated copy of the write */
	memcpy(buf, s, len);
	buf[len] = '\0';
	return ioasids_parse_max(buf, len, max);
}

static void parse_max_accepts(struct kunit *test)
{
	static const struct { const char *in; s64 want; } ok[] = {
		{ "0", 0 }, { "1", 1 }, { "7\n", 7 }, { " 42 ", 42 },
		{ "1048575", IOASID_CAPACITY_MAX },
	};
	s64 max, unlimited;
	int i;

	KUNIT_ASSERT_EQ(test, 0, parse("max", 3, &unlimited));
	KUNIT_EXPECT_GT(test, unlimited, (s64)IOASID_CAPACITY_MAX);
	KUNIT_EXPECT_EQ(test, 0, parse("max\n", 4, &max));
	KUNIT_EXPECT_EQ(test, unlimited, max);

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		max = -1;
		KUNIT_EXPECT_EQ_MSG(test, 0, parse(ok[i].in, strlen(ok[i].in),
						   &max), "input '%s'", ok[i].in);
		KUNIT_EXPECT_EQ_MSG(test, ok[i].want, max, "input '%s'",
				    ok[i].in);
	}
}

static void parse_max_refuses(struct kunit *test)
{
	static const char * const bad[] = {
		"", " ", "\n", "-1", "-0", "+5", "0x10", "010", "00", "1.5",
		"5x", "5 5", "max5", "MAX", "maxx", "infinity", "1e3",
		"1048576", "4294967296", "18446744073709551616", "0b1",
	};
	s64 max = 1234;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    parse(bad[i], strlen(bad[i]), &max),
				    "input '%s'", bad[i]);
		KUNIT_EXPECT_EQ(test, 1234, max);
	}
	/* an embedded NUL must not hide trailing garbage */
	KUNIT_EXPECT_EQ(test, -EINVAL, parse("5\0junk", 6, &max));
	KUNIT_EXPECT_EQ(test, 1234, max);
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
		KUNIT_EXPECT_EQ(test, 0, stat(h[i]).events);
	}
	KUNIT_EXPECT_EQ(test, 2, stat(h[0]).peak);
	KUNIT_EXPECT_EQ(test, 1, stat(h[2]).peak);
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
	s64 unlimited;
	int level, i;

	KUNIT_ASSERT_EQ(test, 0, parse("max", 3, &unlimited));
	fake_hierarchy(test, h);
	/* two IDs charged at the leaf, so every level holds 2 */
	KUNIT_ASSERT_EQ(test, 0, charge(h[DEPTH - 1]));
	KUNIT_ASSERT_EQ(test, 0, charge(h[DEPTH - 1]));

	for (level = DEPTH - 1; level >= 0; level--) {
		for (i = 0; i < DEPTH; i++)
			ioasids_css_stat(h[i], &before[i]);

		ioasids_css_set_max(h[level], 2);
		KUNIT_EXPECT_EQ_MSG(test, -ENOSPC,
				    ioasids_try_charge(h[DEPTH - 1]),
				    "limit at level %d", level);
		ioasids_css_set_max(h[level], unlimited);

		for (i = 0; i < DEPTH; i++) {
			ioasids_css_stat(h[i], &after);
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

	ioasids_uncharge(h[DEPTH - 1]);
	ioasids_uncharge(h[DEPTH - 1]);
	for (i = 0; i < DEPTH; i++)
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
}

static void max_zero_refuses_everything(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];

	fake_hierarchy(test, h);
	ioasids_css_set_max(h[0], 0);
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasids_try_charge(h[DEPTH - 1]));
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasids_try_charge(h[0]));
	KUNIT_EXPECT_EQ(test, 0, usage(h[0]));
	KUNIT_EXPECT_EQ(test, 2, stat(h[0]).events_local);
}

static void lowered_max_keeps_usage(struct kunit *test)
{
	struct cgroup_subsys_state *h[DEPTH];
	int i;

	fake_hierarchy(test, h);
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, 0, charge(h[1]));

	ioasids_css_set_max(h[1], 2);
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
	KUNIT_EXPECT_EQ(test, 4, stat(h[1]).peak);
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
		KUNIT_EXPECT_EQ(test, 0, __ioasid_alloc(set, 1, ioasid_capacity(),
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
	KUNIT_ASSERT_EQ(test, 0, __ioasid_alloc(set, 1, ioasid_capacity(),
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

	KUNIT_EXPECT_EQ(test, -ENOSPC, __ioasid_alloc(uset, cap - 1, cap,
						      h[DEPTH - 1], &id));
	for (i = 0; i < DEPTH; i++) {
		KUNIT_EXPECT_EQ(test, 0, usage(h[i]));
		KUNIT_EXPECT_EQ(test, 0, stat(h[i]).peak);
		/* an exhausted space is not a limit hit */
		KUNIT_EXPECT_EQ(test, 0, stat(h[i]).events);
	}
	KUNIT_EXPECT_EQ(test, start, ioasid_in_use());
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
	ioasids_css_set_max(h[1], 1);
	KUNIT_EXPECT_EQ(test, 0, __ioasid_alloc(set, 1, ioasid_capacity(),
						h[DEPTH - 1], &id));
	KUNIT_EXPECT_EQ(test, -ENOSPC, __ioasid_alloc(set, 1, ioasid_capacity(),
						      h[DEPTH - 1], &id));
	KUNIT_EXPECT_EQ(test, start + 1, ioasid_in_use());
	KUNIT_EXPECT_EQ(test, 1, usage(h[DEPTH - 1]));
	KUNIT_EXPECT_EQ(test, 1, stat(h[1]).events_local);
}

static void kernel_allocations_are_not_limited(struct kunit *test)
{
	struct ioasid_set *set = new_set(test, IOASID_SET_USER);
	unsigned int start = ioasid_in_use();
	ioasid_t id;
	int i;

	/* a kernel thread allocating through a user set is not charged */
	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_EQ(test, 0, ioasid_alloc(set, 0, 0, &id));
	KUNIT_EXPECT_EQ(test, start + 20, ioasid_in_use());
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
	.test_cases = ioasid_core_cases,
};

/* ---- the IOMMU layer's PASIDs: global and SVA ---------------------------- */

/* The css of the task the test plays: the one that binds. */
static struct cgroup_subsys_state *binding_task_css(void)
{
	return kunit_get_current_test()->priv;
}

static void play_task_in(struct kunit *test, struct cgroup_subsys_state *css)
{
	test->priv = css;
	kunit_activate_static_stub(test, ioasids_get_css, binding_task_css);
}

/* What an SVA bind does for its mm, and what iommu_alloc_global_pasid() does. */
static int sva_pasid(ioasid_t *id)
{
	return ioasid_alloc_global(IOASID_SET_USER, 1U << 20, id);
}

static int driver_pasid(ioasid_t *id)
{
	return ioasid_alloc_global(IOASID_SET_KERNEL, 1U << 20, id);
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
	play_task_in(test, h[DEPTH - 1]);

	KUNIT_ASSERT_EQ(test, 0, sva_pasid(&id));
	KUNIT_EXPECT_GE(test, id, 1U);
	KUNIT_EXPECT_LE(test, id, ioasid_capacity());
	for (i = 0; i < DEPTH; i++) {
		KUNIT_EXPECT_EQ(test, 1, usage(h[i]));
		KUNIT_EXPECT_EQ(test, 1, stat(h[i]).peak);
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
	ioasids_css_set_max(h[1], 1);
	play_task_in(test, h[DEPTH - 1]);

	KUNIT_ASSERT_EQ(test, 0, sva_pasid(&id));
	defer_free_global(test, id);
	KUNIT_EXPECT_EQ(test, -ENOSPC, sva_pasid(&refused));
	KUNIT_EXPECT_EQ(test, start + 1, ioasid_in_use());
	KUNIT_EXPECT_EQ(test, 1, usage(h[DEPTH - 1]));
	KUNIT_EXPECT_EQ(test, 1, stat(h[1]).events_local);
	KUNIT_EXPECT_EQ(test, 1, stat(h[0]).events);
	KUNIT_EXPECT_EQ(test, 0, stat(h[0]).events_local);
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
	play_task_in(test, h[DEPTH - 1]);
	KUNIT_ASSERT_EQ(test, 0, sva_pasid(&first));

	play_task_in(test, moved_to);
	KUNIT_ASSERT_EQ(test, 0, sva_pasid(&second));
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
	play_task_in(test, h[DEPTH - 1]);
	KUNIT_ASSERT_EQ(test, 0, sva_pasid(&id));

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
	ioasids_css_set_max(h[DEPTH - 1], 0);
	play_task_in(test, h[DEPTH - 1]);

	KUNIT_EXPECT_EQ(test, -ENOSPC, sva_pasid(&id));
	for (i = 0; i < 10; i++) {
		KUNIT_ASSERT_EQ(test, 0, driver_pasid(&id));
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
	struct cgroup_subsys_state *h[DEPTH];
	unsigned int start = ioasid_in_use();
	ioasid_t id;
	int i;

	fake_hierarchy(test, h);
	play_task_in(test, h[DEPTH - 1]);

	/* no PASID support, or PASID 0 only */
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc_global(IOASID_SET_KERNEL, 0, &id));
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc_global(IOASID_SET_USER, 1, &id));

	/* a device with 4 PASIDs can have 1, 2 and 3 */
	for (i = 1; i <= 3; i++) {
		KUNIT_ASSERT_EQ(test, 0, ioasid_alloc_global(i == 2 ?
							     IOASID_SET_USER :
							     IOASID_SET_KERNEL,
							     4, &id));
		defer_free_global(test, id);
		KUNIT_EXPECT_EQ(test, (ioasid_t)i, id);
	}
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc_global(IOASID_SET_USER, 4, &id));
	KUNIT_EXPECT_EQ(test, -ENOSPC, ioasid_alloc_global(IOASID_SET_KERNEL, 4, &id));
	/* a full device range leaves no charge behind */
	KUNIT_EXPECT_EQ(test, 1, usage(h[DEPTH - 1]));
	KUNIT_EXPECT_EQ(test, start + 3, ioasid_in_use());

	/* a device wider than the space is held to the space */
	KUNIT_ASSERT_EQ(test, 0, ioasid_alloc_global(IOASID_SET_KERNEL, U32_MAX, &id));
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
	KUNIT_CASE(pasids_share_the_space_with_sets),
	{}
};

static struct kunit_suite ioasid_pasid_suite = {
	.name = "ioasid_pasid",
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
		if (usage(race->parent) > RACE_LIMIT ||
		    stat(race->parent).reserved > RACE_LIMIT ||
		    usage(css) > RACE_LIMIT)
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
	ioasids_css_set_max(race->parent, RACE_LIMIT);
	race_run(test, race, charge_racer, racers());

	KUNIT_EXPECT_EQ(test, 0, atomic_read(&race->violations));
	all[0] = race->parent;
	all[1] = race->child[0];
	all[2] = race->child[1];
	for (i = 0; i < 3; i++) {
		struct ioasids_stat st = stat(all[i]);

		KUNIT_EXPECT_EQ_MSG(test, 0, st.usage, "css %d", i);
		KUNIT_EXPECT_EQ_MSG(test, 0, st.reserved, "css %d", i);
		/* a peak is what was held: never above an ancestor's max */
		KUNIT_EXPECT_LE_MSG(test, st.peak, RACE_LIMIT, "css %d", i);
		KUNIT_EXPECT_GT_MSG(test, st.peak, 0, "css %d", i);
	}
	/* the racers did contend: the limit turned some charges back */
	KUNIT_EXPECT_GT(test, stat(race->parent).events_local, 0);
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
			if (!__ioasid_alloc(race->set, race->id, race->id,
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
	KUNIT_EXPECT_EQ(test, 0, stat(race->parent).reserved);
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
	play_task_in(test, h[DEPTH - 1]);
	KUNIT_ASSERT_EQ(test, 0, __ioasid_alloc(set, ioasid_min_id(),
						ioasid_capacity(),
						h[DEPTH - 1], &id));
	KUNIT_ASSERT_EQ(test, 0, sva_pasid(&pasid));
	KUNIT_EXPECT_EQ(test, 2, usage(h[0]));

	KUNIT_EXPECT_EQ(test, 0, free_in_hardirq(test, set, id));
	KUNIT_EXPECT_EQ(test, 0, free_in_hardirq(test, NULL, pasid));
	KUNIT_EXPECT_EQ(test, 0, usage(h[0]));
	KUNIT_EXPECT_EQ(test, 0, stat(h[0]).reserved);
}

static struct kunit_case ioasid_smp_cases[] = {
	KUNIT_CASE(concurrent_charges_respect_every_limit),
	KUNIT_CASE(alloc_races_free_of_the_same_id),
	KUNIT_CASE(free_from_hardirq),
	{}
};

static struct kunit_suite ioasid_smp_suite = {
	.name = "ioasid_smp",
	.test_cases = ioasid_smp_cases,
};

kunit_test_suites(&ioasids_cgroup_suite, &ioasid_core_suite,
		  &ioasid_pasid_suite, &ioasid_smp_suite);

MODULE_DESCRIPTION("KUnit tests for the IOASID core and ioasids controller");
MODULE_LICENSE("GPL");
