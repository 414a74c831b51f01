# SPDX-License-Identifier: GPL-2.0-only
#
# Shared helpers of the tests/vm scripts; sourced, never executed.
#
# Environment (all optional):
#   BUILD          build output, default <repo>/build
#   PROTKEY_CACHE  downloads and kernel builds that outlive a clone,
#                  default /var/cache/protkey
#   KSRC_TARBALL   the kernel source, default /usr/src/linux-source-6.1.tar.xz

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
PROTKEY_CACHE=${PROTKEY_CACHE:-/var/cache/protkey}
KSRC_TARBALL=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
export BUILD PROTKEY_CACHE KSRC_TARBALL

# Messages go to stderr: several scripts print a path on stdout.
log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Version of the kernel source: the Debian package version when the tarball
# belongs to a package (cheap, and what the cache key promises), otherwise a
# hash of the tarball itself.
ksrc_version() {
	local pkg
	pkg=$(dpkg-query -S "$KSRC_TARBALL" 2>/dev/null | cut -d: -f1) || true
	if [ -n "$pkg" ]; then
		printf '%s_%s\n' "$pkg" "$(dpkg-query -W -f='${Version}' "$pkg")"
	else
		sha256sum "$KSRC_TARBALL" | cut -c1-16
	fi
}

# Unpacks the kernel source once per version into the cache and prints its
# directory. The unpacked tree is only read afterwards (kernel builds use O=).
ksrc_dir() {
	local ver dir tmp
	ver=$(ksrc_version)
	dir=$PROTKEY_CACHE/linux-source/$ver
	if [ ! -e "$dir/.protkey-unpacked" ]; then
		[ -r "$KSRC_TARBALL" ] || die "no kernel source at $KSRC_TARBALL (install linux-source-6.1)"
		mkdir -p "$PROTKEY_CACHE/linux-source"
		# One unpacker at a time (runs of other targets may start together);
		# unpack beside and rename, so an interrupted run leaves no half tree.
		(
			flock 9
			[ -e "$dir/.protkey-unpacked" ] && exit 0
			tmp=$(mktemp -d "$dir.tmp.XXXXXX")
			log "unpacking $KSRC_TARBALL"
			tar -xJf "$KSRC_TARBALL" -C "$tmp" --strip-components=1
			touch "$tmp/.protkey-unpacked"
			rm -rf "$dir"
			mv "$tmp" "$dir"
		) 9>"$PROTKEY_CACHE/linux-source/.lock"
		[ -e "$dir/.protkey-unpacked" ] || die "unpacking $KSRC_TARBALL failed"
	fi
	printf '%s\n' "$dir"
}

# What the runner takes from the kernel source besides a test kernel's build:
# the kselftest headers and kunit.py with its modules.
KSRC_FILES=(tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h tools/testing/kunit)

# Extracts only KSRC_FILES from the kernel source tarball (a directory with
# its subtree), once per source version, and prints the directory holding
# them: the stock and s390x targets need no unpacked tree.
ksrc_files() {
	local ver dir top tmp
	ver=$(ksrc_version)
	dir=$PROTKEY_CACHE/linux-source-files/${ver}_$(printf '%s\n' "${KSRC_FILES[@]}" |
		sha256sum | cut -c1-8)
	if [ ! -e "$dir/.protkey-extracted" ]; then
		[ -r "$KSRC_TARBALL" ] || die "no kernel source at $KSRC_TARBALL (install linux-source-6.1)"
		mkdir -p "$PROTKEY_CACHE/linux-source-files"
		# The tarball's top directory: linux-source-6.1/ for Debian's.
		top=$(tar -tJf "$KSRC_TARBALL" | head -n 1) || true
		top=${top%%/*}
		(
			flock 9
			[ -e "$dir/.protkey-extracted" ] && exit 0
			tmp=$(mktemp -d "$dir.tmp.XXXXXX")
			log "extracting ${KSRC_FILES[*]} from $KSRC_TARBALL"
			tar -xJf "$KSRC_TARBALL" -C "$tmp" --strip-components=1 \
				"${KSRC_FILES[@]/#/$top/}"
			touch "$tmp/.protkey-extracted"
			rm -rf "$dir"
			mv "$tmp" "$dir"
		) 9>"$PROTKEY_CACHE/linux-source-files/.lock"
		[ -e "$dir/.protkey-extracted" ] || die "extracting from $KSRC_TARBALL failed"
	fi
	printf '%s\n' "$dir"
}

# Prints the directory holding kselftest_harness.h and kselftest.h, taken from
# the kernel source (never copied into the repository).
ksft_inc() {
	printf '%s\n' "$(ksrc_files)/tools/testing/selftests"
}
