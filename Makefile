# SPDX-License-Identifier: GPL-2.0
# ioasids: the one entry point. `make help` lists the targets.
#
# Everything is built under build/. Targets that need Debian packages
# install the missing ones first (as root).

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

TOP := $(CURDIR)
BUILD := $(TOP)/build
KSRC := $(BUILD)/linux
UML := $(BUILD)/uml
# make bench's: the test kernel without KASAN (configs/uml-bench.config)
UML_BENCH := $(BUILD)/uml-bench
KSELFTEST := $(KSRC)/tools/testing/selftests
TESTBIN := $(BUILD)/tests
CHECK := $(BUILD)/check
export BUILD

CC ?= cc
USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror
# Code from the pinned tree's selftests is built as its own Makefile does.
KSFT_CFLAGS := -O2 -g -Wall -pthread

.PHONY: help deps-kernel deps-tests deps-tools tree kernel test-binaries \
	ioasidctl unit check check-x86 check-debug debug-kernel kernel-x86 kernel-x86-kasan kernel-x86-kcsan kernel-x86-bench check-smp demo \
	bench patches \
	lint install deb kernel-deb check-machine systemd-deb check-systemd-deb clean distclean

help:
	@echo "make demo        boot the test kernel and show the controller at work"
	@echo "make check       build everything and run every test suite"
	@echo "make check-x86   x86_64 W=1 build of the IOMMU drivers, SVA, idxd and the"
	@echo "                 controller against the series (part of make check)"
	@echo "make check-debug the suites, 60 s of stress, a million fuzz calls and failslab"
	@echo "                 on a KASAN, lockdep, kmemleak kernel (build/uml-debug)"
	@echo "make check-smp   the suites on two x86_64 SMP kernels under QEMU (4 vCPUs,"
	@echo "                 full preemption, VT-d): one with KASAN, one with KCSAN and lockdep"
	@echo "make kernel      build the UML test kernel (KASAN) under build/uml"
	@echo "make kernel-x86  build the x86_64 SMP test kernels under build/x86-smp, build/x86-kcsan"
	@echo "make kernel-x86-bench  the x86_64 benchmark kernel (no sanitizers) under build/x86-bench"
	@echo "make ioasidctl   build the operator CLI into build/ioasidctl, and the"
	@echo "                 systemd generator for IOASIDMax= into build/systemd"
	@echo "make install     install ioasidctl, its man page and completion, the"
	@echo "                 generator and ioasid-limit@.service (PREFIX=/usr/local, DESTDIR)"
	@echo "make deb         build the Debian package ioasidctl into build/deb (dpkg-buildpackage)"
	@echo "make kernel-deb  the kernel as Debian packages (bindeb-pkg) into build/kernel-deb/CONFIG:"
	@echo "                 KERNEL_CONFIG=debian (default: Debian's amd64 config trimmed by"
	@echo "                 localmodconfig to LSMOD=FILE, the host's lsmod output; required),"
	@echo "                 debian-full (every module), machine (make check's)"
	@echo "make check-machine  the Debian 12 machine of make check alone: the machine kernel"
	@echo "                 package and ioasidctl installed by dpkg -i, booted under QEMU"
	@echo "make systemd-deb Debian 12's systemd packages with IOASIDMax= built in (patches/systemd/)"
	@echo "                 into build/systemd-deb: Debian's source and flags, no tests"
	@echo "make check-systemd-deb  install them with dpkg -i into a copy of the Debian 12 root"
	@echo "                 and boot it three times with the native systemd suites"
	@echo "make patches     write the series and its cover letter, git am-able, to build/patches"
	@echo "                 (AUTHOR=\"Name <mail>\" for From: and Signed-off-by:)"
	@echo "make bench       boot the test kernel without KASAN (build/uml-bench) and print what a"
	@echo "                 charge costs (build/bench/)"
	@echo "make lint        the kernel side as build bots check it: checkpatch --strict, W=1,"
	@echo "                 sparse, clang, coccicheck, kernel-doc, htmldocs, get_maintainer.pl,"
	@echo "                 and every prefix of the series built"
	@echo "make clean       remove build output but keep the unpacked tree"
	@echo "make distclean   remove build/"

deps-kernel:
	@$(TOP)/scripts/deps.sh kernel

deps-tests:
	@$(TOP)/scripts/deps.sh kernel tests tools systemd qemu kdeb deb lint

deps-tools:
	@$(TOP)/scripts/deps.sh tools

tree: deps-kernel
	@$(TOP)/scripts/kernel-tree.sh prepare

kernel: deps-kernel
	@$(TOP)/scripts/build-kernel.sh $(UML) um $(TOP)/configs/uml.config

# ---- test binaries, run inside the booted kernel --------------------------

