"""``revision.header_files`` lists a tree's headers by include name: every
header file os.walk finds, relative to the root, '/'-separated, sorted,
top-level folders in ``skip`` left out."""
from __future__ import annotations

import os

from abicheck.revision import HEADER_SUFFIXES, header_files


def test_every_header_by_its_include_name(tmp_path):
    for rel in ("top.h", "linux/types.h", "linux/netfilter/ipset/ip_set.h", "asm/x.h",
                "asm-generic/deep/er/y.h", "linux/README", "linux/notes.txt", "skipme/z.h"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("/* */\n")
    want = sorted(os.path.relpath(os.path.join(d, n), tmp_path).replace(os.sep, "/")
                  for d, _, files in os.walk(tmp_path) for n in files
                  if n.endswith(HEADER_SUFFIXES))
    assert header_files(str(tmp_path)) == want
    assert "top.h" in want and "linux/netfilter/ipset/ip_set.h" in want
    assert header_files(str(tmp_path), frozenset({"skipme"})) == \
        [w for w in want if not w.startswith("skipme/")]
