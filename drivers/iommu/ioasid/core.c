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
 * Locking: a set's mutex nests outside the xarray's spinlock. The xarray is
 * the one source of truth for which IDs are taken.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/ioasid.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

static unsigned int capacity = IOASID_CAPACITY_MAX;
module_param(capacity, uint, 0444);
MODULE_PARM_DESC(capacity,
		 "Number of IOASIDs the system hands out, 1 to 1048575 (default)");

struct ioasid_set {
	struct mutex lock;		/* protects ids */
	struct list_head ids;		/* of struct ioasid_data */
	enum ioasid_set_type type;
};

/* One per allocated IOASID. */
struct ioasid_data {
	struct list_head node;		/* in set->ids */
	struct ioasid_set *set;
	struct cgroup_subsys_state *css; /* charged and pinned, or NULL */
	ioasid_t id;
};

static DEFINE_XARRAY_ALLOC(ioasid_xa);
static unsigned int ioasid_nr_in_use;	/* written under the xa_lock */
static struct kmem_cache *ioasid_data_cache;

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

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return ERR_PTR(-ENOMEM);

	mutex_init(&set->lock);
	INIT_LIST_HEAD(&set->ids);
	set->type = type;
	return set;
}
EXPORT_SYMBOL_GPL(ioasid_set_alloc);

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
		xa_lock(&ioasid_xa);
		__xa_erase(&ioasid_xa, data->id);
		WRITE_ONCE(ioasid_nr_in_use, ioasid_nr_in_use - 1);
		xa_unlock(&ioasid_xa);
		ioasid_data_release(data);
		cond_resched();
	}
	mutex_destroy(&set->lock);
	kfree(set);
}
EXPORT_SYMBOL_GPL(ioasid_set_free);

/*
 * Allocate an ID in [@min, @max] for @set, charged to @css (NULL: charged
 * to nobody). On success the ID owns the caller's pin on @css; on failure
 * nothing is left charged and the pin stays with the caller.
 */
VISIBLE_IF_KUNIT int __ioasid_alloc(struct ioasid_set *set, ioasid_t min,
				    ioasid_t max,
				    struct cgroup_subsys_state *css,
				    ioasid_t *id)
{
	struct ioasid_data *data;
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

	data = kmem_cache_alloc(ioasid_data_cache, GFP_KERNEL);
	if (!data) {
		ret = -ENOMEM;
		goto uncharge;
	}
	data->set = set;
	data->css = css;

	mutex_lock(&set->lock);
	xa_lock(&ioasid_xa);
	ret = __xa_alloc(&ioasid_xa, &data->id, data, XA_LIMIT(min, max),
			 GFP_KERNEL);
	if (!ret)
		WRITE_ONCE(ioasid_nr_in_use, ioasid_nr_in_use + 1);
	xa_unlock(&ioasid_xa);
	if (!ret)
		list_add_tail(&data->node, &set->ids);
	mutex_unlock(&set->lock);

	if (ret) {
		/* The xarray says -EBUSY when the range is full. */
		if (ret == -EBUSY)
			ret = -ENOSPC;
		kmem_cache_free(ioasid_data_cache, data);
		goto uncharge;
	}
	if (css)
		ioasids_commit_charge(css);
	*id = data->id;
	return 0;

uncharge:
	if (css)
		ioasids_uncharge(css);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(__ioasid_alloc);

/**
 * ioasid_alloc() - allocate an IOASID
 * @set: the set the IOASID joins
 * @min: lowest acceptable IOASID, inclusive
 * @max: highest acceptable IOASID, inclusive; @min = @max = 0 means any
 * @id: where the IOASID is stored on success
 *
 * For a user set, the IOASID is charged to the ioasids cgroup of the calling
 * task and all its ancestors; kernel threads and kernel sets are never
 * limited.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL if the range is empty or outside [1, capacity];
 * -ENOSPC if no IOASID in the range is free or a cgroup limit refused the
 * charge; -ENOMEM.
 */
int ioasid_alloc(struct ioasid_set *set, ioasid_t min, ioasid_t max,
		 ioasid_t *id)
{
	struct cgroup_subsys_state *css = NULL;
	int ret;

	if (!min && !max) {
		min = 1;
		max = capacity;
	}
	if (!min || min > max || max > capacity)
		return -EINVAL;

	if (set->type == IOASID_SET_USER)
		css = ioasids_get_css();

	ret = __ioasid_alloc(set, min, max, css, id);
	if (ret && css)
		ioasids_put_css(css);
	return ret;
}
EXPORT_SYMBOL_GPL(ioasid_alloc);

/**
 * ioasid_free() - free one IOASID of a set
 * @set: the set that allocated it
 * @id: the IOASID
 *
 * The charge goes back to the css the allocation was charged to, even if the
 * allocating task has since moved to another cgroup or that cgroup was
 * removed.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOENT if @id is not allocated in @set.
 */
int ioasid_free(struct ioasid_set *set, ioasid_t id)
{
	struct ioasid_data *data;

	mutex_lock(&set->lock);
	xa_lock(&ioasid_xa);
	data = xa_load(&ioasid_xa, id);
	if (!data || data->set != set) {
		xa_unlock(&ioasid_xa);
		mutex_unlock(&set->lock);
		return -ENOENT;
	}
	__xa_erase(&ioasid_xa, id);
	WRITE_ONCE(ioasid_nr_in_use, ioasid_nr_in_use - 1);
	xa_unlock(&ioasid_xa);
	list_del(&data->node);
	mutex_unlock(&set->lock);

	ioasid_data_release(data);
	return 0;
}
EXPORT_SYMBOL_GPL(ioasid_free);

static int __init ioasid_core_init(void)
{
	if (!capacity || capacity > IOASID_CAPACITY_MAX) {
		pr_warn("capacity=%u is out of range, using %u\n", capacity,
			IOASID_CAPACITY_MAX);
		capacity = IOASID_CAPACITY_MAX;
	}

	ioasid_data_cache = KMEM_CACHE(ioasid_data, 0);
	if (!ioasid_data_cache)
		return -ENOMEM;

	pr_info("%u IOASIDs\n", capacity);
	return 0;
}
subsys_initcall(ioasid_core_init);
