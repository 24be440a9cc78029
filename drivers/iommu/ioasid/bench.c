// SPDX-License-Identifier: GPL-2.0-only
/*
 * A benchmark of the IOASID allocation path, charge included.
 *
 * Writing N to /sys/kernel/debug/ioasid/bench allocates and frees one
 * IOASID N times from a fresh user set, in the writer's context: every
 * pair is charged to the writer's ioasids cgroup and its ancestors, so
 * the writer's place in the hierarchy sets the depth measured. A writer at
 * its cgroup's ioasids.max is refused each time instead, and a refusal
 * counts as an iteration too, which measures what a refusal costs. Reading
 * the same open file gives its last run: "ITERATIONS NANOSECONDS REFUSED".
 *
 * "N MODE" measures another path instead, for comparison. Every mode on
 * the core but "cold" holds one ID of its own throughout the run, so that
 * the pairs find the xarray's nodes in place, as they do on a host where
 * anything holds an ID near them:
 *   charged  the default above: a user set, charged to ioasids
 *   cold     the same without the held ID: on an empty space every pair
 *            builds and frees three levels of xarray nodes
 *   kernel   a kernel set: the same allocation, charged to nobody
 *   global   the IOMMU layer's iommu_alloc_global_pasid() path through the
 *            core, from PASID 1 up, uncharged
 *   ida      6.12's own global PASID allocator: an IDA from 1 up
 *   misc     a kernel set's allocation charged to the misc controller
 *            instead (resource "ioasid_bench", test kernels only)
 *   ida+misc the IDA charged to misc: 6.12's allocator with a misc charge
 * Each open file keeps its own result, so several tasks can measure at
 * once, on several CPUs, which is how the contention on a shared parent's
 * counters and on the ID space's lock shows.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/init.h>
#include <linux/ioasid.h>
#include <linux/kstrtox.h>
#include <linux/ktime.h>
#include <linux/misc_cgroup.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define IOASID_BENCH_MAX_ITERS	100000000U

/* The last run through one open file */
struct bench_result {
	u32 iters;
	u64 ns;
	u32 refused;
};

enum bench_mode { CHARGED, COLD, KERNEL, GLOBAL, IDA, MISC, IDA_MISC };

static const char * const bench_modes[] = {
	[CHARGED] = "charged", [COLD] = "cold", [KERNEL] = "kernel",
	[GLOBAL] = "global", [IDA] = "ida", [MISC] = "misc",
	[IDA_MISC] = "ida+misc",
};

/* 6.12's iommu_global_pasid_ida, as iommu_alloc_global_pasid() used it */
static DEFINE_IDA(bench_ida);

#ifdef CONFIG_CGROUP_MISC_IOASID_BENCH
/* As a misc-based series would: pin the task's misc cgroup per ID. */
static int bench_misc_charge(struct misc_cg **cg)
{
	int ret;

	*cg = get_current_misc_cg();
	ret = misc_cg_try_charge(MISC_CG_RES_IOASID_BENCH, *cg, 1);
	if (ret)
		put_misc_cg(*cg);
	return ret;
}

static void bench_misc_uncharge(struct misc_cg *cg)
{
	misc_cg_uncharge(MISC_CG_RES_IOASID_BENCH, cg, 1);
	put_misc_cg(cg);
}
#else
static int bench_misc_charge(struct misc_cg **cg)
{
	return -EOPNOTSUPP;
}

static void bench_misc_uncharge(struct misc_cg *cg)
{
}
#endif

