"""Batched cpp (frontend/batch.py) gives every job exactly what a run of its
own gives: the same ``Preprocessed`` (text, macros, entries, search dirs)
or the same error (type, message, place, partial text).

The oracle is the standalone ``preprocess`` (one gcc process per job, the
path every other test checks against compilers).  Real headers: every
``linux/*.h`` and ``asm/*.h`` of the host and of Debian's cross headers
(a sample by default; all of them with ``ABICHECK_SLOW=1``).  Crafted
trees: each piece of cpp state a header can leave to the next one.
"""
from __future__ import annotations

import glob
import os

import pytest

from abicheck import limits
from abicheck.errors import AbicheckError
from abicheck.frontend import batch
from abicheck.frontend.preprocess import _gcc, preprocess
from abicheck.targets import get_target
from debian_headers import include_dirs

pytestmark = pytest.mark.skipif(not _gcc(), reason="needs gcc")

SLOW = bool(os.environ.get("ABICHECK_SLOW"))
CROSS = ["aarch64", "arm", "riscv64", "s390x", "mips64", "powerpc64le", "i386", "sparc64", "alpha"]


def _alone(job):
    headers, t, dirs, *roots = job
    try:
        return preprocess(headers, t, dirs, roots=roots[0] if roots else ())
    except AbicheckError as e:
        return e


def _view(r):
    if isinstance(r, AbicheckError):
        return (type(r).__name__, r.msg, r.loc, getattr(r, "partial", None))
    return (r.text, r.macros, r.main_source, r.entries, r.macros_exact, r.search_dirs)


def _check(jobs) -> int:
    """Batched == alone for every job; how many the batch answered itself."""
    answered = 0
    t, dirs = jobs[0][1], jobs[0][2]
    for _, pre in batch.preprocess_group([j[0] for j in jobs], t, dirs, ()):
        answered += pre is not None
    got = list(batch.preprocess_each(jobs, (), _alone))
    for job, r in zip(jobs, got):
        assert _view(r) == _view(_alone(job)), job[0]
    return answered


def _debian(name: str, header: str = "linux/types.h") -> tuple:
    """(target, Debian include dirs), or the test skipped when they (or
    ``header`` in them) are not installed."""
    try:
        t = get_target(name)
    except AbicheckError:
        pytest.skip(f"no target {name}")
    dirs = include_dirs(t)
    if dirs is None or not any(os.path.isfile(os.path.join(d, header)) for d in dirs):
        pytest.skip(f"Debian headers for {name} not installed")
    return t, dirs


def _corpus(dirs: list[str]) -> list[str]:
    names = set()
    for d in dirs:
        for sub in ("linux", "asm"):
            names |= {os.path.relpath(p, d) for p in glob.glob(os.path.join(d, sub, "*.h"))}
    names = sorted(names)
    return names if SLOW else names[::12]


@pytest.mark.parametrize("name", ["x86_64", *CROSS])
def test_real_headers(name):
    t, dirs = _debian(name)
    jobs = [([h], t, dirs) for h in _corpus(dirs)]
    answered = _check(jobs)
    assert answered > len(jobs) // 2          # the batch did the work, not the fallback


@pytest.fixture
def tree(tmp_path):
    def make(files: dict[str, str]) -> list[str]:
        for name, text in files.items():
            p = tmp_path / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        return [str(tmp_path)]
    return make


def _jobs(dirs, *names):
    t = get_target("x86_64")
    return [([n], t, dirs) for n in names]


GUARD = "#ifndef G_H\n#define G_H\nstruct g { int a; };\n#define GV 1\n#endif\n"


def test_include_guards(tree):
    dirs = tree({"g.h": GUARD, "u.h": '#include "g.h"\nstruct u { struct g g; };\n'})
    assert _check(_jobs(dirs, "g.h", "u.h", "g.h", "u.h")) == 4


def test_computed_include_missed_by_the_scan(tree):
    # the textual scan cannot see through #include MACRO: the -dD check does
    dirs = tree({"g.h": GUARD, "m.h": "#define F <g.h>\n#include F\n", "n.h": "#include <g.h>\n"})
    assert _check(_jobs(dirs, "m.h", "n.h", "m.h", "n.h")) >= 2


def test_header_redefines_a_target_macro(tree):
    dirs = tree({"r.h": "#undef __x86_64__\n#define __x86_64__ 2\nint r = __x86_64__;\n",
                 "s.h": "int s = __x86_64__;\n"})
    # r.h's change is seen in -dD (s.h after it starts a new batch), and
    # from then on __x86_64__ is restored between headers: all batched
    assert _check(_jobs(dirs, "s.h", "r.h", "s.h", "r.h", "s.h")) == 5


