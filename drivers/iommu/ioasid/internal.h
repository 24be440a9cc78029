/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points of the IOASID core for its KUnit suites only; not an API.
 * The suites run in a kernel thread, which is never charged, so they say
 * which css the allocating task is in.
 */
#ifndef _DRIVERS_IOMMU_IOASID_INTERNAL_H
#define _DRIVERS_IOMMU_IOASID_INTERNAL_H

#include <linux/ioasid.h>

#if IS_ENABLED(CONFIG_KUNIT)
struct cgroup_subsys_state;

int ioasid_alloc_as(struct ioasid_set *set, ioasid_t min, ioasid_t max,
		    struct cgroup_subsys_state *task_css, ioasid_t *id);
int ioasid_alloc_global_as(enum ioasid_set_type type, u32 max_pasids,
			   struct cgroup_subsys_state *task_css, ioasid_t *id);
#endif

#endif /* _DRIVERS_IOMMU_IOASID_INTERNAL_H */
