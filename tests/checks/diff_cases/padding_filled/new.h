/* one byte into the hole after tag, one into the tail padding */
struct pkt {
	char tag;
	char ver;
	int len;
	char tail;
	char flags;
};
