"""Benchmarks: the reference engine against torch eager and hand-written NumPy (issue W1-W6)."""