def test_header_undefines_a_predefined_macro(tree):
    dirs = tree({"r.h": "#undef __CHAR_BIT__\n#undef __STDC_VERSION__\n", "q.h": "#undef __CHAR_BIT__\n",
                 "s.h": "#ifdef __CHAR_BIT__\nint c = __CHAR_BIT__;\n#endif\nlong v = __STDC_VERSION__;\n"})
    # gcc warns on #undef of __STDC_VERSION__: r.h runs alone, s.h after it
    # (state unsure) starts a new batch, alone in it
    assert _check(_jobs(dirs, "s.h", "r.h", "s.h")) == 1
    assert _check(_jobs(dirs, "s.h", "q.h", "s.h", "q.h", "s.h")) == 5


def test_pragma_once(tree):
    dirs = tree({"o.h": "#pragma once\nstruct o { int a; };\n", "p.h": '#include "o.h"\n'})
    # a header that entered o.h ends its batch; the last, alone, runs alone
    assert _check(_jobs(dirs, "p.h", "o.h", "p.h", "o.h")) == 3


def test_push_macro(tree):
    dirs = tree({"a.h": '#define M 1\n#pragma push_macro("M")\n#undef M\n#define M 2\n',
                 "b.h": '#pragma pop_macro("M")\nint m = M;\n'})
    assert _check(_jobs(dirs, "a.h", "b.h", "a.h", "b.h")) == 3


def test_counter(tree):
    dirs = tree({"c.h": "int c[__COUNTER__ + 1];\n", "d.h": "int d;\n"})
    # a __COUNTER__ user is batched only as the first of its batch
    assert _check(_jobs(dirs, "c.h", "d.h", "c.h", "c.h")) == 2


def test_fatal_include_in_the_middle(tree):
    dirs = tree({"g.h": GUARD, "x.h": "struct x { int a; };\n#include <nope.h>\nint after;\n"})
    assert _check(_jobs(dirs, "g.h", "x.h", "g.h", "x.h", "g.h")) == 2  # the last, alone in its batch, runs alone


def test_error_and_warning_directives(tree):
    dirs = tree({"g.h": GUARD, "e.h": "int e;\n#error stop here\nint f;\n",
                 "w.h": "#warning careful\nint w;\n"})
    assert _check(_jobs(dirs, "g.h", "e.h", "w.h", "g.h", "e.h", "g.h")) == 3


def test_missing_header_and_several_headers_per_job(tree):
    dirs = tree({"g.h": GUARD, "u.h": '#include "g.h"\nstruct u { struct g g; };\n'})
    t = get_target("x86_64")
    assert _check([(["g.h", "u.h"], t, dirs), (["absent.h"], t, dirs), (["u.h", "g.h"], t, dirs),
                   ([os.path.join(dirs[0], "g.h")], t, dirs)]) == 3


def test_limits_apply_per_header(tree):
    # the batch's output passes cpp-output, no header's alone does but big.h's
    dirs = tree({"g.h": GUARD, "big.h": "".join(f"int big_{i};\n" for i in range(3000))})
    with limits.use(limits.Limits(cpp_output=24000)):
        assert _check(_jobs(dirs, *["g.h"] * 40, "big.h", "g.h", "g.h")) == 42


def test_expansion_bomb_in_the_middle(tree):
    # cpp is stopped in the bomb (its share passes cpp-output), which runs
    # alone for its exact error; the headers after it go into a new batch
    bomb = "".join(f"#define A{i + 1} A{i} A{i}\n" for i in range(30))
    dirs = tree({"g.h": GUARD, "bomb.h": "#define A0 xxxxxxxx\n" + bomb + "A30\n"})
    with limits.use(limits.Limits(cpp_output=1 << 18)):
        assert _check(_jobs(dirs, "g.h", "g.h", "g.h", "bomb.h", "g.h", "g.h", "g.h")) == 6


def test_guard_defined_by_another_file(tree):
    # gcc remembers a.h is guarded by A_H: where x.h defines A_H first, a
    # batch would skip a.h without a trace, a run alone enters it (empty)
    dirs = tree({"a.h": "#ifndef A_H\n#define A_H\nint a;\n#endif\n",
                 "x.h": '#define A_H\n#include "a.h"\nint x;\n', "y.h": '#include "a.h"\n#define A_H\n'})
    # x.h then starts a new batch (gcc knows nothing of a.h there); y.h,
    # defining A_H after entering a.h, stays in its batch
    assert _check(_jobs(dirs, "a.h", "y.h", "x.h", "a.h", "x.h", "y.h")) == 6


