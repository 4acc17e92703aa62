struct pkt {
	char tag;
	int len;
	char tail;
};
