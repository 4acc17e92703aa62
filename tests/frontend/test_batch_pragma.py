"""A pragma run through ``_Pragma`` in a batch (frontend/batch_pragma.py):
every header's result is still its own run's, whether the macro holding
``_Pragma`` is only defined (the header stays in its batch) or expanded,
directly, through other macros or through pasting (the batch ends after
it).  The oracle is the standalone ``preprocess``, as in test_batch_cpp;
gcc itself shows why the output cannot tell: a pragma cpp runs leaves no
``#pragma`` line in ``-E`` output.

Also here, the two other reasons glibc-using headers ended their batch,
each checked against gcc: a reset's ``undefining "__STDC_..."`` warning,
and a file taken for guarded that gcc enters every time (gnu/stubs.h).
"""
from __future__ import annotations

import subprocess

import pytest

from abicheck.frontend import batch_scan
from abicheck.frontend.preprocess import _gcc
from test_batch_cpp import _check, _jobs, tree  # noqa: F401 (tree is a fixture)

pytestmark = pytest.mark.skipif(not _gcc(), reason="needs gcc")

#: macros holding ``_Pragma`` (defined, never expanded, in d.h)
DEFS = ('#ifndef D_H\n#define D_H\n#define ONCE _Pragma("once")\n'
        '#define PUSH _Pragma("push_macro(\\"M\\")")\n#define POP _Pragma("pop_macro(\\"M\\")")\n'
        '#define POISON _Pragma("GCC poison Y")\n#define SYS _Pragma("GCC system_header")\n'
        '#define WARN(m) _Pragma(#m)\n#define ONCE2 ONCE\n#define CAT(a, b) a##b\n#endif\n')


def _gcc_out(tmp_path, files: dict[str, str], main: str) -> str:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return subprocess.run([_gcc(), "-E", "-undef", "-nostdinc", "-dD", "-x", "c", "-"], input=main,
                          capture_output=True, text=True, check=True, cwd=tmp_path).stdout


@pytest.mark.parametrize("use", ["ONCE", "PUSH", "POP", "POISON"])
def test_gcc_prints_no_pragma_it_ran(use, tmp_path):
    # why the -E output cannot tell: the pragma runs and leaves no line
    out = _gcc_out(tmp_path, {"d.h": DEFS, "u.h": f'#include "d.h"\nint a; {use}\nint b;\n'},
                   '#include "u.h"\n')
    assert "int a;" in out and "int b;" in out
    assert "#pragma" not in out


def test_gcc_runs_a_pasted_pragma(tmp_path):
    out = _gcc_out(tmp_path, {"d.h": DEFS, "o.h": '#include "d.h"\nCAT(_Pra, gma)("once")\nint o;\n'},
                   '#include "o.h"\n#include "o.h"\n')
    assert out.count("int o;") == 1                 # entered once: 'once' ran


def test_defined_but_never_expanded_stays_batched(tree):
    dirs = tree({"d.h": DEFS, "a.h": '#include "d.h"\nint a;\n', "b.h": '#include "d.h"\nint b;\n'})
    # as glibc's sys/cdefs.h: the batch goes on past each of them
    assert _check(_jobs(dirs, "a.h", "b.h", "a.h", "b.h", "a.h")) == 5


#: how a header may run 'once' through a macro: (its extra definitions, its use)
ONCE_WAYS = {
    "direct": ("", "ONCE"),
    "through another macro": ("", "ONCE2"),
    "name pasted": ("", "CAT(ON, CE)"),
    "operator pasted from arguments": ("", 'CAT(_Pra, gma)("once")'),
    "pasted in a body": ("#define DO CAT(_Pra, gma)(\"once\")\n", "DO"),
    "first piece in a chain": ("#define P(x) _Pra ## x\n", 'P(gma)("once")'),
    "argument list opened by a macro": ("#define OPEN CAT(\n", 'OPEN _Pra, gma)("once")'),
}


@pytest.mark.parametrize("way", sorted(ONCE_WAYS))
def test_once_run_through_a_macro(way, tree):
    extra, use = ONCE_WAYS[way]
    dirs = tree({"d.h": DEFS, "o.h": f'#include "d.h"\n{extra}{use}\nstruct o {{ int a; }};\n',
                 "p.h": '#include "o.h"\nstruct p { struct o o; };\n'})
    # a batch going on after o.h would skip o.h in p.h
    assert _check(_jobs(dirs, "o.h", "p.h", "o.h", "p.h")) >= 2


def test_once_pasted_where_no_file_spells_pragma(tree):
    dirs = tree({"o.h": '#define CAT(a, b) a##b\nCAT(_Pra, gma)("once")\nstruct o { int a; };\n',
                 "p.h": '#include "o.h"\nstruct p { struct o o; };\n'})
    assert _check(_jobs(dirs, "o.h", "p.h", "o.h", "p.h")) >= 2


