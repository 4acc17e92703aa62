"""The fault decision (abicheck/fault/kernel.py), rule by rule, against the
kernel's documented behaviour.  Each test cites the code it restates; the
expected si_code values are the uapi numbers (include/uapi/asm-generic/
siginfo.h), the addresses the ones the scenario touched (si_addr is the
faulting address: x86 CR2, arm64 FAR, powerpc DAR)."""
from __future__ import annotations

import pytest

from abicheck.fault import simulate
from fault.helpers import (EFAULT, SEGV_ACCERR, SEGV_MAPERR, SEGV_PKUERR, SI_KERNEL, SIGSEGV, access,
                     alloc, enosys_from_headers, mmap, mprotect, pkey_mprotect, run)

X86 = ["x86_64", "i386", "x32"]


def _sig(r):
    return (r.signo, r.code, r.fields.get("si_addr"), r.fields.get("si_pkey"))


@pytest.mark.parametrize("target", X86)
def test_unmapped_is_maperr_with_the_exact_address(target):
    # arch/x86/mm/fault.c do_user_addr_fault: no vma -> bad_area_nosemaphore(SEGV_MAPERR)
    r = run([access("write", "0x20000123")], target)
    assert _sig(r[0]) == (SIGSEGV, SEGV_MAPERR, 0x20000123, None)


@pytest.mark.parametrize("target", X86)
def test_write_disabled_key_on_a_never_touched_page_is_pkuerr(target):
    # access_error: "Make sure to check the VMA so that we do not perform faults just
    # to hit a X86_PF_PK as soon as we fill in a page" -- the key of the VMA, no page
    r = run([mmap("0x10000000", 4096, "rw"), alloc("disable_write"),
             pkey_mprotect("0x10000000", 4096, "rw", 1), access("write", "0x10000010")], target)
    assert _sig(r[3]) == (SIGSEGV, SEGV_PKUERR, 0x10000010, 1)
    assert r[3].rule.startswith("x86.pkey_vma")


def test_present_page_takes_the_hardware_pk_path_to_the_same_result():
    # a present page: the CPU's PK error bit (X86_PF_PK) -> access_error -> PKUERR
    r = run([mmap("0x10000000", 4096, "rw"), access("write", "0x10000000"),
             alloc("disable_write"), pkey_mprotect("0x10000000", 4096, "rw", 1),
             access("read", "0x10000000"), access("write", "0x10000008")])
    assert r[4].fault is False
    assert _sig(r[5]) == (SIGSEGV, SEGV_PKUERR, 0x10000008, 1)
    assert r[5].rule.startswith("x86.pkey_hw")


def test_access_disabled_key_denies_reads():
    # __pkru_allows_read: AD (bit 2k) denies reads
    r = run([mmap("0x10000000", 4096, "rw"), alloc("disable_access"),
             pkey_mprotect("0x10000000", 4096, "rw", 1), access("read", "0x10000004")])
    assert _sig(r[3]) == (SIGSEGV, SEGV_PKUERR, 0x10000004, 1)


@pytest.mark.parametrize("target,code", [("x86_64", SEGV_PKUERR), ("powerpc64le", SEGV_PKUERR),
                                         ("aarch64", SEGV_ACCERR)])
def test_prot_and_key_both_deny(target, code):
    # x86 access_error and powerpc ___do_page_fault check the key first (PKUERR);
    # arm64 do_page_fault tests vm_flags before fault_from_pkey (ACCERR)
    page, key = (65536, 4) if target.startswith("powerpc") else (4096, 1)
    r = run([mmap("0x10000000", page, "rw"), alloc("disable_access"),
             pkey_mprotect("0x10000000", page, "none", key), access("read", "0x10000000")],
            target)
    assert r[3].code == code
    assert ("si_pkey" in r[3].fields) == (code == SEGV_PKUERR)


def test_x86_fetches_ignore_keys():
    # arch_vma_access_permitted(..., execute, ...) returns true on x86
    r = run([mmap("0x10000000", 4096, "rx"), alloc("disable_access"),
             pkey_mprotect("0x10000000", 4096, "rx", 1), access("exec", "0x10000000")])
    assert r[3].fault is False


