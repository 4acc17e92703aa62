"""A view given as a tree of several ABIs' headers (profile key ``tree``),
laid out as Debian 13's single linux-libc-dev: ``usr/include/<tuple>/asm``
for every ABI, each a link into ``usr/lib/linux/uapi/<arch>/asm``.  Each
ABI must read its own part, and the verdict must be what the compilers give
for that ABI's include directories."""
from __future__ import annotations

import json
import os

import pytest

from abicheck.cli import main
from abicheck.targets import get_target
from oracle import NoOracle, pick_oracle

ARCH = {"x86_64": ("x86", "int"), "aarch64": ("arm64", "long long"), "i386": ("x86", "int")}


def _tree(root) -> None:
    inc = root / "usr" / "include"
    (inc / "linux").mkdir(parents=True)
    (inc / "linux" / "rec.h").write_text("#include <asm/rec_arch.h>\n"
                                         "struct rec { int head; struct rec_arch arch; };\n")
    for name, (arch, ty) in ARCH.items():
        asm = root / "usr" / "lib" / "linux" / "uapi" / arch / "asm"
        if not asm.is_dir():
            asm.mkdir(parents=True)
            (asm / "rec_arch.h").write_text(f"struct rec_arch {{ {ty} word; }};\n")
        tup = inc / get_target(name).multiarch
        tup.mkdir(exist_ok=True)
        if not (tup / "asm").exists():
            os.symlink(os.path.relpath(asm, tup), tup / "asm")


@pytest.mark.oracle
def test_tree_view_each_abi_reads_its_own_part(tmp_path, capsys):
    _tree(tmp_path / "t")
    (tmp_path / "libc").mkdir()
    (tmp_path / "libc" / "rec.h").write_text("struct rec_arch { int word; };\n"
                                             "struct rec { int head; struct rec_arch arch; };\n")
    prof = tmp_path / "k.toml"
    prof.write_text('headers = ["linux/rec.h"]\ntree = "t"\n')
    code = main(["compat", "--type", "struct rec", "-t", "x86_64,aarch64,i386,arm",
                 "--kernel", str(prof), "--libc-header", str(tmp_path / "libc" / "rec.h"),
                 "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["verdicts"]["arm"] == "not compared"
    for name in ARCH:
        t = get_target(name)
        try:
            orc = pick_oracle(t)
        except NoOracle as e:
            pytest.skip(str(e))
        inc = tmp_path / "t" / "usr" / "include"
        k = orc.layout("#include <linux/rec.h>\n", ["struct rec"], [inc / t.multiarch, inc])
        lc = orc.layout((tmp_path / "libc" / "rec.h").read_text(), ["struct rec"])
        km = {m["path"]: (m["offset"], m["size"]) for m in k["struct rec"]["members"]}
        lm = {m["path"]: (m["offset"], m["size"]) for m in lc["struct rec"]["members"]}
        differs = km != lm or (k["struct rec"]["size"], k["struct rec"]["align"]) != \
            (lc["struct rec"]["size"], lc["struct rec"]["align"])
        assert (doc["verdicts"][name] == "mismatch") == differs, name
    assert code == (1 if "mismatch" in doc["verdicts"].values() else 0)
    assert "mismatch" in doc["verdicts"].values()     # aarch64's 8-byte word
