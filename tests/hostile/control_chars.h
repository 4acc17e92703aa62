struct s { int a; }[31m;
