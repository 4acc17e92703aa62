"""One target's cpp run standing in for another's (frontend/stand_in.py).

The oracle is cc1 itself: every output written from another target's run
must equal, byte for byte, what cc1 writes when run for that target; and
for each condition of the rule, a header where ignoring it would give a
wrong output (cc1's own runs of the two targets differ there), refused."""
from __future__ import annotations

import dataclasses
import os
import re
import sys
import time

import pytest

from abicheck import bundled, limits
from abicheck.errors import LimitError
from abicheck.frontend import stand_in
from abicheck.frontend.preprocess import _gcc
from abicheck.targets import all_targets, get_target

pytestmark = pytest.mark.skipif(not _gcc(), reason="needs gcc")

pp = sys.modules["abicheck.frontend.preprocess"]
across = sys.modules["abicheck.frontend.across"]

#: (header, include folder) sets: the bundled ones, and the host's uapi headers
SETS = [("asm/siginfo.h", bundled.headers_dir(n))
        for n in ("linux-4.5", "linux-4.6", "linux-6.6", "pkeys-v1", "pkeys-u32", "pkeys-u8-reserved")]
SETS += [("signal.h", bundled.headers_dir(n)) for n in ("glibc", "musl")]
HOST = [h for h in ("linux/types.h", "linux/perf_event.h", "linux/bpf.h", "linux/input.h")
        if os.path.isfile(os.path.join("/usr/include", h))]


def _own(req):
    """cc1's own run of ``req``: (exit status, output read as a run reads it)."""
    code, pre, _ = pp._run_gcc(req.text, req.dirs, req.macros, req.lim)
    return code, pre


def _source(req):
    since = time.time_ns()
    code, pre = _own(req)
    assert code == 0
    return stand_in.Source(req, pre, since), pre


def _same(a, b) -> bool:
    return (a._raw, a.text, a.entries, a.main_source) == (b._raw, b.text, b.entries, b.main_source)


@pytest.mark.parametrize("header,folder", SETS + [(h, "/usr/include") for h in HOST],
                         ids=[f"{os.path.basename(f)}:{h}" for h, f in SETS] + [f"host:{h}" for h in HOST])