$(TESTBIN)/cgroup_util.o: $(KSELFTEST)/cgroup/cgroup_util.c
	@mkdir -p $(TESTBIN)
	$(CC) $(KSFT_CFLAGS) -c -o $@ $(KSELFTEST)/cgroup/cgroup_util.c

$(TESTBIN)/ioasid_test: tests/kselftest/ioasid_test.c include/uapi/linux/ioasid.h $(TESTBIN)/cgroup_util.o
	@# kselftest_harness.h's own macros trip these three -Wextra warnings
	$(CC) $(USER_CFLAGS) -Wno-sign-compare -Wno-unused-parameter -Wno-clobbered \
		-I$(TOP)/include/uapi \
		-I$(KSELFTEST)/cgroup -I$(KSELFTEST) -pthread -o $@ $< $(TESTBIN)/cgroup_util.o

$(TESTBIN)/test_core: $(TESTBIN)/cgroup_util.o
	$(CC) $(KSFT_CFLAGS) -I$(KSELFTEST) -o $@ $(KSELFTEST)/cgroup/test_core.c $<

# The programs that drive /dev/ioasid: one source each, the uAPI header only.
vpath ioasid-%.c tests/helpers tests/stress tests/fuzz tests/bench
$(TESTBIN)/ioasid-%: ioasid-%.c include/uapi/linux/ioasid.h
	@mkdir -p $(TESTBIN)
	$(CC) $(USER_CFLAGS) -I$(TOP)/include/uapi -o $@ $<

test-binaries: deps-tests tree
	@$(MAKE) --no-print-directory $(TESTBIN)/ioasid_test $(TESTBIN)/test_core $(TESTBIN)/ioasid-alloc \
		$(TESTBIN)/ioasid-bench $(TESTBIN)/ioasid-stress $(TESTBIN)/ioasid-fuzz

# ---- ioasidctl and its host-side unit tests --------------------------------

IOASIDCTL := $(BUILD)/ioasidctl/ioasidctl
UNIT := $(BUILD)/unit
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CTLDIR := $(TOP)/tools/ioasidctl
SDDIR := $(TOP)/tools/systemd
LVDIR := $(TOP)/tools/libvirt

ioasidctl: deps-tools
	@$(MAKE) --no-print-directory -s -C $(CTLDIR) O=$(BUILD)/ioasidctl
	@$(MAKE) --no-print-directory -s -C $(SDDIR) O=$(BUILD)/systemd
	@$(MAKE) --no-print-directory -s -C $(LVDIR) O=$(BUILD)/libvirt

$(UNIT)/test_value: tests/unit/test_value.c $(CTLDIR)/value.c $(CTLDIR)/value.h
	@mkdir -p $(UNIT)
	$(CC) $(USER_CFLAGS) -O1 $(SANITIZE) -I$(CTLDIR) -o $@ $< $(CTLDIR)/value.c -lcmocka

$(UNIT)/test_output: tests/unit/test_output.c $(CTLDIR)/output.c $(CTLDIR)/output.h $(CTLDIR)/cgroup.h \
		$(CTLDIR)/name.c $(CTLDIR)/name.h
	@mkdir -p $(UNIT)
	$(CC) $(USER_CFLAGS) -O1 $(SANITIZE) -I$(CTLDIR) $$(pkg-config --cflags smartcols) \
		-o $@ $< $(CTLDIR)/output.c $(CTLDIR)/name.c $$(pkg-config --libs smartcols) -lcmocka

$(UNIT)/test_name: tests/unit/test_name.c $(CTLDIR)/name.c $(CTLDIR)/name.h
	@mkdir -p $(UNIT)
	$(CC) $(USER_CFLAGS) -O1 $(SANITIZE) -I$(CTLDIR) -o $@ $< $(CTLDIR)/name.c -lcmocka

$(UNIT)/test_systemd: tests/unit/test_systemd.c $(CTLDIR)/systemd.c $(CTLDIR)/systemd.h \
		$(CTLDIR)/file.c $(CTLDIR)/file.h $(SDDIR)/unitfile.c $(SDDIR)/unitfile.h
	@mkdir -p $(UNIT)
	$(CC) $(USER_CFLAGS) -O1 $(SANITIZE) -I$(CTLDIR) -I$(SDDIR) $$(pkg-config --cflags libsystemd) \
		-o $@ $< $(CTLDIR)/systemd.c $(CTLDIR)/file.c $(SDDIR)/unitfile.c $$(pkg-config --libs libsystemd) \
		-lcmocka -lpthread

