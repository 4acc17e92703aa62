"""The VMA model splits and merges as the kernel's mprotect/munmap do
(mm/mprotect.c ``mprotect_fixup``: a protection change in the middle of a
mapping leaves three VMAs; mm/mmap.c ``vma_merge``: neighbours with equal
flags become one again; ``do_vmi_munmap`` splits at the range's edges)."""
from __future__ import annotations

from abicheck.fault.vma import AddressSpace

P = 4096


def test_mprotect_middle_splits_in_three_and_restoring_merges():
    s = AddressSpace(P)
    s.map(0x10000, 3 * P, "rw")
    s.change(0x10000 + P, 0x10000 + 2 * P, "r", lambda v: v.pkey)
    assert [(v.start, v.end, v.prot) for v in s.vmas] == [
        (0x10000, 0x11000, "rw"), (0x11000, 0x12000, "r"), (0x12000, 0x13000, "rw")]
    s.change(0x11000, 0x12000, "rw", lambda v: v.pkey)
    assert [(v.start, v.end) for v in s.vmas] == [(0x10000, 0x13000)]


def test_key_change_splits_like_a_protection_change():
    s = AddressSpace(P)
    s.map(0x10000, 2 * P, "rw")
    s.change(0x10000, 0x11000, "rw", lambda v: 3)
    assert [(v.start, v.pkey) for v in s.vmas] == [(0x10000, 3), (0x11000, 0)]


def test_munmap_splits_and_drops_pages():
    s = AddressSpace(P)
    s.map(0x10000, 3 * P, "rw")
    s.touch(0x11000)
    s.unmap(0x11000, P)
    assert [(v.start, v.end) for v in s.vmas] == [(0x10000, 0x11000), (0x12000, 0x13000)]
    assert s.find(0x11800) is None and not s.is_present(0x11000)


def test_lengths_round_up_to_pages():
    s = AddressSpace(P)
    s.map(0x10000, 1, "r")                  # PAGE_ALIGN(len) in do_mmap
    assert s.find(0x10fff) is not None and s.find(0x11000) is None


def test_covered_stops_at_a_hole():
    s = AddressSpace(P)
    s.map(0x10000, P, "rw")
    s.map(0x12000, P, "rw")
    assert s.covered(0x10000, 0x13000) == 0x11000
    assert s.covered(0x11000, 0x13000) == 0x11000
