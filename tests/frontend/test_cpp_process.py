"""The bounded run of cpp (frontend/cpp_process.py) and of a batch
(frontend/batch_proc.py), which share one start/watch/kill loop.

The child here is ``/bin/sh`` standing in for cpp, so each test controls
exactly when output and separators appear; what is checked is the loop's
contract: a whole run's bounds versus a part's, kill on a bound, a
cancelled run stopped with its process group, a command that cannot start.
"""
from __future__ import annotations

import os
import threading

import pytest

from abicheck import limits
from abicheck.errors import LimitError, UsageError
from abicheck.frontend import batch_proc, cpp_process

pytestmark = pytest.mark.skipif(not os.path.exists("/bin/sh"), reason="needs /bin/sh")

SEP = b"\n#pragma abicheck_split 0123 "


def sh(script: str) -> list[str]:
    return ["/bin/sh", "-c", script]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_batch_bounds_each_part_not_the_whole_run():
    # eight parts of ~0.2 s each: the run lasts longer than cpp-timeout,
    # no part does
    parts = "; ".join(["printf '\\n#pragma abicheck_split 0123 x'; sleep 0.2"] * 8)
    killed, code, out, _ = batch_proc.run(sh(parts), b"", limits.Limits(cpp_timeout=1.5), SEP)
    assert (killed, code, out.count(SEP)) == (False, 0, 8)


def test_a_batch_part_past_the_time_bound_is_killed_with_what_it_wrote():
    killed, code, out, _ = batch_proc.run(sh("printf 'part one'; sleep 30"), b"",
                                          limits.Limits(cpp_timeout=0.5), SEP)
    assert killed and code != 0 and out == b"part one"


def test_a_batch_bounds_each_parts_output():
    part = "head -c 1500 /dev/zero; printf '\\n#pragma abicheck_split 0123 x'"
    many = "; ".join([part + "; sleep 0.05"] * 6)
    killed, _, out, _ = batch_proc.run(sh(many), b"", limits.Limits(cpp_output=2000), SEP)
    assert not killed and len(out) > 6 * 1500
    killed, _, out, _ = batch_proc.run(sh("head -c 5000 /dev/zero; sleep 30"), b"",
                                       limits.Limits(cpp_output=2000), SEP)
    assert killed and len(out) >= 5000


@pytest.mark.parametrize("script", [
    "head -c 5000 /dev/zero; sleep 30",     # seen while it runs, and killed
    "head -c 5000 /dev/zero",               # ended before the watch saw it
])
def test_a_whole_run_is_stopped_at_its_output_bound(script):
    with pytest.raises(LimitError, match="--limit cpp-output="):
        cpp_process.run_bounded(sh(script), b"", limits.Limits(cpp_output=2000))


def test_a_cancelled_run_is_killed_with_its_children(tmp_path):
    pidfile = tmp_path / "pid"
    stop = threading.Event()

    def cancel_once_started() -> None:
        for _ in range(200):
            if pidfile.exists() and pidfile.read_text().strip():
                break
            stop.wait(0.05)
        stop.set()

    threading.Thread(target=cancel_once_started, daemon=True).start()
    cpp_process._cancel.event = stop
    try:
        with pytest.raises(cpp_process.Cancelled):
            # the shell starts a child (as gcc's driver starts cc1) and waits
            cpp_process.run_bounded(sh(f"sleep 30 & echo $! > {pidfile}; wait"), b"",
                                    limits.Limits())
    finally:
        cpp_process._cancel.event = None
    pid = int(pidfile.read_text())
    for _ in range(50):                 # SIGKILL is delivered at once; reaping by init may lag
        if _gone(pid):
            break
        threading.Event().wait(0.1)
    assert _gone(pid)


@pytest.mark.parametrize("run", [
    lambda args: cpp_process.run_bounded(args, b"", limits.Limits()),
    lambda args: batch_proc.run(args, b"", limits.Limits(), SEP),
])
def test_a_command_that_cannot_start_is_a_usage_error(tmp_path, run):
    with pytest.raises(UsageError, match="cannot run the preprocessor"):
        run([str(tmp_path / "no-such-gcc")])


def test_stdin_is_fed_and_both_outputs_kept():
    killed, code, out, err = batch_proc.run(sh("cat; echo oops >&2; exit 3"), b"some text",
                                            limits.Limits(), SEP)
    assert (killed, code, out, err) == (False, 3, b"some text", b"oops\n")
    assert cpp_process.run_bounded(sh("cat; echo oops >&2; exit 3"), b"some text",
                                   limits.Limits()) == (3, b"some text", b"oops\n")
