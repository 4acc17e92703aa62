"""(c) Blobs: encode + decode per second of siginfo_t, compiled construct
and the generated ``struct`` fast path against the hand-written baseline (a
``struct.Struct`` of the same format plus the dict handling one writes by
hand: the same job, dicts in and out), one record at a time and in bulk
(1000 records per buffer); see bench_blobs."""
from __future__ import annotations

from benchmarks.common import Row


def run(quick: bool, tmp: str, log) -> list[Row]:
    from benchmarks import bench_blobs as bb
    results, size = bb.measure(0.2 if quick else 0.5)
    rows = []
    for way, r in results.items():
        base = bb.baseline_of(way)
        if way == base:
            continue
        note = "goal: within 3x" if way.startswith("struct fast") else ""
        rows.append(Row("blobs", f"{way}, siginfo_t ({size} bytes), encode+decode", r, "/s", base,
                        results[base], note))
    return rows
