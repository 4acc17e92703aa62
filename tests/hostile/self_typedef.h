typedef struct s s_t;
struct s {
	s_t inner;
};
