"""`abicheck layout` prints what pahole prints, byte for byte.

The oracle is pahole itself (Debian's ``dwarves``) reading the DWARF that
``gcc -g -c`` writes for the same records on the host (x86_64): real uapi and
glibc records from /usr/include, plus small records that exercise one habit
of pahole's text each (bitfields and bit holes, bitfields GCC combined with a
neighbour's unit, the unnamed bitfields pahole infers from gaps, packed and
aligned records, nested anonymous unions, arrays,
flexible arrays, function pointers, cacheline markers, member padding).  The
expected text is pahole's output at test time; nothing of ours is pasted in.
Only our first line (the comment naming target and declaration) is dropped.
"""
from __future__ import annotations

import platform
import shutil
import subprocess

import pytest

from abicheck.cli import main

pytestmark = [
    pytest.mark.skipif(shutil.which("pahole") is None, reason="pahole not installed (apt-get install dwarves)"),
    pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed"),
    pytest.mark.skipif(platform.machine() != "x86_64", reason="the corpus is compiled for the host, x86_64"),
]

SYSTEM = """
#define _GNU_SOURCE
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/stat.h>
#include <linux/input.h>
#include <linux/perf_event.h>
#include <linux/bpf.h>
#include <link.h>
"""

SYNTHETIC = """
enum g_color { G_RED, G_GREEN };
struct g_bits { unsigned a:3; unsigned b:5; int c; unsigned short d:4; char e;
                unsigned long long f:40; unsigned g:2; };
struct g_bit_then_int { char a:3; int b; };
struct g_bit_then_long { int a:3; long b; };
struct g_char_then_bits { int a; struct { char b; int c:4; }; };
struct g_bit_padding { int a; char b:3; };
struct g_unnamed_bits { char a; unsigned b:2; unsigned :0; unsigned c:3; unsigned :3; unsigned d:1; };
struct g_straddle { unsigned a:30; unsigned short b:4; };
struct g_gap_in_unit { unsigned char a:3; unsigned :5; int b:2; long c:3; };
struct g_zero_width { unsigned a:3; unsigned :0; unsigned short b:3; char z; };
struct g_merged_tail { long a:3; int :0; char b:2; };
struct __attribute__((packed)) g_packed { char a; int b; short c; long d; };
struct __attribute__((packed, aligned(4))) g_packed_aligned { char a; int b; };
struct g_aligned { char a; int b __attribute__((aligned(16))); char c; } __attribute__((aligned(32)));
struct g_aligned_arm { char c; union { long __attribute__((aligned(16))) q; int w; }; };
struct g_aligned_named { char c; struct { char d; int e; } __attribute__((aligned(16))) in; };
struct g_nested { int x; union { int i; struct { short s1; short s2; char c; }; float f; };
                  union { long l; char buf[12]; } named; char tail; };
struct g_nested_padding { union { struct { long a; char b; }; int c; };
                          struct { long x; char y; } named; int z; };
struct g_flex { int n; char c; long data[]; };
struct g_fnptr { int (*cb)(int, char *); void (*v)(void); long (*va)(char *, ...);
                 void *p; struct g_bits *b; struct g_fnptr **pp; char *(*ret)(int);
                 int (*decays)(int a[3], void g(int), char s[]); void (*old_style)(); };
struct g_arrays { long double ld; char *argv[4]; struct g_packed_aligned arr[2][3];
                  unsigned char uc; signed char sc; unsigned long long ull;
#ifdef __SIZEOF_INT128__
                  __int128 i128;
#endif
                  double d; float f; _Bool ok; enum g_color col; };
struct g_big { char c; long arr[20]; short s; long l2[3]; struct g_nested n; int z; };
struct g_cacheline { char pad[60]; struct { int a; int b; int c; } s; char q; char r[70]; int last; };
struct g_cacheline_union { char a[60]; union { struct { int x; int y; } s; int z; }; int w;
                           struct { char q; long r; } __attribute__((packed)) pk; };
struct g_holes { char a; short b; char c; int d; char e; long f; };
struct g_pk_inner { char q; long r; } __attribute__((packed));
struct g_pk_hole { int w; struct g_pk_inner pk; int v; };
struct g_pk_inner5 { int q; long r; } __attribute__((packed));
struct g_pk_tight { int w; struct g_pk_inner5 pk; int v; };
struct g_pk_size { long r; int q; } __attribute__((packed));
struct g_pk_by_size { int w; struct g_pk_size pk; };
struct g_zero_last { int n; char d[0]; };
struct g_zero_first { char x[0]; int y; };
struct g_zero_only { long args[0]; };
struct g_zero_in_arm { int n; union { struct { struct {} e; char d[]; }; int x; }; };
struct g_zero_in_struct { int n; struct { int m; char d[0][4]; }; };
struct g_empty { unsigned long long :64; unsigned long long :64; } __attribute__((aligned(8)));
struct g_deep { int a; union { struct { union { struct { char b; long c[2]; } s; int i; }; } t; } u; };
struct __attribute__((packed)) g_one_byte_ago { char a[63]; short b; char c; };
union g_arms { union { void *p; } __attribute__((aligned(8))); unsigned long long q; };
struct g_bits_bytes { unsigned char a:4, b:4; int c; };
struct g_force_padding { long a; char b; int :32; int :32; };
struct g_force_padding_int { long a; int b; int :32; int :32; int :32; };
struct g_aligned_padding { int a; char c; } __attribute__((aligned(16)));
struct g_tm;
typedef int g_int_t;
struct g_qualified { const int a; const char *p; char *const q; const struct g_tm *t; volatile int v;
                     const char * const *pp; const g_int_t m; int (*f)(const char *, const void *);
                     const long verylongname_of_member_here_abcdef; const char name[4]; };
typedef struct { int a; char b; } g_pair_t;
struct g_typedef_member { g_pair_t x; char y; };
typedef struct g_holes g_holes_t;
union g_union { char c; struct g_bits b; int arr[3][2]; };
typedef unsigned long g_ulong_t;
typedef g_ulong_t g_ulong2_t;
typedef const int g_cint_t;
typedef int g_int_arr_t[4][2];
typedef char g_unsized_t[];
typedef void (*g_handler_t)(int, char *);
typedef void (*g_handlers_t[3])(int);
typedef const char *g_str_t;
typedef int (*g_rows_t)[4];
typedef void g_fn_t(int);
typedef g_fn_t *g_fnp_t;
typedef int g_word_t __attribute__((__mode__(__word__)));
typedef struct { int q; char c; struct { short s; long l; } in; } g_pairs_t[2];
typedef union { int q; char c; } g_uarr_t[3][2];
typedef struct g_holes g_holes_arr_t[2];
typedef unsigned int g_uqi_t __attribute__((mode(QI)));
typedef unsigned g_udi_t __attribute__((mode(DI)));
enum __attribute__((packed)) g_small { G_S0, G_S1 = 200 };
enum g_wide { G_W0 = 0x1ffffffffLL, G_WNEG = -5 };
typedef enum { G_TA, G_TBB = 7 } g_anon_enum_t;
typedef enum __attribute__((packed)) { G_PA } g_anon_small_t;
typedef enum g_color g_color_t;
struct g_enums { int a; enum { G_EA = 0, G_EB = 5 } st; g_anon_enum_t t; g_color_t c;
                 enum { G_BA, G_BB } bits:2; enum { G_ZA } arr[2];
                 struct { enum { G_XA, G_XLONGER } in; enum __attribute__((packed)) { G_YA } y;
                          g_anon_enum_t t2; g_anon_small_t sm2; } s; };
union g_enum_union { enum { G_UA, G_UB } e; long l; };
struct g_pa_tight { char a; int b; char c[3]; } __attribute__((packed, aligned(4)));
struct g_pa_inner { char c; struct { char a; int b; char d[3]; } __attribute__((packed, aligned(4))) in;
                    struct g_pa_tight named;
                    union { int x; struct { char a; int b; char d[3]; } __attribute__((packed, aligned(4))); }; };
struct g_fn_arrays { void (*h[4])(int); int (*p)[4]; char (*pp)[2][3]; int (*q[2])[5]; };
"""

