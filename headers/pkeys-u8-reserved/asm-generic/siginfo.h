/* abicheck bundled header set "pkeys-u8-reserved": the generic siginfo_t and its si_code
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

#define SI_PAD_SIZE          ((SI_MAX_SIZE - __SI_HEAD_BYTES) / sizeof(int))

typedef struct siginfo {
#ifdef __SI_CODE_BEFORE_ERRNO
	int si_signo;
	int si_code;
	int si_errno;
#else
	int si_signo;
	int si_errno;
	int si_code;
#endif

	union {
	int _pad[SI_PAD_SIZE];

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

#ifdef __SI_HAS_TRAPNO
		int _trapno;		/* trap number */
#endif
		short _addr_lsb;	/* BUS_MCEERR_*: log2 of the poisoned extent */
		struct {
			void *_lower;
			void *_upper;
		} _addr_bnd;
		__u8 _pkey;	/* SEGV_PKUERR: key of the faulting page */
		__u8 _pkey_reserved[3];	/* reserved for future flags, zero */
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
	} _sifields;
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
#define si_pkey		_sifields._sigfault._pkey
#define si_band		_sifields._sigpoll._band
#define si_fd		_sifields._sigpoll._fd
#define si_call_addr	_sifields._sigsys._call_addr
#define si_syscall	_sifields._sigsys._syscall
#define si_arch		_sifields._sigsys._arch

/* In this era the kernel kept a class in the upper half of si_code inside
 * the kernel; user space sees the classes as zero. */
#define __SI_KILL	0
#define __SI_TIMER	0
#define __SI_POLL	0
#define __SI_FAULT	0
#define __SI_CHLD	0
#define __SI_RT		0
#define __SI_MESGQ	0
#define __SI_SYS	0
#define __SI_CODE(T, N)	(N)

/* si_code <= 0: who sent the signal */
#define SI_USER		0		/* kill(), raise() */
#define SI_KERNEL	0x80		/* the kernel itself */
#define SI_QUEUE	-1		/* sigqueue() */
#ifdef __SI_MIPS_SI_ORDER
#define SI_ASYNCIO	-2		/* asynchronous I/O completed */
#define SI_TIMER	__SI_CODE(__SI_TIMER, -3)	/* a POSIX timer expired */
#define SI_MESGQ	__SI_CODE(__SI_MESGQ, -4)	/* a message arrived on an empty queue */
#else
#define SI_TIMER	__SI_CODE(__SI_TIMER, -2)	/* a POSIX timer expired */
#define SI_MESGQ	__SI_CODE(__SI_MESGQ, -3)	/* a message arrived on an empty queue */
#define SI_ASYNCIO	-4		/* asynchronous I/O completed */
#endif
#define SI_SIGIO	-5		/* queued SIGIO */
#define SI_TKILL	-6		/* tkill(), tgkill() */
#define SI_DETHREAD	-7		/* exec() ended the other threads */

#define SI_FROMUSER(siptr)	((siptr)->si_code <= 0)
#define SI_FROMKERNEL(siptr)	((siptr)->si_code > 0)

/* SIGILL */
#define ILL_ILLOPC	(__SI_FAULT|1)	/* illegal opcode */
#define ILL_ILLOPN	(__SI_FAULT|2)	/* illegal operand */
#define ILL_ILLADR	(__SI_FAULT|3)	/* illegal addressing mode */
#define ILL_ILLTRP	(__SI_FAULT|4)	/* illegal trap */
#define ILL_PRVOPC	(__SI_FAULT|5)	/* privileged opcode */
#define ILL_PRVREG	(__SI_FAULT|6)	/* privileged register */
#define ILL_COPROC	(__SI_FAULT|7)	/* coprocessor error */
#define ILL_BADSTK	(__SI_FAULT|8)	/* internal stack error */
#ifdef __SI_IA64_FAULT
#define ILL_BADIADDR	(__SI_FAULT|9)	/* unimplemented instruction address */
#define __ILL_BREAK	(__SI_FAULT|10)	/* illegal break */
#define __ILL_BNDMOD	(__SI_FAULT|11)	/* bundle-update in progress */
#define NSIGILL		11
#else
#define NSIGILL		8
#endif

