/* An event record shaped like siginfo: a 3-int head, then a union of
 * per-kind payloads padded to 6 ints. */
typedef unsigned int __u32;
typedef unsigned long long __u64;

union ev_data {
	int _pad[6];
	struct {
		void *addr;
		int code;
	} fault;
};

struct event {
	int kind;
	int flags;
	int code;
	union ev_data data;
};

#define ev_addr data.fault.addr
