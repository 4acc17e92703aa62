#!/usr/bin/env bash
# Print the Debian archive this machine's apt already uses (the first
# non-security `URIs:` of /etc/apt/sources.list.d/*.sources, else the first
# `deb` line of /etc/apt/sources.list), or $DEBIAN_MIRROR when set.  The fetch
# scripts (debian_trees.sh, qemu/fetch_kernels.sh) take other suites from the
# same archive through a private apt state, so they reach what apt reaches.
set -euo pipefail
if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; exit 0; fi
uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
      awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }')
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" { u = ($2 ~ /^\[/) ? $3 : $2; if (u !~ /security/) { print u; exit } }' \
          /etc/apt/sources.list)
fi
[ -n "$uri" ] || { echo "debian_mirror: no Debian archive in this machine's apt sources; set DEBIAN_MIRROR" >&2; exit 1; }
echo "$uri"
