struct s {
	int a;
	struct s inner;
};
