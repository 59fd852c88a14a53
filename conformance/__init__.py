"""Differential conformance suite: checks a torch-shaped implementation against real torch.

The four parts, each in its own module(s):

* ``registry/``   -- one plain-data entry per op variant (how to call it, domains, dtypes, ...).
* ``program`` + ``strategies/`` -- programs as data, generated and shrunk by Hypothesis.
* ``executor``   -- runs a program on a namespace and records a JSON-serialisable observation.
* ``compare`` + ``oracle`` -- diff two observations into classified divergences; judge gradients.
"""

__version__ = "0.1.0"
