"""A small multi-header tree (inputs only): headers that include each other,
records with holes and packing, an ABI-only record, a FIXME, and a header
that does not compile on mips (an ``#error`` for an ABI without a port)."""
from __future__ import annotations

import os

TREE = {
    "a.h": "#ifndef A_H\n#define A_H\n#include <b.h>\n"
           "struct a_rec { char c; long l; struct b_rec b; };\n#define A_FLAG 1\n#endif\n",
    "b.h": "#ifndef B_H\n#define B_H\n"
           "struct b_rec { int x; /* FIXME: widen */ long y; };\n"
           "typedef unsigned long b_word;\n#endif\n",
    "sub/c.h": "#include <b.h>\nstruct c_rec { b_word w; char tail; };\n"
               "union c_u { int i; long long ll; };\n",
    "sub/d.h": "struct d_packed { char c; int i; } __attribute__((packed));\n"
               "#ifdef __i386__\nstruct only_i386 { int z; };\n#endif\n",
    "e.h": "#ifdef __mips__\n#error no mips port\n#endif\nstruct e_rec { short s; long l; };\n",
}
#: NEW changes b_rec.y's type and drops union c_u
CHANGED = dict(TREE, **{"b.h": TREE["b.h"].replace("long y;", "int y;"),
                        "sub/c.h": "#include <b.h>\nstruct c_rec { b_word w; char tail; };\n"})
TARGETS = "x86_64,i386,arm,mips,s390x,sparc64,m68k"


def write_tree(root, files=TREE) -> str:
    for name, text in files.items():
        path = os.path.join(str(root), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    return str(root)
