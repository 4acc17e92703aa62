struct s { int a; };
/* never closed
struct t { int b; };
