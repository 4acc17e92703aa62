struct msg {
	int kind;
	union {
		int code;
	} u;
};
#define msg_code u.code
struct old_stat { long count; int flags; };
