"""The spec's ``layouts`` section: the member each (signal, code) selects,
against the kernel's ``siginfo_layout()`` (kernel/signal.c) written out by
hand case by case; the per-architecture signal numbers, against Debian's
linux-libc-dev ``asm/signal.h`` of each ABI; and the library API's cache."""
from __future__ import annotations

import os
import re
import time

import pytest

from blobs.cases import signo
from debian_headers import include_dirs
from abicheck.blobs import context, decode_fields, encode_fields
from abicheck.checks.spec import bundled_spec, load_spec
from abicheck.targets import all_targets, get_target

# (target, signal, code name or number, the SIL_* layout the kernel picks)
KERNEL = [
    ("x86_64", "SIGSEGV", "SEGV_MAPERR", "fault"),
    ("x86_64", "SIGSEGV", "SEGV_PKUERR", "fault_pkuerr"),
    ("x86_64", "SIGSEGV", "SEGV_BNDERR", "fault_bnderr"),
    ("x86_64", "SIGBUS", "BUS_MCEERR_AR", "fault_mceerr"),
    ("x86_64", "SIGBUS", "BUS_MCEERR_AO", "fault_mceerr"),
    ("x86_64", "SIGBUS", "BUS_ADRALN", "fault"),
    ("x86_64", "SIGTRAP", "TRAP_PERF", "fault_perf_event"),
    ("x86_64", "SIGTRAP", "TRAP_UNK", "fault"),
    ("alpha", "SIGTRAP", "TRAP_UNK", "fault_trapno"),
    ("alpha", "SIGFPE", "FPE_INTDIV", "fault_trapno"),
    ("x86_64", "SIGFPE", "FPE_INTDIV", "fault"),
    ("sparc64", "SIGILL", "ILL_ILLTRP", "fault_trapno"),
    ("x86_64", "SIGILL", "ILL_ILLTRP", "fault"),
    ("x86_64", "SIGCHLD", "CLD_EXITED", "chld"),
    ("x86_64", "SIGIO", "POLL_IN", "poll"),
    ("x86_64", "SIGSYS", "SYS_SECCOMP", "sys"),
    ("x86_64", "SIGTERM", "SI_USER", "kill"),
    ("x86_64", "SIGTERM", "SI_KERNEL", "kill"),
    ("x86_64", "SIGTERM", "SI_QUEUE", "rt"),
    ("x86_64", "SIGTERM", "SI_TKILL", "rt"),
    ("x86_64", "SIGTERM", "SI_MESGQ", "rt"),
    ("x86_64", "SIGALRM", "SI_TIMER", "timer"),
    ("mips", "SIGALRM", "SI_TIMER", "timer"),
    ("x86_64", "SIGIO", "SI_SIGIO", "poll"),
    # a positive code of a signal without codes of its own, up to NSIGPOLL (6): poll
    ("x86_64", "SIGUSR1", 3, "poll"),
    ("x86_64", "SIGUSR1", 7, "kill"),
    # a fault code above the signal's counter (NSIGSEGV 10): not a fault
    ("x86_64", "SIGSEGV", 11, "kill"),
    ("x86_64", "SIGSEGV", 5, "fault"),
    # mips: SIGBUS is 10, BUS_MCEERR_AR still selects the lsb member
    ("mips", "SIGBUS", "BUS_MCEERR_AR", "fault_mceerr"),
]


@pytest.mark.parametrize("tname,sig,code,member", KERNEL)
def test_member_as_the_kernel_picks_it(tname, sig, code, member):
    t = get_target(tname)
    cx = context("siginfo_t", t)
    value = code if isinstance(code, int) else cx.constant(code)
    assert cx.tagged.member(signo(t, sig) if sig in _KNOWN else cx.constant(sig), value) == member


_KNOWN = {"SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGUSR1", "SIGSEGV", "SIGTERM",
          "SIGCHLD", "SIGIO", "SIGSYS"}


def test_sigalrm_is_14_everywhere_it_is_used_here():
    for t in ("x86_64", "mips", "alpha", "sparc64", "parisc"):
        assert context("siginfo_t", t).constant("SIGALRM") == 14


