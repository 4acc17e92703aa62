"""``abicheck selftest``: the generated C program compiles for the three x86
ABIs, runs on this machine's kernel, its output reads back into records, and
bad scenarios get one error line.

The expected values here are kernel facts (SEGV_MAPERR 1 and SEGV_ACCERR 2
from <asm-generic/siginfo.h>, si_addr at offset 0x10 on x86_64 and 0x0c on
i386/x32 as the kernel's own build-time checks assert, EINVAL 22), never the
generator's own output."""
from __future__ import annotations

import glob
import json
import os
import shutil
import struct
import subprocess
import sys

import pytest

from abicheck.fault import selftest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = sorted(glob.glob(os.path.join(ROOT, "tests", "fault", "scenarios", "*.json")))
SEGV_MAPERR, SEGV_ACCERR, SIGSEGV, EINVAL, EFAULT = 1, 2, 11, 22, 14


def cli(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "abicheck", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=120)


def build(target: str, paths, tmp_path) -> str:
    """The self-test for ``paths`` compiled -static for ``target`` (skips
    without the cross compiler)."""
    cc = selftest.COMPILERS[target][0]
    if not shutil.which(cc[0]):
        pytest.skip(f"{cc[0]} not installed (CI installs it: .ci/run)")
    src, exe = tmp_path / f"st-{target}.c", tmp_path / f"st-{target}"
    r = cli("selftest", *paths, "--target", target, "-o", str(src))
    assert r.returncode == 0 and r.stdout == "", r.stderr
    r = subprocess.run([*cc, "-static", "-O1", "-Wall", "-Werror", "-o", str(exe), str(src)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return str(exe)


@pytest.mark.parametrize("target", selftest.TARGETS)
def test_every_scenario_compiles_static_without_warnings(target, tmp_path):
    exe = build(target, SCENARIOS, tmp_path)
    with open(exe, "rb") as f:
        head = f.read(20)
    assert head[:4] == b"\x7fELF"
    # ELF class and machine as the ABI has them: x86_64 64-bit EM_X86_64 (62), i386 32-bit
    # EM_386 (3), x32 32-bit EM_X86_64
    cls, machine = head[4], struct.unpack_from("<H", head, 18)[0]
    assert (cls, machine) == {"x86_64": (2, 62), "i386": (1, 3), "x32": (1, 62)}[target]


def run_here(exe: str) -> str:
    try:
        r = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    except OSError as e:    # x32 disabled in this kernel (syscall.x32=y missing): ENOEXEC
        pytest.skip(f"this kernel cannot run {os.path.basename(exe)}: {e.strerror}")
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("target", selftest.TARGETS)
def test_runs_on_this_kernel_maperr_accerr(target, tmp_path):
    """Faults that need no protection keys, on the kernel running the tests:
    the codes and si_addr the kernel delivers, read back from the blob."""
    paths = [os.path.join(ROOT, "tests", "fault", "scenarios", n + ".json")
             for n in ("unmapped", "never_touched")]
    exe = build(target, paths, tmp_path)
    out = run_here(exe)
    scen = selftest.load_all(paths, target)[1]
    got = selftest.parse_output(out, scen)
    addr_at = 0x10 if target == "x86_64" else 0x0C
    fmt = "<Q" if target == "x86_64" else "<I"
    unmapped = got["unmapped"]
    assert [r.get("fault") for r in unmapped] == [None, None, True, True, True, None]
    assert unmapped[0]["ret"] == 0x10000000 and unmapped[0]["errno"] == 0
    assert (unmapped[5]["ret"], unmapped[5]["errno"]) == (-1, EFAULT)
    for r, addr in zip(unmapped[2:5], (0x10001008, 0x20000000, 0x20000000)):
        blob = bytes.fromhex(r["blob_hex"])
        assert (r["signo"], r["code"]) == (SIGSEGV, SEGV_MAPERR)
        assert struct.unpack_from("<iii", blob, 0) == (SIGSEGV, 0, SEGV_MAPERR)
        assert struct.unpack_from(fmt, blob, addr_at)[0] == addr
    nt = got["never_touched"]
    assert [r.get("fault") for r in nt] == [None, False, False, None, True, True]
    for r, addr in ((nt[4], 0x10002004), (nt[5], 0x10001800)):   # PROT_NONE read, NX call
        assert r["code"] == SEGV_ACCERR
        assert struct.unpack_from(fmt, bytes.fromhex(r["blob_hex"]), addr_at)[0] == addr


def test_output_is_deterministic():
    a = cli("selftest", *SCENARIOS, "--target", "i386")
    b = cli("selftest", *SCENARIOS, "--target", "i386")
    assert a.returncode == 0 and a.stdout == b.stdout and a.stdout


def test_exec_target_gets_a_ret_before_the_prot():
    """An exec access's mapping is made rw, filled with a ret (0xc3), then
    given its prot: the documented way the program places the instruction."""
    path = os.path.join(ROOT, "tests", "fault", "scenarios", "execute_only.json")
    c = selftest.generate([selftest.load(path, "x86_64")], "x86_64")
    assert "*(volatile unsigned char *)0x10000000u = 0xc3;" in c
    assert "PROT_READ|PROT_WRITE, MAP_FLAGS" in c


# ---- the output parser ----------------------------------------------------------------

def scenario(tmp_path, ops, name="s"):
    p = tmp_path / f"{name}.json"
    p.write_text(json.dumps({"ops": ops}))
    return selftest.load(str(p), "x86_64")


OPS = [{"op": "mmap", "addr": "0x10000000", "length": 4096, "prot": "rw"},
       {"op": "access", "access": "read", "addr": 268435456},
       {"op": "access", "access": "write", "addr": "0x10000000"}]
BLOB = "0b" + "00" * 127


def test_parser_reads_results_and_ignores_kernel_lines(tmp_path):
    s = scenario(tmp_path, OPS)
    text = ("[    1.0] random kernel line\nscenario s\nop 0 ret=268435456 errno=0\r\n"
            f"op 1 ret=0 errno=0\nop 2 fault signo=11 code=4 blob={BLOB}\nend s exit=0\n")
    assert selftest.parse_output(text, [s]) == {"s": [
        {"index": 0, "op": "mmap", "ret": 268435456, "errno": 0},
        {"index": 1, "op": "access", "fault": False},
        {"index": 2, "op": "access", "fault": True, "signo": 11, "code": 4, "blob_hex": BLOB}]}


def test_parser_killed_names_the_op_in_progress(tmp_path):
    s = scenario(tmp_path, OPS)
    text = "scenario s\nop 0 ret=268435456 errno=0\nkilled signo=11\nend s\n"
    assert selftest.parse_output(text, [s])["s"][-1] == {
        "index": 1, "op": "access", "killed": {"signo": 11}}


@pytest.mark.parametrize("text", [
    "scenario s\nop 0 ret=1 errno=0\n",                                   # truncated log
    "scenario s\nop 0 ret=1 errno=0\nend s exit=0\n",                     # results missing
    "scenario s\nop 1 ret=1 errno=0\n",                                   # out of order
    "scenario t\n",                                                       # not a scenario run
    f"scenario s\nop 0 ret=1 errno=0\nop 1 fault signo=11 code=4 blob={BLOB[:-2]}\n"
    "op 2 ret=0 errno=0\nend s exit=0\n",                                 # short blob
])
def test_parser_refuses_broken_output(tmp_path, text):
    with pytest.raises(selftest.OutputError):
        selftest.parse_output(text, [scenario(tmp_path, OPS)])


# ---- bad input ------------------------------------------------------------------------

BAD = [
    ("not json", None, ":1:1: error: not JSON"),
    (json.dumps({"ops": []}), None, "ops"),
    (json.dumps({"ops": [{"op": "wramr", "value": 0}]}), None, "ops[0].op"),
    (json.dumps({"ops": [{"op": "mmap", "addr": "0x1000", "length": 4096}]}), None, "ops[0]"),
    (json.dumps({"ops": [{"op": "access", "access": "read", "addr": "0x100000000"}]}), "i386",
     "ops[0].addr"),
    (json.dumps({"ops": [{"op": "access", "access": "read", "addr": "0x100000000"}]}), "x32",
     "ops[0].addr"),
    (json.dumps({"ops": [{"op": "mmap", "addr": "0x1000", "length": 4096, "prot": "rq"}]}), None,
     "ops[0].prot"),
    (json.dumps({"ops": [{"op": "pkey_alloc", "rights": "all"}]}), None, "ops[0].rights"),
    (json.dumps({"ops": [{"op": "wrpkru", "value": "0x1ffffffff"}]}), None, "ops[0].value"),
    (json.dumps({"ops": [{"op": "pkey_free", "pkey": True}]}), None, "ops[0].pkey"),
    # simulator only: no program can unmap from another thread at the instant of a fault
    (json.dumps({"ops": [{"op": "access", "access": "read", "addr": "0x10000000",
                          "racing_munmap": {"addr": "0x10000000", "length": 4096}}]}), None,
     "ops[0].racing_munmap: error: simulator only"),
    # the static program's own text is at 0x400000 (x86_64), 0x8048000 (i386)
    (json.dumps({"ops": [{"op": "mmap", "addr": "0x400000", "length": 4096, "prot": "r"}]}),
     None, "ops[0].addr: error: "),
    (json.dumps({"ops": [{"op": "munmap", "addr": "0x8048000", "length": 4096}]}), "i386",
     "ops[0].addr: error: "),
]


@pytest.mark.parametrize("text,target,where", BAD)
def test_bad_scenario_one_line_exit_2_nothing_written(tmp_path, text, target, where):
    p = tmp_path / "bad.json"
    p.write_text(text)
    out = tmp_path / "out.c"
    args = ["selftest", str(p), "-o", str(out)] + (["--target", target] if target else [])
    r = cli(*args)
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{p}:") and ": error: " in lines[0]
    assert where in lines[0] and "Traceback" not in r.stderr
    assert not out.exists()


def test_target_from_the_scenarios(tmp_path):
    """No --target: the scenarios' own "target" (the i386 C declares it);
    two different ones, or an ABI without an x86 self-test, are refused."""
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    ops = [{"op": "pkey_alloc", "rights": "none"}]
    a.write_text(json.dumps({"target": "i386", "ops": ops}))
    b.write_text(json.dumps({"target": "x32", "ops": ops}))
    c.write_text(json.dumps({"target": "powerpc64", "ops": ops}))
    r = cli("selftest", str(a))
    assert r.returncode == 0 and '#define SELFTEST_TARGET "i386"' in r.stdout
    r = cli("selftest", str(a), "--target", "x32")
    assert r.returncode == 0 and '#define SELFTEST_TARGET "x32"' in r.stdout
    for files in ((a, b), (c,)):
        r = cli("selftest", *map(str, files))
        assert r.returncode == 2 and r.stdout == "" and len(r.stderr.splitlines()) == 1


def test_missing_file_and_unknown_target(tmp_path):
    r = cli("selftest", str(tmp_path / "nope.json"))
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.splitlines()) == 1
    assert "cannot read" in r.stderr
    r = cli("selftest", SCENARIOS[0], "--target", "arm64")
    assert r.returncode == 2 and r.stdout == ""


# ---- expectations: the program compares with what it was told to expect ---------------

class Recorded:
    """One result in the simulator's shape (scenario.md), taken from a real-kernel record."""

    def __init__(self, rec: dict) -> None:
        self.index, self.op = rec["index"], rec["op"]
        self.killed = rec.get("killed")
        self.fault = rec.get("fault", False)
        self.signo, self.code = rec.get("signo"), rec.get("code")
        self.blob = bytes.fromhex(rec.get("blob_hex", ""))
        self.ret, self.errno = rec.get("ret"), rec.get("errno")


def recorded_simulator(kernel: str, target: str, corrupt: int | None = None):
    """A stand-in for abicheck.fault.simulate that answers with the recorded
    real-kernel results (optionally one blob byte flipped)."""
    def simulate(scen, *, target=target, headers=None, kernel=kernel):
        name = next(os.path.basename(p)[:-5] for p in SCENARIOS
                    if json.load(open(p)) == scen)
        with open(os.path.join(ROOT, "tests", "fault", "kernel_runs", kernel, target,
                               name + ".json")) as f:
            results = [Recorded(r) for r in json.load(f)["results"]]
        if corrupt is not None:
            results[corrupt].blob = bytes([results[corrupt].blob[0] ^ 1]) + \
                results[corrupt].blob[1:]
        return results
    return simulate


@pytest.mark.parametrize("target", ("x86_64", "i386"))
def test_expectations_ok_and_mismatch_on_this_kernel(target, tmp_path):
    """The host kernel delivers SEGV_MAPERR as Debian's 6.1 did: every check
    line is OK; a flipped byte in the expectation is a MISMATCH naming the
    expected line."""
    path = os.path.join(ROOT, "tests", "fault", "scenarios", "unmapped.json")
    cc = selftest.COMPILERS[target][0]
    if not shutil.which(cc[0]):
        pytest.skip(f"{cc[0]} not installed")
    scen = [selftest.load(path, target)]
    outs = []
    for corrupt in (None, 2):
        exp = [selftest.expectations(scen[0], target, "6.1",
                                     simulate=recorded_simulator("6.1", target, corrupt))]
        src, exe = tmp_path / "t.c", tmp_path / f"t{corrupt}"
        src.write_text(selftest.generate(scen, target, exp))
        r = subprocess.run([*cc, "-static", "-O1", "-Wall", "-Werror", "-o", str(exe), str(src)],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        outs.append(run_here(str(exe)))
    ok, bad = selftest.parse_checks(outs[0])
    assert (ok, bad) == (len(scen[0].ops) + 1, [])          # every op, and the exit
    ok, bad = selftest.parse_checks(outs[1])
    assert ok == len(scen[0].ops) and len(bad) == 1
    assert bad[0].startswith("check 2 MISMATCH expected op 2 fault signo=11 code=1 blob=0a")
    # the parser still reads the results between the check lines
    assert selftest.parse_output(outs[1], scen)["unmapped"][2]["blob_hex"].startswith("0b")


def test_kernel_or_headers_without_expect_is_a_usage_error():
    # --kernel and --headers choose the simulator's expectation: without --expect
    # they would be silently ignored
    for extra in (("--kernel", "6.1"), ("--headers", "linux-6.6")):
        r = cli("selftest", SCENARIOS[0], *extra)
        assert r.returncode == 2 and r.stdout == "" and len(r.stderr.splitlines()) == 1
        assert "--expect" in r.stderr and "Traceback" not in r.stderr


def test_every_right_of_the_schema_is_performed(tmp_path):
    # the schema's rights are PKEY_DISABLE_ACCESS 0x1, WRITE 0x2 (uapi
    # asm-generic/mman-common.h), EXECUTE 0x4 (powerpc), READ 0x8 (arm64): the
    # program passes each to pkey_alloc and reports what the kernel says; x86's
    # PKEY_ACCESS_MASK is ACCESS|WRITE, so mm/mprotect.c answers EINVAL (22)
    p = tmp_path / "rights.json"
    rights = ["none", "disable_access", "disable_write", "disable_execute", "disable_read"]
    p.write_text(json.dumps({"ops": [{"op": "pkey_alloc", "rights": r} for r in rights]}))
    s = selftest.load(str(p), "x86_64")
    c = selftest.generate([s], "x86_64")
    for i, flag in enumerate((0, 1, 2, 4, 8)):
        assert f"SYSCALL({i}, syscall(SYS_pkey_alloc, 0u, {flag}u));" in c
    e = selftest.expectations(s, "x86_64", "6.12")
    assert e.lines[3:] == ("op 3 ret=-1 errno=22\n", "op 4 ret=-1 errno=22\n")
