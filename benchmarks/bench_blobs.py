"""How fast do the binary models encode and decode?

Ways to turn siginfo_t's fields into its 128 bytes and back, measured in the
same run on the same values, each doing the same job — a dict of C member
paths in, the bytes, a dict of member paths out (arrays as lists):

- the compiled construct model (``views.construct_model.model``; its values
  are nested dicts, the same fields);
- the generated ``struct`` fast path (``views.struct_format``);
- the baseline, the limit a person reaches by hand: a hand-written
  ``struct.Struct`` of the same format plus the dict reading and building one
  would write next to it for this one record (:func:`hand_pack`,
  :func:`hand_unpack`).  Issue 12's goal (c) is the fast path within 3x of it.

Also shown: ``struct.Struct`` alone on a ready tuple (no dicts: a lower
bound no dict-returning API reaches), the uncompiled construct model (what
compiling buys), and the bulk paths over a buffer of 1000 records
(``iter_unpack`` + ``pack_many`` against ``Struct.iter_unpack`` and a join of
the hand-written functions).  Reported as pairs (records) per second and as
ratios to the baseline, so numbers compare across machines.
Run: ``PYTHONPATH=. python benchmarks/bench_blobs.py`` from the checkout root
(not part of the test run), or ``python -m benchmarks --only blobs``.
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
HAND = struct.Struct(HAND_FORMAT)
#: records in a buffer for the bulk figures
BULK = 1000

#: the labels of the figures; BASELINE (and BULK_BASELINE) are what the others compare with
BASELINE = "hand-written struct.Struct + dicts"
TUPLES = "struct.Struct alone, tuples (no dicts)"
FAST = "struct fast path (dicts)"
BULK_BASELINE = f"hand-written struct.iter_unpack + dicts, {BULK} records"
FAST_BULK = f"struct fast path iter_unpack + pack_many, {BULK} records"


def hand_pack(d) -> bytes:
    """What one writes by hand to pack the SEGV_PKUERR fields of a dict."""
    return HAND.pack(d["si_signo"], d["si_errno"], d["si_code"], d["_sifields._sigfault._addr"],
                     *d["_sifields._sigfault._addr_pkey._dummy_pkey"],
                     d["_sifields._sigfault._addr_pkey._pkey"])


def hand_unpack(b) -> dict:
    """... and to read them back into a dict."""
    t = HAND.unpack(b)
    return {"si_signo": t[0], "si_errno": t[1], "si_code": t[2],
            "_sifields._sigfault._addr": t[3],
            "_sifields._sigfault._addr_pkey._dummy_pkey": list(t[4:12]),
            "_sifields._sigfault._addr_pkey._pkey": t[12]}


def hand_iter_unpack(buffer) -> list[dict]:
    """The bulk read by hand: the same dict per record of ``iter_unpack``."""
    return [{"si_signo": t[0], "si_errno": t[1], "si_code": t[2],
             "_sifields._sigfault._addr": t[3],
             "_sifields._sigfault._addr_pkey._dummy_pkey": list(t[4:12]),
             "_sifields._sigfault._addr_pkey._pkey": t[12]} for t in HAND.iter_unpack(buffer)]


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
    nested = cm.nest(FIELDS, cm.field_paths(lay, tr))
    flat = {leaf.path: FIELDS[leaf.path] for leaf in fast.leaves}
    args = (11, 0, 4, 0x7ffff7ff8123, *([0] * 8), 1)
    blob = HAND.pack(*args)
    assert model.build(nested) == fast.pack(flat) == hand_pack(flat) == blob
    assert fast.unpack(blob) == hand_unpack(blob) == flat
    records = [dict(flat, **{"_sifields._sigfault._addr": 0x1000 * i}) for i in range(BULK)]
    buffer = b"".join(map(hand_pack, records))
    assert list(fast.iter_unpack(buffer)) == hand_iter_unpack(buffer) == records
    assert fast.pack_many(records) == buffer

    results = {
        BASELINE: rate(lambda: hand_unpack(hand_pack(flat)), seconds),
        FAST: rate(lambda: fast.unpack(fast.pack(flat)), seconds),
        TUPLES: rate(lambda: HAND.unpack(HAND.pack(*args)), seconds),
        "compiled construct": rate(lambda: model.parse(model.build(nested)), seconds),
        "uncompiled construct": rate(lambda: plain_model.parse(plain_model.build(nested)), seconds),
        # per record: one call handles BULK of them
        BULK_BASELINE: BULK * rate(lambda: hand_iter_unpack(b"".join(map(hand_pack, records))),
                                   seconds),
        FAST_BULK: BULK * rate(lambda: list(fast.iter_unpack(fast.pack_many(records))), seconds),
    }
    return results, lay.size


def baseline_of(label: str) -> str:
    """The figure ``label`` is compared with."""
    return BULK_BASELINE if label in (BULK_BASELINE, FAST_BULK) else BASELINE


def main() -> int:
    try:
        results, size = measure()
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"siginfo_t (linux-6.6, x86_64, SEGV_PKUERR), encode+decode of {size} bytes, "
          f"per second:")
    for label, r in results.items():
        base = baseline_of(label)
        print(f"  {label:58} {r:12,.0f} /s   {results[base] / r:7.2f}x the time of {base}")
    print(f"  fast path / compiled construct: {results[FAST] / results['compiled construct']:.1f}x "
          f"faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
