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
struct cgroup_subsys_state;

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

/*
 * Charging hooks, implemented by the ioasids controller and called by the
 * core only. A charge is taken against a css and must be returned to that
 * same css, whatever task or context frees the IOASID.
 */
#ifdef CONFIG_CGROUP_IOASIDS
struct cgroup_subsys_state *ioasids_get_css(void);
void ioasids_put_css(struct cgroup_subsys_state *css);
int ioasids_try_charge(struct cgroup_subsys_state *css);
void ioasids_commit_charge(struct cgroup_subsys_state *css);
void ioasids_cancel_charge(struct cgroup_subsys_state *css);
void ioasids_uncharge(struct cgroup_subsys_state *css);
#else
static inline struct cgroup_subsys_state *ioasids_get_css(void)
{
	return NULL;
}

static inline void ioasids_put_css(struct cgroup_subsys_state *css)
{
}

static inline int ioasids_try_charge(struct cgroup_subsys_state *css)
{
	return 0;
}

static inline void ioasids_commit_charge(struct cgroup_subsys_state *css)
{
}

static inline void ioasids_cancel_charge(struct cgroup_subsys_state *css)
{
}

static inline void ioasids_uncharge(struct cgroup_subsys_state *css)
{
}
#endif /* CONFIG_CGROUP_IOASIDS */

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals that the KUnit suite drives directly; not an API. */
int __ioasid_alloc(struct ioasid_set *set, ioasid_t min, ioasid_t max,
		   struct cgroup_subsys_state *css, ioasid_t *id);

struct ioasids_stat {
	s64 usage;
	s64 reserved;
	s64 max;
	s64 peak;
	s64 events;
	s64 events_local;
};

int ioasids_parse_max(char *buf, size_t nbytes, s64 *max);
void ioasids_css_stat(struct cgroup_subsys_state *css, struct ioasids_stat *st);
void ioasids_css_set_max(struct cgroup_subsys_state *css, s64 max);
#endif

#endif /* __LINUX_IOASID_H */