#: (the name abicheck takes, the name pahole -C takes)
RECORDS = [
    ("siginfo_t", "siginfo_t"), ("struct sigaction", "sigaction"), ("struct msghdr", "msghdr"),
    ("struct statx", "statx"), ("struct input_event", "input_event"),
    ("struct perf_event_attr", "perf_event_attr"), ("union bpf_attr", "bpf_attr"), ("struct stat", "stat"),
    ("struct r_debug", "r_debug"),
] + [(f"struct {n}", n) for n in (
    "g_bits", "g_bit_then_int", "g_bit_then_long", "g_char_then_bits", "g_bit_padding", "g_unnamed_bits",
    "g_straddle", "g_gap_in_unit", "g_zero_width", "g_merged_tail", "g_packed",
    "g_packed_aligned", "g_aligned", "g_aligned_arm", "g_aligned_named", "g_nested", "g_nested_padding",
    "g_flex", "g_fnptr", "g_arrays", "g_big", "g_cacheline", "g_cacheline_union", "g_holes",
    "g_typedef_member", "g_pk_hole", "g_pk_tight", "g_pk_size", "g_pk_by_size", "g_zero_last",
    "g_zero_first", "g_zero_only", "g_zero_in_arm", "g_zero_in_struct", "g_empty", "g_deep",
    "g_one_byte_ago", "g_bits_bytes", "g_force_padding", "g_force_padding_int", "g_aligned_padding", "g_qualified")] + [("union g_arms", "g_arms"), ("union g_union", "g_union"), ("g_pair_t", "g_pair_t"),
      # a typedef of a tagged record is shown as that record
      ("g_holes_t", "g_holes"), ("struct g_enums", "g_enums"), ("union g_enum_union", "g_enum_union"),
      ("struct g_fn_arrays", "g_fn_arrays"), ("struct g_pa_tight", "g_pa_tight"),
      ("struct g_pa_inner", "g_pa_inner")] + [
    # typedefs of what is not a record print their underlying type, enums their enumerators
    (n, n) for n in ("g_ulong_t", "g_ulong2_t", "g_cint_t", "g_int_arr_t", "g_unsized_t", "g_handler_t",
                     "g_handlers_t", "g_str_t", "g_rows_t", "g_fnp_t", "g_fn_t", "g_anon_enum_t",
                     "g_anon_small_t", "g_color_t", "g_word_t", "g_uqi_t", "g_udi_t",
                     "g_pairs_t", "g_uarr_t", "g_holes_arr_t")] + [
    (f"enum {n}", n) for n in ("g_color", "g_small", "g_wide")]


