#ifdef __m68k__
#error "no m68k port"
#endif
struct port { int id; long extra; };
