"""The recorded real-kernel runs (tests/fault/kernel_runs/<kernel>/<target>/
<scenario>.json, written by tools/qemu/run.py from Debian kernels booted under
QEMU with protection keys): the records are well formed and agree with the
kernel's documented siginfo layout, and the simulator gives the same result,
op by op and byte for byte.

The slow test redoes the whole QEMU run (set ABICHECK_QEMU=1; needs
qemu-system-x86_64, the three compilers and Debian's archive) and compares it
with the committed records; with the simulator installed, the programs also
check every op against it on the guest, and a mismatch fails the run.
15-60 s (kernel download, two TCG boots)."""
from __future__ import annotations

import glob
import json
import os
import shutil
import struct
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNS = os.path.join(ROOT, "tests", "fault", "kernel_runs")
RECORDS = sorted(glob.glob(os.path.join(RUNS, "*", "*", "*.json")))
SIGSEGV, SEGV_PKUERR = 11, 4
# offsets the kernel asserts at build time (arch/x86/kernel/signal{,_32}.c static asserts;
# /work/shared/facts/siginfo-abi.md): si_addr and si_pkey, 64-bit vs 32-bit and x32
SI_ADDR = {"x86_64": 0x10, "i386": 0x0C, "x32": 0x0C}
SI_PKEY = {"x86_64": 0x20, "i386": 0x14, "x32": 0x14}
PTR = {"x86_64": "<Q", "i386": "<I", "x32": "<I"}


def load(path):
    """A record and its scenario (skips when the scenario is an example of
    branch "fault" not merged here yet)."""
    with open(path) as f:
        rec = json.load(f)
    scen_path = os.path.join(ROOT, rec["scenario"])
    if not os.path.exists(scen_path):
        pytest.skip(f"{rec['scenario']} is not in this tree (the examples come with the "
                    "simulator's branch)")
    with open(scen_path) as f:
        scen = json.load(f)
    assert rec["ops"] == scen["ops"], f"{rec['scenario']} changed since the run: rerun run.py"
    return rec, scen


def ids(paths):
    return [os.path.relpath(p, RUNS) for p in paths]


def test_every_kernel_target_and_scenario_recorded():
    """Every scenario shipped in tests/ and examples/ has a record per kernel
    and ABI (the examples as ``examples.<stem>``), and no record is left over
    from a scenario that is gone."""
    scen = {os.path.basename(p)[:-5] for p in glob.glob(os.path.join(ROOT, "tests", "fault",
                                                                       "scenarios", "*.json"))}
    assert scen
    examples = os.path.join(ROOT, "examples", "scenarios")
    if os.path.isdir(examples):
        scen |= {"examples." + os.path.basename(p)[:-5]
                 for p in glob.glob(os.path.join(examples, "*.json"))}
    for kernel in ("6.1", "6.12"):
        for target in ("x86_64", "i386", "x32"):
            got = {os.path.basename(p)[:-5] for p in
                   glob.glob(os.path.join(RUNS, kernel, target, "*.json"))}
            if not os.path.isdir(examples):
                got = {n for n in got if not n.startswith("examples.")}
            assert got == scen, (kernel, target)


def _pkey_of(ops, index, addr):
    """The key the scenario last gave the page at ``addr`` before op ``index``
    (None: never given one by pkey_mprotect, e.g. the execute-only key)."""
    key = None
    for op in ops[:index]:
        if op["op"] in ("pkey_mprotect", "mprotect", "mmap"):
            lo = int(str(op["addr"]), 0)
            if lo <= addr < lo + op["length"]:
                key = op.get("pkey") if op["op"] == "pkey_mprotect" else (
                    None if op["op"] == "mprotect" else 0)
    return key


@pytest.mark.parametrize("path", RECORDS, ids=ids(RECORDS))
def test_record_matches_the_documented_siginfo(path):
    """Each fault blob: si_signo/si_errno/si_code at 0/4/8, si_addr the
    accessed address, si_pkey the page's key for SEGV_PKUERR, and every other
    byte zero (the kernel clears the whole siginfo before filling it:
    kernel/signal.c clear_siginfo, and copy_siginfo_to_user32's memset for
    the compat ABIs)."""
    rec, scen = load(path)
    target, ops, results = rec["target"], scen["ops"], rec["results"]
    assert [r["index"] for r in results] == list(range(len(results)))
    assert [r["op"] for r in results] == [o["op"] for o in ops[:len(results)]]
    if len(results) < len(ops) or "killed" in results[-1]:
        assert results[-1]["killed"] == {"signo": SIGSEGV}
    for r in results:
        op = ops[r["index"]]
        if "killed" in r:
            continue
        if op["op"] != "access":
            assert (r["ret"] == -1) == (r["errno"] != 0)
            continue
        if not r["fault"]:
            continue
        blob = bytes.fromhex(r["blob_hex"])
        assert len(blob) == 128
        addr = int(str(op["addr"]), 0)
        assert struct.unpack_from("<iii", blob) == (r["signo"], 0, r["code"])
        assert r["signo"] == SIGSEGV
        assert struct.unpack_from(PTR[target], blob, SI_ADDR[target])[0] == addr
        known = {*range(0, 12), *range(SI_ADDR[target], SI_ADDR[target] +
                                      struct.calcsize(PTR[target]))}
        if r["code"] == SEGV_PKUERR:
            pkey = struct.unpack_from("<I", blob, SI_PKEY[target])[0]
            want = _pkey_of(ops, r["index"], addr)
            assert pkey == want if want is not None else 1 <= pkey <= 15
            known |= set(range(SI_PKEY[target], SI_PKEY[target] + 4))
        assert all(blob[i] == 0 for i in range(128) if i not in known), blob.hex()