@pytest.mark.parametrize("target,key", [("powerpc64", 4), ("aarch64", 1)])
def test_powerpc_and_arm64_keys_restrict_fetches(target, key):
    # powerpc pkey_access_permitted: IAMR EX bit; arm64 por_el0_allows_pkey: POE_X
    page = 65536 if target.startswith("powerpc") else 4096
    r = run([mmap("0x10000000", page, "rx"), alloc("disable_execute"),
             pkey_mprotect("0x10000000", page, "rx", key), access("exec", "0x10000000"),
             access("read", "0x10000000")], target)
    assert _sig(r[3]) == (SIGSEGV, SEGV_PKUERR, 0x10000000, key)
    assert r[4].fault is False


def test_fetch_from_a_no_exec_page_is_accerr():
    # not present: access_error passes a readable vma, handle_mm_fault maps it, the
    # retried fetch hits NX: X86_PF_INSTR|X86_PF_PROT -> "read, present" -> ACCERR
    r = run([mmap("0x10000000", 4096, "rw"), access("exec", "0x10000000")])
    assert _sig(r[1]) == (SIGSEGV, SEGV_ACCERR, 0x10000000, None)


def test_write_to_read_only_key0_page_is_accerr_without_a_key():
    # key 0 is allowed by every PKRU a process starts with (init_pkru_value):
    # bad_area_access_from_pkeys is false -> SEGV_ACCERR, si_pkey not set (zero)
    r = run([mmap("0x10000000", 4096, "r"), access("write", "0x10000000")])
    assert _sig(r[1]) == (SIGSEGV, SEGV_ACCERR, 0x10000000, None)
    assert r[1].blob[0x20:0x24] == bytes(4)


def test_prot_none_read_is_accerr():
    # access_error: "read, not present" and !vma_is_accessible
    r = run([mmap("0x10000000", 4096, "none"), access("read", "0x10000000")])
    assert r[1].code == SEGV_ACCERR


def test_execute_only_memory_read_is_pkuerr_with_the_exec_only_key():
    # mprotect(PROT_EXEC) -> arch_override_mprotect_pkey -> execute_only_pkey (key 1,
    # AD set); a read is then a key fault; the call works (keys do not check fetches)
    r = run([mmap("0x10000000", 4096, "rw"), mprotect("0x10000000", 4096, "x"),
             access("exec", "0x10000000"), access("read", "0x10000010")])
    assert r[2].fault is False
    assert _sig(r[3]) == (SIGSEGV, SEGV_PKUERR, 0x10000010, 1)


def test_x86_64_kernel_and_non_canonical_addresses():
    # 4-level paging (__VIRTUAL_MASK_SHIFT 47): fault_in_kernel_space ->
    # do_kern_addr_fault -> bad_area_nosemaphore: MAPERR; a non-canonical address
    # (bits 63..47 not all equal) is #GP: force_sig(SIGSEGV) -> SI_KERNEL, no address
    r = run([access("read", "0xffff888000000000"), access("read", "0x0000800000000000")])
    assert _sig(r[0]) == (SIGSEGV, SEGV_MAPERR, 0xffff888000000000, None)
    assert r[1].code == SI_KERNEL and set(r[1].fields) == {"si_signo", "si_errno", "si_code"}


def test_x86_64_five_level_paging_moves_the_user_half():
    # 5-level paging (LA57, as under qemu -cpu max with Debian's CONFIG_X86_5LEVEL
    # kernels): __VIRTUAL_MASK_SHIFT 56, so 0x800000000000 is a user address with no
    # VMA (SEGV_MAPERR with si_addr; seen on the QEMU guest), canonical up to bit 56
    ops = [access("read", "0x0000800000000000"), access("read", "0x0100000000000000"),
           access("read", "0xff00000000000000")]
    r = simulate({"paging": "5-level", "ops": ops})
    assert _sig(r[0]) == (SIGSEGV, SEGV_MAPERR, 0x800000000000, None)
    assert r[1].code == SI_KERNEL and "si_addr" not in r[1].fields
    assert _sig(r[2]) == (SIGSEGV, SEGV_MAPERR, 0xff00000000000000, None)
    # the library argument overrides the scenario's field
    r = simulate({"paging": "5-level", "ops": ops[:1]}, paging="4-level")
    assert r[0].code == SI_KERNEL


