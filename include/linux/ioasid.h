/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IOASID core: one system-wide space of I/O address space IDs (PCIe PASIDs),
 * handed out in sets and charged to the "ioasids" cgroup controller.
 */
#ifndef __LINUX_IOASID_H
#define __LINUX_IOASID_H

#include <linux/err.h>
#include <linux/iommu.h>		/* ioasid_t */
#include <linux/types.h>

/* PCIe PASIDs are 20 bits wide and PASID 0 means "no PASID". */
#define IOASID_CAPACITY_MAX	((1U << 20) - 1)
/* Kept for the IOMMU layer by default: every PASID of a 16-bit device. */
#define IOASID_RESERVED_DEFAULT	((1U << 16) - 1)

struct ioasid_set;

/**
 * enum ioasid_set_type - who an IOASID set allocates for
 * @IOASID_SET_USER: every allocation is charged to the allocating task's
 *	ioasids cgroup and can be refused by its ioasids.max
 * @IOASID_SET_KERNEL: the kernel's own IOASIDs; counted system-wide, never
 *	charged to a cgroup and never refused by a cgroup limit
 */
enum ioasid_set_type {
	IOASID_SET_USER,
	IOASID_SET_KERNEL,
};

#ifdef CONFIG_IOASID
struct ioasid_set *ioasid_set_alloc(enum ioasid_set_type type);
void ioasid_set_free(struct ioasid_set *set);
int ioasid_alloc(struct ioasid_set *set, ioasid_t min, ioasid_t max,
		 ioasid_t *id);
int ioasid_free(struct ioasid_set *set, ioasid_t id);
int ioasid_alloc_global(enum ioasid_set_type type, u32 max_pasids,
			ioasid_t *id);
int ioasid_free_global(ioasid_t id);
ioasid_t ioasid_capacity(void);
ioasid_t ioasid_min_id(void);
unsigned int ioasid_in_use(void);
#else
static inline struct ioasid_set *ioasid_set_alloc(enum ioasid_set_type type)
{
	return ERR_PTR(-ENODEV);
}

static inline void ioasid_set_free(struct ioasid_set *set)
{
}

static inline int ioasid_alloc(struct ioasid_set *set, ioasid_t min,
			       ioasid_t max, ioasid_t *id)
{
	return -ENODEV;
}

static inline int ioasid_free(struct ioasid_set *set, ioasid_t id)
{
	return -ENOENT;
}

static inline int ioasid_alloc_global(enum ioasid_set_type type,
				      u32 max_pasids, ioasid_t *id)
{
	return -ENODEV;
}

static inline int ioasid_free_global(ioasid_t id)
{
	return -ENOENT;
}

static inline ioasid_t ioasid_capacity(void)
{
	return 0;
}

static inline ioasid_t ioasid_min_id(void)
{
	return 1;
}

static inline unsigned int ioasid_in_use(void)
{
	return 0;
}
#endif /* CONFIG_IOASID */

#endif /* __LINUX_IOASID_H */
