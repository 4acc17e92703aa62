/* abicheck bundled header set "musl": the one per-architecture siginfo
 * difference musl has. */
#ifndef _ABICHECK_MUSL_BITS_SIGNAL_H
#define _ABICHECK_MUSL_BITS_SIGNAL_H

#if defined(__mips__)
/* MIPS: si_code precedes si_errno. */
# define __SI_SWAP_ERRNO_CODE 1
#endif

#endif
