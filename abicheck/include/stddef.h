/* abicheck's own freestanding <stddef.h>, for hermetic (-nostdinc) runs.
 * The types come from the target's predefined macros (__SIZE_TYPE__ ...),
 * which abicheck sets from its ABI table.  Every typedef has its own guard,
 * so libc's partial includes (__need_size_t and friends) all work. */
#ifndef __ABICHECK_SIZE_T
#define __ABICHECK_SIZE_T
typedef __SIZE_TYPE__ size_t;
#endif
#ifndef __ABICHECK_PTRDIFF_T
#define __ABICHECK_PTRDIFF_T
typedef __PTRDIFF_TYPE__ ptrdiff_t;
#endif
#ifndef __ABICHECK_WCHAR_T
#define __ABICHECK_WCHAR_T
typedef __WCHAR_TYPE__ wchar_t;
#endif
#if !defined(__ABICHECK_WINT_T) && defined(__WINT_TYPE__)
#define __ABICHECK_WINT_T
typedef __WINT_TYPE__ wint_t;
#endif
#ifndef __ABICHECK_MAX_ALIGN_T
#define __ABICHECK_MAX_ALIGN_T
typedef struct {
	long long __abicheck_ll __attribute__((__aligned__(__alignof__(long long))));
	long double __abicheck_ld __attribute__((__aligned__(__alignof__(long double))));
} max_align_t;
#endif
#undef NULL
#define NULL ((void *)0)
#ifndef offsetof
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif
#undef __need_size_t
#undef __need_ptrdiff_t
#undef __need_wchar_t
#undef __need_wint_t
#undef __need_NULL
#undef __need_offsetof
