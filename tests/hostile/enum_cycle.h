enum { A = B, B = A };
struct s { char x[A]; };