def test_guard_is_a_command_line_macro(tree):
    dirs = tree({"c.h": "#ifndef __x86_64__\nint c;\n#endif\n", "p.h": '#include "c.h"\nint p;\n',
                 "g.h": GUARD})
    # c.h is entered empty, then skipped unseen: a batch ends after it
    assert _check(_jobs(dirs, "p.h", "g.h", "p.h", "g.h", "p.h")) == 5


def test_translate_each_keeps_job_order_and_errors(tree):
    # two targets' jobs interleaved, failures among them: each result, in
    # its place, is what translating that job alone gives
    from abicheck.frontend import translate_each
    dirs = tree({"g.h": GUARD, "e.h": "#error no\n", "p.h": "struct p { int a[; };\n",
                 "u.h": '#include "g.h"\nstruct u { struct g g; long l; };\n'})
    x86, i386 = get_target("x86_64"), get_target("i386")
    jobs = [([h], t, dirs) for h in ("u.h", "e.h", "g.h", "p.h", "absent.h", "u.h") for t in (x86, i386)]
    for job, got in zip(jobs, translate_each(jobs)):
        (want,) = translate_each([job])
        if isinstance(want, AbicheckError):
            assert (type(got), got.msg, got.loc) == (type(want), want.msg, want.loc)
        else:
            assert _view(got.pre) == _view(want.pre) and got.unit == want.unit and got.request == want.request


def test_include_next(tree):
    # a wrapper in the first directory hands on to the real header in the
    # second; both guarded, the real one also reached directly
    root = tree({"a/x.h": "#ifndef A_X_H\n#define A_X_H\n#include_next <x.h>\nint wrapped;\n#endif\n",
                 "b/x.h": "#ifndef B_X_H\n#define B_X_H\nstruct x { int a; };\n#endif\n",
                 "b/y.h": "#include <x.h>\nstruct y { struct x x; };\n"})[0]
    dirs = [os.path.join(root, "a"), os.path.join(root, "b")]
    assert _check(_jobs(dirs, "x.h", "y.h", "x.h", "y.h")) == 4


def test_skips_unseen_reads_cpp_output(tree):
    # each header's own -dD output, read as a later part of a batch that
    # has seen a.h guarded by A_H: only a define of A_H before a.h is
    # entered (or with a.h never entered) can hide an entry
    dirs = tree({"a.h": "#ifndef A_H\n#define A_H\nint a;\n#endif\n",
                 "x.h": '#define A_H\n#include "a.h"\n', "y.h": '#include "a.h"\n#define A_H\n',
                 "z.h": "#define A_H 1\nint z;\n", "w.h": "#undef A_H\nint w;\n",
                 "p.h": '#define A_H(x) x\n#include "a.h"\n'})
    t = get_target("x86_64")
    a = preprocess(["y.h"], t, dirs).entries[0][0]
    got = {}
    for h in ("x.h", "y.h", "z.h", "w.h", "p.h"):
        raw = preprocess([h], t, dirs)._raw.encode("utf-8", "surrogateescape")
        got[h] = batch._skips_unseen(raw, {"A_H"}, {"A_H": {a}})
    assert got == {"x.h": True, "y.h": False, "z.h": True, "w.h": False, "p.h": True}


def test_include_lands_elsewhere_after_a_scan(tree):
    # the closure scan keeps where each include landed: once a local y.h
    # appears (x.h's quoted include now finds it, not the folder's), a
    # later header's reset list is built from the old answer and misses
    # Y2; the -dD check sees it, and c.h after b.h is still exactly c.h
    dirs = tree({"y.h": "#define Y1 1\n", "sub/x.h": '#include "y.h"\n', "a.h": "#include <sub/x.h>\n",
                 "c.h": "#ifdef Y2\nint leaked;\n#endif\nint c;\n"})
    assert _check(_jobs(dirs, "a.h", "c.h", "a.h", "c.h")) == 4
    with open(os.path.join(dirs[0], "sub", "y.h"), "w") as f:
        f.write("#define Y2 2\n")
    with open(os.path.join(dirs[0], "b.h"), "w") as f:
        f.write("#include <sub/x.h>\n")
    assert _check(_jobs(dirs, "b.h", "c.h", "b.h", "c.h")) == 4


