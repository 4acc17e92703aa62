/* The payload gains a 64-bit key: where __u64 is 8-aligned on a 32-bit ABI
 * it raises the union's alignment from 4 to 8 and moves the union. */
typedef unsigned int __u32;
typedef unsigned long long __u64;

union ev_data {
	int _pad[6];
	struct {
		void *addr;
		int code;
		__u64 key;
	} fault;
};

struct event {
	int kind;
	int flags;
	int code;
	union ev_data data;
};

#define ev_addr data.fault.addr
#define ev_key data.fault.key
