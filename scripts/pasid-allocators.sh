#!/bin/bash
# List every PASID allocator in a revision of the kernel tree that is not
# the IOASID core: an IDA, IDR or allocating xarray named for PASIDs, or an
# allocation from one. Each hit must be in the table below, which says why
# it is not an IOMMU PASID; anything else is printed and fails.
#
# Usage: scripts/pasid-allocators.sh TREE REV   (REV: HEAD, base, ...)
set -euo pipefail
tree=$1 rev=$2

# Allocation, not lookup: xa_insert/xa_store at a known PASID is left out.
# Every line it matches has "pasid" in it: git grep finds those lines by
# that string first (6 s on the whole tree, where the pattern takes 30).
pattern='(DEFINE_(IDA|IDR|XARRAY[A-Z0-9_]*)\([a-z0-9_]*pasid)|((ida_alloc|ida_simple_get|idr_alloc|xa_alloc|__xa_alloc|gen_pool_alloc|bitmap_find_free_region|find_first_zero_bit)[a-z0-9_]*\(.*pasid)|(pasid[a-z0-9_]* *= *(ida|idr|xa)_[a-z_]*alloc)'

# file <TAB> text on the line <TAB> why it is not an IOMMU PASID allocator
allowed=$(cat <<'TABLE'
drivers/gpu/drm/amd/amdgpu/amdgpu_ids.c	DEFINE_XARRAY_FLAGS(amdgpu_pasid_xa	amdgpu's 16-bit PASIDs tag the GPU's own page tables and interrupts; since amdkfd dropped IOMMUv2 (Linux 6.7) they never reach an IOMMU
drivers/gpu/drm/amd/amdgpu/amdgpu_ids.c	xa_alloc_cyclic_irq(&amdgpu_pasid_xa	the same amdgpu PASIDs
drivers/gpu/drm/amd/amdgpu/amdgpu_mes.c	idr_alloc(&adev->mes.pasid_idr, process, pasid, pasid + 1	a table keyed by an amdgpu PASID allocated elsewhere, not an allocator
drivers/misc/ocxl/context.c	idr_alloc(&afu->contexts_idr	OpenCAPI (POWER): an AFU's contexts within the PASID window the platform gave that AFU, not the IOMMU layer's
drivers/scsi/cxlflash/ocxl_hw.c	idr_alloc(&afu->idr, ctx, 0, afu->max_pasid	OpenCAPI (POWER): the same per-AFU window
TABLE
)

# git grep and grep exit 1 when they find nothing; anything else is an
# error (a revision that is not there), which must not read as "none"
lines=$(git -C "$tree" grep -n --no-color -F pasid "$rev" -- ':!Documentation' ':!tools' ':!drivers/iommu/ioasid') ||
	[ $? -eq 1 ] || { echo "pasid-allocators.sh: git grep failed in $tree at $rev" >&2; exit 2; }
hits=$(printf '%s\n' "$lines" | LC_ALL=C grep -a -E "^[^:]*:[^:]*:[0-9]+:.*($pattern)") ||
	[ $? -eq 1 ] || { echo "pasid-allocators.sh: grep failed" >&2; exit 2; }

bad=0
while IFS= read -r hit; do
	[ -n "$hit" ] || continue
	hit=${hit#"$rev":}
	file=${hit%%:*}
	ok=0
	while IFS=$'\t' read -r afile text _; do
		if [ "$file" = "$afile" ] && [[ "$hit" == *"$text"* ]]; then
			ok=1
			break
		fi
	done <<<"$allowed"
	if [ $ok -eq 0 ]; then
		echo "PASID allocator outside the IOASID core: $hit"
		bad=1
	fi
done <<<"$hits"
exit $bad
