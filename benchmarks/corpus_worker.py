"""One process of the corpus benchmark: lay out every record of the given
(header, target) pairs with one tool, print what it found as JSON.

    python -m benchmarks.corpus_worker TOOL PAIRS.json [--passes N]

TOOL is ``abicheck`` (the library API, as ``abicheck layout --format
json`` does it: preprocess, parse, lay out every record the header defines,
every member, to JSON), ``clang`` (libclang from PyPI with ``-target``, in
process, walking the same records' members) or ``gcc`` (the target's cross
gcc with ``-g``, every record read back from the object's DWARF with
pyelftools).  PAIRS.json is ``[[target, [include dirs], [headers]], ...]``.
The output: per pass, seconds, records and members found, failed pairs.
The process ends as the ``abicheck`` command does (``cli.quick_exit``).
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time


def run_abicheck(target, dirs, headers):
    from abicheck import api
    from abicheck.errors import AbicheckError
    records = members = failed = 0
    for h, tr in zip(headers, api.translate_each([([h], target, dirs) for h in headers])):
        if isinstance(tr, AbicheckError):
            failed += 1
            continue
        for name in api.declared_records(tr, [h]):
            try:
                (lay,) = api.layout_translation(tr, [name])
            except AbicheckError:
                continue
            members += len(json.dumps(lay.to_json()) and lay.members())
            records += 1
    return records, members, failed


def run_clang(target, dirs, headers):
    from oracle.clang import _cindex, _is_tagged, _members, _parse
    from oracle.common import OracleError
    ci = _cindex()
    kinds = {ci.CursorKind.STRUCT_DECL: "struct", ci.CursorKind.UNION_DECL: "union"}
    records = members = failed = 0
    for h in headers:
        try:
            tu = _parse(f"#include <{h}>\n", target.clang_triple, tuple(target.clang_args or ()),
                        dirs, ())
        except OracleError:
            failed += 1
            continue
        for c in tu.cursor.get_children():
            kw = kinds.get(c.kind)
            f = c.location.file
            if kw is None or f is None or not f.name.endswith("/" + h):
                continue
            if not (c.is_definition() and _is_tagged(c, kw)):
                continue
            out: list[dict] = []
            try:
                _members(c.type, "", 0, out, f"{kw} {c.spelling}")
                c.type.get_size()
            except OracleError:
                continue
            records += 1
            members += len(out)
    return records, members, failed


def run_gcc(target, dirs, headers):
    from elftools.elf.elffile import ELFFile
    gcc = list(target.gcc)
    inc = subprocess.run([*gcc, "-print-file-name=include"], capture_output=True,
                         text=True).stdout.strip()
    records = members = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        obj = os.path.join(tmp, "probe.o")
        for h in headers:
            # linked (-shared -nostdlib): pyelftools cannot apply every
            # ABI's relocations to an object file's DWARF (m68k)
            args = [*gcc, "-g", "-fno-eliminate-unused-debug-types", "-shared", "-nostdlib",
                    "-x", "c", "-", "-o", obj, "-nostdinc", "-isystem", inc]
            for d in dirs:
                args += ["-I", d]
            res = subprocess.run(args, input=f"#include <{h}>\n", capture_output=True, text=True)
            if res.returncode != 0:
                failed += 1
                continue
            with open(obj, "rb") as fh:
                elf = ELFFile(io.BytesIO(fh.read()))
            r, n = _dwarf_records(elf, h)
            records += r
            members += n
    return records, members, failed


def _dwarf_records(elf, header: str) -> tuple[int, int]:
    """Records (named struct/union definitions declared in ``header``) and
    their members, read back from DWARF: size, member offsets, bitfields."""
    dw = elf.get_dwarf_info()
    records = members = 0
    for cu in dw.iter_CUs():
        lp = dw.line_program_for_CU(cu)
        v5 = lp.header.version >= 5
        dirs_ = [d.decode() if isinstance(d, bytes) else d for d in lp.header.include_directory]
        files = []
        for fe in lp.header.file_entry:
            name = fe.name.decode() if isinstance(fe.name, bytes) else fe.name
            di = fe.dir_index if v5 else fe.dir_index - 1
            files.append(os.path.join(dirs_[di], name) if 0 <= di < len(dirs_) else name)
        for die in cu.iter_DIEs():
            if die.tag not in ("DW_TAG_structure_type", "DW_TAG_union_type"):
                continue
            a = die.attributes
            if "DW_AT_name" not in a or "DW_AT_declaration" in a or "DW_AT_decl_file" not in a:
                continue
            fi = a["DW_AT_decl_file"].value - (0 if v5 else 1)
            if not (0 <= fi < len(files) and files[fi].endswith("/" + header)):
                continue
            a["DW_AT_byte_size"].value
            for m in die.iter_children():
                if m.tag == "DW_TAG_member":
                    ma = m.attributes
                    for k in ("DW_AT_data_member_location", "DW_AT_data_bit_offset", "DW_AT_bit_size"):
                        if k in ma:
                            ma[k].value
                    members += 1
            records += 1
    return records, members


TOOLS = {"abicheck": run_abicheck, "clang": run_clang, "gcc": run_gcc}


def main(argv: list[str]) -> int:
    from abicheck.targets import get_target
    tool, pairs_file = argv[0], argv[1]
    passes = int(argv[argv.index("--passes") + 1]) if "--passes" in argv else 1
    with open(pairs_file) as f:
        pairs = json.load(f)
    out = []
    for _ in range(passes):
        t0 = time.perf_counter()
        records = members = failed = npairs = 0
        for tname, dirs, headers in pairs:
            if not headers:
                continue
            r, n, x = TOOLS[tool](get_target(tname), dirs, headers)
            records, members, failed, npairs = records + r, members + n, failed + x, npairs + len(headers)
        out.append({"seconds": time.perf_counter() - t0, "records": records, "members": members,
                    "failed": failed, "pairs": npairs})
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    # every tool's process ends as the abicheck command does (``quick_exit``:
    # what it holds is not freed object by object), so none pays for a
    # teardown the command does not have
    from abicheck.cli import quick_exit
    quick_exit(main(sys.argv[1:]))