def test_push_in_one_header_pop_in_the_next(tree):
    dirs = tree({"d.h": DEFS, "a.h": '#include "d.h"\n#define M 1\nPUSH\n#undef M\n#define M 2\n',
                 "b.h": '#include "d.h"\nPOP\n#ifdef M\nint m = M;\n#endif\nint b;\n'})
    # going on after a.h, b.h's pop would bring back a.h's M
    assert _check(_jobs(dirs, "a.h", "b.h", "a.h", "b.h")) == 3


def test_pop_in_the_header_that_pushed(tree):
    dirs = tree({"d.h": DEFS, "a.h": '#include "d.h"\n#define M 1\nPUSH\n#undef M\nPOP\nint m = M;\n',
                 "b.h": '#include "d.h"\nint b;\n'})
    assert _check(_jobs(dirs, "a.h", "b.h", "a.h", "b.h")) == 3


def test_poison_and_system_header_and_warning(tree):
    dirs = tree({"d.h": DEFS, "a.h": '#include "d.h"\nPOISON\nint a;\n', "b.h": "int Y;\n",
                 "s.h": '#include "d.h"\nSYS\nint s;\n', "w.h": '#include "d.h"\nWARN(GCC warning "w")\n'})
    _check(_jobs(dirs, "a.h", "b.h", "s.h", "b.h", "w.h", "b.h", "a.h"))


def test_a_piece_outside_parentheses_is_no_argument(tree):
    # linux/atmapi.h's 'unsigned char _[8];': '_' could begin '_Pragma' only
    # as a macro's argument, and no argument stands outside parentheses
    dirs = tree({"d.h": DEFS, "a.h": '#include "d.h"\nstruct s { unsigned char _[8]; };\n',
                 "b.h": '#include "d.h"\nint b;\n'})
    assert _check(_jobs(dirs, "a.h", "b.h", "a.h", "b.h")) == 4


STUBS = "#if !defined __x86_64__\n# include <s32.h>\n#endif\n#if defined __x86_64__\nint s;\n#endif\n"


def test_stubs_like_file_is_not_guarded(tree, tmp_path):
    dirs = tree({"stubs.h": STUBS, "s32.h": "int s32;\n", "a.h": '#include "stubs.h"\nint a;\n'})
    out = subprocess.run([_gcc(), "-E", "-D__x86_64__", "-x", "c", "-"],
                         input='#include "stubs.h"\n#include "stubs.h"\n', capture_output=True,
                         text=True, check=True, cwd=tmp_path).stdout
    assert out.count('"stubs.h" 1\n') == 2          # gcc enters it every time
    assert not batch_scan.guarded(str(tmp_path / "stubs.h"))
    assert _check(_jobs(dirs, "a.h", "a.h", "a.h")) == 3


@pytest.mark.parametrize("text", ["#ifndef G\n#define G\nint g;\n#endif\n/* c */\n",
                                  "#ifndef G\n#define G\n#if 1\nint g;\n#endif\n#endif\n",
                                  "#ifndef G\n#define G\n#endif\n#ifndef H\n#endif\n",
                                  "#ifndef G\n#define G\n#endif\nint x;\n", STUBS])
def test_guarded_is_never_false_where_gcc_skips(text, tmp_path):
    (tmp_path / "f.h").write_text(text)
    out = subprocess.run([_gcc(), "-E", "-D__x86_64__", "-x", "c", "-"],
                         input='#include "f.h"\n#include "f.h"\n', capture_output=True,
                         text=True, check=True, cwd=tmp_path).stdout
    batch_scan.guarded.cache_clear()
    assert batch_scan.guarded(str(tmp_path / "f.h")) == (out.count('"f.h" 1\n') == 1)


def test_guard_defined_by_another_file_that_is_no_guard(tree):
    # glibc's bits/time64.h opens with '#ifndef _BITS_TYPES_H / #error'
    dirs = tree({"t64.h": '#ifndef T_H\n# error "use t.h"\n#endif\n#ifndef T64_H\n#define T64_H\n'
                          "int t64;\n#endif\n",
                 "t.h": '#ifndef T_H\n#define T_H\n#include "t64.h"\n#endif\n',
                 "u.h": '#include "t.h"\nint u;\n'})
    assert _check(_jobs(dirs, "u.h", "u.h", "t.h", "u.h")) == 4


def test_reset_of_a_stdc_macro_a_file_defined(tree):
    dirs = tree({"p.h": "#define __STDC_FOO__ 1\nint p;\n",
                 "q.h": "#undef __STDC_FOO__\n#define __STDC_FOO__ 2\nint q = __STDC_FOO__;\n",
                 "r.h": "#ifdef __STDC_FOO__\nint r;\n#endif\n"})
    # gcc warns of the reset's '#undef __STDC_FOO__': nothing else differs
    assert _check(_jobs(dirs, "p.h", "r.h", "p.h", "q.h", "p.h", "r.h")) == 6
