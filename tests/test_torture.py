"""The generated torture corpus: random records, abicheck vs the compiler.

Each hypothesis example is a *corpus* of ~30-60 random records (see
``torture_gen.py``), rendered to C per target and laid out twice per target:
once by abicheck (``layout_source``) and once by the independent oracle
(libclang with ``-target``, or a Debian cross gcc probe).  Sizes, alignments,
member offsets and bit offsets/widths must agree exactly, on every ABI the
oracle handles.

One compile per corpus per target keeps this affordable.  The default run
draws ``ABICHECK_TORTURE_EXAMPLES`` (50) corpora (~1900 records); raise it locally for a
longer soak, e.g. ``ABICHECK_TORTURE_EXAMPLES=1000 pytest tests/test_torture.py``.
``ABICHECK_TORTURE_TARGETS=x86_64,i386`` restricts the ABIs.

On a mismatch the message names the target, prints the failing record with
just the definitions it needs, and the first differing member with both
values.  Shrinking a 50-record corpus through a compiler takes hypothesis
longer than CI allows, so by default the failing *record* is reduced instead
(``torture_gen.reduce``: drop members and attributes while the mismatch
stays, one tiny compile per step); ``ABICHECK_TORTURE_SHRINK=1`` turns
hypothesis' own shrinking back on.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, Phase, given, settings

try:
    import torture_gen as tg
except ImportError:  # tests/ is a package
    from tests import torture_gen as tg

from abicheck.targets import all_targets

EXAMPLES = int(os.environ.get("ABICHECK_TORTURE_EXAMPLES", "50"))
ONLY = {s for s in os.environ.get("ABICHECK_TORTURE_TARGETS", "").split(",") if s}

MEMBER_KEYS = ("path", "offset", "size", "bit_offset", "bit_width")


# --------------------------------------------------------------------------
# Oracle and engine plumbing (shared with test_torture_cases.py)

def _oracle_module():
    try:
        import oracle
    except ImportError:
        try:
            from tests import oracle
        except ImportError:
            return None
    return oracle


def oracle_targets() -> list[tuple[object, object]]:
    """(target, oracle) for every ABI the oracle can check here."""
    oracle = _oracle_module()
    if oracle is None:
        return []
    out = []
    for t in all_targets():
        if ONLY and t.name not in ONLY:
            continue
        try:
            out.append((t, oracle.pick_oracle(t)))
        except oracle.NoOracle:
            pass
    return out


def require_oracle_and_engine():
    """Skip (with the reason) unless both the oracle and the engine exist."""
    if _oracle_module() is None:
        pytest.skip("tests/oracle is not available")
    try:
        from abicheck.api import layout_source
        layout_source("struct s { int a; };", ["struct s"], all_targets()[0])
    except NotImplementedError:
        pytest.skip("abicheck.api.layout_source is not implemented yet")
    targets = oracle_targets()
    if not targets:
        pytest.skip("no oracle (libclang or cross gcc) for any target")
    return targets


@functools.cache
def bare_aligned_consistent(orc) -> bool:
    """Does the oracle give a bare ``aligned`` the alignment it predefines as
    ``__BIGGEST_ALIGNMENT__``?  libclang's MIPS o32 target does not (16 vs 8;
    gcc says 8), so there the corpus spells it out instead."""
    src = ("struct b1 { char c; } __attribute__((aligned));\n"
           "struct b2 { char c; } __attribute__((aligned(__BIGGEST_ALIGNMENT__)));\n")
    got = orc.layout(src, ["struct b1", "struct b2"])
    return got["struct b1"]["align"] == got["struct b2"]["align"]


#: Known engine gap, kept visible as the strict xfail
#: ``test_torture_cases.py::typedef_aligned_bitfield_16``: on arm OABI and sh4
#: gcc does not move a bitfield of an over-aligned typedef to the typedef's
#: alignment, where x86/aarch64 gcc does.  Until the rule is found the corpus
#: leaves those bitfields out on these two ABIs.
ALIGNED_TYPEDEF_BITFIELD_GAP = {"arm_oabi", "sh4"}


def dialect(target, orc) -> tg.Dialect:
    """How to write the corpus for this target so that its oracle is right:
    libclang 18 lets a bitfield of a user-aligned typedef straddle its unit
    where GCC does not, so only gcc oracles get those bitfields."""
    return tg.Dialect.of(target, bare_aligned=bare_aligned_consistent(orc),
                         aligned_typedef_bitfields=(orc.kind != "clang" and
                                                    target.name not in ALIGNED_TYPEDEF_BITFIELD_GAP))


def oracle_layouts(orc, source: str, types, paths) -> dict:
    return orc.layout(source, types, paths=paths)


def our_layouts(source: str, types, target) -> dict:
    from abicheck.api import layout_source
    got = layout_source(source, types, target)
    assert len(got) == len(types), f"asked for {len(types)} types, got {len(got)}"
    return {name: t.to_json() for name, t in zip(types, got)}


def _member_view(m: dict) -> dict:
    return {k: m.get(k) for k in MEMBER_KEYS}


def first_difference(ours: dict, theirs: dict) -> str | None:
    """The first disagreement between two layouts of one type, or None."""
    for key in ("size", "align"):
        if ours.get(key) != theirs.get(key):
            return f"{key}: abicheck {ours.get(key)!r}, compiler {theirs.get(key)!r}"
    om = [_member_view(m) for m in ours.get("members", [])]
    tm = [_member_view(m) for m in theirs.get("members", [])]
    for i, (a, b) in enumerate(zip(om, tm)):
        if a != b:
            keys = [k for k in MEMBER_KEYS if a[k] != b[k]]
            return (f"member #{i} {b['path']!r} differs in {', '.join(keys)}:\n"
                    f"      abicheck {a}\n      compiler {b}")
    if len(om) != len(tm):
        extra = om[len(tm):] or tm[len(om):]
        who = "abicheck" if len(om) > len(tm) else "compiler"
        return (f"member count: abicheck {len(om)}, compiler {len(tm)} "
                f"(first extra, from {who}: {extra[0]})")
    return None


class OracleFailed(Exception):
    """The oracle could not answer for a corpus (a harness problem)."""


def compare_one_target(target, orc, source, types, paths):
    """All (type, difference) pairs on one target; engine errors count too."""
    try:
        theirs = oracle_layouts(orc, source, types, paths)
    except Exception as e:  # noqa: BLE001
        raise OracleFailed(f"{type(e).__name__}: {e}") from e
    try:
        ours = our_layouts(source, types, target)
    except Exception as e:  # noqa: BLE001 - an engine crash is a finding
        return [(None, f"abicheck raised {type(e).__name__}: {e}")]
    out = []
    for name in types:
        diff = first_difference(ours[name], theirs[name])
        if diff:
            out.append((name, diff))
    return out


def format_failure(target, orc, name, diff, text: str) -> str:
    where = f"{target.name} (oracle: {orc})"
    if name is None:
        return f"[{where}] {diff}\n--- source ---\n{text}"
    return f"[{where}] {name}: {diff}\n--- C reproducer ---\n{text}"


# --------------------------------------------------------------------------
# The generated corpus

SHRINK = os.environ.get("ABICHECK_TORTURE_SHRINK", "") not in ("", "0")
PHASES = tuple(Phase) if SHRINK else (Phase.explicit, Phase.generate)
HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]


def _engine_error(source: str, types, target) -> str | None:
    try:
        our_layouts(source, types, target)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__
    return None


def reduced_oracle_failure(target, orc, corpus: tg.Corpus, error: str) -> str:
    """The message when the oracle itself fails: the smallest record it fails on."""
    d = dialect(target, orc)

    def fails(cand: tg.Corpus) -> bool:
        try:
            oracle_layouts(orc, cand.render(d), cand.types, cand.paths())
        except Exception:  # noqa: BLE001
            return True
        return False

    text = corpus.render(d)
    for root in corpus.types:
        sub = corpus.subset(root)
        if fails(sub):
            text = tg.reduce(sub, root, fails).render(d)
            break
    return (f"[{target.name} (oracle: {orc})] the oracle failed (not an abicheck "
            f"finding): {error}\n--- C reproducer ---\n{text}")


def reduced_failure(target, orc, corpus: tg.Corpus, name: str | None, diff: str) -> str:
    """The message for a failure: the failing record, reduced to what still
    fails (``torture_gen.reduce``), with the first difference."""
    d = dialect(target, orc)

    if name is None:   # the engine raised on the whole corpus: which record?
        kind = _engine_error(corpus.render(d), corpus.types, target)
        for root in corpus.types:
            sub = corpus.subset(root)
            if kind and _engine_error(sub.render(d), sub.types, target) == kind:
                def fails(cand: tg.Corpus) -> bool:
                    src = cand.render(d)
                    try:
                        oracle_layouts(orc, src, cand.types, cand.paths())
                    except Exception:  # noqa: BLE001 - not valid C
                        return False
                    return _engine_error(src, cand.types, target) == kind
                small = tg.reduce(sub, root, fails)
                try:
                    our_layouts(small.render(d), small.types, target)
                except Exception as e:  # noqa: BLE001
                    diff = f"abicheck raised {type(e).__name__}: {e}"
                return format_failure(target, orc, None, diff, small.render(d))
        return format_failure(target, orc, None, diff, corpus.render(d))

    def fails(cand: tg.Corpus) -> bool:
        types, src = cand.types, cand.render(d)
        try:
            theirs = oracle_layouts(orc, src, types, cand.paths())
        except Exception:  # noqa: BLE001 - the candidate is not valid C
            return False
        try:
            ours = our_layouts(src, types, target)
        except Exception:  # noqa: BLE001 - a different failure
            return False
        return first_difference(ours[name], theirs[name]) is not None

    small = corpus.subset(name)
    if fails(small):
        small = tg.reduce(small, name, fails)
        types, src = small.types, small.render(d)
        theirs = oracle_layouts(orc, src, types, small.paths())
        diff = first_difference(our_layouts(src, types, target)[name], theirs[name])
    return format_failure(target, orc, name, diff, small.render(d))


@pytest.mark.slow
@pytest.mark.oracle
def test_torture_corpus():
    targets = require_oracle_and_engine()
    # While shrinking, check the targets that failed last first: a failing
    # corpus fails on them again without compiling for every other ABI.
    failing_first: list[str] = []

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=PHASES, print_blob=False, suppress_health_check=HEALTH)
    @given(tg.corpora())
    def check(corpus: tg.Corpus):
        types = corpus.types
        paths = corpus.paths()
        order = sorted(targets, key=lambda th: th[0].name not in failing_first)
        for target, orc in order:
            source = corpus.render(dialect(target, orc))
            try:
                diffs = compare_one_target(target, orc, source, types, paths)
            except OracleFailed as e:
                failing_first[:] = [target.name]
                pytest.fail(reduced_oracle_failure(target, orc, corpus, str(e)), pytrace=False)
            if diffs:
                failing_first[:] = [target.name]
                name, diff = diffs[0]
                more = f"\n({len(diffs) - 1} more types differ on {target.name})" \
                    if len(diffs) > 1 else ""
                pytest.fail(reduced_failure(target, orc, corpus, name, diff) + more,
                            pytrace=False)

    check()


# --------------------------------------------------------------------------
# The generator itself: what it writes is C that compilers accept.

@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_generated_sources_compile():
    """gcc accepts every rendered corpus (host dialect and a 32-bit one)."""
    cross = shutil.which("m68k-linux-gnu-gcc")

    @settings(max_examples=5, derandomize=True, deadline=None, database=None,
              suppress_health_check=HEALTH)
    @given(tg.corpora())
    def check(corpus: tg.Corpus):
        runs = [("gcc", tg.HOST)]
        if cross:
            runs.append((cross, tg.Dialect(int128=False, long_bits=32)))
        for cc, d in runs:
            src = corpus.render(d)
            r = subprocess.run([cc, "-fsyntax-only", "-std=gnu11", "-x", "c", "-"],
                               input=src, text=True, capture_output=True)
            assert r.returncode == 0, f"{cc} rejected:\n{r.stderr}\n{src}"
        paths = corpus.paths()
        assert set(paths) == set(corpus.types)
        for name, ps in paths.items():
            assert len(ps) == len(set(ps)), f"duplicate paths in {name}"

    check()
