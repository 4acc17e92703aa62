/* abicheck bundled header set "musl": the three public types siginfo_t
 * uses.  musl only exists for the architectures listed here. */
#ifndef _ABICHECK_MUSL_BITS_ALLTYPES_H
#define _ABICHECK_MUSL_BITS_ALLTYPES_H

#if defined(__alpha__) || defined(__sparc__) || defined(__hppa__) || defined(__ia64__) \
	|| (defined(__s390__) && !defined(__s390x__)) \
	|| (defined(__arm__) && !defined(__ARM_EABI__))
# error "musl has no port to this architecture/ABI"
#endif

typedef int pid_t;
typedef unsigned uid_t;
typedef long clock_t;

#endif
