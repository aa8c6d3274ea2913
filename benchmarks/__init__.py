"""Benchmarks run by hand (not part of the test suite): `python -m benchmarks.<name> [--smoke]`.

Each script prints a table and writes JSON to `benchmarks/results/`; docs/PERFORMANCE.md holds the latest
figures and how to reproduce them.
"""
