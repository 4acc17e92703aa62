"""The scale run of ``abicheck diff``: Debian 12's kernel headers against
Debian 13's, every header, every ABI both have, in one run — spot-checked
against the compilers.

Slow (about half an hour on two cores) and needs the two trees, so it runs
only with ``ABICHECK_DIFF_TREES=DIR``, where DIR was filled by
``tools/debian_trees.sh DIR`` (``DIR/bookworm``, ``DIR/trixie``).

For every ABI with an oracle, records that the diff says changed size and
records it reports no change for are compiled from both trees with that
ABI's include directories; the compilers must agree with every one.
"""
from __future__ import annotations

import functools
import os
import re
from contextlib import ExitStack

import pytest

from abicheck.checks.diff import run_diff
from abicheck.report.diffmodel import verdicts
from abicheck.revision import load_revision
from abicheck.targets import all_targets
from oracle import NoOracle, OracleError, pick_oracle

TREES = os.environ.get("ABICHECK_DIFF_TREES")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not TREES, reason="set ABICHECK_DIFF_TREES to the folder "
                                                   "tools/debian_trees.sh filled")]
SAMPLE = 6
_SIZE = re.compile(r"^((?:struct|union) \S+) is (\d+) bytes, was (\d+)$")


@functools.cache
def revisions():
    stack = ExitStack()
    old = load_revision(os.path.join(TREES, "bookworm"), "OLD", (), stack)
    new = load_revision(os.path.join(TREES, "trixie"), "NEW", (), stack)
    return old, new


@functools.cache
def report():
    old, new = revisions()
    return run_diff(old.spec, new.spec, list(all_targets()))


def _both(t) -> bool:
    old, new = revisions()
    return old.view(t) is not None and new.view(t) is not None


COMPARED = [t for t in all_targets()] if not TREES else [t for t in all_targets() if _both(t)]


def test_every_abi_is_compared_or_said_not_to_be():
    v = verdicts(report())
    for t in all_targets():
        if _both(t):
            assert v[t.name] != "not compared", t.name
        else:
            assert any(f.id == "ABI205" and t.name in f.targets for f in report().findings), t.name


def _include_name(view, file: str) -> str:
    base = view.overlay if view.overlay and file.startswith(view.overlay + os.sep) else view.root
    return os.path.relpath(file, base)


def _measure(t, view, header: str, name: str) -> tuple[int, int]:
    orc = pick_oracle(t)
    lay = orc.layout(f"#include <{header}>\n", [name], list(view.include_dirs))[name]
    return lay["size"], lay["align"]


def _oracle_or_skip(t):
    try:
        pick_oracle(t)
    except NoOracle as e:
        pytest.skip(str(e))


@pytest.mark.oracle
@pytest.mark.parametrize("t", COMPARED, ids=lambda t: t.name)
def test_reported_size_changes_are_the_compilers(t):
    _oracle_or_skip(t)
    old, new = revisions()
    changed = sorted((f.message, f.loc.file) for f in report().findings
                     if f.id == "ABI210" and f.targets and t.name in f.targets and f.loc)
    checked = 0
    for message, file in changed[:SAMPLE]:
        m = _SIZE.match(message)
        assert m, message
        name, now, was = m.group(1), int(m.group(2)), int(m.group(3))
        header = _include_name(new.view(t), file)
        try:
            size_new = _measure(t, new.view(t), header, name)[0]
            size_old = _measure(t, old.view(t), header, name)[0]
        except OracleError:
            continue        # the header moved or needs libc: not this test's question
        assert (size_old, size_new) == (was, now), (t.name, name, header)
        checked += 1
    assert checked or not changed


@pytest.mark.oracle
@pytest.mark.parametrize("t", COMPARED, ids=lambda t: t.name)
def test_records_without_findings_are_unchanged_for_the_compilers(t):
    _oracle_or_skip(t)
    old, new = revisions()
    touched = {f.check for f in report().findings if f.targets and t.name in f.targets}
    view = new.view(t)
    picked = []
    for header in ("linux/types.h", "linux/signal.h", "linux/stat.h", "linux/time.h",
                   "linux/if_ether.h", "linux/uio.h", "asm/siginfo.h", "asm/stat.h"):
        if header not in view.header_set or header not in old.view(t).header_set:
            continue
        from abicheck import api
        # the view's roots: Debian 13's asm/ folders link into usr/lib/linux/uapi
        (tr,) = api.translate_each([([view.file_of(header)], t, view.include_dirs, view.roots)])
        if isinstance(tr, Exception):
            continue
        for name in api.declared_records(tr, [view.file_of(header)]):
            if name not in touched:
                picked.append((header, name))
    assert picked, t.name
    checked = 0
    for header, name in picked[:SAMPLE * 3]:
        try:
            a = _measure(t, old.view(t), header, name)
            b = _measure(t, new.view(t), header, name)
        except OracleError:
            continue
        assert a == b, (t.name, header, name, a, b)
        checked += 1
    assert checked, t.name
