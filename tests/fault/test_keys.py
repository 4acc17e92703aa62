"""Key registers and allocation against the kernel's rules (each test names
the kernel file and function that states the fact it checks)."""
from __future__ import annotations

import pytest

from abicheck.fault import keys as K


def test_x86_initial_pkru_denies_every_key_but_0():
    # arch/x86/mm/pkeys.c init_pkru_value: PKRU_AD_KEY(1) | ... | PKRU_AD_KEY(15)
    assert K.X86Pkru().value == 0x55555554


@pytest.mark.parametrize("rights,bits", [("none", 0b00), ("disable_access", 0b01),
                                         ("disable_write", 0b10)])
def test_x86_pkey_alloc_sets_ad_bit_2k_and_wd_bit_2k_plus_1(rights, bits):
    # arch/x86/kernel/fpu/xstate.c arch_set_user_pkey_access; pkru.h PKRU_AD_BIT 1, WD 2
    k = K.X86Pkru()
    key = k.alloc(0, K.RIGHTS[rights])
    assert key == 1                              # ffz of the map {0}
    assert (k.value >> 2) & 3 == bits
    assert k.value & ~0xC == 0x55555554 & ~0xC   # the other keys untouched


def test_x86_fifteen_keys_then_enospc():
    # mm_pkey_alloc: 16 keys, key 0 preallocated; pkey_alloc(2): ENOSPC when none is free
    k = K.X86Pkru()
    assert [k.alloc(0, 0) for _ in range(15)] == list(range(1, 16))
    assert k.alloc(0, 0) == -K.ENOSPC


def test_x86_execute_only_key_is_lowest_free_and_not_user_visible():
    # __execute_only_pkey allocates with mm_pkey_alloc and sets AD for it;
    # mm_pkey_is_allocated hides it from pkey_mprotect / pkey_free
    k = K.X86Pkru()
    assert k.mprotect_key(0, "rw", "x", -1) == 1
    assert not k.allows(1, "read") and k.allows(1, "exec")
    assert not k.is_allocated(1) and k.free(1) == -K.EINVAL
    assert k.alloc(0, 0) == 2


def test_x86_leaving_exec_only_returns_to_key_0_and_pkey_mprotect_wins():
    # __arch_override_mprotect_pkey
    k = K.X86Pkru()
    xo = k.mprotect_key(0, "rw", "x", -1)
    assert k.mprotect_key(xo, "x", "r", -1) == 0
    assert k.mprotect_key(xo, "x", "x", 5) == 5
    assert k.mprotect_key(7, "rw", "r", -1) == 7


def test_x86_rights_it_lacks_are_einval():
    # PKEY_ACCESS_MASK on x86 is ACCESS|WRITE (include/uapi/asm-generic/mman-common.h)
    assert K.X86Pkru().alloc(0, K.DISABLE_EXECUTE) == -K.EINVAL


def test_x86_keys_do_not_apply_to_fetches():
    # arch_vma_access_permitted: "if (execute) return true" (asm/mmu_context.h)
    k = K.X86Pkru()
    assert k.allows(5, "exec") and not k.allows(5, "read")


def test_powerpc_first_key_is_4_and_28_keys():
    # arch/powerpc/mm/book3s64/pkeys.c pkey_early_init_devtree: 0 preallocated,
    # 1 reserved (ISA note), 2 execute-only, 3 KUAP
    k = K.PowerAmr()
    got = [k.alloc(0, 0) for _ in range(29)]
    assert got[:28] == list(range(4, 32)) and got[28] == -K.ENOSPC


def test_powerpc_amr_bits_count_from_the_top():
    # pkeyshift(pkey) = 64 - (pkey + 1) * 2; AMR_RD_BIT 0x1, AMR_WR_BIT 0x2
    k = K.PowerAmr()
    key = k.alloc(0, K.DISABLE_WRITE)
    shift = 64 - (key + 1) * 2
    assert (k.value >> shift) & 3 == 0b10
    k.set_rights(key, K.DISABLE_ACCESS)
    assert (k.value >> shift) & 3 == 0b11
    assert not k.allows(key, "read") and k.allows(key, "exec")


def test_powerpc_execute_disable_is_the_iamr():
    k = K.PowerAmr()
    key = k.alloc(0, K.DISABLE_EXECUTE)
    assert not k.allows(key, "exec") and k.allows(key, "read") and k.allows(key, "write")


def test_powerpc_default_amr_opens_only_keys_0_and_3():
    # default_amr = ~0 with keys 0 and 3 cleared
    k = K.PowerAmr()
    assert [key for key in range(32) if k.allows(key, "read")] == [0, 3]


def test_powerpc_key_0_may_be_freed():
    # "key 0 ... preallocated ... But one can pkey_free(key0)"
    k = K.PowerAmr()
    assert k.free(0) == 0 and k.alloc(0, 0) == 0


def test_arm64_disable_access_keeps_execute():
    # arch/arm64/mm/mmu.c arch_set_user_pkey_access: DISABLE_ACCESS clears POE_RW;
    # arch/arm64/include/asm/por.h POE_R 0x1, POE_X 0x2, POE_W 0x4
    k = K.Arm64Por()
    key = k.alloc(0, K.DISABLE_ACCESS)
    assert key == 1 and (k.value >> 4) & 0xF == 0x2
    assert k.allows(key, "exec") and not k.allows(key, "read")


def test_arm64_seven_keys_and_init_value():
    k = K.Arm64Por()
    assert k.value == 0x7                       # POR_EL0_INIT: key 0 RWX
    assert [k.alloc(0, 0) for _ in range(8)] == [1, 2, 3, 4, 5, 6, 7, -K.ENOSPC]


def test_no_keys_enospc_and_einval():
    # include/linux/pkeys.h stubs (syscalls built, no keys: x86 without PKU):
    # mm_pkey_alloc -1, mm_pkey_free -EINVAL
    k = K.Keys()
    assert k.alloc(0, 0) == -K.ENOSPC and k.free(1) == -K.EINVAL
    assert k.is_allocated(0) and not k.is_allocated(1)
    assert k.alloc(0, K.DISABLE_EXECUTE) == -K.EINVAL


@pytest.mark.parametrize("arch,kernel,ptr,cls", [
    ("x86", "6.1", 8, K.X86Pkru), ("x86", "6.12", 4, K.X86Pkru),
    ("powerpc", "6.12", 8, K.PowerAmr), ("powerpc", "6.12", 4, K.NoKeySyscalls),
    ("arm64", "6.12", 8, K.Arm64Por), ("arm64", "6.1", 8, K.NoKeySyscalls),  # POE in 6.12
    ("riscv", "6.12", 8, K.NoKeySyscalls)])
def test_model_for(arch, kernel, ptr, cls):
    assert type(K.model_for(arch, kernel, ptr)) is cls


def test_no_key_syscalls_are_enosys_with_the_abis_number():
    # mm/mprotect.c builds the pkey syscalls only under CONFIG_ARCH_HAS_PKEYS;
    # sys_ni_syscall is -ENOSYS: 89 on mips (arch/mips/include/uapi/asm/errno.h)
    k = K.model_for("mips", "6.12", 4)
    assert not k.syscalls and k.alloc(0, 0) == -89 and k.free(1) == -89
    assert K.model_for("riscv", "6.12", 8).alloc(0, K.DISABLE_EXECUTE) == -38
