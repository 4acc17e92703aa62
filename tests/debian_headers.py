"""Where Debian's cross headers for a target live (linux-libc-dev-<arch>-cross).

x86_64 is the host: its headers are /usr/include plus the multiarch
directory; every other ABI with its own Debian architecture has
/usr/<triple>/include.  Returns None when the headers are not installed."""
import os


def include_dirs(target, probe: str = "asm/siginfo.h") -> list[str] | None:
    if target.name == "x86_64":
        dirs = ["/usr/include/x86_64-linux-gnu", "/usr/include"]
    else:
        dirs = [f"/usr/{target.triple}/include"]
    return dirs if any(os.path.isfile(os.path.join(d, probe)) for d in dirs) else None
