#define x x[x]
struct s { int x; };
