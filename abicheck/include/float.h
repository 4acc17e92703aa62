/* abicheck's own freestanding <float.h>.  Every Linux ABI uses IEEE 754
 * binary32 for float and binary64 for double (C11 5.2.4.2.2, Annex F), so
 * their characteristics are the same everywhere.  long double differs by ABI
 * (x87 extended, binary128, IBM double-double, or binary64): only its
 * mantissa width is a row fact (__LDBL_MANT_DIG__); the other LDBL_
 * characteristics are left undefined rather than given a wrong value.  Layouts never depend on this header;
 * glibc's <values.h> includes it. */
#ifndef __ABICHECK_FLOAT_H
#define __ABICHECK_FLOAT_H
#define FLT_RADIX 2
#define FLT_MANT_DIG 24
#define DBL_MANT_DIG 53
#define LDBL_MANT_DIG __LDBL_MANT_DIG__
#define FLT_DIG 6
#define DBL_DIG 15
#define FLT_MIN_EXP (-125)
#define DBL_MIN_EXP (-1021)
#define FLT_MIN_10_EXP (-37)
#define DBL_MIN_10_EXP (-307)
#define FLT_MAX_EXP 128
#define DBL_MAX_EXP 1024
#define FLT_MAX_10_EXP 38
#define DBL_MAX_10_EXP 308
#define FLT_MAX 3.40282346638528859811704183484516925e+38F
#define DBL_MAX 1.79769313486231570814527423731704357e+308
#define FLT_EPSILON 1.19209289550781250000000000000000000e-7F
#define DBL_EPSILON 2.22044604925031308084726333618164062e-16
#define FLT_MIN 1.17549435082228750796873653722224568e-38F
#define DBL_MIN 2.22507385850720138309023271733240406e-308
#define FLT_ROUNDS 1
#define DECIMAL_DIG 17
#define FLT_DECIMAL_DIG 9
#define DBL_DECIMAL_DIG 17
#endif
