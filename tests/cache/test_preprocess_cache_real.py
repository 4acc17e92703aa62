"""The cpp cache over real headers: Debian's cross uapi headers on every
ABI that has them.  A hit (from disk, in a fresh process's state) must be
the very result of running cpp: the same text, the same files entered, the
same macros, and so the same layouts."""
from __future__ import annotations

import importlib

import pytest

from abicheck import api, cache
from abicheck.frontend import clear_memo
from abicheck.targets import all_targets
from debian_headers import include_dirs

HEADERS = ["linux/types.h", "linux/signal.h", "linux/stat.h", "linux/input.h", "linux/perf_event.h",
           "linux/if_link.h", "asm/sigcontext.h"]


def _with_headers():
    out = []
    for t in all_targets():
        dirs = include_dirs(t)
        if dirs:
            out.append((t, dirs))
    return out


CASES = _with_headers()


def _run(target, dirs):
    clear_memo()
    out = []
    for h, tr in zip(HEADERS, api.translate_each([([h], target, dirs) for h in HEADERS])):
        if isinstance(tr, Exception):
            out.append(("error", str(tr)))
            continue
        lays = []
        for name in api.declared_records(tr, [h]):
            try:
                lays.append(api.layout_translation(tr, [name])[0].to_json())
            except Exception as e:            # an error is a result to compare too
                lays.append(str(e))
        out.append((tr.pre.text, tr.pre.entries, tr.pre.macros, tr.pre.macros_exact, lays))
    return out


@pytest.mark.skipif(not CASES, reason="no Debian cross headers installed")
@pytest.mark.parametrize("target,dirs", CASES, ids=[t.name for t, _ in CASES])
def test_a_hit_is_what_cpp_gives(target, dirs, tmp_path, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path))
    with cache.use(False):
        plain = _run(target, dirs)
    filling = _run(target, dirs)
    pp = importlib.import_module("abicheck.frontend.preprocess")
    real = pp._run_gcc
    ran = []
    monkeypatch.setattr(pp, "_run_gcc", lambda *a, **k: ran.append(1) or real(*a, **k))
    hit = _run(target, dirs)
    assert plain == filling == hit
    errors = sum(p[0] == "error" for p in plain)
    assert len(ran) <= errors                 # only failures (never kept) ran cpp again
    assert any(p[0] != "error" for p in plain)
