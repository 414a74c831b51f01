#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole test job: dependencies, build gates, lint, userspace tests and
# the three VM targets. Every gate and test case writes one PASS/FAIL/SKIP
# line into $BUILD/results/*.res; the last line printed is the total:
# "N passed, N failed". Exits non-zero on any failure.
#
# usage: scripts/check.sh [all|build|lint|userspace|vm|demo] (default all)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export BUILD=${BUILD:-$ROOT/build}
RES=$BUILD/results
what=${1:-all}
start=$(date +%s)

mkdir -p "$RES" "$BUILD/logs"
rm -f "$RES"/*.res

gate() {
	local name=$1 log=$BUILD/logs/${1//\//_}.log
	shift
	mkdir -p "$BUILD/logs"
	if "$@" >"$log" 2>&1; then
		echo "PASS $name" >>"$RES/host.res"
		echo "PASS $name"
	else
		echo "FAIL $name" >>"$RES/host.res"
		echo "FAIL $name (log: $log)"
		tail -25 "$log" | sed 's/^/    /'
	fi
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

if [ "$what" = all ]; then
	gate deps/install scripts/install-deps
fi
KDIR=${KDIR:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1)}
export KDIR

if [ "$what" = all ] || [ "$what" = build ]; then
	echo "== build (KDIR=$KDIR)"
	host_tree
	gate build/modules-amd64 host_make modules
	gate build/sparse host_make sparse
fi

if [ "$what" = all ] || [ "$what" = lint ]; then
	echo "== lint"
	RESULTS=$RES/lint.res scripts/lint >"$BUILD/logs/lint.log" 2>&1
	grep -E '^(PASS|FAIL) ' "$BUILD/logs/lint.log"
	grep -q '^FAIL' "$RES/lint.res" && sed 's/^/    /' "$BUILD/logs/lint.log" | grep -vE '^    (PASS|FAIL) ' | head -40
fi

if [ "$what" = all ] || [ "$what" = userspace ]; then
	if [ -f userspace/Makefile ]; then
		echo "== userspace"
		gate userspace/build make -C userspace
		gate userspace/unit make -C userspace test
		# One result per unit test case as well ("ok N - name").
		sed -n 's/^ok [0-9]* - \(.*\)/PASS userspace\/unit\/\1/p; s/^not ok [0-9]* - \(.*\)/FAIL userspace\/unit\/\1/p' \
			"$BUILD/logs/userspace_unit.log" | tr ' ' '_' |
			sed 's/^\(PASS\|FAIL\)_/\1 /' >"$RES/userspace.res"
		# libFuzzer harnesses, FUZZ_SECONDS (20) each: one result per
		# harness ("ok N - fuzz <name> (<runs> runs)").
		gate userspace/fuzz make -C userspace fuzz
		sed -n 's/^ok [0-9]* - fuzz \([^ :]*\).*/PASS userspace\/fuzz\/\1/p; s/^not ok [0-9]* - fuzz \([^ :]*\).*/FAIL userspace\/fuzz\/\1/p' \
			"$BUILD/logs/userspace_fuzz.log" >>"$RES/userspace.res"
	fi
fi

if [ "$what" = all ] || [ "$what" = vm ]; then
	for t in test stock s390x; do
		echo "== vm: $t"
		t0=$(date +%s)
		if ! tests/vm/run "$t"; then
			grep -q . "$RES/$t.res" 2>/dev/null ||
				echo "FAIL $t/vm/runner" >>"$RES/$t.res"
		fi
		echo "   ($t took $(($(date +%s) - t0)) s)"
	done
fi

if [ "$what" = all ] || [ "$what" = demo ]; then
	echo "== demo (the main job, stock kernel)"
	t0=$(date +%s)
	gate demo/stock tests/demo/run
	echo "   (demo took $(($(date +%s) - t0)) s)"
fi

echo "== summary"
for f in "$RES"/*.res; do
	[ -e "$f" ] || continue
	p=$(grep -c '^PASS ' "$f")
	x=$(grep -c '^FAIL ' "$f")
	s=$(grep -c '^SKIP ' "$f")
	printf '%-8s %4d passed, %d failed, %d skipped\n' \
		"$(basename "$f" .res)" "$p" "$x" "$s"
	grep '^FAIL ' "$f" | sed 's/^/    /'
done
echo "(make check took $(($(date +%s) - start)) s)"
passed=$(cat "$RES"/*.res 2>/dev/null | grep -c '^PASS ')
failed=$(cat "$RES"/*.res 2>/dev/null | grep -c '^FAIL ')
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
