/* abicheck bundled header set "glibc": the internal type names the
 * siginfo_t declaration uses. */
#ifndef _ABICHECK_GLIBC_BITS_TYPES_H
#define _ABICHECK_GLIBC_BITS_TYPES_H

/* glibc's word size: 64 only for LP64 (x32 counts as 32 here). */
#if defined(__LP64__) || defined(_LP64)
# define __WORDSIZE 64
#else
# define __WORDSIZE 32
#endif

typedef unsigned int __uint32_t;
typedef int __pid_t;
typedef unsigned int __uid_t;

/* clock_t follows the kernel's long, except on x32 where it is 64-bit. */
#if defined(__x86_64__) && defined(__ILP32__)
typedef long long __clock_t;
#else
typedef long __clock_t;
#endif

#endif
