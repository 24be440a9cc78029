// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOASID core: the system-wide space of I/O address space IDs.
 *
 * PCIe PASIDs are a 20-bit space shared by every device, VM and container on
 * the host. The core hands IDs out of [1, capacity] in sets: a set is what one
 * user holds (an open /dev/ioasid file, a driver), and freeing the set frees
 * every ID in it. Each ID allocated for a user set is charged to the
 * allocating task's ioasids cgroup; the ID remembers the css it charged, so
 * the charge goes back to that css whichever task or context frees it.
 *
 * The IOMMU layer's PASIDs come from the same space, through two global sets:
 * iommu_alloc_global_pasid() allocates a driver's own PASIDs in the kernel
 * one, and an SVA bind allocates its mm's PASID in the user one, charged to
 * the binding task. So no PASID is ever handed out twice, and the capacity and
 * the in-use count cover them all.
 *
 * The low IDs, [1, reserved], are the IOMMU layer's: sets, and so
 * /dev/ioasid, allocate only from [reserved + 1, capacity]. Devices with a
 * narrow PASID width (max_pasids) can use only low IDs, and a tenant of
 * /dev/ioasid under any limit could otherwise take all of them. SVA binds
 * take the lowest free PASID, as the IOMMU layer always has: an mm's one
 * PASID must fit every device it is bound to later.
 *
 * Locking: the xarray's spinlock protects the xarray, the one source of
 * truth for which IDs are taken, and every set's list. It is taken with
 * interrupts off, as the IDA it replaces was, so an ID can be freed from any
 * context; freeing takes nothing else and never sleeps, because an mm's
 * PASID is freed from __mmdrop(), which can run with preemption disabled.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/cgroup_ioasids.h>
#include <linux/init.h>
#include <linux/ioasid.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include "internal.h"

static unsigned int capacity = IOASID_CAPACITY_MAX;
module_param(capacity, uint, 0444);
MODULE_PARM_DESC(capacity,
		 "Number of IOASIDs the system hands out, 1 to 1048575 (default)");

static unsigned int reserved = IOASID_RESERVED_DEFAULT;
module_param(reserved, uint, 0444);
MODULE_PARM_DESC(reserved,
		 "IOASIDs 1 to this are for the IOMMU layer only, not for sets (default 65535, at most half the capacity)");

struct ioasid_set {
	struct list_head ids;		/* of struct ioasid_data, under xa_lock */
	enum ioasid_set_type type;
	bool global;			/* one of ioasid_global[], never freed */
};

/* One per allocated IOASID. */
struct ioasid_data {
	struct list_head node;		/* in set->ids */
	struct ioasid_set *set;
	struct cgroup_subsys_state *css; /* charged and pinned, or NULL */
	ioasid_t id;
};

static DEFINE_XARRAY_FLAGS(ioasid_xa, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_IRQ);
static unsigned int ioasid_nr_in_use;	/* written under the xa_lock */
static struct kmem_cache *ioasid_data_cache;

/* The IOMMU layer's PASIDs: ioasid_alloc_global() and ioasid_free_global(). */
static struct ioasid_set ioasid_global[] = {
	[IOASID_SET_USER] = {
		.ids = LIST_HEAD_INIT(ioasid_global[IOASID_SET_USER].ids),
		.type = IOASID_SET_USER,
		.global = true,
	},
	[IOASID_SET_KERNEL] = {
		.ids = LIST_HEAD_INIT(ioasid_global[IOASID_SET_KERNEL].ids),
		.type = IOASID_SET_KERNEL,
		.global = true,
	},
};

/**
 * ioasid_capacity() - how many IOASIDs the system can hand out
 *
 * Return: the highest IOASID that can be allocated; IDs are 1 to capacity.
 */
ioasid_t ioasid_capacity(void)
{
	return capacity;
}
EXPORT_SYMBOL_GPL(ioasid_capacity);

/**
 * ioasid_min_id() - the lowest IOASID a set can allocate
 *
 * IDs below it are kept for the IOMMU layer's PASIDs (ioasid_alloc_global()),
 * so that devices whose PASIDs must be small are never starved by sets.
 *
 * Return: the lowest IOASID that ioasid_alloc() hands out.
 */
ioasid_t ioasid_min_id(void)
{
	return reserved + 1;
}
EXPORT_SYMBOL_GPL(ioasid_min_id);

/**
 * ioasid_in_use() - how many IOASIDs are allocated system-wide
 *
 * Counts every set: user sets and the kernel's own.
 *
 * Return: the number of IOASIDs allocated now.
 */
unsigned int ioasid_in_use(void)
{
	return READ_ONCE(ioasid_nr_in_use);
}
EXPORT_SYMBOL_GPL(ioasid_in_use);

