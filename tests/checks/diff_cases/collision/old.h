/* codes of a signal, counted by NSIGXFLT; alpha has a private code 3 */
#define XFLT_MAPERR	1
#define XFLT_ACCERR	2
#if defined(__alpha__)
#define __XFLT_ALPHAERR	3
#endif
#define NSIGXFLT	2
struct xflt { int code; };
