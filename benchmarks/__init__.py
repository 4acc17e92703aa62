"""Benchmarks of abicheck against what a user would use instead, measured
in the same run on the same machine: ``python -m benchmarks`` (see
``__main__``).  Not part of the package or the test run."""