def test_file_reached_two_ways(tree):
    # gcc learns s.h's guard per include entry: q.h's "s.h" (beside it)
    # and <sub/s.h> are two.  k.h enters s.h by <sub/s.h>, then q.h's
    # "s.h" again: alone an empty entry of s.h, after q.h in a batch (the
    # quoted entry knows the guard) nothing at all
    dirs = tree({"sub/s.h": "#ifndef S_H\n#define S_H\nint s;\n#endif\n",
                 "sub/q.h": '#include "s.h"\nint q;\n', "k.h": "#include <sub/s.h>\n#include <sub/q.h>\n"})
    t = get_target("x86_64")
    alone = preprocess(["k.h"], t, dirs)
    assert [f for f, _ in alone.entries].count(os.path.join(dirs[0], "sub/s.h")) == 2
    # k.h starts a new batch after q.h, and again after k.h; the last k.h,
    # alone in its batch, runs alone
    assert _check(_jobs(dirs, "sub/q.h", "k.h", "sub/q.h", "k.h")) == 3


def test_second_header_already_included(tree):
    # a.h includes "b.h" beside it; the job then names b.h by its path, a
    # second entry: alone it is entered again (empty), and after a job
    # that named b.h by path it must be too
    dirs = tree({"a.h": '#ifndef A_H\n#define A_H\n#include "b.h"\nstruct a { int x; };\n#endif\n',
                 "b.h": "#ifndef B_H\n#define B_H\nstruct b { int y; };\n#endif\n"})
    t = get_target("x86_64")
    a, b = (os.path.join(dirs[0], n) for n in ("a.h", "b.h"))
    _check([([a, b], t, dirs), ([b], t, dirs), ([a, b], t, dirs)])


@pytest.mark.parametrize("name", ["x86_64", *CROSS])
def test_real_file_reached_two_ways(name):
    # Debian's drm/drm.h is reached as <drm/drm.h> by linux/kfd_ioctl.h and
    # as "drm.h" by drm/drm_mode.h, which drm.h includes
    t, dirs = _debian(name, "linux/kfd_ioctl.h")
    _check([([h], t, dirs) for h in ("drm/amdgpu_drm.h", "linux/kfd_ioctl.h", "drm/drm_mode.h",
                                     "linux/kfd_ioctl.h")])


def test_files_are_read_again_by_the_next_run(tree):
    # what the scan read of o.h (nothing stateful) must not outlive the run:
    # o.h, rewritten with #pragma once, ends the batch after p.h, or q.h
    # would lose o.h's text
    dirs = tree({"o.h": "int o;\n", "p.h": '#include "o.h"\nint p;\n', "q.h": '#include "o.h"\nint q;\n'})
    assert _check(_jobs(dirs, "p.h", "q.h")) == 2
    with open(os.path.join(dirs[0], "o.h"), "w") as f:
        f.write("#pragma once\nint o;\n")
    _check(_jobs(dirs, "p.h", "q.h", "p.h"))


def test_confinement_is_decided_for_every_header_of_a_batch(tree, tmp_path):
    """An entry that passed confinement earlier in the batch is not looked
    at again (``confine.check_entries``' ``passed``); one that failed is,
    for every header that makes it: the headers entering a file through a
    link out of the include directories, or a file past the input limit,
    fail as they do alone, the others pass."""
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    outside.mkdir()
    (outside / "o.h").write_text("struct o { int a; };\n")
    dirs = tree({"g.h": GUARD, "big.h": "int big;\n" + "/* pad */\n" * 400,
                 "a.h": '#include "g.h"\n#include "link.h"\n',
                 "b.h": '#include "g.h"\nstruct b { struct g g; };\n',
                 "c.h": '#include "link.h"\n', "d.h": '#include "big.h"\n#include "g.h"\n'})
    os.symlink(outside / "o.h", tmp_path / "link.h")
    with limits.use(limits.Limits(input_size=2000)):
        jobs = _jobs(dirs, "b.h", "a.h", "b.h", "c.h", "d.h", "b.h", "d.h", "a.h", "g.h")
        assert _check(jobs) >= 3
        got = list(batch.preprocess_each(jobs, (), _alone))
    kinds = [type(r).__name__ for r in got]
    assert kinds == ["Preprocessed", "ConfinementError", "Preprocessed", "ConfinementError",
                     "LimitError", "Preprocessed", "LimitError", "ConfinementError",
                     "Preprocessed"]