@pytest.mark.parametrize("target", X86)
def test_syscall_copy_from_denied_buffer_is_efault_not_a_signal(target):
    # copy_from_user faults in kernel mode: __bad_area_nosemaphore -> kernelmode_fixup_or_oops;
    # pipe_write returns -EFAULT when nothing was copied
    r = run([mmap("0x10000000", 4096, "rw"), alloc("disable_access"),
             pkey_mprotect("0x10000000", 4096, "rw", 1),
             {"op": "syscall_read_from", "addr": "0x10000000", "length": 64}], target)
    assert (r[3].ret, r[3].errno, r[3].fault) == (-1, EFAULT, None)


def test_syscall_copy_stops_at_whole_pages():
    # fs/pipe.c pipe_write: a short page-sized copy ends the write; what was written
    # before it is returned
    r = run([mmap("0x10000000", 8192, "rw"), alloc("disable_access"),
             pkey_mprotect("0x10001000", 4096, "rw", 1),
             {"op": "syscall_read_from", "addr": "0x10000000", "length": 8192},
             {"op": "syscall_read_from", "addr": "0x10000ff0", "length": 32}])
    assert (r[3].ret, r[3].errno) == (4096, 0)
    assert (r[4].ret, r[4].errno) == (-1, EFAULT)


def test_write_disabled_key_still_lets_the_kernel_read():
    # __pkru_allows_read: only AD stops reads
    r = run([mmap("0x10000000", 4096, "rw"), alloc("disable_write"),
             pkey_mprotect("0x10000000", 4096, "rw", 1),
             {"op": "syscall_read_from", "addr": "0x10000000", "length": 100}])
    assert (r[3].ret, r[3].errno) == (100, 0)


def test_key_of_the_vma_found_by_the_primary_lookup_survives_a_racing_munmap():
    # bad_area_access_error reads vma_pkey(vma) under the lock and passes the value
    # down; force_sig_pkuerr(addr, pkey) looks nothing up again: no warning, same key
    race = {"addr": "0x10000000", "length": 4096, "when": "after_lookup"}
    r = run([mmap("0x10000000", 4096, "rw"), alloc("disable_access"),
             pkey_mprotect("0x10000000", 4096, "rw", 1),
             access("read", "0x10000000", racing_munmap=race), access("read", "0x10000000")])
    assert _sig(r[3]) == (SIGSEGV, SEGV_PKUERR, 0x10000000, 1)
    assert _sig(r[4]) == (SIGSEGV, SEGV_MAPERR, 0x10000000, None)   # it did unmap


def test_munmap_racing_before_the_lookup_makes_it_maperr():
    # the lookup (lock_vma_under_rcu / lock_mm_and_find_vma) finds no vma
    race = {"addr": "0x10000000", "length": 4096, "when": "before_lookup"}
    r = run([mmap("0x10000000", 4096, "rw"), alloc("disable_access"),
             pkey_mprotect("0x10000000", 4096, "rw", 1),
             access("read", "0x10000000", racing_munmap=race)])
    assert _sig(r[3]) == (SIGSEGV, SEGV_MAPERR, 0x10000000, None)


@pytest.mark.parametrize("target", ["riscv64", "s390x", "mips", "alpha", "parisc", "sparc64",
                                    "powerpc"])
def test_no_key_abi_has_no_key_syscalls(target):
    # mm/mprotect.c builds pkey_mprotect/pkey_alloc/pkey_free only under
    # CONFIG_ARCH_HAS_PKEYS (x86, powerpc Book3S-64, arm64 POE): elsewhere the
    # table holds sys_ni_syscall, -ENOSYS with the ABI's own number (from its
    # asm/errno.h), and pkey_mprotect changes nothing
    enosys = enosys_from_headers(target)
    if enosys is None:
        pytest.skip(f"no Debian cross headers for {target}")
    r = run([mmap("0x10000000", 65536, "r"), alloc("disable_write"),
             pkey_mprotect("0x10000000", 65536, "rw", 0), access("write", "0x10000000"),
             {"op": "pkey_free", "pkey": 0}], target)
    assert [(x.ret, x.errno) for x in (r[1], r[2], r[4])] == [(-1, enosys)] * 3
    assert r[3].code == SEGV_ACCERR and "si_pkey" not in r[3].fields   # still read-only