def test_every_stand_in_is_cc1s_own_output(header, folder, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE", "0")
    dirs = [folder] if folder != "/usr/include" else ["/usr/include/x86_64-linux-gnu", folder]
    dirs = [d for d in dirs if os.path.isdir(d)]
    runs = {}
    for t in all_targets():
        req = pp.prepare([header], t, dirs)
        since = time.time_ns()
        code, pre = _own(req)
        if code == 0:
            runs[t.name] = (req, pre, stand_in.Source(req, pre, since))
    assert runs
    written = 0
    for a, (_, _, source) in runs.items():
        for b, (req_b, own_b, _) in runs.items():
            got = source.stand_in(req_b)
            if got is not None:
                written += 1
                assert _same(got, own_b), (a, b)
                assert got.search_dirs == tuple(req_b.dirs)
    # every run stands in for itself at least; where several targets
    # preprocess (the bundled headers: 9 distinct outputs on 27 targets
    # for linux-6.6), some stand in for others
    assert written > len(runs) or len(runs) == 1


def _stream(targets, folder):
    return [tr.pre for tr in across.translate_stream(["asm/siginfo.h"], targets, [folder])]


def _each(targets, folder):
    from abicheck.frontend import translate_each
    return [tr.pre for tr in translate_each([(["asm/siginfo.h"], t, [folder]) for t in targets])]


#: the ways a header set reaches cpp on every target: the default check's
#: stream (frontend/across.py), and lint's and the revision diff's
#: independent one-header jobs, each run alone (frontend/each.py)
ROUTES = {"check": (_stream, "linux-6.6"), "lint and diff": (_each, "linux-4.6")}


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_header_on_every_target_runs_cc1_fewer_times_and_gets_the_same(route, monkeypatch):
    translate, revision = ROUTES[route]
    monkeypatch.setenv("ABICHECK_CACHE", "0")
    targets = list(all_targets())
    folder = bundled.headers_dir(revision)
    own = {t.name: _own(pp.prepare(["asm/siginfo.h"], t, [folder]))[1] for t in targets}
    # cc1's own outputs past the command-line macros: no run stands in
    # across two of them, so at least as many runs (9 distinct for
    # linux-6.6 on the 27 targets; a run may also be refused by the rule
    # where the output would have been the same)
    distinct = {pre._raw[pre._raw.find('\n# 1 "<stdin>"\n'):] for pre in own.values()}
    assert len(distinct) < len(targets) - 5
    real = pp.run
    for jobs in (1, 2):
        ran = []
        monkeypatch.setattr(pp, "run", lambda req: ran.append(req) or real(req))
        with limits.use(dataclasses.replace(limits.active(), jobs=jobs)):
            got = translate(targets, folder)
        assert len(distinct) <= len(ran) < len(targets) - 5, jobs
        for t, pre in zip(targets, got):
            assert _same(pre, own[t.name]), t.name


def test_a_kin_keeps_a_run_only_while_a_request_of_its_kin_is_to_come(tmp_path, monkeypatch):
    # translate_each (a whole tree, maybe one folder per target) keeps a
    # run's output only for the requests that may use it
    ran, real = [], pp.run
    monkeypatch.setattr(pp, "run", lambda req: ran.append(req) or real(req))
    a = _request(tmp_path, "int a;\n", ONE)
    b = dataclasses.replace(a, macros={**ONE, "FOO": "1"})
    other = dataclasses.replace(a, dirs=[*a.dirs, str(tmp_path)])       # no kin of a's
    kin = stand_in.Kin.among([a, b, other])
    kin.run(other)
    assert kin._sources == {}
    kin.run(a)
    assert [s.req for s in kin._sources[stand_in.kin_key(a)]] == [a]
    got = kin.run(b)                # written from a's run, the last of its kin
    assert ran == [other, a] and _same(got, _own(b)[1]) and kin._sources == {}


def _request(tmp_path, text, macros, lim=None):
    """A request for ``text`` (written as a header) with the command-line
    macros ``macros``."""
    (tmp_path / "h.h").write_text(text)
    req = pp.prepare([str(tmp_path / "h.h")], get_target("x86_64"), [str(tmp_path)])
    return dataclasses.replace(req, macros=dict(macros), lim=lim or req.lim)


ONE = {"ONE": "1"}
NO_PASTE = ("Source._made", lambda self, name: False)
#: header, the macro the second target defines besides ONE, and how to
#: switch the rule off (the module's attributes, their stand-ins)
CONDITIONS = {
    "word": ("#ifdef FOO\nint a;\n#endif\n", "FOO", ("_WORD", re.compile(r"(?!)"))),
    "paste": ("#define CAT(a,b) a##b\n#define X(a,b) CAT(a,b)\n#if X(FO,O)\nint a;\n#endif\n", "FOO",
              NO_PASTE),
    # (the halves of a spliced name are words a paste could join: off too)
    "splice": ("#ifdef FO\\\nO\nint a;\n#endif\n", "FOO", ("_SPLICE", re.compile(r"(?!)")), NO_PASTE),
    "splice after blanks": ("#ifdef FO\\  \nO\nint a;\n#endif\n", "FOO", ("_SPLICE", re.compile(r"(?!)")),
                            NO_PASTE),
    "line number": ("#define CAT(a,b) a##b\n#define X(a,b) CAT(a,b)\n#if X(FOO,__LINE__)\nint a;\n#endif\n",
                    "FOO3", ("_NUMBERS", ())),
}


@pytest.mark.parametrize("name", list(CONDITIONS))
def test_a_name_the_run_could_look_up_keeps_it_from_standing_in(name, tmp_path, monkeypatch):
    text, extra, *rules = CONDITIONS[name]
    a = _request(tmp_path, text, ONE)
    b = dataclasses.replace(a, macros={**ONE, extra: "1"})
    source, _ = _source(a)
    code, own_b = _own(b)
    assert code == 0
    assert "int a;" in own_b.text and "int a;" not in source.raw     # the hazard is real
    assert source.stand_in(b) is None
    # without the rule, what would be written is wrong
    for attr, off in rules:
        owner, _, field = attr.rpartition(".")
        monkeypatch.setattr(getattr(stand_in, owner) if owner else stand_in, field, off)
    monkeypatch.setattr(stand_in, "_FILE_WORDS", {})
    unguarded, _ = _source(a)
    wrong = unguarded.stand_in(b)
    assert wrong is not None and not _same(wrong, own_b)


def test_a_name_no_text_spells_does_not(tmp_path):
    a = _request(tmp_path, "#ifdef FOOD\nint a;\n#endif\nint FO; int O2;\n", ONE)
    b = dataclasses.replace(a, macros={**ONE, "FOO": "2"})
    source, _ = _source(a)
    got = source.stand_in(b)
    assert got is not None and _same(got, _own(b)[1])


def test_a_run_that_read_the_clock_stands_in_for_none(tmp_path, monkeypatch):
    a = _request(tmp_path, "const char *when = __TIME__;\n", ONE)
    b = dataclasses.replace(a, macros={**ONE, "FOO": "1"})
    source, _ = _source(a)
    assert source.stand_in(b) is None
    monkeypatch.setattr(stand_in, "_CLOCK", ())
    assert _source(a)[0].stand_in(b) is not None


def test_a_file_changed_since_the_run_started_stands_in_for_none(tmp_path):
    a = _request(tmp_path, "int a;\n", ONE)
    b = dataclasses.replace(a, macros={**ONE, "FOO": "1"})
    since = time.time_ns()
    code, pre = _own(a)
    later = time.time_ns() + 10**9
    os.utime(tmp_path / "h.h", ns=(later, later))
    assert stand_in.Source(a, pre, since).stand_in(b) is None
    assert stand_in.Source(a, pre, later).stand_in(b) is not None


def test_a_macro_whose_echo_is_not_its_value_stands_in_for_none(tmp_path):
    a = _request(tmp_path, "int a;\n", ONE)
    source, _ = _source(a)
    for value in ("a  b", "a##b", " a", "a /* c */ b", "'x'"):
        b = dataclasses.replace(a, macros={**ONE, "FOO": value})
        if value != "'x'":          # refused although cc1 echoes it as written
            assert f"#define FOO {value}\n" not in _own(b)[1]._raw
        assert source.stand_in(b) is None
    for value in ("", "a b", "c ## L", '"UTF-8"', "((long)1)"):
        b = dataclasses.replace(a, macros={**ONE, "FOO": value})
        got = source.stand_in(b)
        assert got is not None and _same(got, _own(b)[1]), value


def test_a_plain_value_is_echoed_as_given(tmp_path):
    # the fast path of ``echo`` (no regex): random values of the characters
    # it lets through, cc1's own -dD echo the oracle; and each is one the
    # full rule accepts too
    import random
    rng = random.Random(12)
    letters = "".join(chr(c) for c in range(33, 127) if chr(c) not in stand_in._SPECIAL)
    values = ["".join(rng.choice(letters + "   ") for _ in range(rng.randrange(12))) for _ in range(300)]
    values = [v for v in values if stand_in._plain(v)]
    assert len(values) > 100
    a = _request(tmp_path, "int a;\n", {f"V{i}": v for i, v in enumerate(values)})
    code, pre = _own(a)
    assert code == 0
    for i, v in enumerate(values):
        assert f"#define V{i} {v}\n" in pre._raw, v
        assert re.match(stand_in._VALUE, v), v
    assert stand_in.echo(a.macros) is not None
    assert not any(stand_in._plain(v) for v in (" a", "a ", "a  b", "a\tb", "a\xa0b", "a/b", "a#b"))


def test_an_output_past_the_bound_is_left_to_its_own_run(tmp_path):
    text = "int a;\n"
    probe = _request(tmp_path, text, ONE)
    size = len(_own(probe)[1]._raw.encode())
    lim = dataclasses.replace(probe.lim, cpp_output=size + 4)
    a = _request(tmp_path, text, ONE, lim)
    b = dataclasses.replace(a, macros={**ONE, "FOOBAR": "1"})
    source, _ = _source(a)
    assert source.stand_in(b) is None
    with pytest.raises(LimitError):
        pp.run(b)


def test_different_requests_never_stand_in(tmp_path):
    a = _request(tmp_path, "int a;\n", ONE)
    source, _ = _source(a)
    assert source.stand_in(a) is not None
    for change in ({"text": a.text + "\n"}, {"dirs": [*a.dirs, "/"]},
                   {"lim": dataclasses.replace(a.lim, cpp_timeout=a.lim.cpp_timeout + 1)}):
        assert source.stand_in(dataclasses.replace(a, **change)) is None
