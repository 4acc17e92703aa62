"""Write the hostile inputs of this folder (run from anywhere; idempotent).

Each file is built to break a header tool in one way; ``tests/test_hostile.py``
runs every command on each.  Kept as a script so the inputs are reviewable
and reproducible (the garbage is seeded), not mystery bytes.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name: str, data) -> None:
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def main() -> None:
    rnd = random.Random(11)
    write("garbage.h", bytes(rnd.randrange(256) for _ in range(512)))
    write("nul_bytes.h", b"struct s { int a; };\n\0\0\0struct \0 t {\n")
    write("latin1_stray.h", b"/* caf\xe9 is fine here */\nstruct s { int a; } \xe9;\n")
    write("truncated.h", "struct s {\n\tint a;\n\tchar b[\n")
    write("unknown_type.h", "struct s {\n\tfoo_t a;\n};\n")
    write("unterminated_comment.h", "struct s { int a; };\n/* never closed\nstruct t { int b; };\n")
    write("directive_error.h", "#if 1\n#error this header refuses to compile\n#endif\nstruct s { int a; };\n")
    write("macro_bomb.h", "/* 2**40 tokens: cpp would write terabytes */\n#define B0 x\n"
          + "".join(f"#define B{i} B{i - 1} B{i - 1}\n" for i in range(1, 41)) + "struct s { int B40; };\n")
    write("macro_selfref.h", "#define x x[x]\nstruct s { int x; };\n")
    write("include_absolute.h", '#include "/etc/passwd"\nstruct s { int a; };\n')
    write("include_dotdot.h", '#include "../../../../../../../../../../../../etc/passwd"\nstruct s { int a; };\n')
    write("include_symlink.h", '#include "inc/escape.h"\nstruct s { int a; };\n')
    os.makedirs(os.path.join(HERE, "inc"), exist_ok=True)
    link = os.path.join(HERE, "inc", "escape.h")
    if not os.path.islink(link):
        os.symlink("/etc/passwd", link)
    write("huge_array.h", "struct s { char big[0x7fffffffffffffff][0x7fffffffffffffff]; };\n")
    write("huge_count.h", "struct s { char a[0x10000000000000000]; };\n")
    write("huge_record.h", "struct s {\n\tchar a[0x4000000000000000];\n\tchar b[0x4000000000000000];\n"
          "\tchar c[0x4000000000000000];\n};\n")
    write("huge_literal.h", "struct s { char a[" + "9" * 5000 + "]; };\n")
    write("shift_overflow.h", "struct s { char a[1 << 200]; };\n")
    write("negative_shift.h", "struct s { char a[1 << -1]; };\n")
    write("division_by_zero.h", "struct s { char a[1 / 0]; };\n")
    write("negative_array.h", "struct s { char a[-1]; };\n")
    write("bad_alignment.h", "struct s { int a; } __attribute__((aligned(3)));\n")
    write("huge_alignment.h", "struct s { int a; } __attribute__((aligned(1 << 30)));\n")
    write("bitfield_too_wide.h", "struct s { int a : 100; };\n")
    write("deep_parens.h", "struct s { char a[" + "(" * 5000 + "1" + ")" * 5000 + "]; };\n")
    write("deep_braces.h", "struct s { " + "struct { " * 2000 + "int a;" + " } x;" * 2000 + " };\n")
    write("deep_declarator.h", "struct s { int " + "(*" * 3000 + "p" + ")" * 3000 + "; };\n")
    write("many_stars.h", "struct s { int " + "*" * 30000 + "p; };\n")
    write("self_struct.h", "struct s {\n\tint a;\n\tstruct s inner;\n};\n")
    write("self_typedef.h", "typedef struct s s_t;\nstruct s {\n\ts_t inner;\n};\n")
    write("self_sizeof.h", "struct s {\n\tchar a[sizeof(struct s)];\n};\n")
    write("typedef_loop.h", "typedef t t;\nstruct s { t a; };\n")
    write("enum_cycle.h", "enum { A = B, B = A };\nstruct s { char x[A]; };\n")
    write("flexible_middle.h", "struct s {\n\tint n;\n\tchar data[];\n\tint after;\n};\n")
    write("attribute_garbage.h", "struct s { int a; } __attribute__((aligned(1 +)));\n")
    write("control_chars.h", "struct s { int a; }\x1b[31m;\n")
    write("long_line.h", "struct s { int a; } " + "x, " * 20000 + "y z;\n")

    os.makedirs(os.path.join(HERE, "specs"), exist_ok=True)

    def spec(name, data):
        write(os.path.join("specs", name), data if isinstance(data, (str, bytes)) else json.dumps(data))

    spec("not_json.json", "{ this is not json\n")
    spec("not_utf8.json", b'{"spec": "caf\xe9", "headers": [], "checks": []}\n')
    spec("truncated.json", '{"spec": "x", "headers": ["a.h"], "checks": [\n')
    spec("deep.json", "[" * 100000 + "]" * 100000 + "\n")
    spec("wrong_shape.json", {"spec": 3, "headers": "signal.h", "checks": {}})
    spec("unknown_target.json", {"spec": "x", "headers": ["t.h"], "checks": [
        {"kind": "record", "type": "struct s", "size": {"vax": 4}}]})
    spec("bad_regex.json", {"spec": "x", "headers": ["t.h"], "checks": [
        {"kind": "reserved", "type": "struct s", "members": ["a"], "pattern": "(["}]})
    spec("huge_number.json", '{"spec": "x", "headers": ["t.h"], "checks": '
         '[{"kind": "record", "type": "struct s", "size": 1e400}]}\n')
    spec("control_chars.json", {"spec": "x\n/etc/x:1:1: error: forged", "headers": ["t.h"], "checks": [
        {"kind": "record", "type": "struct s", "size": {"no\nsuch": 4}}]})


if __name__ == "__main__":
    main()
