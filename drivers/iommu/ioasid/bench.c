// SPDX-License-Identifier: GPL-2.0-only
/*
 * A benchmark of the IOASID allocation path, charge included.
 *
 * Writing N to /sys/kernel/debug/ioasid/bench allocates and frees one
 * IOASID N times from a fresh user set, in the writer's context: every
 * pair is charged to the writer's ioasids cgroup and its ancestors, so
 * the writer's place in the hierarchy sets the depth measured. Reading
 * the file gives the last run: "ITERATIONS NANOSECONDS".
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/ioasid.h>
#include <linux/kstrtox.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#define IOASID_BENCH_MAX_ITERS	100000000U

static DEFINE_MUTEX(bench_lock);
static u32 bench_iters;
static u64 bench_ns;

static ssize_t bench_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct ioasid_set *set;
	u32 iters, i;
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

	mutex_lock(&bench_lock);
	start = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		ret = ioasid_alloc(set, 0, 0, &id);
		if (ret)
			break;
		ioasid_free(set, id);
		if (!(i & 1023))
			cond_resched();
	}
	bench_ns = ktime_get_ns() - start;
	bench_iters = i;
	mutex_unlock(&bench_lock);

	ioasid_set_free(set);
	return ret ? ret : count;
}

static int bench_show(struct seq_file *m, void *v)
{
	mutex_lock(&bench_lock);
	seq_printf(m, "%u %llu\n", bench_iters, bench_ns);
	mutex_unlock(&bench_lock);
	return 0;
}

static int bench_open(struct inode *inode, struct file *file)
{
	return single_open(file, bench_show, NULL);
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.open = bench_open,
	.read = seq_read,
	.write = bench_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init ioasid_bench_init(void)
{
	struct dentry *dir = debugfs_create_dir("ioasid", NULL);

	debugfs_create_file("bench", 0600, dir, NULL, &bench_fops);
	return 0;
}
late_initcall(ioasid_bench_init);
