#!/usr/bin/env python3
"""The real-kernel run: the scenarios' self-test on Debian kernels under QEMU.

    tools/qemu/run.py [--kernel 6.1 6.12] [--target x86_64 i386 x32]
                      [--out tests/fault/kernel_runs] [--work /tmp/abicheck-qemu]
                      [--copy-to DIR] [SCENARIO.json ...]

1. kernels: tools/qemu/fetch_kernels.sh WORK/kernels (Debian 12's 6.1, Debian 13's 6.12;
   cached);
2. `abicheck selftest` for each target, compiled -static (gcc, i686-linux-gnu-gcc,
   x86_64-linux-gnux32-gcc), and tools/qemu/init.c as the initramfs's /init;
3. the initramfs (a newc cpio written here: /dev/console, /init, /selftest-<target>);
4. per kernel one boot: qemu-system-x86_64 -accel tcg -cpu max (TCG emulates PKU and OSPKE;
   this machine's CPU has no PKU, KVM guests would not either), serial console on stdout,
   `syscall.x32=y` (Debian builds x32 in but disabled) and `norandmaps`;
5. the serial log is kept as OUT/<kernel>/serial.log and parsed into one record per
   (kernel, target, scenario): OUT/<kernel>/<target>/<scenario>.json.

With the simulator (abicheck.fault.simulate) importable, each program also embeds the
simulator's expectation for that kernel and prints a check line (OK / MISMATCH with the expected
line) after every op; the run then reports the agreement per kernel and target, and exits 1 on
any mismatch (the records are written all the same: they are the kernel's truth).
Exit status 1 when a boot fails or its output cannot be read; nothing is written then.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import glob
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from abicheck.errors import AbicheckError  # noqa: E402
from abicheck.fault import selftest  # noqa: E402

KERNELS = ("6.1", "6.12")
CMDLINE = "console=ttyS0 quiet loglevel=0 panic=-1 norandmaps syscall.x32=y"
BOOT_TIMEOUT = 600


def cpio(entries: list[tuple[str, int, bytes, int]]) -> bytes:
    """A newc cpio archive of (name, mode, data, rdev) entries, owner root,
    mtime 0 (the same inputs give the same bytes)."""
    out = bytearray()

    def pad4() -> None:
        out.extend(b"\0" * (-len(out) % 4))

    for ino, (name, mode, data, rdev) in enumerate([*entries, ("TRAILER!!!", 0, b"", 0)], 1):
        nm = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev >> 8, rdev & 0xFF, len(nm), 0]
        out.extend(b"070701" + b"".join(b"%08X" % f for f in fields))
        out.extend(nm)
        pad4()
        out.extend(data)
        pad4()
    return bytes(out)


def compile_static(cc: tuple[str, ...], source: str, out: str, work: str) -> None:
    src = out + ".c"
    with open(src, "w") as f:
        f.write(source)
    cmd = [*cc, "-static", "-O1", "-Wall", "-o", out, src]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"run.py: {' '.join(cmd)} failed:\n{r.stderr}")


def boot(vmlinuz: str, initrd: str, log: str) -> str:
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "512", "-smp", "1",
           "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
           "-kernel", vmlinuz, "-initrd", initrd, "-append", CMDLINE]
    print("run.py:", " ".join(cmd), file=sys.stderr)
    r = subprocess.run(cmd, capture_output=True, timeout=BOOT_TIMEOUT)
    text = r.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    with open(log, "w") as f:
        f.write(text)
    if "init poweroff" not in text:
        sys.exit(f"run.py: the guest did not finish (log: {log}); qemu said: "
                 f"{r.stderr.decode(errors='replace')[-500:]}")
    return text


def program_output(text: str, target: str) -> str:
    """The lines one program printed, between init's markers."""
    start, end = f"init run /selftest-{target}\n", f"init done /selftest-{target} "
    if start not in text:
        sys.exit(f"run.py: the guest did not run the {target} program")
    body = text.split(start, 1)[1]
    return body.split(end, 1)[0]


def recorded_as(s: selftest.Scenario, examples: str) -> selftest.Scenario:
    """The scenario named as its record is: the test scenarios by their stem,
    the examples (which reuse some stems) as ``examples.<stem>``; its file as
    the path in the source tree (examples/scenarios/<file> for an examples
    folder given from another tree)."""
    if os.path.dirname(os.path.abspath(s.file)) == os.path.abspath(examples):
        return dataclasses.replace(s, name=f"examples.{s.name}",
                                   file=f"examples/scenarios/{os.path.basename(s.file)}")
    return dataclasses.replace(s, file=os.path.relpath(s.file, ROOT))


