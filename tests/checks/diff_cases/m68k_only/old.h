/* a short, then an int: a 2-byte hole everywhere int is 4-aligned */
struct rec {
	short a;
	int b;
};
