/* abicheck's own freestanding <stdbool.h>. */
#ifndef __ABICHECK_STDBOOL_H
#define __ABICHECK_STDBOOL_H
#define bool _Bool
#define true 1
#define false 0
#define __bool_true_false_are_defined 1
#endif
