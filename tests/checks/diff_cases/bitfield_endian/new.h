/* nibble order per byte order, so version is the high nibble everywhere */
struct hdr {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	unsigned char version:4, ihl:4;
#else
	unsigned char ihl:4, version:4;
#endif
	unsigned char tos;
};
