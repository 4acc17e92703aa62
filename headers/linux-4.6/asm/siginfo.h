/* abicheck bundled header set "linux-4.6": per-architecture knobs for
 * <asm-generic/siginfo.h>, chosen by the compiler's predefined macros.
 * Every knob has a default in the generic header; only the differences
 * are listed here. */
#ifndef _ABICHECK_ASM_SIGINFO_H
#define _ABICHECK_ASM_SIGINFO_H

#include <linux/types.h>

#if defined(__x86_64__) && defined(__ILP32__)
/* x32: the child's clock counters are 64-bit but only 4-byte aligned, and
 * the whole record is 8-byte aligned so the pair still lands on 8 bytes. */
typedef long long __kernel_si_clock_t __attribute__((aligned(4)));
# define __SI_CLOCK_T        __kernel_si_clock_t
# define __SI_RECORD_ATTR    __attribute__((aligned(8)))

#elif defined(__mips__)
/* MIPS stores the code before the errno value, and numbers three of the
 * negative SI_ codes in another order. */
# define __SI_CODE_BEFORE_ERRNO 1
# define __SI_MIPS_SI_ORDER     1

#elif defined(__sparc__)
/* sparc reports the trap number of a fault; 64-bit sparc keeps the poll
 * band an int rather than a long. */
# define __SI_HAS_TRAPNO     1
# if defined(__arch64__)
#  define __SI_BAND_T        int
# endif
# define __SI_HAS_EMT        1

#elif defined(__alpha__)
/* alpha reports the trap number of a fault as well. */
# define __SI_HAS_TRAPNO     1

#elif defined(__ia64__)
/* ia64 adds the break immediate, flags and the interruption status
 * register to every fault, and owns SIGSEGV code 4 (register stack
 * overflow). */
# define __SI_IA64_FAULT     1
#endif

#include <asm-generic/siginfo.h>

#endif
