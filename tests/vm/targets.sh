# SPDX-License-Identifier: GPL-2.0-only
#
# Per-target facts of the VM runner; sourced after lib.sh.
#
# target_setup <test|stock|s390x> fetches and unpacks what the target needs
# (cached under $PROTKEY_CACHE) and sets:
#   T_ARCH      x86_64 or s390x
#   KDIR        kernel build directory for "make -C $KDIR M=..."
#   KMAKE_ARGS  extra make arguments for module builds (array)
#   KIMAGE      the kernel image qemu boots
#   KREL        the kernel release (uname -r in the guest)
#   KMODROOT    root holding lib/modules/$KREL of the target kernel, or ""
#               when everything we need is built in (test kernel)
#   SYSROOT     root of the guest userspace: / for x86_64 (host binaries),
#               the unpacked s390x packages for s390x
#   T_CC, T_NL_CFLAGS, T_LDFLAGS   compiler and flags for the selftests
#   T_US_MAKE_ARGS  make arguments that build userspace/ (protkeyctl) for
#               the target (array)

# Userspace programs the guest gets, with the packages that ship them
# (systemd-cryptsetup: what a crypttab line runs, for token_test;
# mkfs.ext4: the seed scenario's file system).
GUEST_PROGRAMS=(/usr/sbin/cryptsetup /usr/sbin/dmsetup /usr/bin/keyctl /usr/bin/fio
	/usr/lib/systemd/systemd-cryptsetup /usr/sbin/mkfs.ext4)
# libcryptsetup's external token directory in the guest (Debian 12:
# --with-luks2-external-tokens-path=/lib/<multiarch>/cryptsetup, beside
# systemd's token plugins): where mkinitramfs installs
# libcryptsetup-token-protkey.so.
guest_token_dir() {
	echo "/lib/$T_ARCH-linux-gnu/cryptsetup"
}
# Libraries the selftests and protkeyctl link at run time that the guest
# programs do not bring (besides libc).
GUEST_LIBS=(libnl-3.so.200 libnl-genl-3.so.200 libyaml-0.so.2)

# The package caches of a target kernel ($PROTKEY_CACHE/<target>/<version>/)
# are shared by every run on the machine (a "make demo" beside a "make
# check", another clone's runs). cache_lock <dir> takes a shared lock on
# <dir>.lock (fd 7) that the run keeps until it exits: what it reads cannot
# change under it. Before changing the cache, cache_write upgrades it to an
# exclusive lock (waiting for the other runs' reads to end; flock(1)
# converts by unlocking first, so two upgraders cannot deadlock) and the
# caller checks again whether the work is still to be done; cache_read goes
# back to shared.
cache_lock() {
	mkdir -p "${1%/*}"
	exec 7>>"$1.lock"
	flock -s 7
}
cache_write() {
	flock -x 7
}
cache_read() {
	flock -s 7
}

