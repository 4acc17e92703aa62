struct s { char big[0x7fffffffffffffff][0x7fffffffffffffff]; };
