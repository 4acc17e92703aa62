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


def uapi_headers(target) -> tuple[list[str], list[str]] | None:
    """(include dirs, every ``linux/*.h`` and ``asm/*.h`` of ``target``'s
    Debian headers, by include name), or None when they are not installed:
    the corpus of the benchmark and of the front end's real-header tests."""
    dirs = include_dirs(target)
    if not dirs:
        return None
    headers = []
    for sub in ("linux", "asm"):
        for d in dirs:
            if os.path.isdir(os.path.join(d, sub)):
                headers += sorted(f"{sub}/{f}" for f in os.listdir(os.path.join(d, sub))
                                  if f.endswith(".h"))
                break
    return dirs, headers
