struct req { int op; };
#define REQ_READ	1
#define REQ_WRITE	3	/* renumbered */
#define REQ_SYNC	(REQ_WRITE + 2)
