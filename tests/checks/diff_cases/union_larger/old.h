/* a union sized by its pad member */
union slot {
	int _pad[4];
	int a;
	short b;
};
