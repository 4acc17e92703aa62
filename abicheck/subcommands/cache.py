"""``abicheck cache``: where the persistent cache lives, how big it is, and
pruning it (as ``ccache -s`` / ``ccache -C`` do for theirs).

The cache (``abicheck.cache``) keeps one subfolder per code fingerprint: an
upgrade starts a new one and never reads the old again, so old generations
only take space.  ``--prune`` removes them (and temporary files a killed
run left behind); ``--clear`` removes the current one too.  Only folders
named as generations (16 hex digits) are touched: ``$ABICHECK_CACHE_DIR``
may point at a folder that holds other things.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import time

from abicheck.subcommands import SUMMARIES

_GENERATION = re.compile(r"^[0-9a-f]{16}$")
#: a temporary file younger than this may belong to a run still writing it
_STALE_TMP_SECONDS = 3600


def add_parser(sub) -> None:
    p = sub.add_parser("cache", help=SUMMARIES["cache"])
    what = p.add_mutually_exclusive_group()
    what.add_argument("--prune", action="store_true",
                      help="remove the generations an older (or newer) abicheck wrote, and "
                           "temporary files older than an hour")
    what.add_argument("--clear", action="store_true", help="remove every generation, this one too")
    p.add_argument("--format", choices=("text", "json"), default="text")


def _usage(path: str) -> tuple[int, int, int]:
    """(entries, bytes, stale temporary files) under ``path``."""
    entries = size = stale = 0
    now = time.time()
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                st = os.stat(os.path.join(root, f))
            except OSError:
                continue
            if f.startswith(".tmp-"):
                stale += now - st.st_mtime > _STALE_TMP_SECONDS
                continue
            entries += 1
            size += st.st_size
    return entries, size, stale


def _remove_stale_tmp(path: str) -> int:
    removed = 0
    now = time.time()
    for root, _dirs, files in os.walk(path):
        for f in files:
            p = os.path.join(root, f)
            try:
                if f.startswith(".tmp-") and now - os.stat(p).st_mtime > _STALE_TMP_SECONDS:
                    os.unlink(p)
                    removed += 1
            except OSError:
                pass
    return removed


def _generations(top: str) -> list[str]:
    try:
        names = os.listdir(top)
    except OSError:
        return []
    return sorted(n for n in names if _GENERATION.match(n) and os.path.isdir(os.path.join(top, n)))


def run(args: argparse.Namespace) -> str:
    from abicheck import cache
    from abicheck.views import json as jview
    top, current = cache.directory(), cache.generation()
    removed: list[str] = []
    tmp_removed = 0
    if args.prune or args.clear:
        for g in _generations(top):
            if g != current or args.clear:
                shutil.rmtree(os.path.join(top, g), ignore_errors=True)
                removed.append(g)
        if args.prune and current in _generations(top):
            tmp_removed = _remove_stale_tmp(os.path.join(top, current))
    gens = []
    for g in _generations(top):
        entries, size, stale = _usage(os.path.join(top, g))
        gens.append({"generation": g, "current": g == current, "entries": entries, "bytes": size,
                     "stale_temporary_files": stale})
    doc = {"tool": "abicheck", "command": "cache", "directory": top, "current_generation": current,
           "enabled": cache.enabled(), "generations": gens, "removed_generations": removed,
           "removed_temporary_files": tmp_removed}
    if args.format == "json":
        return jview.dumps(doc)
    lines = [f"cache directory: {top}" + ("" if cache.enabled() else " (off: ABICHECK_CACHE=0)"),
             f"this abicheck's generation: {current}"]
    for g in gens:
        mark = "current" if g["current"] else "old"
        lines.append(f"  {g['generation']} ({mark}): {g['entries']} entries, "
                     f"{g['bytes'] / 1e6:.1f} MB"
                     + (f", {g['stale_temporary_files']} stale temporary files"
                        if g["stale_temporary_files"] else ""))
    if not gens:
        lines.append("  (empty)")
    if removed or tmp_removed:
        lines.append(f"removed {len(removed)} generation(s), {tmp_removed} temporary file(s)")
    elif any(not g["current"] for g in gens):
        lines.append("old generations are never read again: `abicheck cache --prune` removes them")
    return "\n".join(lines) + "\n"
