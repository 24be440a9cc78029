// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/ioasid: IOASIDs for user space.
 *
 * Each open file is one user IOASID set, so every allocation is charged to
 * the ioasids cgroup of the task that makes it, and closing the file (or the
 * death of its last holder) frees and uncharges everything in it.
 *
 * IOASID_ALLOC and IOASID_FREE on one file are serialized: an allocation
 * whose ID cannot be copied out frees it again, and no other thread may free
 * that ID, and take it anew, in between.
 *
 * The device is root-only (0600) by default: PASIDs are a host-wide
 * resource, and the administrator decides who may hold them, for instance
 * with a udev rule for the group a VMM runs as.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/ioasid.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/ioasid.h>

/* Every argument starts with argsz, then flags: ioasid_copy_arg() relies on it. */
static_assert(offsetof(struct ioasid_info, argsz) == 0 &&
	      offsetof(struct ioasid_info, flags) == sizeof(u32));
static_assert(offsetof(struct ioasid_alloc, argsz) == 0 &&
	      offsetof(struct ioasid_alloc, flags) == sizeof(u32));
static_assert(offsetof(struct ioasid_free, argsz) == 0 &&
	      offsetof(struct ioasid_free, flags) == sizeof(u32));

/* An open /dev/ioasid */
struct ioasid_file {
	struct ioasid_set *set;
	struct mutex lock;	/* serializes IOASID_ALLOC and IOASID_FREE */
};

/*
 * Copy in an extensible ioctl argument: argsz must cover at least @minsz,
 * bytes past what this kernel knows must be zero, and no flag is known yet.
 * The argsz checked is the one kept: user space may change its copy while
 * the ioctl runs, and ioasid_copy_out() must not copy out less than @minsz.
 */
static int ioasid_copy_arg(void *karg, size_t ksize, size_t minsz,
			   void __user *uarg)
{
	u32 argsz, flags;
	int ret;

	if (get_user(argsz, (u32 __user *)uarg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	if (argsz > PAGE_SIZE)
		return -E2BIG;

	ret = copy_struct_from_user(karg, ksize, uarg, argsz);
	if (ret)
		return ret;
	/* argsz is the first u32 of every argument */
	memcpy(karg, &argsz, sizeof(argsz));

	/* flags is the second u32 of every argument */
	memcpy(&flags, karg + sizeof(u32), sizeof(flags));
	return flags ? -EINVAL : 0;
}

static int ioasid_copy_out(void __user *uarg, const void *karg, size_t ksize)
{
	u32 argsz;

	memcpy(&argsz, karg, sizeof(argsz));
	return copy_to_user(uarg, karg, min_t(size_t, argsz, ksize)) ?
		-EFAULT : 0;
}

static long ioasid_ioctl_info(void __user *uarg)
{
	struct ioasid_info info;
	int ret;

	ret = ioasid_copy_arg(&info, sizeof(info),
			      offsetofend(struct ioasid_info, in_use), uarg);
	if (ret)
		return ret;

	info.capacity = ioasid_capacity();
	info.min_id = ioasid_min_id();
	info.max_id = ioasid_capacity();
	info.in_use = ioasid_in_use();
	return ioasid_copy_out(uarg, &info, sizeof(info));
}

static long ioasid_ioctl_alloc(struct ioasid_file *f, void __user *uarg)
{
	struct ioasid_alloc alloc;
	ioasid_t id;
	int ret;

	ret = ioasid_copy_arg(&alloc, sizeof(alloc),
			      offsetofend(struct ioasid_alloc, id), uarg);
	if (ret)
		return ret;

	mutex_lock(&f->lock);
	ret = ioasid_alloc(f->set, alloc.min, alloc.max, &id);
	if (!ret) {
		alloc.id = id;
		ret = ioasid_copy_out(uarg, &alloc, sizeof(alloc));
		/* The caller never learnt the ID: do not leave it charged. */
		if (ret)
			ioasid_free(f->set, id);
	}
	mutex_unlock(&f->lock);
	return ret;
}

static long ioasid_ioctl_free(struct ioasid_file *f, void __user *uarg)
{
	struct ioasid_free req;
	int ret;

	ret = ioasid_copy_arg(&req, sizeof(req),
			      offsetofend(struct ioasid_free, id), uarg);
	if (ret)
		return ret;

	mutex_lock(&f->lock);
	ret = ioasid_free(f->set, req.id);
	mutex_unlock(&f->lock);
	return ret;
}

static long ioasid_fops_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct ioasid_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case IOASID_GET_API_VERSION:
		return IOASID_API_VERSION;
	case IOASID_GET_INFO:
		return ioasid_ioctl_info(uarg);
	case IOASID_ALLOC:
		return ioasid_ioctl_alloc(f, uarg);
	case IOASID_FREE:
		return ioasid_ioctl_free(f, uarg);
	default:
		return -ENOTTY;
	}
}

static int ioasid_fops_open(struct inode *inode, struct file *file)
{
	struct ioasid_file *f;

	/* memory user space makes the kernel hold: its memcg's */
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;

	f->set = ioasid_set_alloc(IOASID_SET_USER);
	if (IS_ERR(f->set)) {
		int ret = PTR_ERR(f->set);

		kfree(f);
		return ret;
	}
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int ioasid_fops_release(struct inode *inode, struct file *file)
{
	struct ioasid_file *f = file->private_data;

	ioasid_set_free(f->set);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations ioasid_fops = {
	.owner = THIS_MODULE,
	.open = ioasid_fops_open,
	.release = ioasid_fops_release,
	.unlocked_ioctl = ioasid_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice ioasid_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ioasid",
	.fops = &ioasid_fops,
	.mode = 0600,
};

static int __init ioasid_dev_init(void)
{
	return misc_register(&ioasid_misc);
}
device_initcall(ioasid_dev_init);
