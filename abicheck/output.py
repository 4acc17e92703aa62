"""Writing a report: all of it or none of it.

A CI job that reads ``report.sarif`` after a crash, a timeout or a full disk
must never find half a document.  ``write_atomic`` writes a temporary file
next to the target (same directory, so the same file system), flushes it to
disk, then renames it over the target in one step (``os.replace``): a reader
sees the old file or the new one.  On any failure the temporary file is
removed and the old file, if any, is left as it was.
"""
from __future__ import annotations

import os
import stat
import tempfile

from abicheck.errors import UsageError


def encodable(text: str) -> str:
    """``text`` made safe to encode as UTF-8: header bytes that are not
    UTF-8 (kept as surrogate escapes) become ``\\udcXX`` escapes."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def write_atomic(path: str, text: str | bytes) -> None:
    """Replace ``path`` with ``text`` (UTF-8; bytes as they are) in one step.

    A symbolic link is written through (its target is replaced, the link
    stays); a file that is not a regular file (``/dev/stdout``, a FIFO, a
    terminal) is written to as it is: renaming over it would replace a
    device with a file."""
    data = text if isinstance(text, bytes) else encodable(text).encode("utf-8")
    if os.path.isdir(path):
        raise UsageError(f"cannot write '{path}': it is a directory")
    name = path
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)      # follows links
    except OSError:
        special = False                                         # a new file
    if special:
        try:
            with open(path, "wb") as f:
                f.write(data)
        except OSError as e:
            raise UsageError(f"cannot write '{name}': {e.strerror}") from None
        return
    path = os.path.realpath(path)       # through links: the link stays, its file is replaced
    directory = os.path.dirname(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise UsageError(f"cannot write '{name}': {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = os.stat(path).st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as e:
        raise UsageError(f"cannot write '{name}': {e.strerror}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
