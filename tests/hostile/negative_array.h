struct s { char a[-1]; };
