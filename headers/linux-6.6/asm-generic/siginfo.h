/* abicheck bundled header set "linux-6.6": the generic siginfo_t and its si_code
 * values.  Written for abicheck from shared/facts/siginfo-abi.md; see the
 * README.md next to this directory for where each fact comes from. */
#ifndef _ABICHECK_ASM_GENERIC_SIGINFO_H
#define _ABICHECK_ASM_GENERIC_SIGINFO_H

#include <linux/types.h>

typedef union sigval {
	int sival_int;
	void *sival_ptr;
} sigval_t;

/* Defaults for the knobs <asm/siginfo.h> may set. */
#ifndef __SI_BAND_T
# define __SI_BAND_T         long
#endif
#ifndef __SI_CLOCK_T
# define __SI_CLOCK_T        __kernel_clock_t
#endif
#ifndef __SI_RECORD_ATTR
# define __SI_RECORD_ATTR
#endif

/* Every siginfo_t is 128 bytes.  The words before the per-signal union:
 * three ints where long is 4 bytes; on LP64 the union is 8-aligned, so a
 * fourth (padding) int precedes it. */
#define SI_MAX_SIZE          128
#if __SIZEOF_LONG__ == 8
# define __SI_HEAD_BYTES     (4 * sizeof(int))
#else
# define __SI_HEAD_BYTES     (3 * sizeof(int))
#endif

/* Room in front of _lower and _pkey: at least a short (the _addr_lsb they
 * overlay) and at least pointer alignment, so both start at the union's
 * start plus pointer alignment on every ABI (2 on m68k, 4 or 8 elsewhere). */
#define __SI_FAULT_PAD \
	(__alignof__(void *) < sizeof(short) ? sizeof(short) : __alignof__(void *))

union __sifields {

	/* kill(), sigsend(), raise() */
	struct {
		__kernel_pid_t _pid;
		__kernel_uid32_t _uid;
	} _kill;

	/* POSIX.1b timers */
	struct {
		__kernel_timer_t _tid;
		int _overrun;
		sigval_t _sigval;
		int _sys_private;	/* not to be passed to user */
	} _timer;

	/* POSIX.1b signals */
	struct {
		__kernel_pid_t _pid;
		__kernel_uid32_t _uid;
		sigval_t _sigval;
	} _rt;

	/* SIGCHLD */
	struct {
		__kernel_pid_t _pid;
		__kernel_uid32_t _uid;
		int _status;
		__SI_CLOCK_T _utime;
		__SI_CLOCK_T _stime;
	} _sigchld;

	/* SIGILL, SIGFPE, SIGSEGV, SIGBUS, SIGTRAP, SIGEMT */
	struct {
		void *_addr;		/* where the fault happened */
#ifdef __SI_IA64_FAULT
		int _imm;
		unsigned int _flags;
		unsigned long _isr;
#endif

		/* Only one of these is meaningful for a given si_code. */
		union {
#if defined(__alpha__) || defined(__sparc__)
			int _trapno;	/* trap number */
#endif
			/* BUS_MCEERR_*: log2 of the poisoned extent */
			short _addr_lsb;
			/* SEGV_BNDERR: the violated bounds */
			struct {
				char _dummy_bnd[__SI_FAULT_PAD];
				void *_lower;
				void *_upper;
			} _addr_bnd;
			/* SEGV_PKUERR: the key of the faulting page */
			struct {
				char _dummy_pkey[__SI_FAULT_PAD];
				__u32 _pkey;
			} _addr_pkey;
			/* TRAP_PERF: the perf event that fired */
			struct {
				unsigned long _data;
				__u32 _type;
				__u32 _flags;
			} _perf;
		};
	} _sigfault;

	/* SIGPOLL */
	struct {
		__SI_BAND_T _band;	/* POLL_IN, POLL_OUT, POLL_MSG */
		int _fd;
	} _sigpoll;

	/* SIGSYS (seccomp) */
	struct {
		void *_call_addr;	/* the calling instruction */
		int _syscall;		/* the system call number tried */
		unsigned int _arch;	/* its AUDIT_ARCH_* */
	} _sigsys;
};

