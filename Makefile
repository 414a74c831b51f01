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

.PHONY: all modules sparse userspace selftests lint check vm-test bench \
	demo deps clean

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

deps:
	scripts/install-deps

# Runs one VM target: test, stock or s390x.
vm-test:
	tests/vm/run $(TARGET)

bench:
	tests/bench/emu-xts
	tests/bench/dmcrypt-fio

# The main job: the demo on the emulated platform, in qemu.
demo:
	SCENARIO=$(SCENARIO) tests/demo/run

check:
	scripts/check.sh all

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
