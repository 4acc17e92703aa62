"""The fast path's bulk entry point, and a smoke test of the benchmark.

``iter_unpack`` reads N records from one buffer; the records here are packed
with a hand-written ``struct`` format of siginfo_t's SEGV_PKUERR member on
x86_64 (the benchmark's HAND_FORMAT, from the kernel's documented offsets).
The benchmark itself (benchmarks/bench_blobs.py, not part of the test run)
is run once with its timing loop stubbed, so a change that breaks it fails
here rather than when someone next measures."""
from __future__ import annotations

import importlib.util
import os
import struct

import pytest

from abicheck import api, bundled
from abicheck.targets import get_target
from abicheck.views.struct_format import struct_format

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "bench_blobs.py")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_blobs", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fast(bench):
    tr = api.translate(["asm/siginfo.h"], get_target("x86_64"), [bundled.headers_dir("linux-6.6")])
    (lay,) = api.layout_translation(tr, ["siginfo_t"])
    return struct_format(lay, tr, bench.UNION)


def test_benchmark_runs(bench, monkeypatch, capsys):
    monkeypatch.setattr(bench, "rate", lambda fn, seconds=0.5: (fn(), 1.0)[1])
    assert bench.main() == 0
    assert "hand-written struct.Struct" in capsys.readouterr().out


def test_iter_unpack_reads_n_records(bench, fast):
    hand = struct.Struct(bench.HAND_FORMAT)
    assert fast.format == bench.HAND_FORMAT and fast.size == hand.size == 128
    rows = [(11, 0, 4, 0x1000 * i, *([0] * 8), i % 16) for i in range(50)]
    buf = b"".join(hand.pack(*r) for r in rows)
    got = list(fast.iter_unpack(buf))
    assert len(got) == 50
    assert [g["_sifields._sigfault._addr"] for g in got] == [0x1000 * i for i in range(50)]
    assert [g["_sifields._sigfault._addr_pkey._pkey"] for g in got] == [i % 16 for i in range(50)]
    assert fast.pack_many(got) == buf
    with pytest.raises(ValueError, match="not whole 128-byte records"):
        list(fast.iter_unpack(buf[:-1]))
