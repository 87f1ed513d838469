"""Benchmarks: ``python -m bench --contacts N`` (see bench/README.md)."""
