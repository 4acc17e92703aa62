#include "inc/escape.h"
struct s { int a; };
