/* abicheck's own freestanding <stdnoreturn.h> (C11 7.23). */
#ifndef __ABICHECK_STDNORETURN_H
#define __ABICHECK_STDNORETURN_H
#define noreturn _Noreturn
#endif