/* SIGFPE */
#define FPE_INTDIV	(__SI_FAULT|1)	/* integer divide by zero */
#define FPE_INTOVF	(__SI_FAULT|2)	/* integer overflow */
#define FPE_FLTDIV	(__SI_FAULT|3)	/* floating-point divide by zero */
#define FPE_FLTOVF	(__SI_FAULT|4)	/* floating-point overflow */
#define FPE_FLTUND	(__SI_FAULT|5)	/* floating-point underflow */
#define FPE_FLTRES	(__SI_FAULT|6)	/* floating-point inexact result */
#define FPE_FLTINV	(__SI_FAULT|7)	/* floating-point invalid operation */
#define FPE_FLTSUB	(__SI_FAULT|8)	/* subscript out of range */
#ifdef __SI_IA64_FAULT
#define __FPE_DECOVF	(__SI_FAULT|9)	/* decimal overflow */
#define __FPE_DECDIV	(__SI_FAULT|10)	/* decimal division by zero */
#define __FPE_DECERR	(__SI_FAULT|11)	/* packed decimal error */
#define __FPE_INVASC	(__SI_FAULT|12)	/* invalid ASCII digit */
#define __FPE_INVDEC	(__SI_FAULT|13)	/* invalid decimal digit */
#define NSIGFPE		13
#else
#define NSIGFPE		8
#endif

/* SIGSEGV */
#define SEGV_MAPERR	(__SI_FAULT|1)	/* address not mapped to object */
#define SEGV_ACCERR	(__SI_FAULT|2)	/* invalid permissions for mapped object */
#define SEGV_BNDERR	(__SI_FAULT|3)	/* failed address bound checks */
#define SEGV_PKUERR	(__SI_FAULT|4)	/* failed protection key checks */
#ifdef __SI_IA64_FAULT
#define __SEGV_PSTKOVF	(__SI_FAULT|4)	/* ia64: register stack overflow */
#endif
#define NSIGSEGV	4

/* SIGBUS */
#define BUS_ADRALN	(__SI_FAULT|1)	/* invalid address alignment */
#define BUS_ADRERR	(__SI_FAULT|2)	/* non-existent physical address */
#define BUS_OBJERR	(__SI_FAULT|3)	/* object-specific hardware error */
#define BUS_MCEERR_AR	(__SI_FAULT|4)	/* machine check, action required */
#define BUS_MCEERR_AO	(__SI_FAULT|5)	/* machine check, action optional */
#define NSIGBUS		5

/* SIGTRAP */
#define TRAP_BRKPT	(__SI_FAULT|1)	/* process breakpoint */
#define TRAP_TRACE	(__SI_FAULT|2)	/* process trace trap */
#define TRAP_BRANCH	(__SI_FAULT|3)	/* process taken branch trap */
#define TRAP_HWBKPT	(__SI_FAULT|4)	/* hardware breakpoint or watchpoint */
#define NSIGTRAP	4

/* SIGCHLD */
#define CLD_EXITED	(__SI_CHLD|1)	/* child has exited */
#define CLD_KILLED	(__SI_CHLD|2)	/* child was killed */
#define CLD_DUMPED	(__SI_CHLD|3)	/* child terminated abnormally */
#define CLD_TRAPPED	(__SI_CHLD|4)	/* traced child has trapped */
#define CLD_STOPPED	(__SI_CHLD|5)	/* child has stopped */
#define CLD_CONTINUED	(__SI_CHLD|6)	/* stopped child has continued */
#define NSIGCHLD	6

/* SIGPOLL (SIGIO) */
#define POLL_IN		(__SI_POLL|1)	/* data input available */
#define POLL_OUT	(__SI_POLL|2)	/* output buffers available */
#define POLL_MSG	(__SI_POLL|3)	/* input message available */
#define POLL_ERR	(__SI_POLL|4)	/* i/o error */
#define POLL_PRI	(__SI_POLL|5)	/* high priority input available */
#define POLL_HUP	(__SI_POLL|6)	/* device disconnected */
#define NSIGPOLL	6

/* SIGSYS */
#define SYS_SECCOMP	(__SI_SYS|1)	/* seccomp filter said so */
#define NSIGSYS		1

#ifdef __SI_HAS_EMT
/* SIGEMT (sparc) */
#define EMT_TAGOVF	(__SI_FAULT|1)	/* tag overflow */
#define NSIGEMT		1
#endif

#endif
