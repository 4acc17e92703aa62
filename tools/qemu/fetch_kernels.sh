#!/usr/bin/env bash
# Fetch the Debian kernels the fault simulator models, unpacked:
#
#   tools/qemu/fetch_kernels.sh OUT
#
# OUT/6.1/vmlinuz  (Debian 12 bookworm, linux-image-6.1.*-amd64-unsigned)
# OUT/6.12/vmlinuz (Debian 13 trixie,   linux-image-6.12.*-amd64-unsigned)
# and each kernel's config beside it (OUT/<ver>/config) so the run can check
# CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS and CONFIG_X86_X32_ABI.
#
# The packages come from Debian's archive (the one this machine's apt uses:
# tools/debian_mirror.sh) through a private apt state (as
# tools/debian_trees.sh does it): the machine's apt sources are not touched.
# The archive keeps only current versions, so the exact kernel release is
# whatever the suite ships today; it is written to OUT/<ver>/release.
set -euo pipefail
out=${1:?usage: tools/qemu/fetch_kernels.sh OUT}
mkdir -p "$out"
mirror=$("$(dirname "$0")/../debian_mirror.sh")
fetch() {  # fetch VER SUITE
    local ver=$1 suite=$2 apt="$out/.apt-$2"
    if [ -s "$out/$ver/vmlinuz" ]; then echo "$ver: $(cat "$out/$ver/release") (cached)"; return; fi
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$out/$ver"
    : > "$apt/status"
    echo "deb $mirror $suite main" > "$apt/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
          -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Architecture=amd64"
          -o "Dir::State::status=$apt/status" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
    apt-get "${opts[@]}" -qq update
    # the newest linux-image-<ver>.*-amd64-unsigned the suite has
    local pkg
    pkg=$(apt-cache "${opts[@]}" pkgnames "linux-image-$ver." | grep -E -- '[0-9](\+deb[0-9]+)?-amd64-unsigned$' | sort -V | tail -1)
    [ -n "$pkg" ] || { echo "fetch_kernels: no linux-image-$ver.*-amd64-unsigned in $suite" >&2; exit 1; }
    rm -f "$apt"/debs/*.deb
    (cd "$apt/debs" && apt-get "${opts[@]}" -qq download "$pkg")
    rm -rf "$apt/root"; dpkg-deb -x "$apt"/debs/*.deb "$apt/root"
    local release=${pkg#linux-image-}; release=${release%-unsigned}
    cp "$apt/root/boot/vmlinuz-$release" "$out/$ver/vmlinuz"
    cp "$apt/root/boot/config-$release" "$out/$ver/config"
    echo "$release" > "$out/$ver/release"
    rm -rf "$apt/root"
    echo "$ver: $release ($pkg from $suite)"
}
fetch 6.1 bookworm
fetch 6.12 trixie