def test_altstack_under_denied_key_differs_between_61_and_612():
    """The documented change (the 2024 series "x86/pkeys: update PKRU to
    enable all pkeys before XSAVE", in 6.12): 6.1 cannot write the signal
    frame to an alternate stack whose key PKRU denies and kills the process;
    6.12 writes it and the handler runs."""
    for target in ("x86_64", "i386", "x32"):
        for name in ("altstack_denied_key", "altstack_write_disabled_key"):
            old, _ = load(os.path.join(RUNS, "6.1", target, name + ".json"))
            new, _ = load(os.path.join(RUNS, "6.12", target, name + ".json"))
            assert "killed" in old["results"][-1], (target, name)
            assert all("killed" not in r for r in new["results"]), (target, name)


# ---- the simulator against the records (after the merge with the simulator) -----------

@pytest.mark.parametrize("path", RECORDS, ids=ids(RECORDS))
def test_simulator_agrees_with_the_real_kernel(path):
    from abicheck.fault import simulate
    rec, scen = load(path)
    # the records come from a -cpu max guest: 5-level page tables (tools/qemu/run.py)
    got = list(simulate(scen, target=rec["target"], kernel=rec["kernel"], paging="5-level"))
    records = rec["results"]
    # one result per recorded op: as many as the kernel gave (a process it killed
    # ends both lists at the same op)
    assert len(got) == len(records), f"{path}: {len(got)} results for {len(records)} records"
    for want, r in zip(records, got):
        i = want["index"]
        where = f"{rec['kernel']}/{rec['target']}/{os.path.basename(path)} op {i}"
        assert r.index == i, where
        if "killed" in want:
            assert r.killed == want["killed"]["signo"], f"{where}: not killed"
            continue
        assert r.killed is None, f"{where}: the simulator kills, the kernel did not"
        if want["op"] == "access":
            assert bool(r.fault) == want["fault"], where
            if want["fault"]:
                assert (r.signo, r.code) == (want["signo"], want["code"]), where
                assert bytes(r.blob).hex() == want["blob_hex"], where
        else:
            assert (r.ret, r.errno) == (want["ret"], want["errno"]), where


# ---- the whole run again --------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("ABICHECK_QEMU"),
                    reason="slow: set ABICHECK_QEMU=1 (boots Debian kernels under QEMU)")
def test_qemu_run_reproduces_the_records(tmp_path):
    for tool in ("qemu-system-x86_64", "gcc", "i686-linux-gnu-gcc", "x86_64-linux-gnux32-gcc",
                 "apt-get", "dpkg-deb"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} not installed")
    work = os.environ.get("ABICHECK_QEMU_WORK", str(tmp_path / "work"))
    # the kernels come from Debian's archive: without the network this is a skip, not a failure
    fetch = subprocess.run([os.path.join(ROOT, "tools", "qemu", "fetch_kernels.sh"),
                            os.path.join(work, "kernels")], capture_output=True, text=True,
                           timeout=900)
    if fetch.returncode:
        last = (fetch.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"the Debian kernels could not be fetched: {last}")
    out = tmp_path / "runs"
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "qemu", "run.py"),
                        "--work", work, "--out", str(out)], capture_output=True, text=True,
                       timeout=1800)
    # exit 0: every record written and, with the simulator installed, every check agreed
    assert r.returncode == 0, r.stderr[-2000:]
    compared = 0
    for path in RECORDS:
        rel = os.path.relpath(path, RUNS)
        with open(path) as f:
            want = json.load(f)
        if not os.path.exists(os.path.join(ROOT, want["scenario"])):
            continue        # an example of the simulator's branch, not in this tree
        with open(out / rel) as g:
            assert json.load(g)["results"] == want["results"], rel
        compared += 1
    assert compared


def test_the_guest_init_compiles(tmp_path):
    """tools/qemu/init.c, the initramfs's PID 1, builds -static without warnings
    (the slow run boots it)."""
    if not shutil.which("gcc"):
        pytest.skip("gcc not installed")
    r = subprocess.run(["gcc", "-static", "-O1", "-Wall", "-Wextra", "-Werror", "-o",
                        str(tmp_path / "init"), os.path.join(ROOT, "tools", "qemu", "init.c")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