/**
 * ioasid_set_alloc() - create an empty IOASID set
 * @type: %IOASID_SET_USER to charge every allocation to the allocating
 *	task's ioasids cgroup, %IOASID_SET_KERNEL for the kernel's own IDs
 *
 * Context: process context, may sleep.
 * Return: the set, or ERR_PTR(-ENOMEM) or ERR_PTR(-EINVAL).
 */
struct ioasid_set *ioasid_set_alloc(enum ioasid_set_type type)
{
	struct ioasid_set *set;

	if (type != IOASID_SET_USER && type != IOASID_SET_KERNEL)
		return ERR_PTR(-EINVAL);

	/* A user set is memory user space made the kernel hold: memcg's. */
	set = kzalloc(sizeof(*set), type == IOASID_SET_USER ?
		      GFP_KERNEL_ACCOUNT : GFP_KERNEL);
	if (!set)
		return ERR_PTR(-ENOMEM);

	INIT_LIST_HEAD(&set->ids);
	set->type = type;
	return set;
}
EXPORT_SYMBOL_GPL(ioasid_set_alloc);

/* Take an ID out of the space and its set. Called with the xa_lock held. */
static void ioasid_erase_locked(struct ioasid_data *data)
{
	__xa_erase(&ioasid_xa, data->id);
	list_del(&data->node);
	WRITE_ONCE(ioasid_nr_in_use, ioasid_nr_in_use - 1);
}

/* Return an ID's charge to the css it was taken from, and drop its pin. */
static void ioasid_data_release(struct ioasid_data *data)
{
	if (data->css) {
		ioasids_uncharge(data->css);
		ioasids_put_css(data->css);
	}
	kmem_cache_free(ioasid_data_cache, data);
}

/**
 * ioasid_set_free() - free a set and every IOASID still in it
 * @set: the set; may be NULL
 *
 * Each IOASID is uncharged from the css that was charged when it was
 * allocated, whichever task runs this.
 *
 * Context: process context, may sleep. No other call may use @set
 * concurrently or afterwards.
 */
void ioasid_set_free(struct ioasid_set *set)
{
	struct ioasid_data *data, *next;

	if (!set)
		return;

	list_for_each_entry_safe(data, next, &set->ids, node) {
		xa_lock_irq(&ioasid_xa);
		ioasid_erase_locked(data);
		xa_unlock_irq(&ioasid_xa);
		ioasid_data_release(data);
		cond_resched();
	}
	kfree(set);
}
EXPORT_SYMBOL_GPL(ioasid_set_free);

/*
 * Allocate an ID in [@min, @max] for @set, charged to @css (NULL: charged
 * to nobody). On success the ID owns the caller's pin on @css; on failure
 * nothing is left charged and the pin stays with the caller.
 *
 * A charged ID is taken in two steps. The first reserves it in the xarray,
 * where a free cannot find it yet; the charge is committed with interrupts
 * on, since its walk is as long as the hierarchy is deep; the second step
 * publishes the ID. So a free, which may follow at once (IDs are easy to
 * guess), always finds the charge committed. Once published, the ID may be
 * freed, which frees @data and drops the pin on @css: nothing reads them
 * after that.
 */
static int __ioasid_alloc(struct ioasid_set *set, ioasid_t min, ioasid_t max,
			  struct cgroup_subsys_state *css, ioasid_t *id)
{
	/* An ID's own data is user space's to pay for: its memcg's. */
	gfp_t gfp = set->type == IOASID_SET_USER ? GFP_KERNEL_ACCOUNT :
						    GFP_KERNEL;
	struct ioasid_data *data;
	void *old;
	int ret;

	/*
	 * Charge before touching the global space: a cgroup at its limit is
	 * refused without contending for the xarray lock other users need.
	 */
	if (css) {
		ret = ioasids_try_charge(css);
		if (ret)
			return ret;
	}

	data = kmem_cache_alloc(ioasid_data_cache, gfp);
	if (!data) {
		ret = -ENOMEM;
		goto uncharge;
	}
	data->set = set;
	data->css = css;

	/*
	 * The xarray's nodes hold the IDs of every tenant: they are not
	 * charged to whichever tenant's allocation happened to split one.
	 */
	xa_lock_irq(&ioasid_xa);
	ret = __xa_alloc(&ioasid_xa, &data->id, css ? NULL : data,
			 XA_LIMIT(min, max), GFP_KERNEL);
	if (!ret) {
		WRITE_ONCE(ioasid_nr_in_use, ioasid_nr_in_use + 1);
		/* an uncharged ID is published already: read it under the lock */
		*id = data->id;
		if (!css)
			list_add_tail(&data->node, &set->ids);
	}
	xa_unlock_irq(&ioasid_xa);

