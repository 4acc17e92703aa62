struct s { char a[0x10000000000000000]; };
