typedef unsigned int __u32;
struct cfg {
	__u32 mode;
	__u32 flags;		/* was reserved */
	__u32 __reserved[2];	/* must be zero */
};
