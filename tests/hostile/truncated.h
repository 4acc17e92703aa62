struct s {
	int a;
	char b[
