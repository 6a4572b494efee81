"""Benchmarks: seed a large data set and time the key pages in-process (see bench/README.md)."""
