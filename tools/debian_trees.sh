#!/usr/bin/env bash
# Unpack Debian's kernel headers for every ABI, as two trees to diff:
#
#   tools/debian_trees.sh OUT [OLD_SUITE [NEW_SUITE]]     (default bookworm trixie)
#
# OUT/<suite>/ receives linux-libc-dev for amd64 and, where the suite has
# them, the linux-libc-dev-<arch>-cross packages (Debian 12 ships every other
# ABI's headers that way; since Debian 13 the one linux-libc-dev holds every
# ABI's asm/ under usr/include/<tuple>).  Then:
#
#   abicheck diff OUT/bookworm OUT/trixie --format markdown
#
# compares every ABI both trees have headers for, in one run.  Packages come
# from Debian's archive (the one this machine's apt uses: tools/debian_mirror.sh)
# through a private apt configuration (nothing on the
# machine changes); needs apt-get and dpkg-deb, and network access.
set -euo pipefail
out=${1:?usage: tools/debian_trees.sh OUT [OLD_SUITE [NEW_SUITE]]}
suites="${2:-bookworm} ${3:-trixie}"
cross="arm64 armhf armel i386 x32 riscv64 ppc64el ppc64 powerpc s390x mips mipsel mips64
       mips64el mipsn32 sparc64 alpha hppa m68k sh4"
mkdir -p "$out"
mirror=$("$(dirname "$0")/debian_mirror.sh")
for suite in $suites; do
    apt="$out/.apt-$suite"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$out/$suite"
    : > "$apt/status"
    echo "deb $mirror $suite main" > "$apt/sources.list"
    opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
          -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Architecture=amd64"
          -o "Dir::State::status=$apt/status" -o "Debug::NoLocking=1")
    apt-get "${opts[@]}" -qq update
    pkgs=(linux-libc-dev:amd64)
    for a in $cross; do
        p="linux-libc-dev-$a-cross"
        if apt-cache "${opts[@]}" show "$p" >/dev/null 2>&1; then pkgs+=("$p"); fi
    done
    (cd "$apt/debs" && apt-get "${opts[@]}" -qq download "${pkgs[@]}")
    for deb in "$apt"/debs/*.deb; do
        dpkg-deb -x "$deb" "$out/$suite"
    done
    echo "$suite: ${#pkgs[@]} packages -> $out/$suite"
done
