"""The address space of one process: its VMAs and which pages are present.

Why a model of VMAs and not of pages: the kernel decides a fault from the VMA
its lookup finds (``find_vma`` / ``lock_vma_under_rcu``, mm/mmap.c and
mm/memory.c) and from its ``vm_flags`` (protection and key bits), and the
system calls that change protections split and merge VMAs
(``mprotect_fixup`` / ``vma_modify_flags``, mm/mprotect.c; ``do_vmi_munmap``,
mm/mmap.c).  Pages matter for one thing only: whether the hardware saw a
present page (a key fault the CPU reported) or a never-touched one (the
kernel's own check of the VMA's key, see ``kernel.py``); the outcome is the
same, the path is not, and a scenario author wants to know which it took.

Linux 6.1 and 6.12 behave alike in everything modelled here.  Addresses are
page-aligned as the system calls require (EINVAL otherwise,
checked by the callers); lengths are rounded up to whole pages as
``PAGE_ALIGN(len)`` does in ``do_mmap`` and ``do_mprotect_pkey``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Vma:
    """One mapping: ``[start, end)``, its protection (a subset of ``"rwx"``)
    and its protection key (the ``VM_PKEY_BIT*`` bits of ``vm_flags``)."""

    start: int
    end: int
    prot: str
    pkey: int

    def __contains__(self, addr: int) -> bool:
        return self.start <= addr < self.end

    def readable(self) -> bool:
        return "r" in self.prot

    def accessible(self) -> bool:
        """``vma_is_accessible()``: any of VM_READ, VM_WRITE, VM_EXEC."""
        return bool(self.prot)


def prot_letters(prot: str) -> str:
    """``"rw"`` / ``"none"`` -> the canonical letters (``"rw"``, ``""``)."""
    return "" if prot == "none" else "".join(c for c in "rwx" if c in prot)


class AddressSpace:
    """VMAs sorted by address, never overlapping, and the present pages."""

    def __init__(self, page_size: int) -> None:
        self.page = page_size
        self.vmas: list[Vma] = []
        self.present: set[int] = set()       # page numbers

    # ------------------------------------------------------------ lookups
    def find(self, addr: int) -> Vma | None:
        """The VMA containing ``addr`` (``find_vma`` followed by the
        ``vm_start <= addr`` check of the fault handlers), or None."""
        for v in self.vmas:
            if addr < v.end:
                return v if v.start <= addr else None
        return None

    def overlapping(self, start: int, end: int) -> list[Vma]:
        return [v for v in self.vmas if v.start < end and start < v.end]

    def is_present(self, addr: int) -> bool:
        return addr // self.page in self.present

    def touch(self, addr: int) -> None:
        """``handle_mm_fault`` made the page present (a first access)."""
        self.present.add(addr // self.page)

    def round(self, length: int) -> int:
        return -(-length // self.page) * self.page

    # ------------------------------------------------------------ changes
    def map(self, start: int, length: int, prot: str, pkey: int = 0) -> None:
        """Insert a new mapping (the caller checked it overlaps nothing)."""
        self.vmas.append(Vma(start, start + self.round(length), prot, pkey))
        self._merge()

    def unmap(self, start: int, length: int) -> None:
        """``munmap``: remove ``[start, start+length)``, splitting the VMAs at
        its edges; its pages are gone (a later access is a MAPERR)."""
        end = start + self.round(length)
        self.vmas = self._carve(start, end, None)
        self.present = {p for p in self.present if not start // self.page <= p < end // self.page}

    def change(self, start: int, end: int, prot: str, key_of) -> None:
        """Give ``[start, end)`` protection ``prot`` and, VMA by VMA, the key
        ``key_of(vma)`` returns (mprotect asks the architecture per VMA:
        ``arch_override_mprotect_pkey(vma, prot, pkey)``), splitting at the
        edges and merging neighbours that end up identical."""
        self.vmas = self._carve(start, end, lambda v: Vma(max(v.start, start), min(v.end, end),
                                                          prot, key_of(v)))
        self._merge()

    def _carve(self, start: int, end: int, inside) -> list[Vma]:
        """The VMAs with ``[start, end)`` cut out of them at its edges (how
        munmap and mprotect split a VMA); ``inside(vma)`` is what takes the
        place of each overlapped part (None: nothing, as munmap leaves)."""
        out = []
        for v in self.vmas:
            if v.end <= start or end <= v.start:
                out.append(v)
                continue
            if v.start < start:
                out.append(replace(v, end=start))
            if inside is not None:
                out.append(inside(v))
            if end < v.end:
                out.append(replace(v, start=end))
        return sorted(out, key=lambda v: v.start)

    def _merge(self) -> None:
        """Adjacent anonymous VMAs with equal flags become one (``vma_merge``);
        nothing observable depends on it but the VMA count."""
        self.vmas.sort(key=lambda v: v.start)
        out: list[Vma] = []
        for v in self.vmas:
            if out and out[-1].end == v.start and (out[-1].prot, out[-1].pkey) == (v.prot, v.pkey):
                out[-1] = replace(out[-1], end=v.end)
            else:
                out.append(v)
        self.vmas = out

    def covered(self, start: int, end: int) -> int:
        """The end of the gap-free run of VMAs from ``start`` (``start`` when
        no VMA contains it): where mprotect stops with ENOMEM."""
        pos = start
        for v in self.vmas:
            if v.end <= pos:
                continue
            if v.start > pos:
                break
            pos = v.end
            if pos >= end:
                return end
        return pos
