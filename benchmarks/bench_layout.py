"""How fast is a full layout compared with what it cannot avoid?

The baseline, measured in the same run, is the hermetic preprocessing alone
(one ``gcc -E`` per target): abicheck cannot be faster than that.  We report
the ratio of a full ``layout`` (preprocess + rewrite + parse + layout) on
every target to that baseline, for the uapi and the glibc view of siginfo_t,
so the numbers compare across machines.  Run: ``python -m benchmarks.bench_layout`` from the checkout root.
"""
from __future__ import annotations

import os
import sys

from abicheck import api
from abicheck.frontend import clear_memo
from abicheck.frontend.preprocess import preprocess
from abicheck.targets import all_targets
from benchmarks.common import best_of

HOST_DIRS = ["/usr/include/x86_64-linux-gnu", "/usr/include"]
CASES = [("uapi asm/siginfo.h", ["asm/siginfo.h"], (), ["siginfo_t"], None),
         ("glibc signal.h", ["signal.h"], ("_GNU_SOURCE",), ["siginfo_t", "struct sigaction"],
          "x86_64")]


def main() -> int:
    if not os.path.isfile(os.path.join(HOST_DIRS[0], "asm/siginfo.h")):
        print("host uapi headers missing (linux-libc-dev)", file=sys.stderr)
        return 2
    for label, headers, defines, types, only in CASES:
        targets = [t for t in all_targets() if only in (None, t.name)]
        def baseline():
            for t in targets:
                preprocess(headers, t, HOST_DIRS, defines)

        def full():
            clear_memo()
            for t in targets:
                api.layout_headers(headers, types, t, HOST_DIRS, defines)

        b = best_of(3, baseline)
        f = best_of(3, full)
        print(f"{label}: {len(targets)} targets, full layout / preprocessing alone = "
              f"{f / b:.2f}x  (baseline {b * 1000:.0f} ms, full {f * 1000:.0f} ms)")
    bench_check()
    return 0


def bench_check() -> None:
    """``abicheck check`` (bundled spec and headers, every ABI) against the
    preprocessing of those headers alone, in the same run."""
    from abicheck import bundled
    from abicheck.checks.spec import bundled_spec, load_spec, run_spec

    spec = load_spec(bundled_spec())
    dirs = [bundled.headers_dir(spec.data["bundled_headers"])]
    targets = all_targets()

    def baseline():
        for t in targets:
            preprocess(spec.data["headers"], t, dirs)

    def full():
        clear_memo()
        run_spec(spec, targets, (), dirs)

    b = best_of(3, baseline)
    f = best_of(3, full)
    print(f"check, bundled spec: {len(targets)} targets, {len(spec.checks)} checks, "
          f"full check / preprocessing alone = {f / b:.2f}x  "
          f"(baseline {b * 1000:.0f} ms, full {f * 1000:.0f} ms)")


if __name__ == "__main__":
    sys.exit(main())