$(UNIT)/test_top: tests/unit/test_top.c $(CTLDIR)/top.c $(CTLDIR)/top.h $(CTLDIR)/cgroup.c $(CTLDIR)/cgroup.h \
		$(CTLDIR)/loop.c $(CTLDIR)/loop.h $(CTLDIR)/name.c $(CTLDIR)/name.h
	@mkdir -p $(UNIT)
	$(CC) $(USER_CFLAGS) -O1 $(SANITIZE) -I$(CTLDIR) $$(pkg-config --cflags smartcols libsystemd libcgroup) \
		-o $@ $< $(CTLDIR)/top.c $(CTLDIR)/cgroup.c $(CTLDIR)/loop.c $(CTLDIR)/name.c \
		$$(pkg-config --libs smartcols libsystemd libcgroup) -lcmocka

$(UNIT)/test_oci: tests/unit/test_oci.c $(CTLDIR)/oci.c $(CTLDIR)/oci.h $(CTLDIR)/proc.c $(CTLDIR)/proc.h \
		$(CTLDIR)/value.c $(CTLDIR)/value.h
	@mkdir -p $(UNIT)
	$(CC) $(USER_CFLAGS) -O1 $(SANITIZE) -I$(CTLDIR) $$(pkg-config --cflags json-c) \
		-o $@ $< $(CTLDIR)/oci.c $(CTLDIR)/proc.c $(CTLDIR)/value.c $$(pkg-config --libs json-c) -lcmocka

$(UNIT)/test_domain: tests/unit/test_domain.c $(LVDIR)/domain.c $(LVDIR)/domain.h \
		tests/unit/fixtures/virsh-dumpxml-vm1.xml
	@mkdir -p $(UNIT)
	$(CC) $(USER_CFLAGS) -O1 $(SANITIZE) -I$(LVDIR) -I$(CTLDIR) $$(pkg-config --cflags libxml-2.0) \
		-DFIXTURE='"$(TOP)/tests/unit/fixtures/virsh-dumpxml-vm1.xml"' \
		-o $@ $< $(LVDIR)/domain.c $$(pkg-config --libs libxml-2.0) -lcmocka

$(UNIT)/test_unitfile: tests/unit/test_unitfile.c $(SDDIR)/unitfile.c $(SDDIR)/unitfile.h
	@mkdir -p $(UNIT)
	$(CC) $(USER_CFLAGS) -O1 $(SANITIZE) -I$(SDDIR) -o $@ $< $(SDDIR)/unitfile.c -lcmocka