def test_arm64_has_no_key_syscalls_on_6_1():
    # POE support (and ARCH_HAS_PKEYS on arm64) was merged in 6.12
    r = run([alloc("none")], "aarch64", kernel="6.1")
    assert (r[0].ret, r[0].errno) == (-1, enosys_from_headers("aarch64") or 38)


@pytest.mark.parametrize("target,addr,paging", [
    ("x86_64", "0x7ffffffff000", "4-level"), ("x86_64", "0xfffffffffff000", "5-level"),
    ("i386", "0xffffe000", "5-level"), ("x32", "0xfffff000", "4-level")])
def test_mmap_past_the_user_address_space_is_enomem(target, addr, paging):
    # get_unmapped_area: a MAP_FIXED range past TASK_SIZE is -ENOMEM; TASK_SIZE_MAX on
    # x86-64 is (1 << 47 or 56) - PAGE_SIZE by paging mode, IA32_PAGE_OFFSET
    # (0xffffe000) for 32-bit and x32 processes whatever the paging
    r = simulate({"paging": paging, "ops": [mmap(addr, 4096, "rw")]}, target=target)
    assert (r[0].ret, r[0].errno) == (-1, 12)


def test_memory_ops_outside_the_free_window_are_scenario_errors():
    # the self-test program's own text sits at 0x400000 (a static x86_64 binary) and
    # its stack just below TASK_SIZE: the real mmap would be EEXIST, the simulator
    # sees an empty space, so the scenario is refused (README, "Limits")
    from abicheck.fault import ScenarioError
    with pytest.raises(ScenarioError, match=r"ops\[0\]\.addr: error: .*outside the window"):
        simulate({"ops": [mmap("0x400000", 4096, "rw")]}, file="s.json")
    with pytest.raises(ScenarioError, match=r"ops\[1\]\.addr: error: "):
        run([mmap("0x6ffff000", 4096, "rw"), {"op": "munmap", "addr": "0x6ffff000",
                                               "length": 8192}])
    # under 5-level paging 0x7ffffffff000 is user space: the stack's neighbour
    with pytest.raises(ScenarioError, match="outside the window"):
        simulate({"paging": "5-level", "ops": [mmap("0x7ffffffff000", 4096, "rw")]})
    with pytest.raises(ScenarioError, match=r"racing_munmap\.addr: error: "):
        run([access("read", "0x20000000", racing_munmap={"addr": "0x1000", "length": 4096})])


def test_mmap_and_munmap_refuse_unaligned_addresses():
    # do_mmap: "if (offset_in_page(addr))" for MAP_FIXED -> EINVAL; do_vmi_munmap likewise
    r = run([mmap("0x10000800", 4096, "rw"), {"op": "munmap", "addr": "0x10000800", "length": 1},
             mprotect("0x10000800", 4096, "r"), mmap("0x10000000", 0, "rw")])
    assert [(x.ret, x.errno) for x in r] == [(-1, 22)] * 4


def test_mprotect_with_a_hole_changes_what_precedes_it_and_is_enomem():
    # do_mprotect_pkey walks the VMAs and stops at a gap with -ENOMEM, the
    # VMAs before it already changed
    r = run([mmap("0x10000000", 4096, "rw"), mmap("0x10002000", 4096, "rw"),
             mprotect("0x10000000", 12288, "r"), access("write", "0x10000000"),
             mprotect("0x10001000", 4096, "r")])
    assert (r[2].ret, r[2].errno) == (-1, 12)
    assert r[3].code == SEGV_ACCERR
    assert (r[4].ret, r[4].errno) == (-1, 12)     # no VMA holds the start


def test_ia64_is_refused_with_one_line():
    # arch/ia64 was removed in Linux 6.7, and its 6.1 fault path sets si_flags/si_isr
    # (force_sig_fault(..., 0, __ISR_VALID, isr), arch/ia64/mm/fault.c): not modelled
    from abicheck.errors import UsageError
    from abicheck.fault import ScenarioError, simulate
    with pytest.raises(UsageError, match="ia64 is not modelled"):
        run([access("read", "0x20000000")], "ia64")
    with pytest.raises(ScenarioError, match=r"^s\.json: target: error: ia64 is not modelled"):
        simulate({"target": "ia64", "ops": [access("read", "0x20000000")]}, file="s.json")


