/* abicheck bundled header set "glibc": per-architecture adjustments to
 * siginfo_t, chosen by the compiler's predefined macros.  Defaults are in
 * <bits/siginfo_t.h>. */
#ifndef _ABICHECK_GLIBC_BITS_SIGINFO_ARCH_H
#define _ABICHECK_GLIBC_BITS_SIGINFO_ARCH_H

#if defined(__x86_64__) && defined(__ILP32__)
/* x32: 64-bit clock counters kept at 4-byte alignment (the attribute sits
 * on a typedef, where it may lower alignment), record aligned to 8. */
typedef __clock_t __attribute__((__aligned__(4))) __sigchld_clock_t;
# define __SI_CLOCK_T __sigchld_clock_t
# define __SI_ALIGNMENT __attribute__((__aligned__(8)))

#elif defined(__mips__)
/* MIPS: code before errno; SI_ASYNCIO numbered after SI_TIMER. */
# define __SI_ERRNO_THEN_CODE 0
# define __SI_ASYNCIO_AFTER_SIGIO 0

#elif defined(__sparc__)
/* sparc: the trap number sits between the address and si_addr_lsb; the
 * 64-bit kernel passes the poll band as an int. */
# if __WORDSIZE == 64
#  define __SI_BAND_TYPE int
# endif
# define __SI_SIGFAULT_ADDL int _si_trapno;
# define si_trapno _sifields._sigfault._si_trapno

#elif defined(__ia64__)
/* ia64 (glibc up to 2.38): three more fault fields after the address. */
# define __SI_SIGFAULT_ADDL \
	int _si_imm; \
	unsigned int _si_flags; \
	unsigned long int _si_isr;
# define si_imm _sifields._sigfault._si_imm
# define si_flags _sifields._sigfault._si_flags
# define si_isr _sifields._sigfault._si_isr
#endif

#endif
