/* abicheck bundled header set "musl": musl's view of siginfo_t (its own
 * member names and its single char pad).  Written for abicheck from
 * shared/facts/siginfo-abi.md; only what the siginfo layout needs. */
#ifndef _ABICHECK_MUSL_SIGNAL_H
#define _ABICHECK_MUSL_SIGNAL_H

#include <bits/alltypes.h>
#include <bits/signal.h>

union sigval {
	int sival_int;
	void *sival_ptr;
};

typedef struct {
#ifdef __SI_SWAP_ERRNO_CODE
	int si_signo, si_code, si_errno;
#else
	int si_signo, si_errno, si_code;
#endif
	union {
		/* whatever is left of 128 bytes after the three ints and the
		 * padding a long-aligned union gets */
		char __pad[128 - 2 * sizeof(int) - sizeof(long)];
		struct {
			union {
				struct {
					pid_t si_pid;
					uid_t si_uid;
				} __piduid;
				struct {
					int si_timerid;
					int si_overrun;
				} __timer;
			} __first;
			union {
				union sigval si_value;
				struct {
					int si_status;
					clock_t si_utime, si_stime;
				} __sigchld;
			} __second;
		} __si_common;
		struct {
			void *si_addr;
			short si_addr_lsb;
			union {
				struct {
					void *si_lower;
					void *si_upper;
				} __addr_bnd;
				unsigned si_pkey;
			} __first;
		} __sigfault;
		struct {
			long si_band;
			int si_fd;
		} __sigpoll;
		struct {
			void *si_call_addr;
			int si_syscall;
			unsigned si_arch;
		} __sigsys;
	} __si_fields;
} siginfo_t;

#define si_pid		__si_fields.__si_common.__first.__piduid.si_pid
#define si_uid		__si_fields.__si_common.__first.__piduid.si_uid
#define si_status	__si_fields.__si_common.__second.__sigchld.si_status
#define si_utime	__si_fields.__si_common.__second.__sigchld.si_utime
#define si_stime	__si_fields.__si_common.__second.__sigchld.si_stime
#define si_value	__si_fields.__si_common.__second.si_value
#define si_addr		__si_fields.__sigfault.si_addr
#define si_addr_lsb	__si_fields.__sigfault.si_addr_lsb
#define si_lower	__si_fields.__sigfault.__first.__addr_bnd.si_lower
#define si_upper	__si_fields.__sigfault.__first.__addr_bnd.si_upper
#define si_pkey		__si_fields.__sigfault.__first.si_pkey
#define si_band		__si_fields.__sigpoll.si_band
#define si_fd		__si_fields.__sigpoll.si_fd
#define si_timerid	__si_fields.__si_common.__first.__timer.si_timerid
#define si_overrun	__si_fields.__si_common.__first.__timer.si_overrun
#define si_ptr		si_value.sival_ptr
#define si_int		si_value.sival_int
#define si_call_addr	__si_fields.__sigsys.si_call_addr
#define si_syscall	__si_fields.__sigsys.si_syscall
#define si_arch		__si_fields.__sigsys.si_arch

/* si_code values, the same on every architecture (musl has no NSIG* counters, no sparc ADI codes and no
 * SEGV_CPERR). */
#define SI_ASYNCNL	(-60)
#define SI_TKILL	(-6)
#define SI_SIGIO	(-5)
#define SI_ASYNCIO	(-4)
#define SI_MESGQ	(-3)
#define SI_TIMER	(-2)
#define SI_QUEUE	(-1)
#define SI_USER		0
#define SI_KERNEL	128

#define ILL_ILLOPC	1
#define ILL_ILLOPN	2
#define ILL_ILLADR	3
#define ILL_ILLTRP	4
#define ILL_PRVOPC	5
#define ILL_PRVREG	6
#define ILL_COPROC	7
#define ILL_BADSTK	8

#define FPE_INTDIV	1
#define FPE_INTOVF	2
#define FPE_FLTDIV	3
#define FPE_FLTOVF	4
#define FPE_FLTUND	5
#define FPE_FLTRES	6
#define FPE_FLTINV	7
#define FPE_FLTSUB	8

#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define SEGV_BNDERR	3
#define SEGV_PKUERR	4
#define SEGV_MTEAERR	8
#define SEGV_MTESERR	9

#define BUS_ADRALN	1
#define BUS_ADRERR	2
#define BUS_OBJERR	3
#define BUS_MCEERR_AR	4
#define BUS_MCEERR_AO	5

#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_DUMPED	3
#define CLD_TRAPPED	4
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

#define TRAP_BRKPT	1
#define TRAP_TRACE	2
#define TRAP_BRANCH	3
#define TRAP_HWBKPT	4
#define TRAP_UNK	5

#define POLL_IN		1
#define POLL_OUT	2
#define POLL_MSG	3
#define POLL_ERR	4
#define POLL_PRI	5
#define POLL_HUP	6

#define SYS_SECCOMP	1
#define SYS_USER_DISPATCH 2

#endif