def _variable(name: str, i: int) -> str:
    return f"{name} golden_{i};\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """{name: (pahole's text, ours without its first line)}, one compile and
    one abicheck run for the whole corpus."""
    d = tmp_path_factory.mktemp("pahole")
    header = d / "golden.h"
    header.write_text(SYSTEM + SYNTHETIC)
    src = d / "golden.c"
    # DWARF holds a type only where it is used: one variable of each
    src.write_text(f'#include "{header}"\n' + "".join(_variable(n, i) for i, (n, _) in enumerate(RECORDS)))
    obj = d / "golden.o"
    subprocess.run(["gcc", "-g", "-c", str(src), "-o", str(obj)], check=True, capture_output=True)
    theirs = {}
    for name, pname in RECORDS:
        r = subprocess.run(["pahole", "-C", pname, str(obj)], capture_output=True, text=True, check=True)
        assert r.stdout, f"pahole printed nothing for {pname}: {r.stderr}"
        theirs[name] = r.stdout
    argv = ["layout", str(header), "--system", "--target", "x86_64"]
    for name, _ in RECORDS:
        argv += ["--type", name]
    ours = _run_cli(argv)
    return {name: (theirs[name], ours[name]) for name, _ in RECORDS}


def _run_cli(argv: list[str]) -> dict[str, str]:
    """Our text per type, split at each type's first comment line."""
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    assert code == 0
    chunks: dict[str, list[str]] = {}
    current = None
    for line in out.getvalue().split("\n"):
        head = next((n for n, _ in RECORDS if line.startswith(f"/* {n} on x86_64")), None)
        if head is not None and not line.startswith("\t"):
            current = head
            chunks[current] = []
            continue
        if current is not None:
            chunks[current].append(line)
    # each type's text ends with a newline and types are separated by one more
    return {n: "\n".join(lines).rstrip("\n") + "\n" for n, lines in chunks.items()}


@pytest.mark.parametrize("name", [n for n, _ in RECORDS])
def test_layout_text_is_paholes(corpus, name):
    theirs, ours = corpus[name]
    assert ours == theirs


def test_the_corpus_exercises_paholes_habits(corpus):
    """The corpus is only a test if pahole's text shows each habit somewhere."""
    text = "".join(t for t, _ in corpus.values())
    for habit in ("bits hole, try to pack", "bytes hole, try to pack", "Bitfield combined with next fields",
                  "Bitfield combined with previous fields", "__attribute__((__packed__))",
                  "__attribute__((__aligned__(", "was 8 bytes ago", "cacheline 1 boundary (64 bytes) ---",
                  "(*sa_sigaction)(int, siginfo_t *, void *)", "data[];", "last struct has",
                  "/* padding: ", "/* bit_padding: ", "/* last cacheline: ", "sum bit holes",
                  "forced alignments", "paddings: ", "Force alignment to the next boundary", "int                        :5;",
                  "was 1 byte ago", "\t\t\t\t\tchar   b;", "args[0];", "x[0];", "d[0];", "d[][4];",
                  "/* padding: 16 */", "Force padding", "const char  * const *", "bits (1 bytes)",
                  "typedef long unsigned int g_ulong_t;", "typedef const int  g_cint_t;",
                  "typedef void (*g_handler_t)(int, char *);", "(*g_handlers_t)(int)[3];",
                  "typedef enum g_color g_color_t;", "\tG_GREEN = 1,\n};", "} __attribute__((__packed__));",
                  "\t} st;  ", "\t} bits:2;  ", "\t} arr[2];  ", "\tRT_CONSISTENT = 0,",
                  "(*h)(int)[4];", "int *                      p;",
                  "} __attribute__((__packed__)) in __attribute__((__aligned__(4)));"):
        assert habit in text, habit


#: whole uapi and glibc headers: every struct and union pahole finds in them
SWEEP = ["signal.h", "sys/socket.h", "sys/stat.h", "sys/time.h", "linux/stat.h", "linux/input.h",
         "linux/perf_event.h", "linux/bpf.h", "linux/io_uring.h", "linux/ethtool.h", "linux/fs.h",
         "linux/kvm.h", "linux/fuse.h", "linux/usbdevice_fs.h", "linux/videodev2.h",
         "sys/ucontext.h", "sys/user.h", "sys/resource.h", "sys/epoll.h", "sys/uio.h", "netinet/in.h",
         "linux/sctp.h", "linux/pps.h", "perf/perf_dlfilter.h", "link.h",
         "netinet/tcp.h", "linux/netlink.h", "linux/rtnetlink.h", "linux/if_link.h", "linux/ptrace.h",
         "linux/seccomp.h", "linux/sched.h", "linux/virtio_net.h", "linux/btrfs.h", "linux/cdrom.h",
         "linux/blkzoned.h", "linux/fiemap.h", "linux/if_packet.h", "linux/vfio.h", "linux/nbd.h",
         "linux/userfaultfd.h", "sound/asound.h", "rdma/ib_user_verbs.h"]


def _listing_blocks(listing: str) -> dict[str, str]:
    """pahole's listing of an object cut into its records: 'struct TAG' ->
    the text from 'struct TAG {' to its closing line, as -C prints it."""
    blocks: dict[str, str] = {}
    lines = listing.split("\n")
    i = 0
    while i < len(lines):
        head = lines[i]
        if head.startswith(("struct ", "union ")) and head.endswith(" {") and len(head.split()) == 3:
            j = next(k for k in range(i + 1, len(lines)) if lines[k].startswith("}"))
            blocks.setdefault(head[:-2], "\n".join(lines[i:j + 1]) + "\n")
            i = j
        i += 1
    return blocks


def _sweep_object(tmp_path):
    """(header including every installed SWEEP header, the gcc -g object
    of it, every type DWARF can hold)."""
    import os
    headers = [h for h in SWEEP if os.path.exists(os.path.join("/usr/include", h))]
    header = tmp_path / "sweep.h"
    header.write_text("#define _GNU_SOURCE\n" + "".join(f"#include <{h}>\n" for h in headers))
    src = tmp_path / "sweep.c"
    src.write_text(f'#include "{header}"\n')
    obj = tmp_path / "sweep.o"
    subprocess.run(["gcc", "-g", "-fno-eliminate-unused-debug-types", "-c", str(src), "-o", str(obj)],
                   check=True, capture_output=True)
    return header, obj


def test_every_record_of_real_headers_is_paholes(tmp_path):
    """Each struct and union of the headers above (900 or so, with every type
    DWARF can hold: -fno-eliminate-unused-debug-types) prints as pahole prints it."""
    from abicheck import api
    from abicheck.layout import Layouter
    from abicheck.targets import get_target
    from abicheck.views import text
    from abicheck.views.pahole_options import TextOptions

    header, obj = _sweep_object(tmp_path)
    listing = subprocess.run(["pahole", str(obj)], capture_output=True, text=True, check=True).stdout
    names = sorted({line[:-2] for line in listing.splitlines()
                    if line.startswith(("struct ", "union ")) and line.endswith(" {")
                    and len(line.split()) == 3})
    assert len(names) > 600
    tr = api.translate([str(header)], get_target("x86_64"), [], [], True)
    opts = TextOptions(layouter=Layouter(tr.unit, tr.target))
    # pahole -C TAG finds a typedef of that name first (typedef struct TAG TAG):
    # those records are taken from pahole's listing of the whole object
    listed = _listing_blocks(listing)
    shadowed = [n for n in names if n.split()[1] in tr.unit.typedefs]
    assert shadowed and all(n in listed for n in shadowed)
    wrong = []
    for name in names:
        tag = name.split()[1]
        theirs = listed[name] if name in shadowed else \
            subprocess.run(["pahole", "-C", tag, str(obj)], capture_output=True, text=True).stdout
        ours = text.render(api.layout_translation(tr, [name])[0], opts).split("\n", 1)[1]
        if ours != theirs:
            wrong.append(name)
    assert wrong == []


@pytest.mark.parametrize("option", [[], ["-E", "--hex"]], ids=lambda o: " ".join(o) or "plain")
def test_every_typedef_and_enum_of_real_headers_is_paholes(tmp_path, option):
    """The typedefs of the headers above that do not name a record (scalars,
    pointers, arrays, function pointers, mode and vector_size attributes:
    400 or so) and their tagged enums print as ``pahole -C NAME`` prints them
    (with -E an array of a typedef names it: ``/* typedef greg_t */``)."""
    from abicheck import api
    from abicheck.layout import Layouter
    from abicheck.targets import get_target
    from abicheck.views import text
    from abicheck.views.pahole_options import TextOptions

    header, obj = _sweep_object(tmp_path)
    tr = api.translate([str(header)], get_target("x86_64"), [], [], True)
    engine = Layouter(tr.unit, tr.target)
    opts = TextOptions(expand_types=bool(option), hex=bool(option), layouter=engine)
    names = [n for n, td in tr.unit.typedefs.items() if engine.kind(td.type) not in ("struct", "union")]
    names += [f"enum {tag}" for tag in tr.unit.enums if tag]
    compared, wrong = 0, []
    for name in names:
        theirs = subprocess.run(["pahole", *option, "-C", name.split()[-1], str(obj)],
                                capture_output=True, text=True).stdout
        if not theirs:
            continue            # a type the object's DWARF does not hold
        compared += 1
        if text.render(api.layout_translation(tr, [name])[0], opts).split("\n", 1)[1] != theirs:
            wrong.append(name)
    assert compared > 300
    assert wrong == []


#: target -> (Debian cross gcc, its flags) for the synthetic records
CROSS = {
    "i386": ("i686-linux-gnu-gcc", []), "x32": ("x86_64-linux-gnux32-gcc", []),
    "m68k": ("m68k-linux-gnu-gcc", []), "s390x": ("s390x-linux-gnu-gcc", []),
    "s390": ("s390x-linux-gnu-gcc", ["-m31"]), "armel": ("arm-linux-gnueabi-gcc", []),
    "arm_oabi": ("arm-linux-gnueabi-gcc", ["-mabi=apcs-gnu"]), "mips": ("mips-linux-gnu-gcc", []),
    "mipsel": ("mipsel-linux-gnu-gcc", []), "parisc": ("hppa-linux-gnu-gcc", []),
    "sparc64": ("sparc64-linux-gnu-gcc", []), "alpha": ("alpha-linux-gnu-gcc", []),
}
#: where that gcc writes no DW_AT_alignment for a record an aligned member or
#: attribute over-aligns (x86_64's gcc does), pahole prints no __aligned__
#: and we do: DWARF detail, not layout, left as it is
NO_DWARF_ALIGNMENT = {
    "armel": {"union g_arms"}, "mips": {"union g_arms"},
    # OABI's 4-byte minimum record alignment: aligned(4) on a packed record is no news to gcc there
    "arm_oabi": {"union g_arms", "struct g_packed_aligned", "struct g_arrays"},
    "mipsel": {"union g_arms"}, "parisc": {"union g_arms"},
    "sparc64": {"union g_arms", "struct g_aligned_arm", "struct g_aligned_named", "struct g_aligned_padding"},
    "alpha": {"union g_arms", "struct g_aligned_arm", "struct g_aligned_named", "struct g_aligned_padding"},
}


@pytest.mark.parametrize("target", sorted(CROSS))
def test_other_targets_read_as_pahole_reads_their_gcc(tmp_path, target):
    """The synthetic records on other ABIs: the same text with that ABI's
    numbers, as pahole prints it from the ABI's own gcc -g object (mips64 and
    sh4 are missing: pahole 1.24 reads nothing from their objects)."""
    from abicheck import api
    from abicheck.layout import Layouter
    from abicheck.targets import get_target
    from abicheck.views import text
    from abicheck.views.pahole_options import TextOptions

    cc, flags = CROSS[target]
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} not installed")
    header = tmp_path / "synthetic.h"
    header.write_text(SYNTHETIC)
    names = [(n, p) for n, p in RECORDS if n.split()[-1].startswith("g_")]
    src = tmp_path / "synthetic.c"
    src.write_text(f'#include "{header}"\n' + "".join(_variable(n, i) for i, (n, _) in enumerate(names)))
    obj = tmp_path / "synthetic.o"
    subprocess.run([cc, "-g", "-c", str(src), "-o", str(obj), *flags], check=True, capture_output=True)
    tr = api.translate([str(header)], get_target(target), [], [], False)
    opts = TextOptions(layouter=Layouter(tr.unit, tr.target))
    wrong = []
    for name, pname in names:
        if name in NO_DWARF_ALIGNMENT.get(target, ()):
            continue
        theirs = subprocess.run(["pahole", "-C", pname, str(obj)], capture_output=True, text=True).stdout
        assert theirs, f"pahole read nothing for {pname} from {cc}'s object"
        ours = text.render(api.layout_translation(tr, [name])[0], opts).split("\n", 1)[1]
        if ours != theirs:
            wrong.append(name)
    assert wrong == []
