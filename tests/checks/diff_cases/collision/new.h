/* a new generic code 3: on alpha it is the private code's number */
#define XFLT_MAPERR	1
#define XFLT_ACCERR	2
#define XFLT_NEWERR	3
#if defined(__alpha__)
#define __XFLT_ALPHAERR	3
#endif
#define NSIGXFLT	3
struct xflt { int code; };