/* The fixed head, then the per-signal union. */
#ifdef __SI_CODE_BEFORE_ERRNO
# define __SI_HEAD struct { int si_signo; int si_code; int si_errno; union __sifields _sifields; }
#else
# define __SI_HEAD struct { int si_signo; int si_errno; int si_code; union __sifields _sifields; }
#endif

typedef struct siginfo {
	union {
		__SI_HEAD;
		int _si_pad[SI_MAX_SIZE / sizeof(int)];
	};
} __SI_RECORD_ATTR siginfo_t;

/* The public names: macros expanding to member paths. */
#define si_pid		_sifields._kill._pid
#define si_uid		_sifields._kill._uid
#define si_tid		_sifields._timer._tid
#define si_overrun	_sifields._timer._overrun
#define si_sys_private	_sifields._timer._sys_private
#define si_status	_sifields._sigchld._status
#define si_utime	_sifields._sigchld._utime
#define si_stime	_sifields._sigchld._stime
#define si_value	_sifields._rt._sigval
#define si_int		_sifields._rt._sigval.sival_int
#define si_ptr		_sifields._rt._sigval.sival_ptr
#define si_addr		_sifields._sigfault._addr
#if defined(__alpha__) || defined(__sparc__)
#define si_trapno	_sifields._sigfault._trapno
#endif
#ifdef __SI_IA64_FAULT
#define si_imm		_sifields._sigfault._imm
#define si_flags	_sifields._sigfault._flags
#define si_isr		_sifields._sigfault._isr
#endif
#define si_addr_lsb	_sifields._sigfault._addr_lsb
#define si_lower	_sifields._sigfault._addr_bnd._lower
#define si_upper	_sifields._sigfault._addr_bnd._upper
#define si_pkey		_sifields._sigfault._addr_pkey._pkey
#define si_perf_data	_sifields._sigfault._perf._data
#define si_perf_type	_sifields._sigfault._perf._type
#define si_perf_flags	_sifields._sigfault._perf._flags
#define si_band		_sifields._sigpoll._band
#define si_fd		_sifields._sigpoll._fd
#define si_call_addr	_sifields._sigsys._call_addr
#define si_syscall	_sifields._sigsys._syscall
#define si_arch		_sifields._sigsys._arch

/* si_code <= 0: who sent the signal */
#define SI_USER		0		/* kill(), raise() */
#define SI_KERNEL	0x80		/* the kernel itself */
#define SI_QUEUE	-1		/* sigqueue() */
#ifdef __SI_MIPS_SI_ORDER
#define SI_ASYNCIO	-2		/* asynchronous I/O completed */
#define SI_TIMER	-3	/* a POSIX timer expired */
#define SI_MESGQ	-4	/* a message arrived on an empty queue */
#else
#define SI_TIMER	-2	/* a POSIX timer expired */
#define SI_MESGQ	-3	/* a message arrived on an empty queue */
#define SI_ASYNCIO	-4		/* asynchronous I/O completed */
#endif
#define SI_SIGIO	-5		/* queued SIGIO */
#define SI_TKILL	-6		/* tkill(), tgkill() */
#define SI_DETHREAD	-7		/* exec() ended the other threads */
#define SI_ASYNCNL	-60		/* glibc's asynchronous name lookup finished */

#define SI_FROMUSER(siptr)	((siptr)->si_code <= 0)
#define SI_FROMKERNEL(siptr)	((siptr)->si_code > 0)

/* SIGILL */
#define ILL_ILLOPC	1	/* illegal opcode */
#define ILL_ILLOPN	2	/* illegal operand */
#define ILL_ILLADR	3	/* illegal addressing mode */
#define ILL_ILLTRP	4	/* illegal trap */
#define ILL_PRVOPC	5	/* privileged opcode */
#define ILL_PRVREG	6	/* privileged register */
#define ILL_COPROC	7	/* coprocessor error */
#define ILL_BADSTK	8	/* internal stack error */
#define ILL_BADIADDR	9	/* unimplemented instruction address */
#define __ILL_BREAK	10	/* ia64: illegal break */
#define __ILL_BNDMOD	11	/* ia64: bundle-update in progress */
#define NSIGILL		11