# Downloads packages into $1 with apt-get (never installs them); skipped when
# the same list was fetched before. Returns non-zero when apt-get fails.
fetch_debs() {
	local dir=$1 stamp
	shift
	stamp=$dir/.fetched-$(printf '%s\n' "$@" | sha256sum | cut -c1-16)
	[ -e "$stamp" ] && return 0
	cache_write
	if [ ! -e "$stamp" ]; then
		# A changed list replaces the whole set: stale versions must not be
		# unpacked over fresh ones.
		rm -rf "$dir"
		mkdir -p "$dir"
		log "downloading $# packages into $dir"
		if ! (cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$@" >/dev/null); then
			rm -rf "$dir"
			cache_read
			return 1
		fi
		touch "$stamp"
	fi
	cache_read
}

# unpack_debs <debs-dir>... <root>: unpacks every .deb of the directories
# into <root> once; rewrites absolute symlinks so that they resolve inside the
# unpacked root (the cross linker follows them).
unpack_debs() {
	local root=${!#} dirs=("${@:1:$#-1}") d deb link target sum
	sum=$(for d in "${dirs[@]}"; do (cd "$d" && ls ./*.deb); done | sha256sum | cut -c1-16)
	[ "$(cat "$root/.protkey-unpacked" 2>/dev/null)" = "$sum" ] && return 0
	cache_write
	if [ "$(cat "$root/.protkey-unpacked" 2>/dev/null)" = "$sum" ]; then
		cache_read
		return 0
	fi
	rm -rf "$root"
	mkdir -p "$root"
	for d in "${dirs[@]}"; do
		for deb in "$d"/*.deb; do
			dpkg-deb -x "$deb" "$root"
		done
	done
	while IFS= read -r link; do
		target=$(readlink "$link")
		case $target in
		/*) ln -sfn "$root$target" "$link" ;;
		esac
	done < <(find "$root" -type l)
	echo "$sum" >"$root/.protkey-unpacked"
	cache_read
}

# Debian's image packages leave modules.dep to the installer: generate it in
# the unpacked root so that modprobe -d can resolve dependencies.
depmod_root() {
	local root=$1 krel=$2
	[ -e "$root/lib/modules/$krel/modules.dep" ] && return 0
	cache_write
	[ -e "$root/lib/modules/$krel/modules.dep" ] || depmod -b "$root" "$krel"
	cache_read
}

# Names the packages owning the guest programs and every library they and
# the selftests load, as the host's dpkg database knows them: the s390x
# guest then gets exactly the same set, from the s390x archive.
guest_packages() {
	local f paths=()
	for f in "${GUEST_PROGRAMS[@]}"; do
		paths+=("$f")
		while IFS= read -r f; do paths+=("$f"); done < <(ldd "$f" | grep -o '/[^ ]*')
	done
	for f in "${GUEST_LIBS[@]}"; do
		paths+=("$(ldconfig -p | awk -v l="$f" '$1 == l && /x86-64/ { print $NF; exit }')")
	done
	# One dpkg-query for all (it is slow per call). bookworm's packages list
	# /lib paths where ldd may print /usr/lib ones, so ask for both, and for
	# the symlink's target; every path must have an owner.
	for f in "${paths[@]}"; do
		printf '%s\n%s\n%s\n' "$f" "${f#/usr}" "$(readlink -f "$f")"
	done | sort -u | xargs dpkg-query -S 2>/dev/null | grep -v '^diversion' |
		awk -v want="$(for f in "${paths[@]}"; do
			printf '%s|%s|%s\n' "$f" "${f#/usr}" "$(readlink -f "$f")"; done | sort -u)" '
		BEGIN { n = split(want, w, "\n") }
		{
			i = index($0, ": "); path = substr($0, i + 2)
			np = split(substr($0, 1, i - 1), p, ", ")
			for (j = 1; j <= np; j++) { sub(/:.*/, "", p[j]); pkgs[p[j]] = 1 }
			owned[path] = 1
		}
		END {
			for (k = 1; k <= n; k++) {
				split(w[k], v, "|")
				if (!(v[1] in owned) && !(v[2] in owned) && !(v[3] in owned))
					missing = missing " " v[1]
			}
			for (q in pkgs) print q
			if (missing != "") { print "no package owns:" missing > "/dev/stderr"; exit 1 }
		}' | sort -u
}

setup_test() {
	T_ARCH=x86_64
	KDIR=$("$VM_DIR/build-test-kernel")
	KMAKE_ARGS=()
	KIMAGE=$KDIR/arch/x86/boot/bzImage
	KREL=$(cat "$KDIR/include/config/kernel.release")
	KMODROOT=
	SYSROOT=/
}

setup_stock() {
	local ver cache
	T_ARCH=x86_64
	KDIR=${STOCK_KDIR:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)}
	[ -d "$KDIR" ] || die "no /usr/src/linux-headers-*-amd64 (install linux-headers-amd64)"
	KREL=${KDIR##*/linux-headers-}
	ver=$(dpkg-query -W -f='${Version}' "linux-headers-$KREL")
	cache=$PROTKEY_CACHE/stock/${KREL}_$ver
	cache_lock "$cache"
	# The image matching the headers, unpacked only: the host keeps its kernel.
	fetch_debs "$cache/debs" "linux-image-$KREL=$ver" ||
		die "cannot download linux-image-$KREL=$ver (the headers' version; apt-get update?)"
	unpack_debs "$cache/debs" "$cache/root"
	depmod_root "$cache/root" "$KREL"
	KMAKE_ARGS=()
	KIMAGE=$cache/root/boot/vmlinuz-$KREL
	KMODROOT=$cache/root
	SYSROOT=/
}

s390x_hint="apt-get download failed (s390x packages need: dpkg --add-architecture s390x && apt-get update)"

# s390x_kbuild <cache> <version>: sets S390X_KBUILD to a linux-kbuild-6.1
# tree (amd64 host tools) for the s390x headers of <version>: that version
# from the archive, else the host's installed linux-kbuild-6.1, else the
# version apt offers; the tools of another 6.1 build work for out-of-tree
# modules, and the log says which one is used. Dies naming the package to
# install when there is none.
s390x_kbuild() {
	local cache=$1 ver=$2 have cand
	if fetch_debs "$cache/kbuild-debs" "linux-kbuild-6.1:amd64=$ver"; then
		unpack_debs "$cache/kbuild-debs" "$cache/kbuild"
		S390X_KBUILD=$cache/kbuild/usr/lib/linux-kbuild-6.1
		return
	fi
	have=$(dpkg-query -W -f='${Version}' linux-kbuild-6.1 2>/dev/null) || true
	if [ -n "$have" ] && [ -x /usr/lib/linux-kbuild-6.1/scripts/basic/fixdep ]; then
		log "linux-kbuild-6.1:amd64=$ver is not in the archive: using the installed $have"
		S390X_KBUILD=/usr/lib/linux-kbuild-6.1
		return
	fi
	cand=$(apt-cache policy linux-kbuild-6.1:amd64 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [ -n "$cand" ] && [ "$cand" != "(none)" ] &&
		fetch_debs "$cache/kbuild-debs-$cand" "linux-kbuild-6.1:amd64=$cand"; then
		log "linux-kbuild-6.1:amd64=$ver is not in the archive: using $cand"
		unpack_debs "$cache/kbuild-debs-$cand" "$cache/kbuild-$cand"
		S390X_KBUILD=$cache/kbuild-$cand/usr/lib/linux-kbuild-6.1
		return
	fi
	die "the s390x headers $ver need the amd64 build tools of linux-kbuild-6.1;" \
		"that version is not in the archive and none is installed:" \
		"apt-get install linux-kbuild-6.1 (or pick a kernel with S390X_KABI)"
}

# s390x_resolve: sets kabi, ver (the s390x kernel's ABI and version) and
# pkgs (the s390x packages of the guest userspace) from apt's lists and the
# host's packages. apt-cache takes seconds per call on a loaded machine:
# the answer is kept per state of both (the mtimes of the lists directory
# and of dpkg's status), S390X_KABI and the guest's program and library
# lists.
s390x_resolve() {
	local memo tmp
	memo=$PROTKEY_CACHE/s390x/.resolved-$({
		stat -c '%Y' /var/lib/apt/lists /var/lib/dpkg/status
		echo "${S390X_KABI:-}"
		printf '%s\n' "${GUEST_PROGRAMS[@]}" "${GUEST_LIBS[@]}"
	} | sha256sum | cut -c1-16)
	if [ -s "$memo" ]; then
		{
			read -r kabi
			read -r ver
			mapfile -t pkgs
		} <"$memo"
		return
	fi
	kabi=${S390X_KABI:-$(apt-cache depends linux-image-s390x:s390x 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(.*\)-s390x:s390x/\1/p' | head -n 1)}
	[ -n "$kabi" ] || die "no s390x kernel in apt's lists (dpkg --add-architecture s390x && apt-get update)"
	ver=$(apt-cache show "linux-image-$kabi-s390x:s390x" | sed -n 's/^Version: //p' | head -n 1)
	# Host-only libraries (fio's libpmem on amd64) have no s390x build; the
	# s390x binaries do not need them, and mkinitramfs checks what they need.
	mapfile -t pkgs < <(guest_packages | sed 's/$/:s390x/' | xargs apt-cache show --no-all-versions 2>/dev/null |
		sed -n 's/^Package: //p' | sort -u)
	mkdir -p "${memo%/*}"
	tmp=$(mktemp "$memo.XXXXXX")
	printf '%s\n' "$kabi" "$ver" "${pkgs[@]}" >"$tmp"
	chmod 644 "$tmp"
	mv "$tmp" "$memo"
}

setup_s390x() {
	local kabi ver cache x dr ready
	T_ARCH=s390x
	s390x_resolve
	KREL=$kabi-s390x
	cache=$PROTKEY_CACHE/s390x/${KREL}_$ver
	cache_lock "$cache"
	fetch_debs "$cache/kernel-debs" "linux-image-$KREL:s390x" \
		"linux-headers-$KREL:s390x" "linux-headers-$kabi-common" || die "$s390x_hint"
	# The headers run the amd64 kbuild tools (fixdep, modpost, ...), at best
	# of the same version; see s390x_kbuild.
	s390x_kbuild "$cache" "$ver"
	# libatomic1: s390x's librbd (fio) needs it, amd64's does not.
	fetch_debs "$cache/user-debs" busybox-static:s390x libnl-3-dev:s390x \
		libnl-genl-3-dev:s390x libatomic1:s390x "${pkgs[@]/%/:s390x}" || die "$s390x_hint"
	unpack_debs "$cache/kernel-debs" "$cache/kernel"
	depmod_root "$cache/kernel" "$KREL"
	unpack_debs "$cache/user-debs" "$cache/root"
	# protkeyctl's build: the -dev packages of what it links, unpacked with
	# the runtime packages into a root of its own (the guest's stays lean).
	fetch_debs "$cache/dev-debs" libcryptsetup-dev:s390x libjson-c-dev:s390x \
		libkeyutils-dev:s390x libdevmapper-dev:s390x libssl-dev:s390x \
		libyaml-dev:s390x libblkid-dev:s390x ||
		die "$s390x_hint"
	unpack_debs "$cache/user-debs" "$cache/dev-debs" "$cache/dev-root"

	# Cross-build tree: the headers' Makefile includes the -common tree by an
	# absolute path; point it into the cache. Its relative scripts/ and tools/
	# links then find the amd64 kbuild beside it.
	x=$cache/xbuild
	ready="$(cat "$cache/kernel/.protkey-unpacked") $S390X_KBUILD"
	if [ "$(cat "$x/.protkey-ready" 2>/dev/null)" != "$ready" ]; then
		cache_write
		if [ "$(cat "$x/.protkey-ready" 2>/dev/null)" != "$ready" ]; then
			rm -rf "$x"
			mkdir -p "$x/usr/src" "$x/usr/lib"
			cp -a "$cache/kernel/usr/src/linux-headers-$KREL" \
				"$cache/kernel/usr/src/linux-headers-$kabi-common" "$x/usr/src/"
			cp -a "$S390X_KBUILD" "$x/usr/lib/"
			sed -i "s#^include .*#include $x/usr/src/linux-headers-$kabi-common/Makefile#" \
				"$x/usr/src/linux-headers-$KREL/Makefile"
			echo "$ready" >"$x/.protkey-ready"
		fi
		cache_read
	fi
	KDIR=$x/usr/src/linux-headers-$KREL
	KMAKE_ARGS=(ARCH=s390 CROSS_COMPILE=s390x-linux-gnu-)
	KIMAGE=$cache/kernel/boot/vmlinuz-$KREL
	KMODROOT=$cache/kernel
	SYSROOT=$cache/root
	T_CC=s390x-linux-gnu-gcc
	T_NL_CFLAGS="-I$SYSROOT/usr/include/libnl3"
	T_LDFLAGS="-L$SYSROOT/usr/lib/s390x-linux-gnu -L$SYSROOT/lib/s390x-linux-gnu"
	T_LDFLAGS+=" -Wl,-rpath-link,$SYSROOT/usr/lib/s390x-linux-gnu:$SYSROOT/lib/s390x-linux-gnu"
	# No s390x pkg-config: the flags its .pc files would give, into dev-root.
	dr=$cache/dev-root
	T_US_MAKE_ARGS=(CC=s390x-linux-gnu-gcc AR=s390x-linux-gnu-ar PKG_CONFIG=false
		"PKG_CFLAGS=-I$dr/usr/include -I$dr/usr/include/s390x-linux-gnu -I$dr/usr/include/json-c -I$dr/usr/include/libnl3 -I$dr/usr/include/blkid"
		"PKG_LIBS=-lcryptsetup -ldevmapper -lblkid -lnl-genl-3 -lnl-3 -ljson-c -lcrypto -lyaml -lkeyutils"
		"LDFLAGS=-L$dr/usr/lib/s390x-linux-gnu -L$dr/lib/s390x-linux-gnu -Wl,-rpath-link,$dr/usr/lib/s390x-linux-gnu:$dr/lib/s390x-linux-gnu")
}

target_setup() {
	T_CC=gcc
	T_NL_CFLAGS=
	T_LDFLAGS=
	T_US_MAKE_ARGS=(CC=gcc)
	case $1 in
	test) setup_test ;;
	stock) setup_stock ;;
	s390x) setup_s390x ;;
	*) die "unknown target '$1' (test, stock or s390x)" ;;
	esac
	[ -f "$KIMAGE" ] || die "no kernel image $KIMAGE"
}
