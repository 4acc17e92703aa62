#if 1
#error this header refuses to compile
#endif
struct s { int a; };
