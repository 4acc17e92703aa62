"""Bytes from a compiler: a C static initializer compiled to an object file
(``-c``, nothing linked or run) and the initialized object's bytes read back
from the ELF file with pyelftools.  The compiler is the ABI's own cross gcc
(the target row's ``gcc`` command), so these bytes are GCC's, not ours."""
from __future__ import annotations

import io
import os
import subprocess
import tempfile
from typing import Sequence

import pytest

from oracle.gcc import have_gcc


def gcc_of(target) -> list[str] | None:
    """The ABI's gcc command when it is installed, else None."""
    return list(target.gcc) if target.gcc and have_gcc(target.gcc) else None


def gcc_include(gcc: Sequence[str]) -> str:
    """gcc's own header folder (stddef.h...), kept under ``-nostdinc``."""
    r = subprocess.run([*gcc, "-print-file-name=include"], capture_output=True, text=True,
                       timeout=60)
    return r.stdout.strip()


def object_bytes(gcc: Sequence[str], source: str, include_dirs: Sequence[str] = (),
                 own_headers: bool = False) -> bytes:
    """Compile ``source`` with ``-c`` and return the object file.  Only
    ``include_dirs`` are searched (``-nostdinc``), plus gcc's own headers
    with ``own_headers``: the compiler reads exactly what abicheck read."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "probe.o")
        cmd = [*gcc, "-c", "-O0", "-w", "-o", out, "-nostdinc"]
        if own_headers:
            cmd += ["-isystem", gcc_include(gcc)]
        for inc in include_dirs:
            cmd += ["-I", str(inc)]
        cmd += ["-x", "c", "-"]
        r = subprocess.run(cmd, input=source, capture_output=True, text=True, timeout=300)
        if r.returncode:
            raise AssertionError(f"{' '.join(cmd)}:\n{r.stderr}")
        with open(out, "rb") as f:
            return f.read()


def symbol_bytes(obj: bytes, name: str) -> bytes:
    """The bytes of data symbol ``name`` in a relocatable object (its section's
    contents at the symbol's value, ``st_size`` long)."""
    from elftools.elf.elffile import ELFFile
    elf = ELFFile(io.BytesIO(obj))
    symtab = elf.get_section_by_name(".symtab")
    (sym,) = symtab.get_symbol_by_name(name)
    sec = elf.get_section(sym["st_shndx"])
    assert sec.name.startswith(".data") or sec.name.startswith(".sdata"), sec.name
    data = sec.data()
    return data[sym["st_value"]:sym["st_value"] + sym["st_size"]]


def require_elftools() -> None:
    pytest.importorskip("elftools", reason="pyelftools (the test extras) is not installed")


def gcc_offsetof(t, hset: str, accessor: str) -> int:
    """``offsetof(siginfo_t, accessor)`` as the ABI's gcc computes it through
    bundled header set ``hset`` (read back from a compiled constant)."""
    from abicheck import bundled
    src = ("#include <asm/siginfo.h>\n"
           f"unsigned long long probe = __builtin_offsetof(siginfo_t, {accessor});\n")
    data = symbol_bytes(object_bytes(gcc_of(t), src, [bundled.headers_dir(hset)]), "probe")
    return int.from_bytes(data, t.byte_order)
