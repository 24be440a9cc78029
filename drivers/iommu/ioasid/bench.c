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
 * Each open file keeps its own result, so several tasks can measure at
 * once, on several CPUs, which is how the contention on a shared parent's
 * counters and on the ID space's lock shows.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/ioasid.h>
#include <linux/kstrtox.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#define IOASID_BENCH_MAX_ITERS	100000000U

/* The last run through one open file */
struct bench_result {
	u32 iters;
	u64 ns;
	u32 refused;
};

static ssize_t bench_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct bench_result *res = m->private;
	struct ioasid_set *set;
	u32 iters, i, refused = 0;
	ioasid_t id;
	u64 start;
	int ret;

	ret = kstrtou32_from_user(buf, count, 10, &iters);
	if (ret)
		return ret;
	if (!iters || iters > IOASID_BENCH_MAX_ITERS)
		return -EINVAL;
	set = ioasid_set_alloc(IOASID_SET_USER);
	if (IS_ERR(set))
		return PTR_ERR(set);

	start = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		ret = ioasid_alloc(set, 0, 0, &id);
		if (!ret)
			ioasid_free(set, id);
		else if (ret == -ENOSPC)
			refused++;
		else
			break;
		ret = 0;
		if (!(i & 1023))
			cond_resched();
	}
	res->ns = ktime_get_ns() - start;
	res->iters = i;
	res->refused = refused;

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

	debugfs_create_file("bench", 0600, dir, NULL, &bench_fops);
	return 0;
}
late_initcall(ioasid_bench_init);