def _debian_signals(t) -> dict[str, int] | None:
    dirs = include_dirs(t, "asm/signal.h")
    if dirs is None:
        return None
    for d in dirs:
        path = os.path.join(d, "asm", "signal.h")
        if os.path.isfile(path):
            text = open(path).read()
            generic = os.path.join(d, "asm-generic", "signal.h")
            if "<asm-generic/signal.h>" in text and os.path.isfile(generic):
                text += open(generic).read()       # the generic numbering, included
            raw: dict[str, str] = {}
            for m in re.finditer(r"^#define\s+(\w+)\s+(\w+)\s*(?:/\*.*)?$", text, re.M):
                raw.setdefault(m.group(1), m.group(2))      # the arch's own first
            out = {}
            for name in raw:
                v, seen = raw[name], 0
                while v in raw and seen < 8:                 # SIGPOLL SIGIO, SIGRTMAX _NSIG
                    v, seen = raw[v], seen + 1
                if re.fullmatch(r"SIG[A-Z0-9]+", name) and v.isdigit():
                    out[name] = int(v)
            return out
    return None


@pytest.mark.parametrize("t", all_targets(), ids=lambda t: t.name)
def test_signal_numbers_match_debian_headers(t):
    deb = _debian_signals(t)
    if deb is None:
        pytest.skip(f"no Debian asm/signal.h for {t.name}")
    cx = context("siginfo_t", t)
    checked = 0
    for name, num in deb.items():
        if name in ("SIGSTKSZ", "SIGUNUSED", "SIGLOST", "SIGSWI"):
            continue          # not signal numbers, or deprecated names strace does not print
        mine = cx.tagged.signal_number(name)
        if mine is None and name in ("SIGINFO", "SIGPWR", "SIGSTKFLT", "SIGEMT"):
            continue
        assert mine == num, (t.name, name)
        checked += 1
    assert checked >= 30
    assert {"SIGRTMIN", "SIGPOLL", "SIGIOT"} <= set(deb), t.name   # SIGRTMAX where _NSIG is uapi


def test_spec_layout_accessors_resolve_on_linux_6_6():
    spec = load_spec(bundled_spec())
    (entry,) = spec.data["layouts"]
    cx = context("siginfo_t", "x86_64")
    for member, accs in entry["members"].items():
        # glibc names the timer id si_timerid; only alpha and sparc have si_trapno
        missing = [a for a in accs if a not in cx.accessors and a not in ("si_timerid", "si_trapno")]
        assert not missing, (member, missing)


def test_api_is_cached():
    fields = {"si_signo": "SIGSEGV", "si_code": "SEGV_PKUERR", "si_addr": 0x1000, "si_pkey": 3}
    encode_fields("siginfo_t", "x86_64", fields)
    start = time.perf_counter()
    for i in range(1000):
        blob = encode_fields("siginfo_t", "x86_64", {**fields, "si_addr": i})
        assert decode_fields(blob, "siginfo_t", "x86_64")["si_addr"] == i
    assert time.perf_counter() - start < 20          # a translation per call would be minutes


def test_spec_layouts_references_are_checked(tmp_path, capsys):
    import json

    from abicheck.cli import main
    d = json.load(open(bundled_spec()))
    d["layouts"][0]["rules"][0]["member"] = "nope"
    d["layouts"][0]["ranges"][0]["max"]["vax"] = 3
    d["layouts"][0]["rules"][1]["codez"] = ["X"]
    d["$schema"] = "x"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(d, indent=2))
    assert main(["check", str(bad), "--target", "x86_64"]) == 2
    err = capsys.readouterr().err
    assert "codez" in err
    d["layouts"][0]["rules"][1].pop("codez")
    bad.write_text(json.dumps(d, indent=2))
    assert main(["check", str(bad), "--target", "x86_64"]) == 2
    err = capsys.readouterr().err
    assert "unknown member 'nope'" in err and "'vax'" in err and err.count("\n") == 2


@pytest.mark.parametrize("hset", ["glibc", "musl"])
@pytest.mark.parametrize("tname", ["x86_64", "mips", "s390x"])
def test_libc_headers_without_counters_select_as_the_kernel(hset, tname):
    # libcs define no NSIG* counters: the highest code they name stands in
    t = get_target(tname)
    cx = context("siginfo_t", t, hset)
    tg = cx.tagged
    assert tg.member(signo(t, "SIGBUS"), cx.constant("BUS_ADRALN")) == "fault"
    assert tg.member(signo(t, "SIGCHLD"), cx.constant("CLD_EXITED")) == "chld"
    assert tg.member(signo(t, "SIGSEGV"), cx.constant("SEGV_MAPERR")) == "fault"
    assert tg.member(signo(t, "SIGSEGV"), 60) == "kill"


