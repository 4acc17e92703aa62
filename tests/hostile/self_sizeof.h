struct s {
	char a[sizeof(struct s)];
};
