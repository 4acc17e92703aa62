"""The commands: each module has ``add_parser(sub)`` and ``run(args)``
(``run`` returns the output, text or bytes, or ``(output, exit status)``);
``abicheck/cli.py`` lists them in ``COMMANDS`` and decides the exit.  Every
command shares the exit statuses."""

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
