#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole test job: dependencies, build gates, the Debian packages and
# the installation, lint, the checker's own tests, userspace unit tests,
# fuzzing, the three VM targets and the demo.
# Every gate and test case writes one PASS/FAIL/SKIP line into
# $BUILD/results/<group>.res; scripts/check-summary then checks the groups
# against tests/check-baseline (every group reports, none below its
# minimum count) and prints the total last: "N passed, N failed, N
# skipped". Each stage prints how long it took, the summary the total.
# Exits non-zero on any failure.
#
# usage: scripts/check.sh [all|build|package|lint|check|userspace|fuzz|vm|demo]
#        (default all; check: the checker's own tests, tests/check/run)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
export BUILD=${BUILD:-$ROOT/build}
RES=$BUILD/results
what=${1:-all}
start=$SECONDS

case $what in
all | build | package | lint | check | userspace | fuzz | vm | demo) ;;
*)
	echo "usage: $0 [all|build|package|lint|check|userspace|fuzz|vm|demo]" >&2
	exit 2
	;;
esac

mkdir -p "$RES" "$BUILD/logs"
rm -f "$RES"/*.res

# The groups the stages that ran must have reported (the summary's check).
groups=()
times=()
stage_start() {
	echo "== $1"
	stage_t0=$SECONDS
}
stage_end() {
	local secs=$((SECONDS - stage_t0))
	echo "   ($1 took $secs s)"
	times+=("$1 $secs s")
}
runs() { [ "$what" = all ] || [ "$what" = "$1" ]; }

# gate <group> <name> <command...>: one result line in <group>.res.
gate() {
	local group=$1 name=$2 log=$BUILD/logs/${2//\//_}.log
	shift 2
	if "$@" >"$log" 2>&1; then
		echo "PASS $name" >>"$RES/$group.res"
		echo "PASS $name"
	else
		echo "FAIL $name" >>"$RES/$group.res"
		echo "FAIL $name (log: $log)"
		tail -25 "$log" | sed 's/^/    /'
	fi
}

# A runner that failed without a FAIL line to show for it gets one.
runner_failed() {
	local group=$1
	grep -q '^FAIL ' "$RES/$group.res" 2>/dev/null ||
		echo "FAIL $group/runner" >>"$RES/$group.res"
}

# Builds the modules against the stock Debian headers in a copy of the
# tree, so that the source tree stays clean for the VM targets.
host_tree() {
	mkdir -p "$BUILD/host/src"
	rsync -a --delete --delete-excluded --exclude /build --exclude /.git \
		--filter=':- .gitignore' "$ROOT/" "$BUILD/host/src/"
}
host_make() {
	make -C "$BUILD/host/src" KDIR="$KDIR" BUILD="$BUILD" "$@"
}

# make check's own deadline, CHECK_DEADLINE seconds after its start
# (default 80 minutes): the VM targets and the demo run under what is left
# of it, so that a hang no inner limit covers (a hung build, a cold cache
# on a slow machine) still ends with FAIL lines and the summary inside
# CI's 90 minutes. Documentation/testing.rst, "Timeouts", has the budget.
deadline=$((start + ${CHECK_DEADLINE:-4800}))

# bounded <group> <command...>: runs the command in a session of its own
# and kills the whole session (qemu and the runner's own timeouts with
# it) when the deadline passes; that is a "FAIL <group>/deadline" line.
bounded() {
	local group=$1 secs=$((deadline - SECONDS)) pid wd rc
	shift
	if [ "$secs" -le 0 ]; then
		echo "FAIL $group/deadline" >>"$RES/$group.res"
		echo "FAIL $group/deadline (make check's deadline had passed)"
		return 124
	fi
	rm -f "$BUILD/.deadline-$group"
	setsid "$@" &
	pid=$!
	(
		sleep "$secs"
		# Killing this sleep after the command ended must not count as
		# the deadline: by then the command was reaped.
		kill -0 "$pid" 2>/dev/null || exit 0
		touch "$BUILD/.deadline-$group"
		pkill -TERM -s "$pid"
		sleep 10
		pkill -KILL -s "$pid"
	) </dev/null >/dev/null 2>&1 &
	wd=$!
	wait "$pid"
	rc=$?
	pkill -P "$wd" 2>/dev/null
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	if [ -e "$BUILD/.deadline-$group" ]; then
		pkill -KILL -s "$pid" 2>/dev/null
		echo "FAIL $group/deadline" >>"$RES/$group.res"
		echo "FAIL $group/deadline (stopped at make check's deadline)"
		[ "$rc" -ne 0 ] || rc=124
	fi
	return "$rc"
}

# One VM target, its output prefixed with "[<target>] " (the runner
# already prefixes the guest's lines). CHECK_VM_RUNNER replaces the
# runner (the checker's own tests; the runner's VM_RUN is another thing).
vm_target() {
	local t=$1
	bounded "$t" "${CHECK_VM_RUNNER:-tests/vm/run}" "$t" 2>&1 |
		sed -u "/^\[$t\] /!s/^/[$t] /"
}
vm_verdict() {
	local t=$1 rc=$2
	[ "$rc" -eq 0 ] || grep -q . "$RES/$t.res" 2>/dev/null ||
		echo "FAIL $t/vm/runner" >>"$RES/$t.res"
}

stock_kdir() {
	KDIR=${KDIR:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1)}
	export KDIR
	echo "   (KDIR=$KDIR)"
}

if runs build; then
	stage_start host
	groups+=(host)
	gate host deps/install scripts/install-deps
	# From an empty cache the test kernel is the longest single step
	# (about 15 minutes) and the test lane waits for it: build it while
	# the host stages run, which leave a core idle much of the time. The
	# lane's own call then finds it in the cache, or waits on its lock.
	if [ "$what" = all ] && [ "${CHECK_PREBUILD_KERNEL:-1}" = 1 ]; then
		tests/vm/build-test-kernel >"$BUILD/logs/test-kernel.log" 2>&1 &
		prebuild_pid=$!
	fi
	# After install-deps: on a fresh machine it brings the headers.
	stock_kdir
	host_tree
	gate host build/modules-amd64 host_make modules
	gate host build/sparse host_make sparse
	# protkey.ko with the IBM Z platform and the user space for s390x,
	# against Debian's s390x headers (W=1 -Werror), in a copy of its own.
	gate host build/cross-s390x make cross-s390x
	stage_end host
fi

# The Debian packages (make deb, from a copy of the tree) and lintian on
# them; what make install and each package install (scripts/
# check-package, the lists of Documentation/install.rst); DKMS building
# the modules from protkey-dkms's sources, into trees of its own.
install_test() {
	host_make install DESTDIR="$1" && scripts/check-package install "$1" "$KDIR"
}
uninstall_test() {
	host_make uninstall DESTDIR="$1" && scripts/check-package uninstall "$1"
}
if runs package; then
	stage_start package
	groups+=(package)
	stock_kdir
	debs=$BUILD/deb
	gate package package/version scripts/check-package version
	gate package package/deb make deb BUILD="$BUILD" DEB_BUILD="$debs"
	gate package package/lintian lintian --fail-on error,warning \
		"$debs/protkey_$(dpkg-parsechangelog -S Version)_$(dpkg-architecture -qDEB_HOST_ARCH).changes"
	for p in protkey-dkms protkeyctl libcryptsetup-token-protkey; do
		gate package "package/contents/$p" scripts/check-package deb "$debs" "$p"
	done
	gate package package/dkms scripts/check-package dkms "$debs" "$KDIR" "$BUILD/dkms"
	rm -rf "$BUILD/install-root"
	host_tree
	gate package package/install install_test "$BUILD/install-root"
	gate package package/uninstall uninstall_test "$BUILD/install-root"
	stage_end package
fi

if runs lint; then
	stage_start lint
	groups+=(lint)
	if ! RESULTS=$RES/lint.res scripts/lint >"$BUILD/logs/lint.log" 2>&1; then
		runner_failed lint
	fi
	grep -E '^(PASS|FAIL) ' "$BUILD/logs/lint.log"
	grep -q '^FAIL' "$RES/lint.res" &&
		sed 's/^/    /' "$BUILD/logs/lint.log" | grep -vE '^    (PASS|FAIL) ' | head -40
	stage_end lint
fi

if runs check; then
	stage_start "check (the checker's own tests)"
	groups+=(check)
	if ! tests/check/run --results "$RES/check.res" >"$BUILD/logs/check.log" 2>&1; then
		runner_failed check
	fi
	grep '^not ok ' "$BUILD/logs/check.log" | sed 's/^/    /'
	tail -1 "$BUILD/logs/check.log"
	stage_end check
fi

if runs userspace; then
	stage_start userspace
	groups+=(userspace)
	gate userspace userspace/build make -C userspace -j"$(nproc)"
	if ! make -C userspace -j"$(nproc)" test RESULTS="$RES/userspace.res" \
		>"$BUILD/logs/userspace_unit.log" 2>&1; then
		runner_failed userspace
		grep -E '^not ok ' "$BUILD/logs/userspace_unit.log" | sed 's/^/    /'
	fi
	grep -E '^[0-9]+ passed, [0-9]+ failed$' "$BUILD/logs/userspace_unit.log"
	stage_end userspace
fi

if runs fuzz; then
	# libFuzzer harnesses, FUZZ_RUNS inputs each (userspace/Makefile): one
	# result per harness ("ok N - fuzz <name> (<runs> runs)").
	stage_start fuzz
	groups+=(fuzz)
	make -C userspace -j"$(nproc)" fuzz >"$BUILD/logs/fuzz.log" 2>&1
	rc=$?
	sed -n 's/^ok [0-9]* - fuzz \([^ :]*\).*/PASS fuzz\/\1/p; s/^not ok [0-9]* - fuzz \([^ :]*\).*/FAIL fuzz\/\1/p' \
		"$BUILD/logs/fuzz.log" >>"$RES/fuzz.res"
	[ "$rc" -eq 0 ] || runner_failed fuzz
	grep -E '^(not )?ok [0-9]* - fuzz ' "$BUILD/logs/fuzz.log"
	stage_end fuzz