def record_text(rec: dict) -> str:
    """The record as JSON, one result per line (diffs of a rerun read well)."""
    head = {k: v for k, v in rec.items() if k not in ("results", "ops")}
    lines = [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    lines.append(' "ops": [\n' + ",\n".join(f"  {json.dumps(o)}" for o in rec["ops"]) + "\n ],")
    results = ",\n".join(f"  {json.dumps(r)}" for r in rec["results"])
    return "{\n" + "\n".join(lines) + '\n "results": [\n' + results + "\n ]\n}\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="*",
                    help="default: tests/fault/scenarios/*.json and EXAMPLES/*.json")
    ap.add_argument("--examples", default=os.path.join(ROOT, "examples", "scenarios"),
                    help="the example scenarios' folder (default: examples/scenarios); they "
                         "are recorded as examples/scenarios/<file> under the name "
                         "examples.<stem>")
    ap.add_argument("--kernel", nargs="+", default=list(KERNELS), choices=KERNELS)
    ap.add_argument("--target", nargs="+", default=list(selftest.TARGETS),
                    choices=selftest.TARGETS)
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "fault", "kernel_runs"))
    ap.add_argument("--work", default="/tmp/abicheck-qemu")
    ap.add_argument("--copy-to", help="also copy the records there")
    a = ap.parse_args()
    paths = a.scenarios or (
        sorted(glob.glob(os.path.join(ROOT, "tests", "fault", "scenarios", "*.json")))
        + sorted(glob.glob(os.path.join(a.examples, "*.json"))))
    os.makedirs(a.work, exist_ok=True)
    kernels = os.path.join(a.work, "kernels")
    fetch = os.path.join(ROOT, "tools", "qemu", "fetch_kernels.sh")
    if subprocess.run([fetch, kernels]).returncode:
        sys.exit("run.py: fetching the kernels failed (see above)")

    try:
        from abicheck.fault import simulate
    except ImportError:
        simulate = None
        print("run.py: abicheck.fault.simulate not importable: recording only, no agreement "
              "check", file=sys.stderr)
    else:
        # the guest runs 5-level page tables: -cpu max has LA57 and Debian's kernels are
        # CONFIG_X86_5LEVEL (init.c reports la57, checked after the boot), so x86_64's
        # user half ends at 2^56
        simulate = functools.partial(simulate, paging="5-level")
    fixed = [("dev", 0o40755, b"", 0), ("dev/console", 0o20600, b"", (5 << 8) | 1)]
    init = os.path.join(a.work, "init")
    with open(os.path.join(ROOT, "tools", "qemu", "init.c")) as f:
        compile_static(("gcc",), f.read(), init, a.work)
    fixed.append(("init", 0o100755, open(init, "rb").read(), 0))
    try:
        per_target = {t: [recorded_as(s, a.examples) for s in selftest.load_all(paths, t)[1]]
                      for t in a.target}
    except AbicheckError as e:          # a refused scenario: its one line, no traceback
        sys.exit(f"run.py: {e}")

    def initrd_for(kernel: str) -> str:
        """The initramfs for one boot: the programs, with the simulator's
        expectations for ``kernel`` embedded when it is available."""
        entries = list(fixed)
        for target, scenarios in per_target.items():
            expected = None if simulate is None else [
                selftest.expectations(s, target, kernel, simulate=simulate) for s in scenarios]
            exe = os.path.join(a.work, f"selftest-{target}")
            compile_static(selftest.COMPILERS[target][0],
                           selftest.generate(scenarios, target, expected), exe, a.work)
            entries.append((f"selftest-{target}", 0o100755, open(exe, "rb").read(), 0))
        path = os.path.join(a.work, f"initrd-{kernel}.cpio")
        with open(path, "wb") as f:
            f.write(cpio(entries))
        return path

    mismatches = 0
    for kernel in a.kernel:
        release = open(os.path.join(kernels, kernel, "release")).read().strip()
        log = os.path.join(a.work, f"serial-{kernel}.log")
        text = boot(os.path.join(kernels, kernel, "vmlinuz"), initrd_for(kernel), log)
        if "init cpuinfo pku=1 ospke=1" not in text:
            sys.exit(f"run.py: the guest has no pku/ospke (log: {log})")
        if simulate is not None and "ospke=1 la57=1" not in text:
            sys.exit(f"run.py: the guest has no la57, the expectations assumed 5-level paging "
                     f"(log: {log})")
        records = {}
        agreement: list[str] = []
        for target, scenarios in per_target.items():
            output = program_output(text, target)
            got = selftest.parse_output(output, scenarios)
            if simulate is not None:
                ok, bad = selftest.parse_checks(output)
                agreement.append(f"{kernel} {target}: {ok} of {ok + len(bad)} checks agree")
                agreement.extend(f"  {b[:200]}" for b in bad)
            for s in scenarios:
                if s.name not in got:
                    sys.exit(f"run.py: {kernel}/{target}: no result for {s.name} (log: {log})")
                records[(target, s.name)] = {
                    "scenario": s.file, "ops": s.raw["ops"], "kernel": kernel,
                    "release": release, "target": target,
                    "machine": "qemu-system-x86_64 -accel tcg -cpu max", "cmdline": CMDLINE,
                    "results": got[s.name]}
        for (target, name), rec in sorted(records.items()):
            for base in filter(None, (a.out, a.copy_to)):
                d = os.path.join(base, kernel, target)
                os.makedirs(d, exist_ok=True)
                with open(os.path.join(d, f"{name}.json"), "w") as f:
                    f.write(record_text(rec))
        for base in filter(None, (a.out, a.copy_to)):
            shutil.copy(log, os.path.join(base, kernel, "serial.log"))
        print(f"run.py: {kernel} ({release}): {len(records)} records", file=sys.stderr)
        for line in agreement:
            print(f"run.py: {line}", file=sys.stderr)
            mismatches += line.startswith("  ")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
