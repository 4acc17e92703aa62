"""(c) Blobs: encode + decode per second of siginfo_t, compiled construct
and the generated ``struct`` fast path against a hand-written
``struct.Struct`` of the same format (the limit); see bench_blobs."""
from __future__ import annotations

from benchmarks.common import Row


def run(quick: bool, tmp: str, log) -> list[Row]:
    from benchmarks.bench_blobs import measure
    results, size = measure(0.2 if quick else 0.5)
    limit = results["hand-written struct.Struct"]
    base = "hand-written struct.Struct"
    return [Row("blobs", f"{way}, siginfo_t ({size} bytes), encode+decode", r, "/s", base, limit,
                "goal: within 3x" if way.startswith("struct fast") else "")
            for way, r in results.items() if way != base]