fi

# The VM targets in lanes that run side by side, the targets of a lane one
# after the other. By default each target is a lane of its own: a guest
# keeps at most about one host core busy (its selftests run one at a
# time) and the token selftests, the longest, mostly wait on timeouts. Each target
# keeps its caches, build directory, lock and log ($BUILD/logs/
# vm-<target>.log) to itself. CHECK_VM_LANES: lanes separated by ",",
# targets by spaces; each target exactly once (Documentation/testing.rst,
# "The time budget").
vm_lanes=${CHECK_VM_LANES:-test,stock,s390x}
vm_lane() {
	local t t0
	for t in "$@"; do
		t0=$SECONDS
		vm_target "$t" | tee "$BUILD/logs/vm-$t.log"
		vm_verdict "$t" "${PIPESTATUS[0]}"
		echo "$t $((SECONDS - t0)) s" >"$BUILD/logs/vm-$t.time"
	done
}
if runs vm; then
	groups+=(test stock s390x)
	# The stock target tests the package stage's .debs (tests/vm/run);
	# without them it builds its own.
	if compgen -G "$BUILD/deb/*.deb" >/dev/null; then
		export VM_DEBS=$BUILD/deb
	fi
	stage_start "vm: lanes '$vm_lanes'"
	lanes=()
	IFS=, read -r -a lanes <<<"$vm_lanes"
	seen=$(printf '%s\n' "${lanes[@]}" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
	if [ "$seen" != "s390x stock test " ]; then
		echo "CHECK_VM_LANES='$vm_lanes': each of test, stock and s390x exactly once" >&2
		for t in test stock s390x; do
			echo "FAIL $t/vm/lanes" >>"$RES/$t.res"
		done
	else
		lane_pids=()
		for lane in "${lanes[@]}"; do
			# shellcheck disable=SC2086 # a lane is a list of words
			vm_lane $lane &
			lane_pids+=($!)
		done
		wait "${lane_pids[@]}"
		for t in test stock s390x; do
			[ -e "$BUILD/logs/vm-$t.time" ] &&
				times+=("vm $(cat "$BUILD/logs/vm-$t.time")")
		done
	fi
	stage_end vm
fi

if runs demo; then
	stage_start "demo (the main job, the SE scenario, its real reboot and s390-verify, stock kernel)"
	groups+=(demo)
	gate demo demo/stock bounded demo tests/demo/run
	gate demo demo/stock-se bounded demo env SCENARIO=se tests/demo/run
	# The SE guest's real reboot: a systemd guest (tests/demo/se-reboot).
	gate demo demo/stock-se-reboot bounded demo env SCENARIO=se-reboot tests/demo/run
	gate demo demo/s390-verify bounded demo tests/demo/s390-verify
	stage_end demo
fi

# Long done when the test lane ran; reaped here in every case.
[ -z "${prebuild_pid:-}" ] || wait "$prebuild_pid" 2>/dev/null
echo "== times"
printf '   %s\n' "${times[@]}"
echo "   (make check took $((SECONDS - start)) s)"
echo "== summary"
if [ "$what" = all ]; then
	scripts/check-summary "$RES"
else
	scripts/check-summary --groups "${groups[*]}" "$RES"
fi