@pytest.mark.parametrize("kernel,write_only", [("6.1", SEGV_ACCERR), ("6.12", None)])
def test_powerpc_read_of_an_exec_only_vma_is_accerr(kernel, write_only):
    # arch/powerpc/mm/fault.c access_error: 6.1 ("powerpc/mm: Support execute-only
    # memory on the Radix MMU") refuses a read without VM_READ; since 6.7 ("powerpc:
    # Support execute-only on all powerpc") only (vm_flags & VM_ACCESS_FLAGS) == VM_EXEC
    # (and PROT_NONE). Key 0 allows the read, so access_pkey_error passes first.
    r = run([mmap("0x10000000", 0x20000, "rw"), pkey_mprotect("0x10000000", 0x10000, "x", 0),
             access("read", "0x10000008"), pkey_mprotect("0x10010000", 0x10000, "w", 0),
             access("read", "0x10010008")], "powerpc64le", kernel=kernel)
    assert _sig(r[2]) == (SIGSEGV, SEGV_ACCERR, 0x10000008, None)
    assert r[4].code == write_only


@pytest.mark.parametrize("target", ["x86_64", "i386", "aarch64", "powerpc64le", "powerpc",
                                    "alpha", "sparc64", "riscv64", "s390x", "mips"])
def test_sigaltstack_below_the_abis_minsigstksz_is_enomem(target):
    # kernel/signal.c do_sigaltstack: ss_size < MINSIGSTKSZ -> -ENOMEM, with the
    # architecture's MINSIGSTKSZ (read here from the target's cross asm/signal.h)
    from fault.helpers import minsigstksz_from_headers
    m = minsigstksz_from_headers(target)
    if m is None:
        pytest.skip(f"no Debian cross headers for {target}")
    r = run([mmap("0x10000000", 0x20000, "rw"),
             {"op": "sigaltstack", "addr": "0x10000000", "length": m - 1},
             {"op": "sigaltstack", "addr": "0x10000000", "length": m}], target)
    assert [(x.ret, x.errno) for x in r[1:]] == [(-1, 12), (0, 0)]


def test_racing_munmap_of_an_unaligned_range_unmaps_nothing():
    # the racing thread's munmap(2) of an unaligned start (or zero length) is EINVAL
    # (do_vmi_munmap: offset_in_page(start)), so the fault sees its VMA and key; the
    # default `when` is after_lookup, where the key of the VMA found is delivered
    ops = [mmap("0x10000000", 8192, "rw"), alloc("disable_access"),
           pkey_mprotect("0x10000000", 8192, "rw", 1)]
    for race in ({"addr": "0x10000800", "length": 4096, "when": "before_lookup"},
                 {"addr": "0x10000000", "length": 0, "when": "before_lookup"}):
        r = run(ops + [access("read", "0x10000000", racing_munmap=race),
                       access("read", "0x10000000")])
        assert _sig(r[3]) == _sig(r[4]) == (SIGSEGV, SEGV_PKUERR, 0x10000000, 1)
    r = run(ops + [access("read", "0x10000000", racing_munmap={"addr": "0x10000000",
                                                               "length": 4096}),
                   access("read", "0x10000000")])
    assert _sig(r[3]) == (SIGSEGV, SEGV_PKUERR, 0x10000000, 1)     # after the lookup
    assert _sig(r[4]) == (SIGSEGV, SEGV_MAPERR, 0x10000000, None)  # then it is gone


@pytest.mark.parametrize("target,addr", [("x86_64", "0x7ffffffff000"), ("i386", "0xffffe000")])
def test_munmap_past_task_size_is_einval(target, addr):
    # mm/mmap.c do_vmi_munmap: start > TASK_SIZE || len > TASK_SIZE - start -> -EINVAL
    r = run([{"op": "munmap", "addr": addr, "length": 8192}], target)
    assert (r[0].ret, r[0].errno) == (-1, 22)
