# SPDX-License-Identifier: GPL-2.0-only
#
# protkey: glue only. The kernel modules build through Kbuild, the tests
# through scripts/ and tests/vm/. See Documentation/testing.rst.

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
BUILD ?= $(CURDIR)/build
TARGET ?= test
export KDIR BUILD

KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) W=1 KCFLAGS=-Werror

# Installation (Documentation/install.rst): DESTDIR, PREFIX; the modules
# go to /lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/, KVER being the release
# of the kernel KDIR belongs to.
PREFIX ?= /usr
DESTDIR ?=
INSTALL_MOD_DIR ?= updates
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
DKMS_SRC = $(PREFIX)/src/protkey-$(VERSION)
# Kbuild signs on modules_install (CONFIG_MODULE_SIG_ALL); without the
# kernel's signing key, as with Debian's headers, it only prints SSL
# errors, so it is not asked to.
SIG_KEY := $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="*\([^"]*\)"*$$/\1/p' \
	$(KDIR)/include/config/auto.conf 2>/dev/null)
NO_SIGN := $(if $(SIG_KEY),$(if $(wildcard $(SIG_KEY) $(KDIR)/$(SIG_KEY)),,CONFIG_MODULE_SIG_ALL=))

.PHONY: all modules sparse userspace selftests lint check vm-test bench soak \
	cross-s390x \
	demo deps clean install install-modules install-userspace \
	install-dkms uninstall uninstall-modules uninstall-userspace \
	uninstall-dkms deb

all: modules userspace

modules:
	$(KMAKE) modules

# Sparse with endian checks; any warning fails.
sparse:
	$(KMAKE) C=2 CF='-D__CHECK_ENDIAN__ -Wsparse-error' modules

userspace:
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace; fi

selftests:
	$(MAKE) -C tests/selftests/protkey OUT=$(BUILD)/selftests/host

lint:
	scripts/lint

# The modules (with the IBM Z platform) and the user space for s390x,
# against Debian's s390x headers and libraries, W=1 -Werror; a compile
# check, in a copy of the tree under $(BUILD)/cross-s390x.
cross-s390x:
	scripts/cross-s390x

deps:
	scripts/install-deps

# Runs one VM target: test, stock or s390x.
vm-test:
	tests/vm/run $(TARGET)

# Every benchmark runs even when one fails; the summary collects them all.
bench:
	rc=0; \
	tests/bench/emu-xts || rc=1; \
	tests/bench/dmcrypt-fio || rc=1; \
	tests/bench/rekey-scale || rc=1; \
	tests/bench/summary || rc=1; \
	exit $$rc

# Endurance: R1 with 1000 migrations, R4 (KASAN), S1 (tests/soak/run).
soak:
	tests/soak/run

# The main job: the demo on the emulated platform, in qemu.
demo:
	SCENARIO=$(SCENARIO) tests/demo/run

check:
	scripts/check.sh all

install: install-modules install-userspace

install-modules: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) $(NO_SIGN) modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

install-userspace:
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# The sources DKMS builds from: Kbuild, dkms.conf, kernel/ and uapi/.
# Then "dkms install protkey/$(VERSION)" builds and installs the modules
# for the running kernel, and again for each kernel installed later.
install-dkms:
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRC) Kbuild dkms.conf
	find kernel uapi -type f -name '*.[ch]' ! -name '*.mod.c' | \
		while read -r f; do \
			install -D -m 0644 "$$f" "$(DESTDIR)$(DKMS_SRC)/$$f" || exit 1; \
		done

uninstall: uninstall-modules uninstall-userspace

uninstall-modules:
	@[ -n "$(KVER)" ] || { echo "uninstall: no KVER (set KDIR or KVER)" >&2; exit 1; }
	rm -f $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/protkey.ko \
		$(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/protkey_emu.ko
	$(if $(DESTDIR),,depmod -a $(KVER))

uninstall-userspace:
	$(MAKE) -C userspace uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

uninstall-dkms:
	rm -rf $(DESTDIR)$(DKMS_SRC)

# The Debian packages, built from a copy of the tree in $(DEB_BUILD)/src
# (dpkg-buildpackage writes the .debs into the parent directory, and
# debian/rules leaves its files in the tree it builds).
DEB_BUILD ?= $(BUILD)/deb
deb:
	rm -rf $(DEB_BUILD)
	mkdir -p $(DEB_BUILD)/src
	rsync -a --exclude /build --exclude /.git --filter=':- .gitignore' \
		$(CURDIR)/ $(DEB_BUILD)/src/
	cd $(DEB_BUILD)/src && dpkg-buildpackage -us -uc -b
	@ls $(DEB_BUILD)/*.deb

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
