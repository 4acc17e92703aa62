typedef t t;
struct s { t a; };
