"""Synthetic libc views, each the bundled glibc (or musl) view with one
defect, against the bundled kernel view (linux-6.6) on every ABI: abicheck
must report a mismatch on exactly the ABIs and fields where compiling both
views with the oracle compiler shows one, and nowhere else.  The unmutated
bundled views are checked the same way, and against the real Debian
headers: they agree where the real libc agrees with the real kernel."""
from __future__ import annotations

import functools
import json
import os
import shutil

import pytest

from . import compat_oracle as co
from abicheck import bundled
from abicheck.checks.compat import run_compat
from abicheck.checks.compat_views import View, load_profile
from abicheck.report.render import render
from abicheck.targets import all_targets
from oracle import NoOracle, OracleError, pick_oracle

KERNEL_SRC = "#include <asm/siginfo.h>\n"
LIBC_SRC = "#define _GNU_SOURCE 1\n#include <signal.h>\n"

#: name -> (bundled set, file, text to replace, replacement)
MUTATIONS = {
    "pkey_widened": ("glibc", "bits/siginfo_t.h", "__uint32_t _pkey;", "unsigned long long _pkey;"),
    "glibc_pad0_missing": ("glibc", "bits/siginfo_t.h", "\tint __pad0;", ""),
    "musl_pad_missing": ("musl", "signal.h", "char __pad[128 - 2 * sizeof(int) - sizeof(long)];",
                         ""),
    "code_renumbered": ("glibc", "bits/siginfo-consts.h", "\tSEGV_PKUERR,", "\tSEGV_PKUERR = 14,"),
    "accessor_wrong_member": ("glibc", "bits/siginfo_t.h",
                              "#define si_pkey\t\t_sifields._sigfault._bounds._pkey",
                              "#define si_pkey\t\t_sifields._sigfault._bounds._addr_bnd._lower"),
}
MUSL_TARGETS = load_profile("musl", "libc").only


def _oracle(t):
    try:
        return pick_oracle(t)
    except NoOracle:
        return None


TARGETS = [t for t in all_targets() if _oracle(t) is not None]


@functools.cache
def _kernel(name: str, codes: tuple[str, ...]) -> dict:
    t = next(x for x in all_targets() if x.name == name)
    return co.measure(_oracle(t), KERNEL_SRC, [bundled.headers_dir("linux-6.6")], codes)


def _mutated(tmp_path, mutation: str | None, base: str = "glibc") -> str:
    if mutation is not None:
        base, file, old, new = MUTATIONS[mutation]
    root = tmp_path / base
    shutil.copytree(bundled.headers_dir(base), root)
    if mutation is not None:
        path = root / file
        text = path.read_text()
        assert text.count(old) == 1, f"the mutation no longer applies to {file}"
        path.write_text(text.replace(old, new))
    return str(root)


def _check(tmp_path, mutation: str | None, base: str = "glibc") -> set:
    libc_dir = _mutated(tmp_path, mutation, base)
    base = MUTATIONS[mutation][0] if mutation else base
    targets = [t for t in TARGETS if base != "musl" or t.name in MUSL_TARGETS]
    libc = View("libc", mutation or base, ("signal.h",), (libc_dir,), ("_GNU_SOURCE",))
    rep = run_compat(load_profile("linux-6.6", "kernel"), libc, ["siginfo_t"], targets)
    doc = json.loads(render(rep, "json"))
    mismatches = set()
    for t in targets:
        res = next(r for r in doc["results"] if r["target"] == t.name)
        codes = tuple(c["name"] for c in res["constants"])
        try:
            k = _kernel(t.name, codes)
            lc = co.measure(_oracle(t), LIBC_SRC, [libc_dir], codes)
        except OracleError as e:
            pytest.fail(f"{t.name}: the oracle cannot compile the bundled views: {str(e)[:300]}")
        got, kside, lside = co.abicheck_verdicts(doc, t.name)
        want = co.verdicts(k, lc)
        assert got == want, t.name
        assert (kside, lside) == (k["fields"], lc["fields"]), t.name
        ty = res["types"][0]
        size_differs = (k["size"], k["align"]) != (lc["size"], lc["align"])
        field_mismatch = any(want[a] == "mismatch" for a in set(k["fields"]) | set(lc["fields"]))
        assert (ty["verdict"] == "mismatch") == (size_differs or field_mismatch), t.name
        assert (ty["libc"]["size"], ty["libc"]["align"]) == (lc["size"], lc["align"]), t.name
        mismatches |= {(t.name, a) for a, v in want.items() if v == "mismatch"}
        if size_differs:
            mismatches.add((t.name, "size/align"))
    return mismatches


@pytest.mark.oracle
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutated_libc_view_caught_exactly_where_the_compilers_differ(tmp_path, mutation):
    base = MUTATIONS[mutation][0]
    baseline = _check(tmp_path / "base", None, base)
    mutated = _check(tmp_path / "mut", mutation)
    if mutation == "glibc_pad0_missing":
        # the union after the head is 8-aligned anyway: the compilers see no change
        assert mutated == baseline
    else:
        assert mutated - baseline, "the compilers see no effect of the mutation"


@pytest.mark.oracle
def test_bundled_views_agree_where_the_real_libc_agrees(tmp_path):
    """For every accessor the real Debian glibc and kernel headers both
    declare on an ABI, the bundled views give the same verdict."""
    cross = [t for t in TARGETS if os.path.isfile(f"/usr/{t.triple}/include/signal.h")
             and os.path.isfile(f"/usr/{t.triple}/include/asm/siginfo.h")]
    if not cross:
        pytest.skip("no Debian cross headers installed")
    rep = run_compat(load_profile("linux-6.6", "kernel"), load_profile("glibc", "libc"),
                     ["siginfo_t"], cross)
    doc = json.loads(render(rep, "json"))
    for t in cross:
        d = [f"/usr/{t.triple}/include"]
        real = co.verdicts(co.measure(_oracle(t), KERNEL_SRC, d), co.measure(_oracle(t), LIBC_SRC, d))
        got, _, _ = co.abicheck_verdicts(doc, t.name)
        for acc, v in real.items():
            if v in ("agree", "mismatch") and acc in got:
                assert got[acc] == v, (t.name, acc)
