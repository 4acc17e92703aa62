/* abicheck bundled header set "pkeys-u32": the handful of fixed-width and
 * kernel ABI types the siginfo header needs.  Written for abicheck from the
 * psABIs; no libc or compiler header is included. */
#ifndef _ABICHECK_LINUX_TYPES_H
#define _ABICHECK_LINUX_TYPES_H

typedef unsigned char       __u8;
typedef signed char         __s8;
typedef unsigned short      __u16;
typedef signed short        __s16;
typedef unsigned int        __u32;
typedef signed int          __s32;
typedef unsigned long long  __u64;
typedef signed long long    __s64;

/* The kernel's own names for process ids, user ids, timers and clocks. */
typedef int                 __kernel_pid_t;
typedef unsigned int        __kernel_uid32_t;
typedef int                 __kernel_timer_t;
typedef long                __kernel_long_t;
typedef __kernel_long_t     __kernel_clock_t;

#endif
