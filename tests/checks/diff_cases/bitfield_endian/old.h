/* nibble order written for little-endian ABIs only */
struct hdr {
	unsigned char ihl:4, version:4;
	unsigned char tos;
};
