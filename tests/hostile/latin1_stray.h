/* café is fine here */
struct s { int a; } é;
