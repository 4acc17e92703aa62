"""The commands: each module has ``add_parser(sub)`` and ``run(args)``
(``run`` returns the output, text or bytes, or ``(output, exit status)``);
``abicheck/cli.py`` dispatches to them and decides the exit.  Every command
shares the exit statuses."""

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3

# Every command, in --help's order, with its line in --help.  Why here and not
# in the modules: the top-level --help needs these lines only, and a command
# line needs its own command's module only, so neither imports the other
# fourteen modules nor what they import (json, shutil, the renderers, ...).
# The module of command NAME is abicheck.subcommands.NAME.
SUMMARIES = {
    "layout": "show the memory layout of types, pahole style",
    "check": "check headers against an ABI spec on every target",
    "diff": "compare two revisions of headers on every ABI, with causes and verdicts",
    "lint": "lint headers for ABI hazards on every ABI (the seed review as rules)",
    "compat": "compare the kernel's and a C library's view of a type on every ABI",
    "merge": "combine --shard results into the report of a single run",
    "model": "print a type's binary model (construct) as Python source",
    "encode": "build the bytes of a record (siginfo_t by default) from fields",
    "decode": "print the fields of a record's bytes (siginfo_t as strace does)",
    "validate": "check a record's bytes (siginfo_t by default) against a spec",
    "simulate": "simulate a protection-key fault scenario: the signal and siginfo bytes the "
                "kernel delivers",
    "vectors": "write siginfo test vectors (blob + JSON expectation) covering every path of the "
               "fault simulator",
    "selftest": "generate a C program performing scenarios on a real kernel and printing the "
                "siginfo it delivers",
    "targets": "list the ABIs abicheck knows",
    "cache": "show the persistent cache's location and size; prune it",
}


def command(name: str):
    """The module of command ``name`` (a key of ``SUMMARIES``), imported."""
    import importlib
    return importlib.import_module(f"{__name__}.{name}")
