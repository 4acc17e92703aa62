"""strace itself as the oracle of the strace-style siginfo text.

A small C program hands each blob to ``rt_sigqueueinfo`` (addressed to a pid
that does not exist, so nothing is delivered) and ``strace -e
trace=rt_sigqueueinfo`` prints the siginfo argument exactly as strace prints
one.  Host ABI only (x86_64: the program is built by the host gcc); the
helpers return None when strace, gcc or an x86_64 host is missing, and the
tests skip with that reason (CI installs strace: .ci/run).
"""
from __future__ import annotations

import atexit
import functools
import os
import platform
import re
import shutil
import subprocess
import tempfile

_SRC = r"""
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
    unsigned char buf[sizeof(siginfo_t)];
    for (int i = 1; i < argc; i++) {
        size_t n = strlen(argv[i]) / 2;
        memset(buf, 0, sizeof buf);
        for (size_t j = 0; j < n && j < sizeof buf; j++) {
            unsigned v;
            sscanf(argv[i] + 2 * j, "%2x", &v);
            buf[j] = (unsigned char)v;
        }
        int sig;
        memcpy(&sig, buf, sizeof sig);
        syscall(SYS_rt_sigqueueinfo, 1 << 30, sig, buf);   /* no such pid: ESRCH/EPERM */
    }
    return 0;
}
"""
_LINE = re.compile(r"^rt_sigqueueinfo\(\d+, [^,]+, (\{.*\})\)\s+= ")


def missing() -> str | None:
    """Why the oracle cannot run here, or None."""
    if platform.machine() != "x86_64":
        return "the strace oracle runs x86_64 blobs on an x86_64 host"
    for tool in ("strace", "gcc"):
        if shutil.which(tool) is None:
            return f"no {tool} (CI installs it)"
    return _cannot_trace()


@functools.lru_cache(maxsize=1)
def _cannot_trace() -> str | None:
    """strace needs ptrace: a container without it cannot trace anything."""
    r = subprocess.run(["strace", "-qq", "-e", "trace=none", "true"], capture_output=True,
                       text=True, timeout=60)
    return None if r.returncode == 0 else f"strace cannot trace here: {r.stderr.strip()[:120]}"


@functools.lru_cache(maxsize=1)
def _program() -> str:
    d = tempfile.mkdtemp(prefix="abicheck-strace-")
    atexit.register(shutil.rmtree, d, True)          # no build left behind in /tmp
    src, exe = os.path.join(d, "q.c"), os.path.join(d, "q")
    with open(src, "w") as f:
        f.write(_SRC)
    subprocess.run(["gcc", "-O0", "-o", exe, src], check=True, capture_output=True)
    return exe


def strace_texts(blobs: list[bytes]) -> list[str]:
    """What strace prints for each 128-byte x86_64 siginfo blob."""
    r = subprocess.run(["strace", "-e", "trace=rt_sigqueueinfo", "-qq", _program(),
                        *(b.hex() for b in blobs)], capture_output=True, text=True, timeout=60)
    lines = [m.group(1) for m in map(_LINE.match, r.stderr.splitlines()) if m]
    assert len(lines) == len(blobs), r.stderr
    return lines
