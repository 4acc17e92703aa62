/* a new member as wide as a long: wider than a and b where long is 8 bytes,
 * still inside the pad everywhere, and only 1-aligned */
union slot {
	int _pad[4];
	int a;
	short b;
	char c[sizeof(long)];
};