/* One allocation and its free by @mode: 0, or the allocation's error */
static int bench_pair(enum bench_mode mode, struct ioasid_set *set)
{
	struct misc_cg *cg = NULL;
	ioasid_t id;
	int ret;

	if (mode == MISC || mode == IDA_MISC) {
		ret = bench_misc_charge(&cg);
		if (ret)
			return ret;
	}
	switch (mode) {
	case GLOBAL:
		ret = ioasid_alloc_global(IOASID_SET_KERNEL, 1U << 20, &id);
		if (!ret)
			ioasid_free_global(id);
		break;
	case IDA:
	case IDA_MISC:
		ret = ida_alloc_range(&bench_ida, 1, ioasid_capacity(),
				      GFP_KERNEL);
		if (ret >= 0) {
			ida_free(&bench_ida, ret);
			ret = 0;
		}
		break;
	default:
		ret = ioasid_alloc(set, 0, 0, &id);
		if (!ret)
			ioasid_free(set, id);
	}
	if (cg)
		bench_misc_uncharge(cg);
	return ret;
}

static ssize_t bench_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct bench_result *res = m->private;
	enum bench_mode mode = CHARGED;
	struct ioasid_set *set;
	u32 iters, i, refused = 0;
	ioasid_t held = 0;
	char kbuf[32], *arg;
	u64 start;
	int ret;

	if (count >= sizeof(kbuf))
		return -EINVAL;
	if (copy_from_user(kbuf, buf, count))
		return -EFAULT;
	kbuf[count] = '\0';
	arg = strim(kbuf);
	strsep(&arg, " ");
	if (arg) {
		ret = match_string(bench_modes, ARRAY_SIZE(bench_modes),
				   strim(arg));
		if (ret < 0)
			return ret;
		mode = ret;
	}
	ret = kstrtou32(kbuf, 10, &iters);
	if (ret)
		return ret;
	if (!iters || iters > IOASID_BENCH_MAX_ITERS)
		return -EINVAL;
	ret = 0;
	set = ioasid_set_alloc(mode == CHARGED || mode == COLD ?
			       IOASID_SET_USER : IOASID_SET_KERNEL);
	if (IS_ERR(set))
		return PTR_ERR(set);
	/* held through the run; a set's is freed with the set */
	if (mode == GLOBAL)
		ret = ioasid_alloc_global(IOASID_SET_KERNEL, 1U << 20, &held);
	else if (mode != COLD && mode != IDA && mode != IDA_MISC)
		ret = ioasid_alloc(set, 0, 0, &held);
	/* a writer at its limit measures refusals, with nothing held */
	if (ret == -ENOSPC && mode == CHARGED)
		ret = 0;
	if (ret) {
		ioasid_set_free(set);
		return ret;
	}

	start = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		ret = bench_pair(mode, set);
		if (ret == -ENOSPC || ret == -EBUSY)
			refused++;
		else if (ret)
			break;
		ret = 0;
		if (!(i & 1023))
			cond_resched();
	}
	res->ns = ktime_get_ns() - start;
	res->iters = i;
	res->refused = refused;

	if (mode == GLOBAL)
		ioasid_free_global(held);
	ioasid_set_free(set);
	return ret ? ret : count;
}

static int bench_show(struct seq_file *m, void *v)
{
	struct bench_result *res = m->private;

	seq_printf(m, "%u %llu %u\n", res->iters, res->ns, res->refused);
	return 0;
}

static int bench_open(struct inode *inode, struct file *file)
{
	struct bench_result *res = kzalloc(sizeof(*res), GFP_KERNEL);
	int ret;

	if (!res)
		return -ENOMEM;
	ret = single_open(file, bench_show, res);
	if (ret)
		kfree(res);
	return ret;
}

static int bench_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	kfree(m->private);
	return single_release(inode, file);
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.open = bench_open,
	.read = seq_read,
	.write = bench_write,
	.llseek = seq_lseek,
	.release = bench_release,
};

static int __init ioasid_bench_init(void)
{
	struct dentry *dir = debugfs_create_dir("ioasid", NULL);

#ifdef CONFIG_CGROUP_MISC_IOASID_BENCH
	/* a misc resource charges nothing until it has a capacity */
	misc_cg_set_capacity(MISC_CG_RES_IOASID_BENCH, ioasid_capacity());
#endif
	debugfs_create_file("bench", 0600, dir, NULL, &bench_fops);
	return 0;
}
late_initcall(ioasid_bench_init);
