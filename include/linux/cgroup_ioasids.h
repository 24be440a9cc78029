/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Charging hooks of the ioasids cgroup controller, for the IOASID core only:
 * no other code charges or uncharges IOASIDs. A charge is taken against a css
 * and must be returned to that same css, whatever task or context frees the
 * IOASID. See kernel/cgroup/ioasid.c.
 */
#ifndef _LINUX_CGROUP_IOASIDS_H
#define _LINUX_CGROUP_IOASIDS_H

struct cgroup_subsys_state;

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

#endif /* _LINUX_CGROUP_IOASIDS_H */