def test_debian_glibc_signal_h_names_mips_signals():
    t = get_target("mips")
    dirs = include_dirs(t, "signal.h")
    if dirs is None:
        pytest.skip("no Debian mips headers")
    cx = context("siginfo_t", t, None, ["signal.h"], dirs)
    assert cx.constant("SIGBUS") == 10 and cx.constant("SIGCHLD") == 18
    fields = {"si_signo": "SIGBUS", "si_code": "BUS_ADRALN", "si_addr": 0x1000}
    assert encode_fields("siginfo_t", t, fields, None, ["signal.h"], dirs) == \
        encode_fields("siginfo_t", t, fields)


def test_ia64_segv_code_4_is_pstkovf():
    # ia64 has no SEGV_PKUERR; its SIGSEGV code 4 is __SEGV_PSTKOVF (a kernel fact)
    cx = context("siginfo_t", "ia64")
    assert cx.tagged.code_name(11, 4) == "__SEGV_PSTKOVF"
    assert cx.tagged.member(11, 4) == "fault"
    assert context("siginfo_t", "x86_64").tagged.code_name(11, 4) == "SEGV_PKUERR"


@pytest.mark.parametrize("target", ["x86_64", "mips"])
def test_struct_siginfo_is_siginfo_t(target, capsys):
    """The kernel's ``typedef struct siginfo {...} siginfo_t``: asking for the
    record by its tag keeps the spec's si_code map and signal names."""
    from abicheck.cli import main
    fields = {"si_signo": "SIGSEGV", "si_code": "SEGV_PKUERR", "si_addr": 0x10, "si_pkey": 3}
    blob = encode_fields("siginfo_t", target, fields)
    for t in ("siginfo_t", "struct siginfo"):
        assert main(["decode", "--hex", blob.hex(), "--target", target, "--type", t]) == 0
        assert capsys.readouterr().out == \
            "{si_signo=SIGSEGV, si_code=SEGV_PKUERR, si_addr=0x10, si_pkey=3}\n", t
    assert context("struct siginfo", target).tagged is not None
    with pytest.raises(Exception, match="si_pid"):
        encode_fields("struct siginfo", target, {**fields, "si_pid": 1})
    # a record with no tagged-union rules stays plain
    if os.path.isfile("/usr/include/signal.h"):
        assert context("struct sigaction", "x86_64", None, ["signal.h"],
                       ["/usr/include/x86_64-linux-gnu", "/usr/include"]).tagged is None


# The kernel decides by its own counters whatever the user's headers define:
# glibc and musl define no NSIG* counters (and musl names fewer SEGV_ codes),
# so the member must still be the one siginfo_layout() picks (Linux 6.6:
# NSIGPOLL 6, NSIGSEGV 10).
LIBC_KERNEL = [
    ("SIGUSR1", 3, "poll"),          # a signal with no codes of its own, code <= NSIGPOLL
    ("SIGUSR1", 6, "poll"),
    ("SIGUSR1", 7, "kill"),          # above NSIGPOLL
    ("SIGUSR1", 0x80, "kill"),       # SI_KERNEL
    ("SIGSEGV", 10, "fault"),        # SEGV_CPERR (6.6), <= NSIGSEGV even where unnamed
    ("SIGSEGV", 11, "kill"),
    ("SIGBUS", 5, "fault_mceerr"),
    ("SIGCHLD", 6, "chld"),
    ("SIGSYS", 1, "sys"),
    ("SIGSYS", 2, "sys"),            # NSIGSYS 2 (SYS_USER_DISPATCH)
    ("SIGSYS", 3, "poll"),
    ("SIGTERM", -1, "rt"),
]


@pytest.mark.parametrize("hset", ["glibc", "musl", "linux-6.6"])
@pytest.mark.parametrize("sig,code,member", LIBC_KERNEL)
def test_libc_headers_choose_as_the_kernel_does(hset, sig, code, member):
    t = get_target("x86_64")
    cx = context("siginfo_t", t, hset)
    assert cx.tagged.member(signo(t, sig) if sig in _KNOWN else cx.constant(sig), code) == member


@pytest.mark.parametrize("t", all_targets(), ids=lambda t: t.name)
def test_spec_code_counters_are_the_kernels(t):
    """The spec's fallback counters equal the bundled Linux 6.6 headers' own."""
    (entry,) = load_spec(bundled_spec()).data["layouts"]
    cx = context("siginfo_t", t, "linux-6.6")
    for name, value in entry["code_counters"].items():
        assert cx.macros.get(name).value == value, (t.name, name)
