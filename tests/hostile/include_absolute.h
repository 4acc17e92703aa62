#include "/etc/passwd"
struct s { int a; };
