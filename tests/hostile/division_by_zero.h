struct s { char a[1 / 0]; };
