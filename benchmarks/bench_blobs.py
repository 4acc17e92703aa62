"""How fast do the binary models encode and decode?

Three ways to turn a record's fields into bytes and back, measured in the same
run on the same values: the compiled construct model
(``views.construct_model.model``), the generated ``struct`` fast path
(``views.struct_format``: a dict of member paths in, a dict out), and a
hand-written ``struct.Struct`` of the same format fed a ready tuple (the
limit: no dict handling at all).  Reported as encode+decode pairs per second
and as ratios to the hand-written limit, so numbers compare across machines.
The uncompiled construct model is shown too: what compiling buys.
Run: ``PYTHONPATH=. python benchmarks/bench_blobs.py`` from the checkout root
(not part of the test run).
"""
from __future__ import annotations

import struct
import sys
import time

from abicheck import api, bundled
from abicheck.targets import get_target
from abicheck.views import construct_model as cm
from abicheck.views.struct_format import struct_format

#: siginfo_t of linux-6.6 on x86_64 as a SIGSEGV/SEGV_PKUERR carries it,
#: written by hand from the kernel's documented offsets: signo, errno, code,
#: a hole, si_addr at 0x10, 8 pad bytes, si_pkey at 0x20, the rest unused
HAND_FORMAT = "<3i4xQ8bI92x"
UNION = {"_anon0": "_anon0", "_anon0._anon0._sifields": "_sigfault",
         "_anon0._anon0._sifields._sigfault._anon0": "_addr_pkey"}
FIELDS = {"si_signo": 11, "si_errno": 0, "si_code": 4, "_sifields._sigfault._addr": 0x7ffff7ff8123,
          "_sifields._sigfault._addr_pkey._dummy_pkey": [0] * 8,
          "_sifields._sigfault._addr_pkey._pkey": 1}


def rate(fn, seconds: float = 0.5) -> float:
    """Calls of ``fn`` per second (best of 3 runs of about ``seconds``)."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt > 0.05:
            break
        n *= 4
    best = 0.0
    for _ in range(3):
        reps = max(1, int(n * seconds / dt))
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        best = max(best, reps / (time.perf_counter() - t0))
    return best


def measure(seconds: float = 0.5) -> tuple[dict[str, float], int]:
    """({way: encode+decode pairs per second}, record size); raises
    RuntimeError when the generated format is not the hand-written one."""
    t = get_target("x86_64")
    tr = api.translate(["asm/siginfo.h"], t, [bundled.headers_dir("linux-6.6")])
    (lay,) = api.layout_translation(tr, ["siginfo_t"])
    model = cm.model(lay, tr)
    plain_model = cm.uncompiled(cm.shape(lay, tr))
    fast = struct_format(lay, tr, UNION)
    if fast.format != HAND_FORMAT:
        raise RuntimeError(f"generated format {fast.format} differs from the hand-written "
                           f"{HAND_FORMAT}")
    hand = struct.Struct(HAND_FORMAT)
    nested = cm.nest(FIELDS, cm.field_paths(lay, tr))
    flat = {leaf.path: FIELDS[leaf.path] for leaf in fast.leaves}
    args = (11, 0, 4, 0x7ffff7ff8123, *([0] * 8), 1)
    blob = hand.pack(*args)
    assert model.build(nested) == fast.pack(flat) == blob

    results = {
        "hand-written struct.Struct": rate(lambda: hand.unpack(hand.pack(*args)), seconds),
        "struct fast path (dicts)": rate(lambda: fast.unpack(fast.pack(flat)), seconds),
        "compiled construct": rate(lambda: model.parse(model.build(nested)), seconds),
        "uncompiled construct": rate(lambda: plain_model.parse(plain_model.build(nested)), seconds),
    }
    return results, lay.size


def main() -> int:
    try:
        results, size = measure()
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 1
    limit = results["hand-written struct.Struct"]
    print(f"siginfo_t (linux-6.6, x86_64, SEGV_PKUERR), encode+decode of {size} bytes:")
    for label, r in results.items():
        print(f"  {label:28} {r:12,.0f} /s   {limit / r:7.1f}x slower than hand-written")
    print(f"  fast path / compiled construct: {results['struct fast path (dicts)'] / results['compiled construct']:.1f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
