/* abicheck's own freestanding <stdarg.h>.  Only the types matter for
 * layouts; abicheck models __builtin_va_list as an opaque pointer. */
#ifndef __ABICHECK_GNUC_VA_LIST
#define __ABICHECK_GNUC_VA_LIST
typedef __builtin_va_list __gnuc_va_list;
#endif
#if !defined(__need___va_list) && !defined(__ABICHECK_VA_LIST)
#define __ABICHECK_VA_LIST
typedef __gnuc_va_list va_list;
#define va_start(v, l) __builtin_va_start(v, l)
#define va_end(v) __builtin_va_end(v)
#define va_arg(v, t) __builtin_va_arg(v, t)
#define va_copy(d, s) __builtin_va_copy(d, s)
#endif
#undef __need___va_list
