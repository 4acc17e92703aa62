"""The subcommands that have grown their own module: each has
``add_parser(sub)`` and ``run(args)`` (the older ones still live in
``abicheck/cli.py``).  Every command shares the exit statuses."""

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
