"""The tree diff's batches (``checks.diff``): each batch's macro expansions
run in a thread while the next batch is translated, and its constants are
valued after.  Whatever the thread's timing, the snapshots must be those of
taking every header alone, in order (``diff_snapshot.add_translation``: the
first header that declares a name gives its value), and the values gcc
computes."""
from __future__ import annotations

import time
from contextlib import ExitStack

import pytest

from abicheck import api
from abicheck.checks import diff, diff_same
from abicheck.checks.diff_snapshot import Snapshot, add_translation
from abicheck.revision import load_revision
from abicheck.targets import get_target
from oracle import pick_oracle

from . import diff_oracle

#: every header defines WHO (its own value, through a macro of its own, so
#: cpp expands it) and a constant of its own; the first header's WHO wins
HEADERS = {f"h{k}.h": f"#define BASE_{k} {k * 10}\n#define WHO (BASE_{k} + 1)\n"
                      f"#define OWN_{k} (BASE_{k} << 2)\nenum e{k} {{ E{k} = OWN_{k} + 1 }};\n"
           for k in range(7)}


def _tree(tmp_path):
    for name, text in HEADERS.items():
        (tmp_path / name).write_text(text)
    return str(tmp_path)


def _constants(snap: Snapshot) -> dict:
    return {n: (c.value, c.header, str(c.loc)) for n, c in snap.constants.items()}


def _alone(root: str, target) -> dict:
    """Every header translated and folded in alone, in the tree's order."""
    with ExitStack() as st:
        rev = load_revision(root, "OLD", (), st)
        v = rev.view(target)
        snap = Snapshot(target.name)
        for h in v.headers:
            add_translation(snap, v, h, api.translate_each([([v.file_of(h)], target, v.include_dirs,
                                                             v.roots)])[0])
        return _constants(snap)


def _batched(root: str, target) -> dict:
    with ExitStack() as st:
        rev = load_revision(root, "OLD", (), st)
        return _constants(diff.snapshots(rev, [target], (), ())[target.name])


@pytest.mark.parametrize("late", ("first", "every", "none"))
def test_slow_expansions_change_nothing(tmp_path, monkeypatch, late):
    """Batches of one header each; the expansions of the first batch (or of
    every batch) finish long after the next batch was translated."""
    target = get_target("x86_64")
    root = _tree(tmp_path)
    want = _alone(root, target)
    monkeypatch.setattr(diff, "EXPANSION_BATCH", 1)
    real, seen = diff_same.BatchConstants.expand, []

    def slow(self):
        seen.append(len(seen))
        if late == "every" or (late == "first" and len(seen) == 1):
            time.sleep(0.2)
        return real(self)
    monkeypatch.setattr(diff_same.BatchConstants, "expand", slow)
    assert _batched(root, target) == want
    assert len(seen) == len(HEADERS)
    assert want["WHO"][1] == "h0.h"
    # the values are the compiler's, each header's from its own text
    orc = pick_oracle(target)
    for k in range(len(HEADERS)):
        names = [f"OWN_{k}", f"E{k}"] + (["WHO"] if k == 0 else [])
        got = diff_oracle.values(orc, HEADERS[f"h{k}.h"], {n: n for n in names},
                                 guards={n: f"BASE_{k}" for n in names})
        assert {n: want[n][0] for n in names} == got, k