	if (ret) {
		/* The xarray says -EBUSY when the range is full. */
		if (ret == -EBUSY)
			ret = -ENOSPC;
		kmem_cache_free(ioasid_data_cache, data);
		goto uncharge;
	}

	if (!css)
		return 0;

	ioasids_commit_charge(css);
	xa_lock_irq(&ioasid_xa);
	/* The slot is reserved: storing in it allocates nothing. */
	old = __xa_store(&ioasid_xa, *id, data, GFP_NOWAIT);
	/* NULL for the reserved slot; anything else is an error or a live ID */
	WARN_ON_ONCE(old);
	list_add_tail(&data->node, &set->ids);
	xa_unlock_irq(&ioasid_xa);
	return 0;

uncharge:
	if (css)
		ioasids_cancel_charge(css);
	return ret;
}

/*
 * Allocate in [@min, @max] for @set as the calling task: an ID of a user
 * set is charged to the task's css and keeps the reference
 * ioasids_get_css() took; a kernel set's looks no css up.
 */
static int ioasid_alloc_current(struct ioasid_set *set, ioasid_t min,
				ioasid_t max, ioasid_t *id)
{
	struct cgroup_subsys_state *css = NULL;
	int ret;

	if (set->type == IOASID_SET_USER)
		css = ioasids_get_css();
	ret = __ioasid_alloc(set, min, max, css, id);
	if (ret)
		ioasids_put_css(css);
	return ret;
}

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * For the KUnit suites, which run in a kernel thread: allocate as a task of
 * @task_css would (NULL: a kernel thread, or no ioasids controller). The
 * caller keeps its own reference on @task_css.
 */
