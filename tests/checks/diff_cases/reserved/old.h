typedef unsigned int __u32;
struct cfg {
	__u32 mode;
	__u32 __reserved[3];	/* must be zero */
};