# cmocka suites, with ASan and UBSan, TAP into $(CHECK)/host
unit: deps-tools
	@$(MAKE) --no-print-directory -s $(UNIT)/test_value $(UNIT)/test_output $(UNIT)/test_systemd \
		$(UNIT)/test_unitfile $(UNIT)/test_top $(UNIT)/test_oci $(UNIT)/test_domain $(UNIT)/test_name
	@mkdir -p $(CHECK)/host
	@for t in test_value test_output test_systemd test_unitfile test_top test_oci test_domain test_name; do \
		$(UNIT)/$$t >$(CHECK)/host/unit-$${t#test_}.tap 2>&1 || true; \
	done
	@$(MAKE) --no-print-directory -s ioasidctl
	@$(TOP)/tests/unit/ioasidctl-host.sh $(TOP) $(BUILD) >$(CHECK)/host/ioasidctl-host.tap 2>&1 || true
	@$(TOP)/tests/unit/generator-host.sh $(TOP) $(BUILD) >$(CHECK)/host/generator-host.tap 2>&1 || true
	@$(TOP)/tests/unit/docs-host.sh $(TOP) >$(CHECK)/host/docs-host.tap 2>&1 || true
	@$(TOP)/tests/unit/kernel-log-host.sh $(TOP) >$(CHECK)/host/kernel-log-host.tap 2>&1 || true

install: ioasidctl
	@$(MAKE) --no-print-directory -C $(CTLDIR) O=$(BUILD)/ioasidctl install
	@$(MAKE) --no-print-directory -C $(SDDIR) O=$(BUILD)/systemd install
	@$(MAKE) --no-print-directory -C $(LVDIR) O=$(BUILD)/libvirt install

# ---- the two commands -----------------------------------------------------

check: deps-tests
	@echo "== building the test kernel (log: build/uml-build.log)"
	@LOG=$(BUILD)/uml-build.log $(TOP)/scripts/build-kernel.sh $(UML) um $(TOP)/configs/uml.config
	@echo "== building the test programs and ioasidctl"
	@$(MAKE) --no-print-directory -s test-binaries ioasidctl
	@rm -rf $(CHECK)
	@echo "== the Debian 12 machine's kernel package and the SMP kernel, built in the background"
	@echo "   at nice 19 from here on, one after the other (logs: build/kernel-deb-machine.log,"
	@echo "   build/x86-kcsan-build.log)"
	@$(call background_kernels)
	@echo "== Debian's own amd64 configs: the options survive olddefconfig, the subsystems fit"
	@$(TOP)/scripts/kernel-deb.sh check-config $(CHECK)/host
	@echo "== lint: checkpatch --strict, W=1, sparse, clang, coccicheck, kernel-doc, htmldocs,"
	@echo "   get_maintainer.pl, and every prefix of the series built"
	@$(TOP)/scripts/lint.sh $(CHECK)/host
	@$(TOP)/scripts/check-series.sh $(CHECK)/host
	@echo "== unit: cmocka suites (ASan, UBSan), man page, completion, the generator, install"
	@$(MAKE) --no-print-directory -s unit
	@echo "== libFuzzer: ioasidctl's value parser and the unit file parser, 10 s each"
	@$(TOP)/tests/fuzz/libfuzzer.sh $(CHECK)/host 10
	@echo "== boot 1 (the UML kernels have KASAN): KUnit, kselftest, test_core, ioasidctl, containers"
	@echo "   (crun, runc, podman, the OCI hook), the libvirt hook, security, 10 s of stress,"
	@echo "   1,000,000 fuzz calls"
	@$(TOP)/scripts/check-boot.sh $(CHECK)/boot-default \
		"checkers,kunit,kselftest,test_core,ioasidctl,docs,containers,libvirt,security,stress,fuzz" \
		IOASID_STRESS=10 IOASID_CHECKERS=kasan
	@echo "== boot 2: ioasid.capacity=100: KUnit again, a full space, make bench at tiny sizes"
	@$(TOP)/scripts/check-boot.sh $(CHECK)/boot-capacity100 "kunit,capacity,bench" ioasid.capacity=100
	@echo "== boot 3: cgroup_disable=ioasids ioasid.capacity=0: no controller (KUnit skips what needs it,"
	@echo "   container runtimes and the OCI hook refuse a limit they cannot set), a bad capacity"
	@$(TOP)/scripts/check-boot.sh $(CHECK)/boot-nocontroller "kunit,no_controller" \
		cgroup_disable=ioasids ioasid.capacity=0
	@echo "== make demo's boot: it runs to the end and shows vm1's refusal in the kernel log"
	@$(MAKE) --no-print-directory -s $(TESTBIN)/ioasid-alloc
	@$(TOP)/tests/e2e/demo-host.sh $(TOP) $(CHECK)/boot-demo
	@echo "== deb: the Debian package (make deb), lintian, its paths and scripts"
	@$(MAKE) --no-print-directory -s deb >/dev/null
	@$(TOP)/tests/unit/deb-host.sh $(TOP) $(BUILD) >$(CHECK)/host/deb-host.tap 2>&1 || true
	@echo "== the example Prometheus alert rules: promtool check rules and test rules"
	@$(TOP)/tests/unit/prometheus-host.sh $(TOP) $(BUILD) >$(CHECK)/host/prometheus-host.tap 2>&1 || true
	@echo "== a Debian 12 root for systemd as PID 1 (debootstrap, cached in build/rootfs)"
	@$(TOP)/scripts/rootfs.sh $(BUILD)/rootfs
	@echo "== boot 4: systemd with IOASIDMax= built in (patches/systemd/ on Debian's 252.39 source:"
	@echo "   PID 1, systemctl, systemd-run, systemd-analyze by meson; log: build/systemd-build.log),"
	@echo "   booted three times on a copy of that root (build/rootfs-native), the last with"
	@echo "   cgroup_disable=ioasids"
	@$(TOP)/scripts/systemd-native.sh root $(BUILD)/rootfs $(BUILD)/rootfs-native
	@$(TOP)/scripts/systemd-native.sh check >$(CHECK)/host/systemd-meson.tap
	@$(TOP)/scripts/check-systemd.sh $(BUILD)/rootfs-native $(CHECK)/boot-systemd-native 3 \
		"cgroup_disable=ioasids systemd.log_level=debug printk.devkmsg=on"
	@echo "== the Debian 12 root of the machine: build/rootfs and its packages by apt (cached in build/rootfs-machine)"
	@$(TOP)/scripts/rootfs.sh $(BUILD)/rootfs-machine machine
	@echo "== boot 5: the Debian 12 machine under QEMU, x86_64, 2 vCPUs, full preemption: a disk image"
	@echo "   of that root with the kernel package and the ioasidctl package installed by dpkg -i,"
	@echo "   booted from its /boot, systemd as PID 1, AppArmor enforcing: the systemd suites,"
	@echo "   libvirt and podman as Debian ships them; then booted again with cgroup_disable=ioasids:"
	@echo "   what each integration does without it (waits for its kernel package)"
	@$(call background_wait,machine)
	@$(call machine_boot,$(CHECK)/machine)
	@echo "== boot 6: x86_64 SMP kernel under QEMU, $(SMP_CPUS) vCPUs, full preemption, VT-d:"
	@echo "   KCSAN, lockdep, kmemleak and failslab (waits for its kernel)"
	@$(call background_wait,kcsan)
	@$(call smp_kcsan_boot,$(CHECK))
	@echo "== results"
	@$(TOP)/scripts/tap-summary.sh $(CHECK)/host $(CHECK)/boot-default $(CHECK)/boot-capacity100 \
		$(CHECK)/boot-nocontroller $(CHECK)/boot-demo $(CHECK)/machine \
		$(CHECK)/boot-systemd-native $(CHECK)/smp-kcsan

# The kernels make check boots under QEMU, built at nice 19 behind its
# other work, one after another in the order it boots them: each stage
# holds its lock (build/kernel-STAGE.lock) until its kernel is built and
# its status (kbuild's exit code) is in build/kernel-STAGE.status. Every
# lock is taken before the job goes to the background, so a wait can
# never come first, and the old statuses go only once the locks are held,
# so a chain left running by an interrupted make cannot leave one behind.
# The recipe shell runs with -e: the job turns it off, so that a failed
# stage still writes its status.
background_kernels = \
	exec 8>$(BUILD)/kernel-machine.lock 9>$(BUILD)/kernel-kcsan.lock && \
	flock 8 && flock 9 && \
	rm -f $(BUILD)/kernel-machine.status $(BUILD)/kernel-kcsan.status || exit 1; \
	{ set +e; nice -n 19 $(MAKE) --no-print-directory -s kernel-deb KERNEL_CONFIG=machine \
		>$(BUILD)/kernel-machine.log 2>&1 8>&- 9>&-; \
	  echo $$? >$(BUILD)/kernel-machine.status; flock -u 8; \
	  nice -n 19 $(MAKE) --no-print-directory -s kernel-x86-kcsan >$(BUILD)/kernel-kcsan.log 2>&1 8>&- 9>&-; \
	  echo $$? >$(BUILD)/kernel-kcsan.status; flock -u 9; } &
background_wait = \
	flock $(BUILD)/kernel-$(1).lock true && \
	{ [ "$$(cat $(BUILD)/kernel-$(1).status 2>/dev/null)" = 0 ] || \
	  { tail -n 30 $(BUILD)/kernel-$(1).log; echo "make check: the $(1) kernel did not build"; exit 1; }; }

# The Debian 12 machine: build/rootfs-machine with the packages of
# build/kernel-deb/machine and of make deb, booted under QEMU (make check
# makes the root earlier, while its kernel builds; rootfs.sh then finds it
# made).
machine_boot = \
	$(TOP)/scripts/rootfs.sh $(BUILD)/rootfs-machine machine && \
	$(TOP)/scripts/check-machine.sh $(BUILD)/rootfs-machine $(BUILD)/kernel-deb/machine $(1)

check-machine: deps-tests
	@$(MAKE) --no-print-directory -s kernel-deb KERNEL_CONFIG=machine test-binaries deb >/dev/null
	@rm -rf $(CHECK)/machine
	@$(call machine_boot,$(CHECK)/machine)
	@$(TOP)/scripts/tap-summary.sh $(CHECK)/machine

# The debug test kernel: configs/uml.config plus configs/uml-debug.config.
DEBUG_UML := $(BUILD)/uml-debug
DEBUG_CHECK := $(BUILD)/check-debug
STRESS ?= 60

debug-kernel: deps-kernel
	@$(call config_fragment,uml,uml-debug)
	@LOG=$(BUILD)/uml-debug-build.log $(TOP)/scripts/build-kernel.sh $(DEBUG_UML) um $(BUILD)/uml-debug.config

# Any KASAN, lockdep, kmemleak, WARN or BUG report fails it (scripts/check-boot.sh).
debug_boot = UML_LINUX=$(DEBUG_UML)/linux $(TOP)/scripts/check-boot.sh $(1) \
	"kunit,kselftest,security,stress,fuzz,failslab,kmemleak" slab_nomerge IOASID_STRESS=$(STRESS)

check-debug: deps-tests
	@echo "== building the debug test kernel: KASAN, lockdep, kmemleak, failslab (log: build/uml-debug-build.log)"
	@$(MAKE) --no-print-directory -s debug-kernel test-binaries
	@rm -rf $(DEBUG_CHECK)
	@echo "== debug boot: KUnit, kselftest, security, $(STRESS) s of stress, 1,000,000 fuzz calls, failslab, kmemleak"
	@$(call debug_boot,$(DEBUG_CHECK)/boot-debug)
	@echo "== libFuzzer: ioasidctl's value parser and the unit file parser, $(STRESS) s each"
	@$(TOP)/tests/fuzz/libfuzzer.sh $(DEBUG_CHECK)/host $(STRESS)
	@echo "== counts"
	@sed -n 's/^# \(operations\|limit writes\|violations\)/stress: \1/p' \
		$(DEBUG_CHECK)/boot-debug/stress.tap 2>/dev/null || true
	@sed -n 's/^# \([0-9]* calls, [0-9]* failures\)/fuzz: \1/p' \
		$(DEBUG_CHECK)/boot-debug/fuzz.tap 2>/dev/null || true
	@if grep -q '^ok 2 ' $(DEBUG_CHECK)/boot-debug/kernel.tap 2>/dev/null; then \
		echo "kernel reports (KASAN, lockdep, kmemleak, WARN, BUG): 0"; \
	else echo "kernel reports: see $(DEBUG_CHECK)/boot-debug/kernel.tap"; fi
	@echo "== results"
	@$(TOP)/scripts/tap-summary.sh $(DEBUG_CHECK)/boot-debug $(DEBUG_CHECK)/host

# The SMP test kernels: x86_64 tinyconfig plus configs/x86-smp.config (KASAN),
# and the same with configs/x86-kcsan.config on top (KCSAN and lockdep; a
# later line for the same option wins).
X86_SMP := $(BUILD)/x86-smp
X86_KCSAN := $(BUILD)/x86-kcsan
X86_BENCH := $(BUILD)/x86-bench
SMP_CPUS ?= 4
SMP_STRESS ?= 20
# kmemleak records every allocation: a million fuzz calls take 2.5 min on
# the KASAN kernel and 70 s on the KCSAN one (UML's boot 1 runs a million)
SMP_FUZZ ?= 250000
SMP_SUITES := platform,kunit,kselftest,test_core,ioasidctl,security,stress,fuzz
# The KASAN boot (make check-smp only) leaves ioasidctl's suite to UML and
# KCSAN: it reaches the kernel through the cgroupfs files kselftest covers,
# and took 2.3 of the boot's 8.7 minutes. It adds the benchmark, failslab,
# kmemleak.
comma := ,
SMP_KASAN_SUITES = $(subst $() ,$(comma),$(filter-out ioasidctl,$(subst $(comma), ,$(SMP_SUITES))) \
	bench_smp failslab kmemleak)
# The KCSAN kernel, the one make check boots, adds the same three.
SMP_KCSAN_SUITES = $(SMP_SUITES),bench_smp,failslab,kmemleak

# configs/$(1).config with configs/$(2).config on top, a later line for an
# option winning, into build/$(2).config (rewritten only if new).
config_fragment = \
	mkdir -p $(BUILD) && \
	cat $(TOP)/configs/$(1).config $(TOP)/configs/$(2).config | \
		tac | awk '{ k = $$0; sub(/^\# /, "", k); sub(/[= ].*/, "", k) } \
			!/^CONFIG_|^\# CONFIG_/ || !seen[k]++' | tac >$(BUILD)/$(2).config.new && \
	{ cmp -s $(BUILD)/$(2).config.new $(BUILD)/$(2).config || \
		mv $(BUILD)/$(2).config.new $(BUILD)/$(2).config; } && \
	rm -f $(BUILD)/$(2).config.new
x86_fragment = $(call config_fragment,x86-smp,x86-$(1))

kernel-x86: kernel-x86-kasan kernel-x86-kcsan

kernel-x86-kasan: deps-kernel
	@$(TOP)/scripts/deps.sh qemu
	@BASE=tinyconfig LOG=$(BUILD)/x86-smp-build.log \
		$(TOP)/scripts/build-kernel.sh $(X86_SMP) x86_64 $(TOP)/configs/x86-smp.config bzImage

kernel-x86-kcsan: deps-kernel
	@$(TOP)/scripts/deps.sh qemu
	@$(call x86_fragment,kcsan)
	@BASE=tinyconfig LOG=$(BUILD)/x86-kcsan-build.log \
		$(TOP)/scripts/build-kernel.sh $(X86_KCSAN) x86_64 $(BUILD)/x86-kcsan.config bzImage

# The benchmark kernel: the SMP kernel without sanitizers, with misc.
kernel-x86-bench: deps-kernel
	@$(TOP)/scripts/deps.sh qemu
	@$(call x86_fragment,bench)
	@BASE=tinyconfig LOG=$(BUILD)/x86-bench-build.log \
		$(TOP)/scripts/build-kernel.sh $(X86_BENCH) x86_64 $(BUILD)/x86-bench.config bzImage

# Any KASAN, KCSAN, lockdep, kmemleak, WARN or BUG report fails a boot, but
# a KCSAN race with no frame in the series' code, which is listed
# (scripts/kernel-log.sh). Both kernels also run failslab (which needs
# unmerged caches) and, last, the kmemleak scans.
smp_kasan_boot = \
	X86_KERNEL=$(X86_SMP) CPUS=$(SMP_CPUS) $(TOP)/scripts/check-boot.sh $(1)/smp-kasan \
		"$(SMP_KASAN_SUITES)" slab_nomerge \
		IOASID_STRESS=$(SMP_STRESS) IOASID_FUZZ=$(SMP_FUZZ) \
		IOASID_CHECKERS=kasan+kmemleak
smp_kcsan_boot = \
	X86_KERNEL=$(X86_KCSAN) CPUS=$(SMP_CPUS) $(TOP)/scripts/check-boot.sh $(1)/smp-kcsan \
		"$(SMP_KCSAN_SUITES)" slab_nomerge IOASID_STRESS=$(SMP_STRESS) IOASID_FUZZ=$(SMP_FUZZ) \
		IOASID_CHECKERS=kcsan+lockdep+kmemleak
smp_boots = $(call smp_kasan_boot,$(1)) && $(call smp_kcsan_boot,$(1))

check-smp: deps-tests
	@echo "== building the x86_64 SMP kernels (logs: build/x86-smp-build.log, build/x86-kcsan-build.log)"
	@$(MAKE) --no-print-directory -s kernel-x86 test-binaries ioasidctl
	@rm -rf $(CHECK)/smp
	@echo "== $(SMP_CPUS) vCPUs under QEMU: KASAN ($(SMP_KASAN_SUITES)), then KCSAN and lockdep ($(SMP_KCSAN_SUITES))"
	@$(call smp_boots,$(CHECK)/smp)
	@$(TOP)/scripts/tap-summary.sh $(CHECK)/smp/smp-kasan $(CHECK)/smp/smp-kcsan

# Compile coverage of the real IOMMU drivers, SVA and idxd on x86_64 at W=1.
check-x86: deps-kernel
	@$(TOP)/scripts/check-x86.sh $(CHECK)/x86
	@$(TOP)/scripts/tap-summary.sh $(CHECK)/x86

demo: deps-tests
	@echo "== building the test kernel (log: build/uml-build.log)"
	@LOG=$(BUILD)/uml-build.log $(TOP)/scripts/build-kernel.sh $(UML) um $(TOP)/configs/uml.config
	@$(MAKE) --no-print-directory -s $(TESTBIN)/ioasid-alloc ioasidctl
	@echo "== booting the test kernel"
	@SHOW=1 $(TOP)/scripts/boot.sh $(BUILD)/demo demo quiet | \
		sed -n '/^demo:/,/^harness: finished/p' | sed -e '/^harness:/d' -e 's/^demo://'

# Figures, never assertions: build/bench/bench.{txt,json}. BENCH=tiny for a quick run.
bench: deps-tests
	@echo "== building the test kernel without KASAN (log: build/uml-bench-build.log)"
	@$(call config_fragment,uml,uml-bench)
	@LOG=$(BUILD)/uml-bench-build.log $(TOP)/scripts/build-kernel.sh $(UML_BENCH) um $(BUILD)/uml-bench.config
	@$(MAKE) --no-print-directory -s test-binaries ioasidctl
	@echo "== booting it to measure ($${BENCH:-full} sizes; a few minutes)"
	@UML_LINUX=$(UML_BENCH)/linux $(TOP)/scripts/boot.sh $(BUILD)/bench/run suites \
		IOASID_SUITES=bench IOASID_BENCH=$${BENCH:-full}
	@cp $(BUILD)/bench/run/bench.json $(BUILD)/bench/run/bench.txt $(BUILD)/bench/
	@echo "== results on $$(lscpu | sed -n 's/^Model name: *//p'), $$(nproc) CPUs," \
		"host kernel $$(uname -r); test kernel: UML $$(sed -n 's/.*"kernel": "\(.*\)",/\1/p' $(BUILD)/bench/bench.json)"
	@cat $(BUILD)/bench/bench.txt
	@! grep '^not ok' $(BUILD)/bench/run/bench.tap
	@echo "== the x86_64 benchmark kernel (SMP, full preemption, no sanitizer, misc) under QEMU,"
	@echo "   $(SMP_CPUS) vCPUs (log: build/x86-bench-build.log)"
	@$(MAKE) --no-print-directory -s kernel-x86-bench
	@X86_KERNEL=$(X86_BENCH) CPUS=$(SMP_CPUS) $(TOP)/scripts/boot.sh $(BUILD)/bench/smp suites \
		IOASID_SUITES=bench_smp IOASID_BENCH=$${BENCH:-full}
	@cp $(BUILD)/bench/smp/bench-smp.json $(BUILD)/bench/smp/bench-smp.txt $(BUILD)/bench/
	@cat $(BUILD)/bench/bench-smp.txt
	@! grep '^not ok' $(BUILD)/bench/smp/bench-smp.tap

# The Debian package ioasidctl (debian/), built from a copy of tools/ under
# build/deb so that dpkg-buildpackage's output lands there too.
DEB := $(BUILD)/deb
# the version orders from build to build (scripts/version.sh): BASE+N.gHASH
DEB_VERSION := $(shell $(TOP)/scripts/version.sh deb 2>/dev/null)
DEB_FILE := $(DEB)/ioasidctl_$(DEB_VERSION)_$(shell dpkg --print-architecture).deb

deb: deps-tools
	@$(TOP)/scripts/deps.sh deb
	@rm -rf $(DEB)
	@mkdir -p $(DEB)/src/tools
	@cp -r $(TOP)/debian $(DEB)/src/
	@cp -r $(CTLDIR) $(SDDIR) $(LVDIR) $(DEB)/src/tools/
	@{ printf 'ioasidctl (%s) unstable; urgency=medium\n\n  * Built from %s.\n\n -- %s  %s\n\n' \
		"$(DEB_VERSION)" "$$(git -C $(TOP) describe --always --dirty 2>/dev/null || echo a tree without git)" \
		"$$(dpkg-parsechangelog -l $(TOP)/debian/changelog -S Maintainer)" \
		"$$(date -R -d @$$(git -C $(TOP) log -1 --format=%ct 2>/dev/null || date +%s))"; \
		cat $(TOP)/debian/changelog; } >$(DEB)/src/debian/changelog
	@cd $(DEB)/src && dpkg-buildpackage -us -uc -b >$(DEB)/build.log 2>&1 || \
		{ tail -n 30 $(DEB)/build.log; echo "dpkg-buildpackage failed: $(DEB)/build.log"; exit 1; }
	@echo "$(DEB_FILE)"

# The kernel as Debian packages into build/kernel-deb/$(KERNEL_CONFIG):
# debian (Debian's amd64 config trimmed by localmodconfig to LSMOD, the
# host's lsmod output), debian-full, or machine (the
# small kernel make check installs in its Debian 12 machine).
KERNEL_CONFIG ?= debian
kernel-deb: deps-kernel
	@$(TOP)/scripts/deps.sh kdeb
	@LSMOD=$(LSMOD) $(TOP)/scripts/kernel-deb.sh build $(KERNEL_CONFIG)

systemd-deb: deps-tests
	@$(TOP)/scripts/systemd-deb.sh build

check-systemd-deb: deps-tests
	@LOG=$(BUILD)/uml-build.log $(TOP)/scripts/build-kernel.sh $(UML) um $(TOP)/configs/uml.config
	@$(MAKE) --no-print-directory -s test-binaries deb >/dev/null
	@$(TOP)/scripts/rootfs.sh $(BUILD)/rootfs
	@rm -rf $(CHECK)/systemd-deb
	@$(TOP)/scripts/systemd-deb.sh root $(BUILD)/rootfs $(BUILD)/rootfs-deb
	@$(TOP)/scripts/check-systemd.sh $(BUILD)/rootfs-deb $(CHECK)/systemd-deb 3 \
		"cgroup_disable=ioasids systemd.log_level=debug printk.devkmsg=on"
	@$(TOP)/scripts/tap-summary.sh $(CHECK)/systemd-deb

patches: tree
	@AUTHOR="$(AUTHOR)" $(TOP)/scripts/kernel-tree.sh series $(BUILD)/patches

lint: deps-kernel
	@$(TOP)/scripts/deps.sh lint
	@$(TOP)/scripts/build-kernel.sh $(UML) um $(TOP)/configs/uml.config >/dev/null
	@rm -rf $(CHECK)/lint
	@$(TOP)/scripts/lint.sh $(CHECK)/lint
	@$(TOP)/scripts/check-series.sh $(CHECK)/lint
	@$(TOP)/scripts/tap-summary.sh $(CHECK)/lint

clean:
	rm -rf $(UML) $(BUILD)/uml-lint $(BUILD)/x86_64 $(X86_SMP) $(X86_KCSAN) $(X86_BENCH) $(UML_BENCH) $(DEBUG_UML) $(DEBUG_CHECK) $(TESTBIN) $(CHECK) $(BUILD)/demo $(BUILD)/patches $(BUILD)/uml-run

distclean:
	rm -rf $(BUILD)
