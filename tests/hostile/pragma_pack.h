#pragma pack(1)
struct s { char c; int a; };
