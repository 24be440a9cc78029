/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/ioasid: allocate I/O address space IDs (PASIDs) from user space.
 *
 * Each open file is one IOASID set. Closing the file frees every IOASID in
 * it. Every ioctl argument is an extensible structure that starts with
 * @argsz (the size the caller passes) and @flags, as in iommufd and VFIO:
 * an @argsz smaller than the structure's first version or unknown @flags
 * fail with EINVAL; bytes past the structure the kernel knows must be zero
 * (else E2BIG).
 *
 * Allocations are charged to the caller's "ioasids" cgroup; an allocation
 * refused by a cgroup limit fails with ENOSPC, exactly as when no ID is free.
 */
#ifndef _UAPI_LINUX_IOASID_H
#define _UAPI_LINUX_IOASID_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define IOASID_API_VERSION	1

#define IOASID_TYPE		0xB9

enum {
	IOASID_CMD_GET_API_VERSION = 0x00,
	IOASID_CMD_GET_INFO = 0x01,
	IOASID_CMD_ALLOC = 0x02,
	IOASID_CMD_FREE = 0x03,
};

/**
 * IOASID_GET_API_VERSION - _IO(IOASID_TYPE, 0x00)
 *
 * Takes no argument. Returns %IOASID_API_VERSION.
 */
#define IOASID_GET_API_VERSION	_IO(IOASID_TYPE, IOASID_CMD_GET_API_VERSION)

/**
 * struct ioasid_info - ioctl(IOASID_GET_INFO)
 * @argsz: sizeof(struct ioasid_info)
 * @flags: must be 0
 * @capacity: number of IOASIDs the system can hand out
 * @min_id: lowest IOASID that can be allocated here; the IDs below it are
 *	    kept for devices' own PASIDs (the ioasid.reserved= parameter)
 * @max_id: highest IOASID that can be allocated
 * @in_use: IOASIDs allocated system-wide, by all users and the kernel
 */
struct ioasid_info {
	__u32	argsz;
	__u32	flags;
	__u32	capacity;
	__u32	min_id;
	__u32	max_id;
	__u32	in_use;
};

#define IOASID_GET_INFO		_IO(IOASID_TYPE, IOASID_CMD_GET_INFO)

/**
 * struct ioasid_alloc - ioctl(IOASID_ALLOC)
 * @argsz: sizeof(struct ioasid_alloc)
 * @flags: must be 0
 * @min: lowest acceptable IOASID, inclusive
 * @max: highest acceptable IOASID, inclusive; @min = @max = 0 means
 *	 the whole space [@min_id, @max_id] of struct ioasid_info
 * @id: output, the IOASID allocated
 *
 * Fails with EINVAL when the range is empty or outside [@min_id, @max_id],
 * and with ENOSPC when no IOASID is free in the range or the caller's
 * cgroup is at its ioasids.max.
 */
struct ioasid_alloc {
	__u32	argsz;
	__u32	flags;
	__u32	min;
	__u32	max;
	__u32	id;
};

#define IOASID_ALLOC		_IO(IOASID_TYPE, IOASID_CMD_ALLOC)

/**
 * struct ioasid_free - ioctl(IOASID_FREE)
 * @argsz: sizeof(struct ioasid_free)
 * @flags: must be 0
 * @id: the IOASID to free; ENOENT unless it was allocated through this file
 */
struct ioasid_free {
	__u32	argsz;
	__u32	flags;
	__u32	id;
};

#define IOASID_FREE		_IO(IOASID_TYPE, IOASID_CMD_FREE)

#endif /* _UAPI_LINUX_IOASID_H */