VISIBLE_IF_KUNIT int ioasid_alloc_as(struct ioasid_set *set, ioasid_t min,
				     ioasid_t max,
				     struct cgroup_subsys_state *task_css,
				     ioasid_t *id)
{
	struct cgroup_subsys_state *css = NULL;
	int ret;

	if (set->type == IOASID_SET_USER && task_css) {
		css = task_css;
		css_get(css);
	}

	ret = __ioasid_alloc(set, min, max, css, id);
	if (ret && css)
		css_put(css);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(ioasid_alloc_as);
#endif

/**
 * ioasid_alloc() - allocate an IOASID
 * @set: the set the IOASID joins
 * @min: lowest acceptable IOASID, inclusive
 * @max: highest acceptable IOASID, inclusive; @min = @max = 0 means any
 * @id: where the IOASID is stored on success
 *
 * Sets allocate from [ioasid_min_id(), ioasid_capacity()], lowest first.
 * For a user set, the IOASID is charged to the ioasids cgroup of the calling
 * task and all its ancestors; kernel threads and kernel sets are never
 * limited.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL if the range is empty or outside
 * [ioasid_min_id(), capacity];
 * -ENOSPC if no IOASID in the range is free or a cgroup limit refused the
 * charge; -ENOMEM.
 */
int ioasid_alloc(struct ioasid_set *set, ioasid_t min, ioasid_t max,
		 ioasid_t *id)
{
	if (!min && !max) {
		min = ioasid_min_id();
		max = capacity;
	}
	if (min < ioasid_min_id() || min > max || max > capacity)
		return -EINVAL;

	return ioasid_alloc_current(set, min, max, id);
}
EXPORT_SYMBOL_GPL(ioasid_alloc);

/*
 * Free @id if it belongs to @set, or with @set NULL, to either global set,
 * and return its charge. Return 0, or -ENOENT if it is not @set's.
 */
static int __ioasid_free(struct ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;
	unsigned long flags;

	xa_lock_irqsave(&ioasid_xa, flags);
	data = xa_load(&ioasid_xa, id);
	if (data && (set ? data->set == set : data->set->global))
		ioasid_erase_locked(data);
	else
		data = NULL;
	xa_unlock_irqrestore(&ioasid_xa, flags);

	if (!data)
		return -ENOENT;
	ioasid_data_release(data);
	return 0;
}

/**
 * ioasid_free() - free one IOASID of a set
 * @set: the set that allocated it
 * @id: the IOASID
 *
 * The charge goes back to the css the allocation was charged to, even if the
 * allocating task has since moved to another cgroup or that cgroup was
 * removed.
 *
 * Context: any context.
 * Return: 0, or -ENOENT if @id is not allocated in @set.
 */
int ioasid_free(struct ioasid_set *set, ioasid_t id)
{
	return __ioasid_free(set, id);
}
EXPORT_SYMBOL_GPL(ioasid_free);

/*
 * The highest global PASID of @type a device of @max_pasids can have. The
 * lowest is 1, for SVA too: an mm has one PASID for every device it is ever
 * bound to, and a bind to a device whose max_pasids is not above it fails
 * (-EOVERFLOW), so an mm's PASID stays as low as it can. Each costs a
 * process, so pids.max bounds them as well.
 */
static int ioasid_global_max(enum ioasid_set_type type, u32 max_pasids,
			     ioasid_t *max)
{
	if (type != IOASID_SET_USER && type != IOASID_SET_KERNEL)
		return -EINVAL;
	/* PASID 0 is never handed out: a device that has only it has none. */
	if (max_pasids < 2)
		return -ENOSPC;

	*max = min_t(u32, max_pasids - 1, capacity);
	return 0;
}

#if IS_ENABLED(CONFIG_KUNIT)
/* ioasid_alloc_global() as a task of @task_css: see ioasid_alloc_as(). */
VISIBLE_IF_KUNIT int ioasid_alloc_global_as(enum ioasid_set_type type,
					    u32 max_pasids,
					    struct cgroup_subsys_state *task_css,
					    ioasid_t *id)
{
	ioasid_t max;
	int ret;

	ret = ioasid_global_max(type, max_pasids, &max);
	if (ret)
		return ret;
	return ioasid_alloc_as(&ioasid_global[type], 1, max, task_css, id);
}
EXPORT_SYMBOL_IF_KUNIT(ioasid_alloc_global_as);
#endif

/**
 * ioasid_alloc_global() - allocate a PASID for the IOMMU layer
 * @type: %IOASID_SET_USER for the PASID of a process address space that a
 *	device is bound to (SVA): charged to the ioasids cgroup of the calling
 *	task, the one that binds, and refused over its limit;
 *	%IOASID_SET_KERNEL for a driver's own PASID: never charged or limited,
 *	whatever cgroup the probing task is in
 * @max_pasids: how many PASIDs the device supports (dev->iommu->max_pasids);
 *	the PASID is below it, and never 0
 * @id: where the PASID is stored on success
 *
 * Global PASIDs come from the one IOASID space, so no PASID handed to a
 * device is ever handed out through /dev/ioasid as well. The PASID is the
 * lowest free one, so an mm's PASID also fits devices narrower than the
 * first one it is bound to. Free one with ioasid_free_global().
 *
 * Context: process context, may sleep.
 * Return: 0; -ENOSPC if no PASID below @max_pasids is free, or a cgroup
 * limit refused the charge; -EINVAL for an unknown @type; -ENOMEM.
 */
int ioasid_alloc_global(enum ioasid_set_type type, u32 max_pasids,
			ioasid_t *id)
{
	ioasid_t max;
	int ret;

	ret = ioasid_global_max(type, max_pasids, &max);
	if (ret)
		return ret;
	return ioasid_alloc_current(&ioasid_global[type], 1, max, id);
}
EXPORT_SYMBOL_GPL(ioasid_alloc_global);

/**
 * ioasid_free_global() - free a PASID of the IOMMU layer
 * @id: a PASID from ioasid_alloc_global()
 *
 * The charge goes back to the css of the task that bound, even when the
 * PASID is dropped in another task's context or after that task moved to
 * another cgroup.
 *
 * Context: any context; never sleeps, because mm_pasid_drop() runs from
 * __mmdrop().
 * Return: 0, or -ENOENT if @id is not a global PASID, for instance one that
 * a /dev/ioasid set holds.
 */
int ioasid_free_global(ioasid_t id)
{
	return __ioasid_free(NULL, id);
}
EXPORT_SYMBOL_GPL(ioasid_free_global);

static int __init ioasid_core_init(void)
{
	if (!capacity || capacity > IOASID_CAPACITY_MAX) {
		pr_warn("capacity=%u is out of range, using %u\n", capacity,
			IOASID_CAPACITY_MAX);
		capacity = IOASID_CAPACITY_MAX;
	}
	/* Sets always have at least half the space. */
	if (reserved > capacity / 2) {
		if (reserved != IOASID_RESERVED_DEFAULT)
			pr_warn("reserved=%u is over half the capacity, using %u\n",
				reserved, capacity / 2);
		reserved = capacity / 2;
	}

	/* Without it no PASID can be allocated: fail the boot, not a bind. */
	ioasid_data_cache = KMEM_CACHE(ioasid_data, SLAB_PANIC);

	if (reserved)
		pr_info("%u IOASIDs, 1 to %u for the IOMMU layer only\n",
			capacity, reserved);
	else
		pr_info("%u IOASIDs\n", capacity);
	return 0;
}
subsys_initcall(ioasid_core_init);
