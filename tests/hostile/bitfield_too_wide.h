struct s { int a : 100; };