/* SIGFPE */
#define FPE_INTDIV	1	/* integer divide by zero */
#define FPE_INTOVF	2	/* integer overflow */
#define FPE_FLTDIV	3	/* floating-point divide by zero */
#define FPE_FLTOVF	4	/* floating-point overflow */
#define FPE_FLTUND	5	/* floating-point underflow */
#define FPE_FLTRES	6	/* floating-point inexact result */
#define FPE_FLTINV	7	/* floating-point invalid operation */
#define FPE_FLTSUB	8	/* subscript out of range */
#define __FPE_DECOVF	9	/* ia64: decimal overflow */
#define __FPE_DECDIV	10	/* ia64: decimal division by zero */
#define __FPE_DECERR	11	/* ia64: packed decimal error */
#define __FPE_INVASC	12	/* ia64: invalid ASCII digit */
#define __FPE_INVDEC	13	/* ia64: invalid decimal digit */
#define FPE_FLTUNK	14	/* floating-point exception, cause unknown */
#define FPE_CONDTRAP	15	/* trap on a condition */
#define NSIGFPE		15

/* SIGSEGV */
#define SEGV_MAPERR	1	/* address not mapped to object */
#define SEGV_ACCERR	2	/* invalid permissions for mapped object */
#define SEGV_BNDERR	3	/* failed address bound checks */
#ifdef __SI_IA64_FAULT
#define __SEGV_PSTKOVF	4	/* ia64: register stack overflow */
#else
#define SEGV_PKUERR	4	/* failed protection key checks */
#endif
#define SEGV_ACCADI	5	/* sparc ADI: not enabled for the mapping */
#define SEGV_ADIDERR	6	/* sparc ADI: disrupting memory error */
#define SEGV_ADIPERR	7	/* sparc ADI: precise memory error */
#define SEGV_MTEAERR	8	/* arm64 MTE: asynchronous tag check fault */
#define SEGV_MTESERR	9	/* arm64 MTE: synchronous tag check fault */
#define SEGV_CPERR	10	/* control protection fault (shadow stack) */
#define NSIGSEGV	10

/* SIGBUS */
#define BUS_ADRALN	1	/* invalid address alignment */
#define BUS_ADRERR	2	/* non-existent physical address */
#define BUS_OBJERR	3	/* object-specific hardware error */
#define BUS_MCEERR_AR	4	/* machine check, action required */
#define BUS_MCEERR_AO	5	/* machine check, action optional */
#define NSIGBUS		5

/* SIGTRAP */
#define TRAP_BRKPT	1	/* process breakpoint */
#define TRAP_TRACE	2	/* process trace trap */
#define TRAP_BRANCH	3	/* process taken branch trap */
#define TRAP_HWBKPT	4	/* hardware breakpoint or watchpoint */
#define TRAP_UNK	5	/* undiagnosed trap */
#define TRAP_PERF	6	/* perf event with sigtrap=1 */
#define NSIGTRAP	6

/* SIGCHLD */
#define CLD_EXITED	1	/* child has exited */
#define CLD_KILLED	2	/* child was killed */
#define CLD_DUMPED	3	/* child terminated abnormally */
#define CLD_TRAPPED	4	/* traced child has trapped */
#define CLD_STOPPED	5	/* child has stopped */
#define CLD_CONTINUED	6	/* stopped child has continued */
#define NSIGCHLD	6

/* SIGPOLL (SIGIO) */
#define POLL_IN		1	/* data input available */
#define POLL_OUT	2	/* output buffers available */
#define POLL_MSG	3	/* input message available */
#define POLL_ERR	4	/* i/o error */
#define POLL_PRI	5	/* high priority input available */
#define POLL_HUP	6	/* device disconnected */
#define NSIGPOLL	6

/* SIGSYS */
#define SYS_SECCOMP	1	/* seccomp filter said so */
#define SYS_USER_DISPATCH 2	/* syscall user dispatch caught it */
#define NSIGSYS		2

/* SIGEMT */
#define EMT_TAGOVF	1	/* tag overflow */
#define NSIGEMT		1

#endif
