"""(a) The corpus: every record of a real uapi tree, on every target with
Debian cross headers, against libclang and the gcc/DWARF route.

The (header, target) pairs are every ``linux/*.h`` and ``asm/*.h`` of each
target's own include folder (tests/debian_headers.py); each tool gets the
same pairs and reports how many records it laid out.  Cold: one process per
target, timed from outside (start-up included), as a CI job would run it.
Warm: every target in one process, the second pass timed (abicheck's
persistent cache filled, libclang's shared library loaded)."""
from __future__ import annotations

import json
import os
import sys

from benchmarks.common import PYTHON, TESTS, Row, cpu_timed_run, env, timed_run

QUICK_TARGETS = ("x86_64", "i386", "aarch64", "m68k", "s390x")


def pairs(quick: bool) -> list[tuple]:
    """[(target, include dirs, headers)] with Debian headers installed."""
    sys.path.insert(0, TESTS)
    from debian_headers import uapi_headers

    from abicheck.targets import all_targets
    out = []
    for t in all_targets():
        found = uapi_headers(t)
        if not found or (quick and t.name not in QUICK_TARGETS):
            continue
        dirs, headers = found
        if quick:
            headers = headers[::15]
        out.append((t, dirs, headers))
    return out


def _per_target(tool: str, chosen: list[tuple], tmp: str, environ: dict) -> dict[str, dict]:
    """One process per target: {target: {seconds (wall, start-up included), records...}}."""
    out = {}
    for t, dirs, headers in chosen:
        f = os.path.join(tmp, f"pairs-{t.name}.json")
        with open(f, "w") as fh:
            json.dump([[t.name, dirs, headers]], fh)
        dt, cpu, res = cpu_timed_run([PYTHON, "-m", "benchmarks.corpus_worker", tool, f], environ)
        (r,) = json.loads(res.stdout)
        r["seconds"] = dt
        r["cpu"] = cpu
        out[t.name] = r
    return out


def _in_process(tool: str, chosen: list[tuple], tmp: str, environ: dict) -> dict:
    f = os.path.join(tmp, "pairs-all.json")
    with open(f, "w") as fh:
        json.dump([[t.name, d, h] for t, d, h in chosen], fh)
    _, res = timed_run([PYTHON, "-m", "benchmarks.corpus_worker", tool, f, "--passes", "2"], environ)
    return json.loads(res.stdout)[1]


def _sum(runs: dict[str, dict], names) -> tuple[int, float, int, int]:
    sel = [runs[n] for n in names]
    return (sum(r["records"] for r in sel), sum(r["seconds"] for r in sel),
            sum(r["pairs"] for r in sel), sum(r["failed"] for r in sel))


def run(quick: bool, tmp: str, log) -> list[Row]:
    chosen = pairs(quick)
    if not chosen:
        return [Row("corpus", "no Debian headers installed", 0, "s", "-", None, "skipped")]
    from oracle.clang import have_clang
    from oracle.gcc import have_gcc
    cache = os.path.join(tmp, "cache-corpus")
    npairs = sum(len(h) for _, _, h in chosen)
    log(f"corpus: {len(chosen)} targets, {npairs} (header, target) pairs")
    cold = _per_target("abicheck", chosen, tmp, env(cache=False))
    log("  abicheck cold, no cache: done")
    filling = _per_target("abicheck", chosen, tmp, env(cache, cache=True))
    warm_cache = _per_target("abicheck", chosen, tmp, env(cache, cache=True))
    log("  abicheck cold, cache filled / warm: done")
    with_clang = [c for c in chosen if c[0].clang_triple] if have_clang() else []
    with_gcc = [c for c in chosen if c[0].gcc and have_gcc(tuple(c[0].gcc))]
    clang = _per_target("clang", with_clang, tmp, env(cache=False)) if with_clang else {}
    log("  libclang cold: done")
    gcc = _per_target("gcc", with_gcc, tmp, env(cache=False)) if with_gcc else {}
    log("  gcc + DWARF: done")
    rows = []
    names = [t.name for t, _, _ in chosen]

    def rate(runs, sel):
        rec, sec, _, _ = _sum(runs, sel)
        return rec / sec if sec else 0.0

    rec, sec, np_, failed = _sum(cold, names)
    rows.append(Row("corpus", f"abicheck cold, no cache: {rec} records, {np_} pairs "
                    f"({failed} failed), {len(names)} targets", rec / sec, "/s",
                    "-", None, f"{sec:.1f} s"))
    for label, runs in (("cache being filled", filling), ("cache warm", warm_cache)):
        r2, s2, _, _ = _sum(runs, names)
        rows.append(Row("corpus", f"abicheck cold, {label}: {r2} records", r2 / s2, "/s",
                        "abicheck cold, no cache", rec / sec, f"{s2:.1f} s"))
    if with_clang:
        sel = [t.name for t, _, _ in with_clang]
        crec, csec, cp, cf = _sum(clang, sel)
        base = crec / csec
        note = f"libclang: {crec} records, {cf} of {cp} pairs failed, {len(sel)} targets, {csec:.1f} s"
        rows.append(Row("corpus", "abicheck cold, no cache, vs libclang cold (goal >= 1x)",
                        rate(cold, sel), "/s", "libclang -target, one process per target", base, note))
        rows.append(Row("corpus", "abicheck cold, cache warm, vs libclang cold (goal >= 3x)",
                        rate(warm_cache, sel), "/s", "libclang -target, one process per target",
                        base, note))
        # the same, by CPU time (every process each tool's run started:
        # abicheck's cpp runs too)
        ccpu = sum(clang[n]["cpu"] for n in sel)
        acpu = sum(cold[n]["cpu"] for n in sel)
        arec = sum(cold[n]["records"] for n in sel)
        rows.append(Row("corpus", "abicheck cold, no cache, vs libclang cold, by CPU time",
                        arec / acpu, "/s", "libclang -target, one process per target, CPU",
                        crec / ccpu, f"abicheck {acpu:.1f} CPU s, libclang {ccpu:.1f} CPU s"))
    if with_gcc:
        sel = [t.name for t, _, _ in with_gcc]
        grec, gsec, gp, gf = _sum(gcc, sel)
        note = f"gcc: {grec} records, {gf} of {gp} pairs failed, {len(sel)} targets, {gsec:.1f} s"
        rows.append(Row("corpus", "abicheck cold, no cache, vs gcc -g + DWARF (goal >= 5x)",
                        rate(cold, sel), "/s", "cross gcc -g, pyelftools", grec / gsec, note))
        rows.append(Row("corpus", "abicheck cold, cache warm, vs gcc -g + DWARF (goal >= 5x)",
                        rate(warm_cache, sel), "/s", "cross gcc -g, pyelftools", grec / gsec, note))
    if with_clang:
        a = _in_process("abicheck", with_clang, tmp, env(cache, cache=True))
        c = _in_process("clang", with_clang, tmp, env(cache=False))
        rows.append(Row("corpus", f"abicheck warm, one process: {a['records']} records",
                        a["records"] / a["seconds"], "/s", "libclang warm, one process",
                        c["records"] / c["seconds"],
                        f"abicheck {a['seconds']:.1f} s, libclang {c['seconds']:.1f} s"))
        log("  warm in-process: done")
    return rows
