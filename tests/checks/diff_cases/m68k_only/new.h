/* a new short in the hole; where int is 2-aligned there is no hole */
struct rec {
	short a;
	short n;
	int b;
};
