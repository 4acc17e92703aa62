/* abicheck bundled header set "glibc": si_code values.  glibc makes them
 * enum constants and adds a #define of each name to itself, so #ifdef
 * works while the value comes from the enum. */
#ifndef _ABICHECK_GLIBC_BITS_SIGINFO_CONSTS_H
#define _ABICHECK_GLIBC_BITS_SIGINFO_CONSTS_H

#ifndef __SI_ASYNCIO_AFTER_SIGIO
# define __SI_ASYNCIO_AFTER_SIGIO 1
#endif

/* si_code <= 0: who sent the signal (counted upwards from -7). */
enum {
	SI_ASYNCNL = -60,	/* asynchronous name lookup finished */
	SI_DETHREAD = -7,	/* exec() ended the other threads */
	SI_TKILL,		/* tkill(), tgkill() */
	SI_SIGIO,		/* queued SIGIO */
#if __SI_ASYNCIO_AFTER_SIGIO
	SI_ASYNCIO,		/* asynchronous I/O completed */
	SI_MESGQ,		/* message arrived on an empty queue */
	SI_TIMER,		/* POSIX timer expired */
#else
	SI_MESGQ,
	SI_TIMER,
	SI_ASYNCIO,
#endif
	SI_QUEUE,		/* sigqueue() */
	SI_USER,		/* kill(), raise() */
	SI_KERNEL = 0x80	/* the kernel */
};
#define SI_ASYNCNL SI_ASYNCNL
#define SI_DETHREAD SI_DETHREAD
#define SI_TKILL SI_TKILL
#define SI_SIGIO SI_SIGIO
#define SI_ASYNCIO SI_ASYNCIO
#define SI_MESGQ SI_MESGQ
#define SI_TIMER SI_TIMER
#define SI_QUEUE SI_QUEUE
#define SI_USER SI_USER
#define SI_KERNEL SI_KERNEL

enum {	/* SIGILL */
	ILL_ILLOPC = 1, ILL_ILLOPN, ILL_ILLADR, ILL_ILLTRP,
	ILL_PRVOPC, ILL_PRVREG, ILL_COPROC, ILL_BADSTK, ILL_BADIADDR
};
#define ILL_ILLOPC ILL_ILLOPC
#define ILL_ILLOPN ILL_ILLOPN
#define ILL_ILLADR ILL_ILLADR
#define ILL_ILLTRP ILL_ILLTRP
#define ILL_PRVOPC ILL_PRVOPC
#define ILL_PRVREG ILL_PRVREG
#define ILL_COPROC ILL_COPROC
#define ILL_BADSTK ILL_BADSTK
#define ILL_BADIADDR ILL_BADIADDR

enum {	/* SIGFPE */
	FPE_INTDIV = 1, FPE_INTOVF, FPE_FLTDIV, FPE_FLTOVF,
	FPE_FLTUND, FPE_FLTRES, FPE_FLTINV, FPE_FLTSUB,
	FPE_FLTUNK = 14, FPE_CONDTRAP
};
#define FPE_INTDIV FPE_INTDIV
#define FPE_INTOVF FPE_INTOVF
#define FPE_FLTDIV FPE_FLTDIV
#define FPE_FLTOVF FPE_FLTOVF
#define FPE_FLTUND FPE_FLTUND
#define FPE_FLTRES FPE_FLTRES
#define FPE_FLTINV FPE_FLTINV
#define FPE_FLTSUB FPE_FLTSUB
#define FPE_FLTUNK FPE_FLTUNK
#define FPE_CONDTRAP FPE_CONDTRAP

enum {	/* SIGSEGV */
	SEGV_MAPERR = 1,	/* address not mapped to object */
	SEGV_ACCERR,		/* invalid permissions for mapped object */
	SEGV_BNDERR,		/* bounds check failed */
	SEGV_PKUERR,		/* protection key check failed */
	SEGV_ACCADI,		/* sparc ADI not enabled for the mapping */
	SEGV_ADIDERR,		/* sparc ADI disrupting error */
	SEGV_ADIPERR,		/* sparc ADI precise error */
	SEGV_MTEAERR,		/* arm64 MTE asynchronous error */
	SEGV_MTESERR,		/* arm64 MTE synchronous error */
	SEGV_CPERR		/* control protection fault */
};
#define SEGV_MAPERR SEGV_MAPERR
#define SEGV_ACCERR SEGV_ACCERR
#define SEGV_BNDERR SEGV_BNDERR
#define SEGV_PKUERR SEGV_PKUERR
#define SEGV_ACCADI SEGV_ACCADI
#define SEGV_ADIDERR SEGV_ADIDERR
#define SEGV_ADIPERR SEGV_ADIPERR
#define SEGV_MTEAERR SEGV_MTEAERR
#define SEGV_MTESERR SEGV_MTESERR
#define SEGV_CPERR SEGV_CPERR

enum {	/* SIGBUS */
	BUS_ADRALN = 1, BUS_ADRERR, BUS_OBJERR, BUS_MCEERR_AR, BUS_MCEERR_AO
};
#define BUS_ADRALN BUS_ADRALN
#define BUS_ADRERR BUS_ADRERR
#define BUS_OBJERR BUS_OBJERR
#define BUS_MCEERR_AR BUS_MCEERR_AR
#define BUS_MCEERR_AO BUS_MCEERR_AO

enum {	/* SIGTRAP */
	TRAP_BRKPT = 1, TRAP_TRACE, TRAP_BRANCH, TRAP_HWBKPT, TRAP_UNK
};
#define TRAP_BRKPT TRAP_BRKPT
#define TRAP_TRACE TRAP_TRACE
#define TRAP_BRANCH TRAP_BRANCH
#define TRAP_HWBKPT TRAP_HWBKPT
#define TRAP_UNK TRAP_UNK

enum {	/* SIGCHLD */
	CLD_EXITED = 1, CLD_KILLED, CLD_DUMPED, CLD_TRAPPED,
	CLD_STOPPED, CLD_CONTINUED
};
#define CLD_EXITED CLD_EXITED
#define CLD_KILLED CLD_KILLED
#define CLD_DUMPED CLD_DUMPED
#define CLD_TRAPPED CLD_TRAPPED
#define CLD_STOPPED CLD_STOPPED
#define CLD_CONTINUED CLD_CONTINUED

enum {	/* SIGPOLL */
	POLL_IN = 1, POLL_OUT, POLL_MSG, POLL_ERR, POLL_PRI, POLL_HUP
};
#define POLL_IN POLL_IN
#define POLL_OUT POLL_OUT
#define POLL_MSG POLL_MSG
#define POLL_ERR POLL_ERR
#define POLL_PRI POLL_PRI
#define POLL_HUP POLL_HUP

enum {	/* SIGSYS */
	SYS_SECCOMP = 1, SYS_USER_DISPATCH
};
#define SYS_SECCOMP SYS_SECCOMP
#define SYS_USER_DISPATCH SYS_USER_DISPATCH

#endif
