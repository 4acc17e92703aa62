/* the inner member is renamed, the public accessor follows it; the
 * statistics record is renamed with the same layout */
struct msg {
	int kind;
	union {
		int status;
	} u;
};
#define msg_code u.status
struct new_stat { long count; int flags; };
